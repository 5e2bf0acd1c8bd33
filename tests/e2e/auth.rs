//! Sign-in, sessions and tokens (P11, P13), login protection with captcha (P8), password reset.

use helpdesk_tests::{CaptchaStandIn, SmtpServer, TestApp, app::PASSWORD, captcha::PASSING_TOKEN};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

async fn login_status(app: &TestApp, login: &str, password: &str, captcha: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({"login": login, "password": password});
    if let Some(token) = captcha {
        body["captcha_token"] = json!(token);
    }
    let response = app.post_json("/api/v1/auth/login", &body).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn login_with_email_or_username_sets_a_session_cookie() {
    let app = TestApp::spawn().await;
    app.register("jane").await;
    for login in ["jane", "JANE@example.com"] {
        let response = app.post_json("/api/v1/auth/login", &json!({"login": login, "password": PASSWORD})).await;
        assert_eq!(response.status(), StatusCode::OK, "{login}");
        let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("helpdesk_refresh="), "{cookie}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth"] {
            assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
        }
        for absent in ["Max-Age", "Expires", "Secure"] {
            assert!(!cookie.contains(absent), "a session cookie without {absent} over http: {cookie}");
        }
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 900);
        assert_eq!(body["user"]["username"], "jane");
        assert!(body.get("refresh_token").is_none(), "browsers get the refresh credential only as a cookie");
    }
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_served_over_https() {
    let app = TestApp::builder().env("HELPDESK_PUBLIC_URL", "https://help.example.com").spawn().await;
    app.register("jane").await;
    let response = app.post_json("/api/v1/auth/login", &json!({"login": "jane", "password": PASSWORD})).await;
    assert!(response.headers()[header::SET_COOKIE].to_str().unwrap().contains("Secure"));
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_401() {
    let app = TestApp::spawn().await;
    app.register("jane").await;
    let (s1, wrong_password) = login_status(&app, "jane", "not-the-password", None).await;
    let (s2, unknown_user) = login_status(&app, "nobody", "not-the-password", None).await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    for body in [&wrong_password, &unknown_user] {
        assert_eq!(body["code"], "unauthenticated");
    }
    assert_eq!(wrong_password["detail"], unknown_user["detail"]);
}

#[tokio::test]
async fn five_failures_require_a_captcha_which_the_verifier_must_approve() {
    let captcha = CaptchaStandIn::start().await;
    let app = TestApp::builder()
        .env("HELPDESK_HCAPTCHA_SITEKEY", "site-key-123")
        .env("HELPDESK_HCAPTCHA_SECRET", "captcha-secret")
        .env("HELPDESK_HCAPTCHA_VERIFY_URL", &captcha.url)
        .spawn()
        .await;
    app.register("jane").await;
    for _ in 0..5 {
        assert_eq!(login_status(&app, "jane", "wrong-password", None).await.0, StatusCode::UNAUTHORIZED);
    }
    // Even the right password now needs a captcha.
    let (status, problem) = login_status(&app, "jane", PASSWORD, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["code"], "captcha_required");
    assert_eq!(problem["type"], "/problems/captcha-required");
    assert_eq!(problem["sitekey"], "site-key-123");

    let (status, problem) = login_status(&app, "jane", PASSWORD, Some("forged")).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("captcha_required")));

    let (status, _) = login_status(&app, "jane", PASSWORD, Some(PASSING_TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    let verified = captcha.requests().last().cloned().unwrap();
    assert_eq!(verified["secret"], "captcha-secret");
    assert_eq!(verified["response"], PASSING_TOKEN);
    assert_eq!(verified["remoteip"], "127.0.0.1");

    // A successful login clears the account's failures.
    assert_eq!(login_status(&app, "jane", PASSWORD, None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn failures_from_one_address_against_many_accounts_require_a_captcha() {
    let captcha = CaptchaStandIn::start().await;
    let app = TestApp::builder()
        .env("HELPDESK_HCAPTCHA_SECRET", "captcha-secret")
        .env("HELPDESK_HCAPTCHA_VERIFY_URL", &captcha.url)
        .spawn()
        .await;
    app.register("jane").await;
    for i in 0..20 {
        let (status, _) = login_status(&app, &format!("someone{i}"), "wrong-password", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (status, problem) = login_status(&app, "jane", PASSWORD, None).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("captcha_required")));
}

#[tokio::test]
async fn an_unreachable_verifier_is_a_503_never_a_bypass() {
    let captcha = CaptchaStandIn::start().await;
    let app = TestApp::builder()
        .env("HELPDESK_HCAPTCHA_SECRET", "captcha-secret")
        .env("HELPDESK_HCAPTCHA_VERIFY_URL", &captcha.url)
        .spawn()
        .await;
    app.register("jane").await;
    for _ in 0..5 {
        login_status(&app, "jane", "wrong-password", None).await;
    }
    captcha.stop();
    let (status, problem) = login_status(&app, "jane", PASSWORD, Some(PASSING_TOKEN)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(problem["code"], "service_unavailable");
}

/// A login from the address `from` (the test client is a trusted proxy that forwards for it).
async fn login_from(app: &TestApp, from: &str, login: &str, password: &str) -> reqwest::Response {
    app.request(Method::POST, "/api/v1/auth/login")
        .header("X-Forwarded-For", from)
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap()
}

/// Without a captcha, five wrong passwords make the guessing address wait (with a growing
/// delay), but nobody can lock the owner out: the right password from another address works.
#[tokio::test]
async fn without_a_captcha_the_guesser_waits_and_the_owner_elsewhere_still_signs_in() {
    let app = TestApp::builder().env("HELPDESK_TRUSTED_PROXIES", "127.0.0.1,::1").spawn().await;
    app.register("jane").await;
    for _ in 0..5 {
        assert_eq!(
            login_from(&app, "198.51.100.66", "jane", "wrong-password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let response = login_from(&app, "198.51.100.66", "jane", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers()[header::RETRY_AFTER].to_str().unwrap().parse::<u64>().unwrap() > 0);
    let owner = login_from(&app, "203.0.113.5", "jane", PASSWORD).await;
    assert_eq!(owner.status(), StatusCode::OK, "the owner elsewhere is not locked out");
}

/// Forwarding headers are believed only from listed proxies: a client cannot rotate its
/// address to escape the per-address rate limit, and behind a listed proxy the forwarded
/// address is what counts.
#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let app = TestApp::builder().env("HELPDESK_AUTH_RATE_PER_MINUTE", "3").spawn().await;
    let mut statuses = Vec::new();
    for i in 1..=4 {
        statuses.push(login_from(&app, &format!("198.51.100.{i}"), "nobody", "wrong-password").await.status());
    }
    assert_eq!(statuses[..3], [StatusCode::UNAUTHORIZED; 3]);
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS, "the forged addresses were ignored");

    let proxied = TestApp::builder().env("HELPDESK_TRUSTED_PROXIES", "127.0.0.1/32, ::1").spawn().await;
    login_from(&proxied, "1.2.3.4, 198.51.100.7", "nobody", "wrong-password").await;
    use diesel::{QueryableByName, RunQueryDsl, sql_types::Text};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        client_ip: String,
    }
    let rows: Vec<Row> =
        diesel::sql_query("SELECT client_ip FROM login_failures").load(&mut proxied.db.connect()).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.client_ip.as_str()).collect::<Vec<_>>(),
        ["198.51.100.7"],
        "the rightmost untrusted hop"
    );
}

/// Every attempt counts before its password is checked: 30 concurrent wrong guesses cannot all
/// slip under the threshold.
#[tokio::test]
async fn concurrent_guesses_cannot_race_past_the_threshold() {
    let captcha = CaptchaStandIn::start().await;
    let app = std::sync::Arc::new(
        TestApp::builder()
            .env("HELPDESK_HCAPTCHA_SITEKEY", "site-key")
            .env("HELPDESK_HCAPTCHA_SECRET", "captcha-secret")
            .env("HELPDESK_HCAPTCHA_VERIFY_URL", &captcha.url)
            .env("HELPDESK_BCRYPT_COST", "10")
            .spawn()
            .await,
    );
    app.register("jane").await;
    let guesses: Vec<_> = (0..30)
        .map(|_| {
            let app = std::sync::Arc::clone(&app);
            tokio::spawn(async move { login_status(&app, "jane", "wrong-password", None).await })
        })
        .collect();
    let mut answers = Vec::new();
    for g in guesses {
        answers.push(g.await.unwrap());
    }
    let wrong = answers.iter().filter(|(s, _)| *s == StatusCode::UNAUTHORIZED).count();
    let captchas = answers.iter().filter(|(_, p)| p["code"] == "captcha_required").count();
    assert!(wrong <= 5, "{wrong} guesses were checked");
    assert_eq!(wrong + captchas, 30, "{answers:?}");
}

#[tokio::test]
async fn failed_logins_are_stored_with_account_address_and_time() {
    let app = TestApp::spawn().await;
    app.register("jane").await;
    let jane = app.login("jane", helpdesk_tests::app::PASSWORD).await.user;
    login_status(&app, "jane", "wrong-password", None).await;
    login_status(&app, "nobody", "wrong-password", None).await;
    use diesel::{QueryableByName, RunQueryDsl, sql_types::*};
    #[derive(QueryableByName, Debug)]
    struct Failure {
        #[diesel(sql_type = Nullable<BigInt>)]
        user_id: Option<i64>,
        #[diesel(sql_type = Text)]
        client_ip: String,
        #[diesel(sql_type = Bool)]
        recent: bool,
    }
    let rows: Vec<Failure> = diesel::sql_query(
        "SELECT user_id, client_ip, attempted_at > now() - interval '1 minute' AS recent FROM login_failures ORDER BY id",
    )
    .load(&mut app.db.connect())
    .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].user_id, jane["id"].as_i64());
    assert_eq!(rows[1].user_id, None, "an unknown account is stored without one");
    assert!(rows.iter().all(|r| r.client_ip == "127.0.0.1" && r.recent));
}

#[tokio::test]
async fn auth_endpoints_are_rate_limited_per_address() {
    let app = TestApp::builder().env("HELPDESK_AUTH_RATE_PER_MINUTE", "3").spawn().await;
    for _ in 0..3 {
        login_status(&app, "nobody", "wrong-password", None).await;
    }
    let response = app.post_json("/api/v1/auth/password-reset", &json!({"email": "x@example.com"})).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn refresh_rotates_the_credential_and_reuse_ends_the_session() {
    let app = TestApp::builder().env("HELPDESK_REFRESH_GRACE_SECONDS", "1").spawn().await;
    let session = app.customer("jane").await;
    let first = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": session.refresh_token})).await;
    assert_eq!(first.status(), StatusCode::OK);
    let rotated: Value = first.json().await.unwrap();
    let new_refresh = rotated["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, session.refresh_token);
    let new_access = rotated["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.request(Method::GET, "/api/v1/me").bearer_auth(&new_access).send().await.unwrap().status(),
        StatusCode::OK
    );

    // The old credential again, after the grace window: theft is assumed and the session ends.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let reused = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": session.refresh_token})).await;
    assert_eq!(reused.status(), StatusCode::UNAUTHORIZED);
    let after = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": new_refresh})).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "the rotated credential died with the session");
    assert_eq!(
        app.request(Method::GET, "/api/v1/me").bearer_auth(&new_access).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Two tabs refreshing with the same credential at once do not sign the person out.
#[tokio::test]
async fn two_tabs_refreshing_at_once_both_stay_signed_in() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let session = app.customer("jane").await;
    let tabs: Vec<_> = (0..2)
        .map(|_| {
            let (app, token) = (std::sync::Arc::clone(&app), session.refresh_token.clone());
            tokio::spawn(async move { app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": token})).await })
        })
        .collect();
    let mut fresh = Vec::new();
    for tab in tabs {
        let response = tab.await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        fresh.push(response.json::<Value>().await.unwrap());
    }
    for tokens in fresh {
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(
            app.request(Method::GET, "/api/v1/me").bearer_auth(access).send().await.unwrap().status(),
            StatusCode::OK
        );
        let again = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": tokens["refresh_token"]})).await;
        assert_eq!(again.status(), StatusCode::OK, "each tab goes on refreshing");
    }
}

#[tokio::test]
async fn browsers_refresh_with_the_cookie_but_only_by_json_requests() {
    let app = TestApp::spawn().await;
    app.register("jane").await;
    let browser = app.browser();
    let login = browser
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "jane", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    // A cross-site form post carries the cookie but not JSON.
    let form = browser.post(app.url("/api/v1/auth/refresh")).form(&[("a", "b")]).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let refreshed = browser.post(app.url("/api/v1/auth/refresh")).json(&json!({})).send().await.unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert!(refreshed.headers()[header::SET_COOKIE].to_str().unwrap().starts_with("helpdesk_refresh="));
    let body: Value = refreshed.json().await.unwrap();
    assert!(body.get("refresh_token").is_none());
    let logout = browser.post(app.url("/api/v1/auth/logout")).json(&json!({})).send().await.unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    // Signing out cleared the cookie: a visitor without one has no session to continue (204,
    // not an error the browser's console would show on every anonymous page load).
    let after = browser.post(app.url("/api/v1/auth/refresh")).json(&json!({})).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_refresh_with_a_forged_cookie_is_refused_and_the_cookie_cleared() {
    let app = TestApp::spawn().await;
    let forged = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .header(header::COOKIE, "helpdesk_refresh=forged-value")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert!(forged.headers()[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
}

#[tokio::test]
async fn an_idle_session_times_out() {
    let app = TestApp::spawn().await;
    let session = app.customer("jane").await;
    use diesel::RunQueryDsl;
    diesel::sql_query("UPDATE sessions SET last_seen_at = now() - interval '31 minutes'")
        .execute(&mut app.db.connect())
        .unwrap();
    let me = app.authed(Method::GET, "/api/v1/me", &session).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let refresh = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": session.refresh_token})).await;
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_ends_after_its_absolute_lifetime() {
    let app = TestApp::spawn().await;
    let session = app.customer("jane").await;
    use diesel::RunQueryDsl;
    diesel::sql_query("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .execute(&mut app.db.connect())
        .unwrap();
    assert_eq!(
        app.authed(Method::GET, "/api/v1/me", &session).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let app = TestApp::spawn().await;
    let session = app.customer("jane").await;
    // Read first, so the instance has the session in its cache when it ends.
    assert_eq!(app.me_status(&session).await, StatusCode::OK);
    let response = app.authed(Method::POST, "/api/v1/auth/logout", &session).json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.authed(Method::GET, "/api/v1/me", &session).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_password_change_revokes_the_other_sessions() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).spawn().await;
    let here = app.customer("jane").await;
    let elsewhere = app.login("jane", PASSWORD).await;
    let wrong = app
        .authed(Method::PUT, "/api/v1/me/password", &here)
        .json(&json!({"current_password": "not-it-at-all", "new_password": "a-brand-new-secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let changed = app
        .authed(Method::PUT, "/api/v1/me/password", &here)
        .json(&json!({"current_password": PASSWORD, "new_password": "a-brand-new-secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.authed(Method::GET, "/api/v1/me", &here).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        app.authed(Method::GET, "/api/v1/me", &elsewhere).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    smtp.wait_for("jane@example.com", |m| m.subject == "Your password was changed").await;
    app.login("jane", "a-brand-new-secret").await;
}

#[tokio::test]
async fn tampered_unsigned_foreign_and_expired_tokens_are_401() {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let app = TestApp::spawn().await;
    let session = app.customer("jane").await;
    let parts: Vec<&str> = session.access_token.split('.').collect();
    let header_json = String::from_utf8(base64_decode(parts[0])).unwrap();
    let kid = serde_json::from_str::<Value>(&header_json).unwrap()["kid"].as_str().unwrap().to_owned();
    let claims = |exp_offset: i64| {
        let now = chrono::Utc::now().timestamp();
        json!({"sub": session.user_id().to_string(), "role": "admin", "sid": 1, "iat": now, "exp": now + exp_offset})
    };
    let sign = |secret: &str, claims: &Value| {
        let header = Header { kid: Some(kid.clone()), ..Header::new(Algorithm::HS256) };
        encode(&header, claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
    };
    let known_secret = "test-secret-0123456789abcdef0123456789abcdef";
    let tampered = format!("{}.{}.{}", parts[0], base64_encode(claims(600).to_string().as_bytes()), parts[2]);
    let unsigned =
        format!("{}.{}.", base64_encode(format!("{{\"alg\":\"none\",\"kid\":\"{kid}\"}}").as_bytes()), parts[1]);
    let foreign = sign("another-secret-0123456789abcdef0123456789", &claims(600));
    let expired = sign(known_secret, &claims(-10));
    for (what, token) in [
        ("tampered", tampered),
        ("alg none", unsigned),
        ("wrong key", foreign),
        ("expired", expired),
        ("garbage", "x.y.z".into()),
    ] {
        let response = app.request(Method::GET, "/api/v1/me").bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer", "{what}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
    }
    // The control: a correctly signed, unexpired token for a live session works.
    let valid = sign(
        known_secret,
        &json!({"sub": session.user_id().to_string(), "role": "customer", "sid": 1, "iat": 0, "exp": chrono::Utc::now().timestamp() + 60}),
    );
    assert_eq!(
        app.request(Method::GET, "/api/v1/me").bearer_auth(&valid).send().await.unwrap().status(),
        StatusCode::OK
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn password_reset_works_once_by_the_emailed_link_and_ends_all_sessions() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).env("HELPDESK_PUBLIC_URL", "https://help.example.com").spawn().await;
    let old_session = app.customer("jane").await;
    let response = app.post_json("/api/v1/auth/password-reset", &json!({"email": "JANE@example.com"})).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let mail = smtp.wait_for("jane@example.com", |m| m.subject == "Reset your password").await;
    let link = mail.link("https://help.example.com/reset-password?token=").expect("a reset link");
    let token = link.split("token=").nth(1).unwrap().to_owned();

    let weak = app
        .post_json("/api/v1/auth/password-reset/confirm", &json!({"token": token, "new_password": "password"}))
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "new_password": "a-fresh-start-2026"}),
        )
        .await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    let again = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "new_password": "another-fresh-start"}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(again.json::<Value>().await.unwrap()["code"], "invalid_token");

    assert_eq!(
        app.authed(Method::GET, "/api/v1/me", &old_session).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    smtp.wait_for("jane@example.com", |m| m.subject == "Your password was changed").await;
    app.login("jane", "a-fresh-start-2026").await;
}

#[tokio::test]
async fn a_reset_link_expires_after_an_hour() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).spawn().await;
    app.register("jane").await;
    app.post_json("/api/v1/auth/password-reset", &json!({"email": "jane@example.com"})).await;
    let mail = smtp.wait_for("jane@example.com", |m| m.subject == "Reset your password").await;
    assert!(mail.text().contains("60 minutes"));
    let token = mail.link("http://").unwrap().split("token=").nth(1).unwrap().to_owned();
    use diesel::RunQueryDsl;
    diesel::sql_query("UPDATE password_tokens SET created_at = created_at - interval '61 minutes', expires_at = expires_at - interval '61 minutes'")
        .execute(&mut app.db.connect())
        .unwrap();
    let response = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "new_password": "a-fresh-start-2026"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn password_reset_does_not_reveal_whether_an_account_exists() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).spawn().await;
    let response = app.post_json("/api/v1/auth/password-reset", &json!({"email": "nobody@example.com"})).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(smtp.received().is_empty());
}

/// bcrypt cannot exhaust the CPU: at most one hash per core runs, and beyond the queue (here
/// none) a request gets a 503 with Retry-After at once. A bogus reset link is refused before any
/// hashing, so it gets its 400 even while every core is busy.
#[tokio::test]
async fn password_hashing_is_bounded_and_bogus_reset_links_cost_nothing() {
    let app = std::sync::Arc::new(
        TestApp::builder().env("HELPDESK_BCRYPT_COST", "14").env("HELPDESK_BCRYPT_QUEUE", "0").spawn().await,
    );
    let burst: Vec<_> = (0..8)
        .map(|i| {
            let app = std::sync::Arc::clone(&app);
            tokio::spawn(async move {
                let body = json!({"full_name": "B", "email": format!("b{i}@example.com"), "username": format!("burst{i}"), "password": PASSWORD});
                let response = app.post_json("/api/v1/auth/register", &body).await;
                (response.status(), response.headers().get(header::RETRY_AFTER).is_some())
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let bogus = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": "bogus", "new_password": "a-new-password-2026"}),
        )
        .await;
    assert_eq!(bogus.status(), StatusCode::BAD_REQUEST);
    assert_eq!(bogus.json::<Value>().await.unwrap()["code"], "invalid_token");
    let mut answers = Vec::new();
    for b in burst {
        answers.push(b.await.unwrap());
    }
    assert!(answers.iter().any(|(s, _)| *s == StatusCode::ACCEPTED), "{answers:?}");
    let refused: Vec<_> = answers.iter().filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE).collect();
    assert!(!refused.is_empty(), "{answers:?}");
    assert!(refused.iter().all(|(_, retry_after)| *retry_after));
    assert!(answers.iter().all(|(s, _)| *s == StatusCode::ACCEPTED || *s == StatusCode::SERVICE_UNAVAILABLE));
}

/// A new password voids every other unused reset link; and an address gets at most 3 reset
/// mails an hour (the answer stays the same, so it reveals nothing).
#[tokio::test]
async fn a_new_password_voids_other_reset_links_and_reset_mails_are_limited() {
    let app = TestApp::spawn().await;
    app.customer("jane").await;
    for _ in 0..4 {
        let response = app.post_json("/api/v1/auth/password-reset", &json!({"email": "jane@example.com"})).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    // Wait for the mails, then count them.
    app.mailed_link("jane@example.com", "/reset-password?token=").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let tokens: Vec<String> = app
        .mails_to("jane@example.com")
        .iter()
        .filter_map(|m| m.split("/reset-password?token=").nth(1))
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect())
        .collect();
    assert_eq!(tokens.len(), 3, "at most 3 reset mails an hour");
    let confirm = |token: &str, password: &str| {
        let body = json!({"token": token, "new_password": password});
        let app = &app;
        async move { app.post_json("/api/v1/auth/password-reset/confirm", &body).await.status() }
    };
    assert_eq!(confirm(&tokens[0], "a-fresh-start-2026").await, StatusCode::NO_CONTENT);
    assert_eq!(confirm(&tokens[1], "someone-elses-pick-1").await, StatusCode::BAD_REQUEST, "voided");
}

/// A wrong current password counts: the sixth within an hour is a 429, even with the right one.
#[tokio::test]
async fn wrong_current_passwords_are_limited() {
    let app = TestApp::spawn().await;
    let jane = app.customer("jane").await;
    let change = |current: &str| {
        let body = json!({"current_password": current, "new_password": "a-fresh-start-2026"});
        let (app, jane) = (&app, &jane);
        async move { app.authed(Method::PUT, "/api/v1/me/password", jane).json(&body).send().await.unwrap().status() }
    };
    for _ in 0..5 {
        assert_eq!(change("not-my-password").await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(change(PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
}

async fn register_numbered(app: &TestApp, i: u32) -> (StatusCode, Value) {
    let body = json!({"full_name": "R", "email": format!("r{i}@example.com"), "username": format!("reg{i}"), "password": PASSWORD});
    let response = app.post_json("/api/v1/auth/register", &body).await;
    let status = response.status();
    (status, response.json::<Value>().await.unwrap_or(Value::Null))
}

/// Many registrations from one address: a 429 without a captcha, a captcha with one.
#[tokio::test]
async fn many_registrations_from_one_address_need_a_captcha() {
    let app = TestApp::builder().env("HELPDESK_REGISTRATIONS_PER_IP_HOUR", "2").spawn().await;
    let statuses =
        [register_numbered(&app, 1).await.0, register_numbered(&app, 2).await.0, register_numbered(&app, 3).await.0];
    assert_eq!(statuses, [StatusCode::ACCEPTED, StatusCode::ACCEPTED, StatusCode::TOO_MANY_REQUESTS]);

    let captcha = CaptchaStandIn::start().await;
    let app = TestApp::builder()
        .env("HELPDESK_REGISTRATIONS_PER_IP_HOUR", "1")
        .env("HELPDESK_HCAPTCHA_SITEKEY", "site-key")
        .env("HELPDESK_HCAPTCHA_SECRET", "captcha-secret")
        .env("HELPDESK_HCAPTCHA_VERIFY_URL", &captcha.url)
        .spawn()
        .await;
    assert_eq!(register_numbered(&app, 1).await.0, StatusCode::ACCEPTED);
    let (status, problem) = register_numbered(&app, 2).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("captcha_required")));
    let body = json!({"full_name": "R", "email": "r2@example.com", "username": "reg2", "password": PASSWORD, "captcha_token": PASSING_TOKEN});
    assert_eq!(app.post_json("/api/v1/auth/register", &body).await.status(), StatusCode::ACCEPTED);
}
