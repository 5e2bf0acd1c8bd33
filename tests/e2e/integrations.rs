//! What integrations rely on (#13): every bad input is a 4xx naming what is wrong (found by a
//! property-based run over the spec), 405 says what is allowed, and the spec is complete.

use helpdesk_tests::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn assert_field_problem(
    app: &TestApp,
    method: Method,
    path: &str,
    session: Option<&helpdesk_tests::Session>,
    body: Option<Value>,
    field: &str,
) {
    let (status, problem) = app.send(method.clone(), path, session, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {problem}");
    assert!(problem["errors"][field].is_array(), "{method} {path} names {field}: {problem}");
}

#[tokio::test]
async fn a_nul_character_anywhere_is_a_422_naming_the_field_not_a_500() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let customer = app.customer("cust").await;
    let nul = "a\u{0}b";
    let cases: Vec<(Method, &str, Option<&helpdesk_tests::Session>, Value, &str)> = vec![
        (Method::POST, "/api/v1/auth/login", None, json!({"login": nul, "password": "x"}), "login"),
        (Method::POST, "/api/v1/auth/password-reset", None, json!({"email": nul}), "email"),
        (Method::PATCH, "/api/v1/me", Some(&customer), json!({"full_name": nul}), "full_name"),
        (Method::POST, "/api/v1/categories", Some(&admin), json!({"name": nul}), "name"),
        (Method::POST, "/api/v1/organizations", Some(&admin), json!({"name": nul, "domains": []}), "name"),
        (Method::POST, "/api/v1/tickets", Some(&customer), json!({"subject": "ok", "description": nul}), "description"),
        (
            Method::POST,
            "/api/v1/calendars",
            Some(&admin),
            json!({"name": "c", "opening_hours": [], "holidays": [{"date": "2026-01-01", "name": nul}]}),
            "holidays[0].name",
        ),
    ];
    for (method, path, session, body, field) in cases {
        assert_field_problem(&app, method, path, session, Some(body), field).await;
    }
    assert_field_problem(&app, Method::GET, "/api/v1/tickets?q=a%00b", Some(&admin), None, "q").await;
    assert_field_problem(&app, Method::GET, "/api/v1/admin/email-log?recipient=a%00b", Some(&admin), None, "recipient")
        .await;
}

