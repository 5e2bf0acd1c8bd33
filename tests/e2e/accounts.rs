//! Registration (P1), profiles (P7, P12 rectification), account administration, the email
//! outbox and log (P7).

use helpdesk_tests::{SmtpServer, TestApp, app::PASSWORD};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

fn registration(overrides: Value) -> Value {
    let mut body = json!({
        "full_name": "Jane Doe", "email": "jane@example.com", "username": "jane",
        "password": "tangerine-lamp-4711", "company": "Example GmbH", "phone": "+49 30 123456", "locale": "de"
    });
    for (k, v) in overrides.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[tokio::test]
async fn registration_stores_the_account_with_a_bcrypt_hash_and_sends_the_welcome_mail() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).spawn().await;
    let response = app
        .post_json("/api/v1/auth/register", &registration(json!({"email": "Jane@Example.COM", "username": "Jane"})))
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let notice: Value = response.json().await.unwrap();
    assert!(notice["message"].is_string() && notice.get("id").is_none(), "no account data: {notice}");
    let session = app.login("jane", "tangerine-lamp-4711").await;
    let account = session.user.clone();
    assert_eq!(account["email"], "jane@example.com");
    assert_eq!(account["email_verified"], false);
    assert_eq!(account["username"], "jane");
    assert_eq!(account["company"], "Example GmbH");
    assert_eq!(account["phone"], "+49 30 123456");
    assert_eq!(account["role"], "customer");
    let text = account.to_string();
    assert!(!text.contains("password") && !text.contains("$2b$"), "no password or hash in the response: {text}");

    use diesel::{QueryableByName, RunQueryDsl, sql_types::Text};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        password_hash: String,
    }
    let row: Row = diesel::sql_query("SELECT password_hash FROM users WHERE username = 'jane'")
        .get_result(&mut app.db.connect())
        .unwrap();
    assert!(row.password_hash.starts_with("$2b$"), "stored as bcrypt");
    assert!(!row.password_hash.contains("tangerine"));

    let mail = smtp.wait_for_mail("jane@example.com").await;
    assert_eq!(mail.subject, "Willkommen beim Helpdesk", "German, as the account's locale");
    assert!(mail.text().contains("jane") && mail.html.as_deref().unwrap_or_default().contains("<p>"));
    assert!(
        mail.link("http").is_some_and(|l| l.contains("/verify-email?token=")),
        "the welcome mail verifies the address"
    );
    app.verify_email("jane@example.com").await;
    assert_eq!(app.get_json("/api/v1/me", &session).await["email_verified"], true);
}

#[tokio::test]
async fn registration_names_each_invalid_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"email": "not-an-email"}), "email"),
        (json!({"username": "ab"}), "username"),
        (json!({"username": "jane doe"}), "username"),
        (json!({"username": "x".repeat(33)}), "username"),
        (json!({"password": "short"}), "password"),
        (json!({"password": "1234567890"}), "password"),
        (json!({"password": "x".repeat(72)}), "password"),
        (json!({"phone": "call me maybe"}), "phone"),
        (json!({"phone": "+49+30"}), "phone"),
        (json!({"full_name": "   "}), "full_name"),
        (json!({"full_name": "x".repeat(201)}), "full_name"),
        (json!({"company": "x".repeat(201)}), "company"),
        (json!({"email": format!("{}@example.com", "x".repeat(250))}), "email"),
    ];
    for (overrides, field) in cases {
        let response = app.post_json("/api/v1/auth/register", &registration(overrides.clone())).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{overrides}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "validation_failed");
        let errors = problem["errors"].as_object().unwrap();
        assert_eq!(errors.keys().collect::<Vec<_>>(), vec![field], "{overrides}: {problem}");
    }
    let mut missing = registration(json!({}));
    missing.as_object_mut().unwrap().remove("password");
    let problem: Value = app.post_json("/api/v1/auth/register", &missing).await.json().await.unwrap();
    assert_eq!(problem["errors"]["password"][0], "is required");
}

