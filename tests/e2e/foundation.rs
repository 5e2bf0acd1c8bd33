//! Error model, request ids, security headers, health probes, logging, shutdown.

use helpdesk_tests::{TestApp, TestDb};
use reqwest::{Method, StatusCode, header};
use serde_json::Value;

async fn problem(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
    let body: Value = response.json().await.expect("a JSON problem body");
    assert_eq!(body["status"], status.as_u16());
    for member in ["type", "title", "detail", "code"] {
        assert!(body[member].is_string(), "problem without {member}: {body}");
    }
    body
}

#[tokio::test]
async fn unknown_routes_answer_404_problem() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/nothing-here", "/api/nothing", "/health/nothing", "/api/v1/tickets/x/y/z"] {
        let body = problem(app.get(path).await, StatusCode::NOT_FOUND).await;
        assert_eq!(body["code"], "not_found");
        assert_eq!(body["type"], "/problems/not-found");
    }
}

#[tokio::test]
async fn wrong_methods_answer_405_problem() {
    let app = TestApp::spawn().await;
    for (method, path) in
        [(Method::POST, "/health/live"), (Method::DELETE, "/health/ready"), (Method::PUT, "/api/openapi.json")]
    {
        let response = app.request(method, path).send().await.unwrap();
        let body = problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
        assert_eq!(body["code"], "method_not_allowed");
    }
}

#[tokio::test]
async fn request_id_is_generated_and_echoed() {
    let app = TestApp::spawn().await;
    let generated = app.get("/health/live").await;
    let id = generated.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let echoed = app.request(Method::GET, "/health/live").header("X-Request-Id", "trace-42.a_b").send().await.unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-42.a_b");

    let forged = app.request(Method::GET, "/health/live").header("X-Request-Id", "evil\" id=1").send().await.unwrap();
    assert_ne!(forged.headers()["x-request-id"], "evil\" id=1", "unsafe ids are replaced");
}

