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
}