#[tokio::test]
async fn a_taken_username_is_a_409_case_insensitively() {
    let app = TestApp::spawn().await;
    assert_eq!(app.post_json("/api/v1/auth/register", &registration(json!({}))).await.status(), StatusCode::ACCEPTED);
    let response = app
        .post_json("/api/v1/auth/register", &registration(json!({"email": "other@example.com", "username": "JANE"})))
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "username_taken");
    assert!(problem["errors"]["username"].is_array());
}

/// Registration does not tell whether an address has an account: an existing and a new
/// address get the same status and body shape, and the owner of the existing one is told.
#[tokio::test]
async fn registration_never_reveals_whether_an_address_has_an_account() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).spawn().await;
    let first = app.post_json("/api/v1/auth/register", &registration(json!({}))).await;
    let (first_status, first_body): (StatusCode, Value) = (first.status(), first.json().await.unwrap());
    let again = app
        .post_json("/api/v1/auth/register", &registration(json!({"email": "JANE@example.com", "username": "other"})))
        .await;
    let (again_status, again_body): (StatusCode, Value) = (again.status(), again.json().await.unwrap());
    assert_eq!((first_status, again_status), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    assert_eq!(first_body, again_body, "the same body for a new and an existing address");
    let notice = smtp
        .wait_for("jane@example.com", |m| m.text().contains("tried to register") || m.text().contains("versucht"))
        .await;
    assert!(notice.text().contains("jane"), "the owner learns their username: {}", notice.text());
    assert!(app.login_status("other", "tangerine-lamp-4711").await.is_client_error(), "no second account");
}

#[tokio::test]
async fn malformed_json_wrong_content_type_and_oversized_bodies_are_4xx_problems() {
    let app = TestApp::spawn().await;
    let url = "/api/v1/auth/register";
    let cases = [
        (app.request(Method::POST, url).header(header::CONTENT_TYPE, "application/json").body("{\"full_name\": "), 400),
        (app.request(Method::POST, url).header(header::CONTENT_TYPE, "application/json").body("[1, 2]"), 400),
        (app.request(Method::POST, url).header(header::CONTENT_TYPE, "text/plain").body("{}"), 415),
        (app.request(Method::POST, url).form(&[("email", "x")]), 415),
        (
            app.request(Method::POST, url)
                .header(header::CONTENT_TYPE, "application/json")
                .body(format!("\"{}\"", "x".repeat(300_000))),
            413,
        ),
    ];
    for (request, status) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], status);
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

