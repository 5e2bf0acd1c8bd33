//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238), recovery codes, the staff
//! requirement and the admin reset (issue 10).

use helpdesk_tests::{Session, TestApp, app::PASSWORD, totp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Turns two-factor sign-in on for `session`: the secret and the recovery codes.
async fn enable(app: &TestApp, session: &Session) -> (String, Vec<String>) {
    let setup = app.ok(Method::POST, "/api/v1/me/2fa", session, None).await;
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"), "the QR code is drawn by the server");
    assert!(setup["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/Helpdesk:"));
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let (status, _) =
        app.send(Method::POST, "/api/v1/me/2fa/confirm", Some(session), Some(json!({"code": "000000x"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a wrong first code does not turn it on");
    let confirmed =
        app.ok(Method::POST, "/api/v1/me/2fa/confirm", session, Some(json!({"code": totp::code(&secret, 0)}))).await;
    let codes: Vec<String> =
        confirmed["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// The first step: the challenge (and no tokens).
async fn first_step(app: &TestApp, login: &str) -> String {
    let response =
        app.post_json("/api/v1/auth/login", &json!({"login": login, "password": PASSWORD, "client": "api"})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["two_factor_required"], true, "{body}");
    assert!(body.get("access_token").is_none());
    body["challenge"].as_str().unwrap().to_owned()
}

async fn second_step(app: &TestApp, challenge: &str, code: &str) -> (StatusCode, Value) {
    let response =
        app.post_json("/api/v1/auth/login/2fa", &json!({"challenge": challenge, "code": code, "client": "api"})).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn signing_in_takes_a_code_from_the_app_and_a_code_works_once() {
    let app = TestApp::spawn().await;
    let jane = app.customer("jane").await;
    let (secret, _) = enable(&app, &jane).await;
    assert_eq!(app.get_json("/api/v1/me", &jane).await["two_factor_enabled"], true);

    let challenge = first_step(&app, "jane").await;
    let (status, problem) = second_step(&app, &challenge, "123456").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_code")));
    // The set-up used this step's code; the next step's is still accepted (one step of drift).
    let code = totp::code(&secret, 1);
    let (status, tokens) = second_step(&app, &challenge, &code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens["access_token"].is_string());
    let again = first_step(&app, "jane").await;
    let (status, _) = second_step(&app, &again, &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a replayed code is refused");
    let (status, _) = second_step(&app, &challenge, &totp::code(&secret, 1)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a used challenge is gone");
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let app = TestApp::spawn().await;
    let jane = app.customer("jane").await;
    let (_, codes) = enable(&app, &jane).await;
    let challenge = first_step(&app, "jane").await;
    let (status, _) = second_step(&app, &challenge, &codes[3]).await;
    assert_eq!(status, StatusCode::OK);
    let challenge = first_step(&app, "jane").await;
    let (status, _) = second_step(&app, &challenge, &codes[3]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "used up");
}

#[tokio::test]
async fn wrong_codes_count_as_failed_sign_ins() {
    let app = TestApp::spawn().await;
    let jane = app.customer("jane").await;
    enable(&app, &jane).await;
    let challenge = first_step(&app, "jane").await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(second_step(&app, &challenge, "000000").await.0);
    }
    assert_eq!(statuses[..5], [StatusCode::BAD_REQUEST; 5]);
    assert!(statuses[5..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

#[tokio::test]
async fn turning_it_off_needs_the_password_and_a_code_and_admins_can_reset_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin("boss").await;
    let jane = app.customer("jane").await;
    let (secret, _) = enable(&app, &jane).await;
    let (status, _) = app
        .send(
            Method::DELETE,
            "/api/v1/me/2fa",
            Some(&jane),
            Some(json!({"password": "wrong-password", "code": totp::code(&secret, 1)})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .send(Method::DELETE, "/api/v1/me/2fa", Some(&jane), Some(json!({"password": PASSWORD, "code": "000000"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .send(
            Method::DELETE,
            "/api/v1/me/2fa",
            Some(&jane),
            Some(json!({"password": PASSWORD, "code": totp::code(&secret, 1)})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(app.login_status("jane", PASSWORD).await.is_success());

    enable(&app, &jane).await;
    let (status, _) =
        app.send(Method::DELETE, &format!("/api/v1/users/{}/2fa", jane.user_id()), Some(&jane), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admins only");
    let (status, _) =
        app.send(Method::DELETE, &format!("/api/v1/users/{}/2fa", jane.user_id()), Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let body: Value = app
        .post_json("/api/v1/auth/login", &json!({"login": "jane", "password": PASSWORD}))
        .await
        .json()
        .await
        .unwrap();
    assert!(body["access_token"].is_string(), "password only again: {body}");
    app.mailed_link("jane@example.com", "/profile").await;
}

#[tokio::test]
async fn staff_must_set_it_up_before_anything_else_when_required() {
    let app = TestApp::builder().env("HELPDESK_REQUIRE_2FA_FOR_STAFF", "true").spawn().await;
    let agent = app.admin("boss").await;
    let (status, problem) = app.send(Method::GET, "/api/v1/tickets", Some(&agent), None).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("two_factor_setup_required")));
    assert_eq!(app.me_status(&agent).await, StatusCode::OK, "the profile stays reachable");
    enable(&app, &agent).await;
    let (status, _) = app.send(Method::GET, "/api/v1/tickets", Some(&agent), None).await;
    assert_eq!(status, StatusCode::OK);
    let customer = app.customer("jane").await;
    let (status, _) = app.send(Method::GET, "/api/v1/tickets", Some(&customer), None).await;
    assert_eq!(status, StatusCode::OK, "customers are not required to");
}