#[tokio::test]
async fn problems_carry_the_request_id() {
    let app = TestApp::spawn().await;
    let response = app.request(Method::GET, "/api/v1/missing").header("X-Request-Id", "abc-123").send().await.unwrap();
    let body = problem(response, StatusCode::NOT_FOUND).await;
    assert_eq!(body["request_id"], "abc-123");
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/health/live", "/api/v1/missing", "/api/openapi.json", "/", "/tickets/1"] {
        let response = app.get(path).await;
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!h.contains_key(header::STRICT_TRANSPORT_SECURITY), "no HSTS over plain http");
    }
    let api = app.get("/health/live").await;
    assert_eq!(api.headers()[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let app = TestApp::builder().env("HELPDESK_PUBLIC_URL", "https://help.example.com").spawn().await;
    let response = app.get("/health/live").await;
    assert!(response.headers()[header::STRICT_TRANSPORT_SECURITY].to_str().unwrap().starts_with("max-age="));
}

#[tokio::test]
async fn liveness_and_readiness_pass_with_a_migrated_database() {
    let app = TestApp::spawn().await;
    for path in ["/health/live", "/health/ready"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_down() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);
    app.db.drop_now();
    let body = problem(app.get("/health/ready").await, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["code"], "service_unavailable");
    // The process itself is still alive.
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn serve_applies_pending_migrations_at_start_up() {
    let app = TestApp::builder().database(TestDb::create_empty()).spawn().await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn request_logs_never_contain_credentials_or_query_strings() {
    let app = TestApp::spawn().await;
    app.request(Method::GET, "/health/live?token=query-secret-123")
        .header(header::AUTHORIZATION, "Bearer header-secret-456")
        .header(header::COOKIE, "helpdesk_refresh=cookie-secret-789")
        .header("X-Request-Id", "log-check-1")
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = app.log();
    assert!(log.contains("log-check-1"), "the request is logged with its id:\n{log}");
    for secret in ["query-secret-123", "header-secret-456", "cookie-secret-789"] {
        assert!(!log.contains(secret), "{secret} leaked into the log");
    }
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_with_the_request_id() {
    let app = TestApp::builder().env("HELPDESK_LOG_FORMAT", "json").spawn().await;
    app.request(Method::GET, "/health/live").header("X-Request-Id", "json-log-1").send().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = app.log();
    let lines: Vec<Value> =
        log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let request = lines.iter().find(|l| l["span"]["request_id"] == "json-log-1").expect("a log line of the request");
    assert_eq!(request["fields"]["status"], 200);
    assert_eq!(request["span"]["method"], "GET");
    assert!(request["fields"]["latency_ms"].is_number());
    assert_eq!(request["fields"]["client_ip"], "127.0.0.1");
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let mut app = TestApp::spawn().await;
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
    let status = app.terminate().await;
    assert!(status.success(), "exit status {status}");
    assert!(app.log().contains("server stopped"));
}

#[tokio::test]
async fn the_privacy_settings_are_the_live_configuration() {
    let app = TestApp::builder()
        .env("HELPDESK_EMAIL_LOG_RETENTION_DAYS", "14")
        .env("HELPDESK_AUTO_CLOSE_DAYS", "21")
        .env("HELPDESK_SESSION_IDLE_MINUTES", "20")
        .spawn()
        .await;
    let settings: Value = app.get("/api/v1/privacy").await.json().await.unwrap();
    assert_eq!(settings["email_log_retention_days"], 14);
    assert_eq!(settings["auto_close_resolved_after_days"], 21);
    assert_eq!(settings["session_idle_minutes"], 20);
    assert_eq!(settings["request_log_retention_days"], 90);
    assert_eq!(settings["inactive_account_deletion_days"], 730);
    assert_eq!(settings["login_failures_before_captcha"], 5);
    assert_eq!(settings["max_upload_bytes"], 5_242_880);
    assert_eq!(
        settings["allowed_file_types"],
        serde_json::json!(["JPG", "JPEG", "PNG", "GIF", "PDF", "DOC", "DOCX", "TXT", "ZIP", "RAR"])
    );
}

/// P10: with `HELPDESK_LOG_DIR` the access log also goes to daily JSON files (no query strings),
/// the clean-up deletes files past the retention period (and nothing else), and the privacy
/// settings say the server keeps them; without it they say the operator's log system does.
#[tokio::test]
async fn request_logs_are_written_daily_and_deleted_after_their_retention() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("requests-2020-01-01.jsonl");
    std::fs::write(&old, "{}\n").unwrap();
    let other = dir.path().join("notes.txt");
    std::fs::write(&other, "not a log").unwrap();
    let app = TestApp::builder().env("HELPDESK_LOG_DIR", dir.path().to_string_lossy()).spawn().await;
    app.get("/health/live?token=very-secret").await;
    let today = dir.path().join(format!("requests-{}.jsonl", chrono::Utc::now().format("%Y-%m-%d")));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while old.exists() || !std::fs::read_to_string(&today).unwrap_or_default().contains("/health/live") {
        assert!(std::time::Instant::now() < deadline, "the old file stayed or today's has no request");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let written = std::fs::read_to_string(&today).unwrap();
    assert!(!written.contains("very-secret"), "no query strings in request logs");
    assert!(written.lines().all(|l| serde_json::from_str::<Value>(l).is_ok()), "one JSON object per line");
    assert!(other.exists(), "only request-log files are deleted");
    let settings: Value = app.get("/api/v1/privacy").await.json().await.unwrap();
    assert_eq!(settings["request_logs_kept_by_server"], true);
    let plain = TestApp::spawn().await;
    let settings: Value = plain.get("/api/v1/privacy").await.json().await.unwrap();
    assert_eq!(settings["request_logs_kept_by_server"], false);
}

#[tokio::test]
async fn problems_are_german_for_a_client_that_prefers_german() {
    let app = TestApp::spawn().await;
    let session = app.customer("clara").await;
    let send = |language: &'static str| {
        app.authed(Method::POST, "/api/v1/tickets", &session)
            .header(header::ACCEPT_LANGUAGE, language)
            .json(&serde_json::json!({"subject": " ", "description": "x".repeat(20_001)}))
            .send()
    };
    let german = send("de-DE,de;q=0.9,en;q=0.8").await.unwrap();
    assert_eq!(german.headers()[header::CONTENT_LANGUAGE], "de");
    let body = problem(german, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["code"], "validation_failed", "codes stay for clients to switch on");
    assert_eq!(body["detail"], "Bitte prüfen Sie die markierten Felder.");
    assert_eq!(body["errors"]["subject"][0], "darf nicht leer sein");
    assert_eq!(body["errors"]["description"][0], "darf höchstens 20000 Zeichen lang sein");
    let english = problem(send("en-US,de;q=0.5").await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(english["errors"]["subject"][0], "must not be empty");
    // Bare errors (no route) and guests too.
    let missing =
        app.request(Method::GET, "/api/v1/nothing-here").header(header::ACCEPT_LANGUAGE, "de").send().await.unwrap();
    let body = problem(missing, StatusCode::NOT_FOUND).await;
    assert_eq!(body["detail"], "Das gibt es nicht, oder es ist für Sie nicht sichtbar.");
}