#[tokio::test]
async fn me_shows_and_rectifies_your_data_and_every_change_is_emailed() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).spawn().await;
    let session = app.customer("jane").await;
    let me: Value = app.get_json("/api/v1/me", &session).await;
    assert_eq!(me["username"], "jane");

    let updated: Value = app
        .authed(Method::PATCH, "/api/v1/me", &session)
        .json(&json!({"full_name": "Jane Q. Doe", "phone": "+49 40 999", "locale": "de"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(updated["full_name"], "Jane Q. Doe");
    assert_eq!(updated["phone"], "+49 40 999");
    let mail = smtp.wait_for("jane@example.com", |m| m.subject == "Ihre Daten wurden geändert").await;
    assert!(mail.text().contains("Name") && mail.text().contains("Telefonnummer"), "{}", mail.text());
}

#[tokio::test]
async fn a_new_email_needs_the_current_password_and_takes_effect_only_by_its_link() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).spawn().await;
    let session = app.customer("jane").await;
    app.register("taken").await;

    let without = app
        .authed(Method::PATCH, "/api/v1/me", &session)
        .json(&json!({"email": "new@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without.json::<Value>().await.unwrap()["errors"]["current_password"].is_array());

    let wrong = app
        .authed(Method::PATCH, "/api/v1/me", &session)
        .json(&json!({"email": "new@example.com", "current_password": "not-my-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let taken = app
        .authed(Method::PATCH, "/api/v1/me", &session)
        .json(&json!({"email": "taken@example.com", "current_password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), StatusCode::CONFLICT);

    let ok = app
        .authed(Method::PATCH, "/api/v1/me", &session)
        .json(&json!({"email": "New@Example.com", "current_password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let pending: Value = ok.json().await.unwrap();
    assert_eq!(pending["email"], "jane@example.com", "the old address stays until the new one is proven");
    assert_eq!(pending["pending_email"], "new@example.com");
    smtp.wait_for("jane@example.com", |m| m.subject == "Change of your email address").await;
    app.verify_email("new@example.com").await;
    let me: Value = app.get_json("/api/v1/me", &session).await;
    assert_eq!((me["email"].as_str(), me["pending_email"].as_str()), (Some("new@example.com"), None));
    assert_eq!(me["email_verified"], true);
}

#[tokio::test]
async fn customers_calling_admin_endpoints_get_403_and_guests_401() {
    let app = TestApp::spawn().await;
    let customer = app.customer("jane").await;
    let admin_routes = [
        (Method::GET, "/api/v1/users"),
        (Method::POST, "/api/v1/users"),
        (Method::GET, "/api/v1/users/1"),
        (Method::PATCH, "/api/v1/users/1"),
        (Method::DELETE, "/api/v1/users/1"),
        (Method::GET, "/api/v1/admin/email-log"),
    ];
    for (method, path) in admin_routes {
        let as_customer = app.authed(method.clone(), path, &customer).json(&json!({})).send().await.unwrap();
        assert_eq!(as_customer.status(), StatusCode::FORBIDDEN, "{method} {path}");
        let as_guest = app.request(method.clone(), path).json(&json!({})).send().await.unwrap();
        assert_eq!(as_guest.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(as_guest.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}

#[tokio::test]
async fn admins_create_agents_who_choose_their_password_from_the_emailed_link() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).env("HELPDESK_PUBLIC_URL", "https://help.example.com").spawn().await;
    let admin = app.admin("boss").await;
    let created = app
        .authed(Method::POST, "/api/v1/users", &admin)
        .json(&json!({"full_name": "Alan Agent", "email": "alan@example.com", "username": "alan", "role": "agent"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.json::<Value>().await.unwrap()["role"], "agent");

    let mail = smtp.wait_for("alan@example.com", |m| m.subject == "Your helpdesk account").await;
    let link = mail.link("https://help.example.com/reset-password?token=").expect("a set-password link");
    assert!(link.ends_with("&welcome=1"), "the page greets a new person: {link}");
    let token = link.split("token=").nth(1).unwrap().split('&').next().unwrap();
    let confirm = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "new_password": "agent-password-1234"}),
        )
        .await;
    assert_eq!(confirm.status(), StatusCode::NO_CONTENT);
    let agent = app.login("alan", "agent-password-1234").await;
    assert_eq!(agent.user["role"], "agent");
}

#[tokio::test]
async fn admins_list_filter_and_page_users() {
    let app = TestApp::spawn().await;
    let admin = app.admin("boss").await;
    for name in ["anna", "bert", "carl", "dora", "emil"] {
        app.register(name).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?role=customer&limit=2&cursor={c}"),
            None => "/api/v1/users?role=customer&limit=2".to_owned(),
        };
        let page: Value = app.get_json(&path, &admin).await;
        seen.extend(page["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["anna", "bert", "carl", "dora", "emil"]);
    let found: Value = app.get_json("/api/v1/users?q=DOR", &admin).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let bad = app.authed(Method::GET, "/api/v1/users?cursor=garbage!", &admin).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let too_many = app.authed(Method::GET, "/api/v1/users?limit=101", &admin).send().await.unwrap();
    assert_eq!(too_many.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn deactivating_an_account_ends_its_sessions_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin("boss").await;
    let customer = app.customer("jane").await;
    let id = customer.user_id();
    assert_eq!(app.authed(Method::GET, "/api/v1/me", &customer).send().await.unwrap().status(), StatusCode::OK);
    let response = app.authed(Method::DELETE, &format!("/api/v1/users/{id}"), &admin).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.authed(Method::GET, "/api/v1/me", &customer).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let refresh = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": customer.refresh_token})).await;
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);
    // Exactly like a wrong password: no oracle for a deactivated account's password.
    let login = app.post_json("/api/v1/auth/login", &json!({"login": "jane", "password": PASSWORD})).await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    let right: Value = login.json().await.unwrap();
    let wrong: Value = app
        .post_json("/api/v1/auth/login", &json!({"login": "jane", "password": "wrong-password"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((right["code"].as_str(), right["detail"].as_str()), (wrong["code"].as_str(), wrong["detail"].as_str()));

    let own = app.authed(Method::DELETE, &format!("/api/v1/users/{}", admin.user_id()), &admin).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::CONFLICT, "admins cannot lock themselves out");
}

#[tokio::test]
async fn an_smtp_outage_loses_no_mail_and_the_email_log_shows_every_attempt() {
    let mut smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).spawn().await;
    let admin = app.admin("boss").await;
    smtp.stop().await;
    app.register("jane").await;

    let log_entry = |admin: helpdesk_tests::Session| {
        let app = &app;
        async move {
            let page: Value =
                app.get_json("/api/v1/admin/email-log?recipient=jane@example.com&template=welcome", &admin).await;
            page["items"][0].clone()
        }
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let failed = loop {
        let entry = log_entry(admin.clone()).await;
        if entry["attempts"].as_i64().unwrap_or(0) >= 1 {
            break entry;
        }
        assert!(std::time::Instant::now() < deadline, "no failed attempt logged: {entry}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(failed["status"], "pending");
    assert!(failed["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    assert!(smtp.received().is_empty());

    smtp.restart().await;
    let mail = smtp.wait_for_mail("jane@example.com").await;
    assert_eq!(mail.subject, "Welcome to the helpdesk");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let entry = log_entry(admin.clone()).await;
        if entry["status"] == "sent" {
            assert!(entry["attempts"].as_i64().unwrap() >= 2, "{entry}");
            assert!(entry["last_error"].is_string(), "the failed attempt stays visible: {entry}");
            assert!(entry["sent_at"].is_string());
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not marked sent: {entry}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn without_smtp_emails_are_written_to_the_mail_directory() {
    let app = TestApp::spawn().await;
    app.register("jane").await;
    let dir = app.dir.path().join("mail");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let files: Vec<_> = std::fs::read_dir(&dir).map(|d| d.flatten().collect()).unwrap_or_default();
        if let Some(file) = files.first() {
            let content = std::fs::read_to_string(file.path()).unwrap();
            assert!(content.contains("jane@example.com"));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no mail file in {}", dir.display());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// bcrypt never holds a database connection: while 20 registrations hash their passwords at
/// cost 12, readiness and a signed-in request answer before the registrations are done.
#[tokio::test]
async fn password_hashing_never_holds_a_database_connection() {
    let app = std::sync::Arc::new(
        TestApp::builder().env("HELPDESK_BCRYPT_COST", "12").env("HELPDESK_DB_POOL_SIZE", "2").spawn().await,
    );
    let session = app.customer("waiting").await;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let registrations: Vec<_> = (0..20)
        .map(|i| {
            let (app, done) = (std::sync::Arc::clone(&app), std::sync::Arc::clone(&done));
            tokio::spawn(async move {
                app.register(&format!("burst{i}")).await;
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            })
        })
        .collect();
    // Let the burst reach the server and start hashing.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);
    assert_eq!(app.me_status(&session).await, StatusCode::OK);
    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
    assert!(finished < 20, "the signed-in request waited for all {finished} registrations");
    for r in registrations {
        r.await.unwrap();
    }
}
