//! Canned replies (#16): the support team's shared texts, never shown to customers.

use helpdesk_tests::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn agents_keep_canned_replies_that_customers_never_see() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "alex", "agent").await;
    let customer = app.customer("clara").await;
    let body = json!({"title": "Drucker neu starten", "body": "Hallo {{customer.first_name}}, bitte starten Sie den Drucker neu. {{agent.name}}"});
    let created = app.ok(Method::POST, "/api/v1/canned-replies", &agent, Some(body)).await;
    assert_eq!(created["created_by"], "alex Example");
    let id = created["id"].as_i64().unwrap();
    app.ok(Method::POST, "/api/v1/canned-replies", &admin, Some(json!({"title": "Abschluss", "body": "Danke!"}))).await;
    let all = app.ok(Method::GET, "/api/v1/canned-replies", &agent, None).await;
    let titles: Vec<&str> = all.as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Abschluss", "Drucker neu starten"]);
    let found = app.ok(Method::GET, "/api/v1/canned-replies?q=DRUCKER", &admin, None).await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    let changed = app
        .ok(Method::PATCH, &format!("/api/v1/canned-replies/{id}"), &admin, Some(json!({"title": "Neustart"})))
        .await;
    assert_eq!(changed["title"], "Neustart");
    assert_eq!(changed["body"], created["body"]);
    // Customers and guests: no canned replies at all.
    for (session, expected) in [(Some(&customer), StatusCode::FORBIDDEN), (None, StatusCode::UNAUTHORIZED)] {
        let (status, _) = app.send(Method::GET, "/api/v1/canned-replies", session, None).await;
        assert_eq!(status, expected);
        let (status, _) = app.send(Method::DELETE, &format!("/api/v1/canned-replies/{id}"), session, None).await;
        assert_eq!(status, expected);
    }
    let (status, _) = app.send(Method::DELETE, &format!("/api/v1/canned-replies/{id}"), Some(&agent), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.send(Method::DELETE, &format!("/api/v1/canned-replies/{id}"), Some(&agent), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_canned_reply_with_an_unknown_placeholder_a_duplicate_title_or_bad_text_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    app.ok(Method::POST, "/api/v1/canned-replies", &admin, Some(json!({"title": "Gruß", "body": "Hallo"}))).await;
    let cases = [
        (json!({"title": "x", "body": "Hallo {{kunde.name}}"}), StatusCode::UNPROCESSABLE_ENTITY, "body"),
        (json!({"title": "x", "body": "Hallo {{customer.name"}), StatusCode::UNPROCESSABLE_ENTITY, "body"),
        (json!({"title": "x", "body": "a\u{0}b"}), StatusCode::UNPROCESSABLE_ENTITY, "body"),
        (json!({"title": "x".repeat(101), "body": "b"}), StatusCode::UNPROCESSABLE_ENTITY, "title"),
        (json!({"title": "  ", "body": "b"}), StatusCode::UNPROCESSABLE_ENTITY, "title"),
        (json!({"body": "b"}), StatusCode::UNPROCESSABLE_ENTITY, "title"),
        (json!({"title": "y"}), StatusCode::UNPROCESSABLE_ENTITY, "body"),
        (json!({"title": "y", "body": "b".repeat(20_001)}), StatusCode::UNPROCESSABLE_ENTITY, "body"),
        (json!({"title": "GRUSS", "body": "b"}), StatusCode::CREATED, ""),
        (json!({"title": "gruß", "body": "b"}), StatusCode::CONFLICT, "title"),
    ];
    for (body, expected, field) in cases {
        let (status, problem) =
            app.send(Method::POST, "/api/v1/canned-replies", Some(&admin), Some(body.clone())).await;
        assert_eq!(status, expected, "{body}: {problem}");
        if expected == StatusCode::UNPROCESSABLE_ENTITY {
            assert!(problem["errors"][field].is_array(), "{body}: {problem}");
        }
    }
    let (status, _) =
        app.send(Method::PATCH, "/api/v1/canned-replies/999999", Some(&admin), Some(json!({"title": "z"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