#[tokio::test]
async fn a_405_lists_the_allowed_methods() {
    let app = TestApp::spawn().await;
    for (method, path, allow) in [
        (Method::DELETE, "/api/v1/tickets", "GET, POST"),
        (Method::PUT, "/api/v1/tickets/12", "GET, PATCH, DELETE"),
        (Method::POST, "/api/v1/tickets/stats", "GET"),
        (Method::PUT, "/api/v1/me", "GET, PATCH, DELETE"),
    ] {
        let response = app.request(method.clone(), path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let got = response.headers().get("allow").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(got.as_deref(), Some(allow), "{method} {path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
}

#[tokio::test]
async fn inputs_past_their_documented_limits_are_refused() {
    let app = TestApp::spawn().await;
    let customer = app.customer("cust").await;
    assert_field_problem(
        &app,
        Method::POST,
        "/api/v1/auth/password-reset",
        None,
        Some(json!({"email": "not-an-address"})),
        "email",
    )
    .await;
    let long_mail = format!("{}@example.com", "a".repeat(250));
    assert_field_problem(
        &app,
        Method::POST,
        "/api/v1/auth/password-reset",
        None,
        Some(json!({"email": long_mail})),
        "email",
    )
    .await;
    assert_field_problem(
        &app,
        Method::POST,
        "/api/v1/auth/logout",
        None,
        Some(json!({"refresh_token": "x".repeat(257)})),
        "refresh_token",
    )
    .await;
    assert_field_problem(
        &app,
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": "x".repeat(257)})),
        "refresh_token",
    )
    .await;
    let body = json!({"full_name": "New Name", "current_password": "x".repeat(1025)});
    assert_field_problem(&app, Method::PATCH, "/api/v1/me", Some(&customer), Some(body), "current_password").await;
    // Blanks count: trimming happens when storing, not before the length check.
    let padded = format!("Printer{}", " ".repeat(200));
    let body = json!({"subject": padded, "description": "x"});
    assert_field_problem(&app, Method::POST, "/api/v1/tickets", Some(&customer), Some(body), "subject").await;
    let t = app.open_ticket(&customer, "Limits", "x").await;
    let body = json!({"body": format!("ok{}", " ".repeat(20_000))});
    assert_field_problem(
        &app,
        Method::POST,
        &format!("/api/v1/tickets/{}/comments", t["id"]),
        Some(&customer),
        Some(body),
        "body",
    )
    .await;
}

#[tokio::test]
async fn list_queries_past_their_documented_limits_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let long = "a".repeat(201);
    for path in ["/api/v1/tickets", "/api/v1/users", "/api/v1/organizations"] {
        assert_field_problem(&app, Method::GET, &format!("{path}?q={long}"), Some(&admin), None, "q").await;
        for limit in [0, 101] {
            assert_field_problem(&app, Method::GET, &format!("{path}?limit={limit}"), Some(&admin), None, "limit")
                .await;
        }
    }
    let long_mail = format!("{}@example.com", "a".repeat(250));
    let path = format!("/api/v1/admin/email-log?recipient={long_mail}");
    assert_field_problem(&app, Method::GET, &path, Some(&admin), None, "recipient").await;
    // At the limit: fine.
    let (status, _) = app.send(Method::GET, &format!("/api/v1/users?q={}", "a".repeat(200)), Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn every_reference_in_the_spec_resolves() {
    let app = TestApp::spawn().await;
    let spec: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let text = spec.to_string();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut missing: Vec<&str> = text
        .split("#/components/schemas/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .filter(|name| !schemas.contains_key(*name))
        .collect();
    missing.dedup();
    assert!(missing.is_empty(), "referenced but not defined: {missing:?}");
    // Pages refer to their item's schema instead of copying it (one model per type in clients).
    for (name, schema) in schemas.iter().filter(|(n, _)| n.starts_with("Page_")) {
        let item = &name["Page_".len()..];
        if schemas.contains_key(item) {
            assert_eq!(
                schema["properties"]["items"]["items"]["$ref"],
                format!("#/components/schemas/{item}"),
                "{name}"
            );
        }
    }
}

async fn create_token(app: &TestApp, session: &helpdesk_tests::Session, name: &str, scopes: Value) -> (String, Value) {
    let created =
        app.ok(Method::POST, "/api/v1/api-tokens", session, Some(json!({"name": name, "scopes": scopes}))).await;
    (created["secret"].as_str().unwrap().to_owned(), created["token"].clone())
}

fn with_token(secret: &str) -> helpdesk_tests::Session {
    helpdesk_tests::Session { access_token: secret.to_owned(), refresh_token: String::new(), user: Value::Null }
}

#[tokio::test]
async fn api_tokens_act_as_their_owner_within_their_scopes() {
    let app = TestApp::builder().env("HELPDESK_USER_API_TOKENS", "true").spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let anna = app.customer("anna").await;
    let bert = app.customer("bert").await;
    let berts = app.open_ticket(&bert, "Bert's", "private").await;

    let (secret, token) = create_token(&app, &admin, "Monitoring", json!(["tickets:read"])).await;
    assert!(secret.starts_with("hd_") && secret.len() == 52, "{secret}");
    assert_eq!(token["prefix"].as_str(), Some(&secret[..7]));
    let listed = app.ok(Method::GET, "/api/v1/api-tokens", &admin, None).await;
    assert!(!listed.to_string().contains(&secret), "the secret is shown once");
    let reader = with_token(&secret);
    app.ok(Method::GET, "/api/v1/tickets", &reader, None).await;
    let (status, problem) = app
        .send(Method::POST, "/api/v1/tickets", Some(&reader), Some(json!({"subject": "s", "description": "d"})))
        .await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient_scope")), "{problem}");
    assert_eq!(problem["required_scope"], "tickets:write");
    let (status, _) = app
        .send(Method::POST, "/api/v1/api-tokens", Some(&reader), Some(json!({"name": "x", "scopes": ["admin"]})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a token cannot mint tokens");
    let used = app.ok(Method::GET, "/api/v1/api-tokens", &admin, None).await;
    assert!(used[0]["last_used_at"].is_string());

    // A customer's token sees what the customer sees, and writes as "Owner via token Name".
    let (secret, _) =
        create_token(&app, &anna, "CRM", json!(["tickets:read", "tickets:write", "comments:write"])).await;
    let crm = with_token(&secret);
    let t = app.create_ticket(&crm, json!({"subject": "From the CRM", "description": "x"})).await;
    let (status, _) = app.send(Method::GET, &format!("/api/v1/tickets/{}", berts["id"]), Some(&crm), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another customer's ticket stays invisible");
    let comment =
        app.ok(Method::POST, &format!("/api/v1/tickets/{}/comments", t["id"]), &crm, Some(json!({"body": "hi"}))).await;
    assert_eq!(comment["author_name"], "anna Example via token CRM");
    let events = app.ok(Method::GET, &format!("/api/v1/tickets/{}/events", t["id"]), &agent, None).await;
    assert_eq!(events["items"][0]["actor_name"], "anna Example via token CRM");

    // Never beyond the owner's role: an agent's admin-scoped token cannot create users.
    let (secret, _) = create_token(&app, &agent, "Everything", json!(["admin"])).await;
    let (status, _) = app
        .send(
            Method::POST,
            "/api/v1/users",
            Some(&with_token(&secret)),
            Some(json!({"full_name": "X", "email": "x@example.com", "username": "xx", "role": "agent"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Revoked, unknown and malformed tokens are 401.
    let revoked_id = app.ok(Method::GET, "/api/v1/api-tokens", &anna, None).await[0]["id"].clone();
    let response = app.authed(Method::DELETE, &format!("/api/v1/api-tokens/{revoked_id}"), &anna).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for bad in [crm.access_token.clone(), format!("hd_{}", "0".repeat(49)), "hd_short".to_owned()] {
        let (status, problem) = app.send(Method::GET, "/api/v1/tickets", Some(&with_token(&bad)), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}: {problem}");
    }
    let (status, _) = app.send(Method::DELETE, &format!("/api/v1/api-tokens/{revoked_id}"), Some(&bert), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "others' tokens are invisible");
}

#[tokio::test]
async fn only_admins_create_tokens_unless_allowed_and_the_spec_names_each_scope() {
    let app = TestApp::spawn().await;
    let customer = app.customer("cust").await;
    let (status, _) = app
        .send(
            Method::POST,
            "/api/v1/api-tokens",
            Some(&customer),
            Some(json!({"name": "x", "scopes": ["tickets:read"]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = app.admin("admin").await;
    for body in [
        json!({"name": " ", "scopes": ["tickets:read"]}),
        json!({"name": "x", "scopes": []}),
        json!({"name": "x", "scopes": ["tickets:read"], "expires_at": "2001-01-01T00:00:00Z"}),
    ] {
        let (status, problem) = app.send(Method::POST, "/api/v1/api-tokens", Some(&admin), Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
    }
    let (status, _) = app
        .send(Method::POST, "/api/v1/api-tokens", Some(&admin), Some(json!({"name": "x", "scopes": ["everything"]})))
        .await;
    assert!(status.is_client_error());
    let spec: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let security = &spec["paths"]["/api/v1/tickets"]["get"]["security"];
    assert!(security.as_array().unwrap().contains(&json!({"api_token": ["tickets:read"]})), "{security}");
    let password = &spec["paths"]["/api/v1/me/password"]["put"]["security"];
    assert!(!password.to_string().contains("api_token"), "session only: {password}");
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_creates_one_ticket() {
    let app = TestApp::spawn().await;
    let anna = app.customer("anna").await;
    let bert = app.customer("bert").await;
    let post = |session: &helpdesk_tests::Session, key: &str, body: Value| {
        app.authed(Method::POST, "/api/v1/tickets", session)
            .header("Idempotency-Key", key.to_owned())
            .json(&body)
            .send()
    };
    let body = json!({"subject": "Printer", "description": "jammed"});
    let first = post(&anna, "retry-1", body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = post(&anna, "retry-1", body.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"], "the same ticket, not a second one");
    let mine = app.ok(Method::GET, "/api/v1/tickets", &anna, None).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);

    let other = post(&anna, "retry-1", json!({"subject": "Other", "description": "x"})).await.unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = other.json().await.unwrap();
    assert_eq!(problem["code"], "idempotency_key_reused");
    // Keys belong to one account: Bert's "retry-1" is his own.
    let berts = post(&bert, "retry-1", body.clone()).await.unwrap();
    assert_eq!(berts.status(), StatusCode::CREATED);
    let berts: Value = berts.json().await.unwrap();
    assert_ne!(berts["id"], first["id"]);
    let bad = post(&anna, "has spaces", body.clone()).await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A refused request is replayed as refused.
    let invalid = json!({"subject": "", "description": "x"});
    assert_eq!(post(&anna, "retry-2", invalid.clone()).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    let replayed = post(&anna, "retry-2", invalid).await.unwrap();
    assert_eq!(replayed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(replayed.headers()["idempotent-replayed"], "true");
}

#[tokio::test]
async fn a_patch_with_a_stale_if_match_is_a_412() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let customer = app.customer("cust").await;
    let t = app.open_ticket(&customer, "Versions", "x").await;
    let path = format!("/api/v1/tickets/{}", t["id"]);
    let read = app.authed(Method::GET, &path, &agent).send().await.unwrap();
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let first = app
        .authed(Method::PATCH, &path, &agent)
        .header("If-Match", &etag)
        .json(&json!({"priority": "high"}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let newer = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(newer, etag);
    let stale = app
        .authed(Method::PATCH, &path, &agent)
        .header("If-Match", &etag)
        .json(&json!({"priority": "low"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let problem: Value = stale.json().await.unwrap();
    assert_eq!(problem["code"], "precondition_failed");
    let now = app.ok(Method::GET, &path, &agent, None).await;
    assert_eq!(now["priority"], "high", "the stale write changed nothing");
    // Without If-Match, the last write wins as before.
    app.ok(Method::PATCH, &path, &agent, Some(json!({"priority": "low"}))).await;
}

#[tokio::test]
async fn each_credential_has_a_budget_per_minute_shared_by_every_instance() {
    let first = TestApp::builder().env("HELPDESK_RATE_LIMIT_PER_MINUTE", "6").spawn().await;
    let second = TestApp::builder()
        .env("HELPDESK_RATE_LIMIT_PER_MINUTE", "6")
        .env("DATABASE_URL", first.db.url.clone())
        .spawn()
        .await;
    let anna = first.customer("anna").await;
    let bert = first.customer("bert").await;
    let remaining =
        |r: &reqwest::Response| r.headers()["ratelimit-remaining"].to_str().unwrap().parse::<i64>().unwrap();
    // Budgets are per calendar minute: start early in one, so the steps below share it.
    let second_of_minute = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() % 60;
    if second_of_minute > 40 {
        tokio::time::sleep(std::time::Duration::from_secs(61 - second_of_minute)).await;
    }
    for expected in [5, 4, 3] {
        let r = first.authed(Method::GET, "/api/v1/tickets", &anna).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["ratelimit-limit"], "6");
        assert_eq!(remaining(&r), expected);
        assert!(r.headers()["ratelimit-reset"].to_str().unwrap().parse::<i64>().unwrap() <= 60);
    }
    // The first instance adds them to the shared count within a second; the other takes the
    // total back on its next sync, a second later.
    let mut conn = first.db.connect();
    for _ in 0..100 {
        use diesel::{RunQueryDsl, dsl::sql, sql_types::BigInt};
        let used: i64 = diesel::select(sql::<BigInt>("(SELECT COALESCE(max(used), 0) FROM request_budgets)::bigint"))
            .get_result(&mut conn)
            .unwrap();
        if used >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let r = second.authed(Method::GET, "/api/v1/tickets", &anna).send().await.unwrap();
    assert_eq!(remaining(&r), 2, "the budget is shared");
    second.authed(Method::GET, "/api/v1/tickets", &anna).send().await.unwrap();
    second.authed(Method::GET, "/api/v1/tickets", &anna).send().await.unwrap();
    let over = second.authed(Method::GET, "/api/v1/tickets", &anna).send().await.unwrap();
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(over.headers().contains_key("retry-after"));
    assert_eq!(over.headers()["ratelimit-remaining"], "0");
    let theirs = first.authed(Method::GET, "/api/v1/tickets", &bert).send().await.unwrap();
    assert_eq!(theirs.status(), StatusCode::OK, "another person has their own budget");
}

#[tokio::test]
async fn a_json_body_that_is_not_an_object_is_a_400_not_read_field_by_position() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    app.customer("cust").await;
    let users = app.ok(Method::GET, "/api/v1/users?q=cust", &admin, None).await;
    let id = users["items"][0]["id"].as_i64().unwrap();
    for body in [json!([null, null]), json!(["Someone Else"]), json!("text"), json!(42)] {
        let (status, problem) = app.send(Method::PATCH, &format!("/api/v1/users/{id}"), Some(&admin), Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("must be an object"), "{problem}");
    }
}

#[tokio::test]
async fn an_over_long_captcha_token_is_refused_even_when_no_captcha_is_needed() {
    let app = TestApp::spawn().await;
    app.customer("cust").await;
    let token = "x".repeat(8193);
    let login = json!({"login": "cust", "password": helpdesk_tests::app::PASSWORD, "captcha_token": token});
    assert_field_problem(&app, Method::POST, "/api/v1/auth/login", None, Some(login), "captcha_token").await;
    let register = json!({"full_name": "New", "email": "new@example.com", "username": "newbie",
        "password": "a-fresh-start-2026", "captcha_token": token});
    assert_field_problem(&app, Method::POST, "/api/v1/auth/register", None, Some(register), "captcha_token").await;
}
