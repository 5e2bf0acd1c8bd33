//! The OpenAPI document: committed, served, and the docs page works offline.

use std::process::Command;

use helpdesk_tests::{TestApp, paths};
use serde_json::Value;

fn binary_spec() -> Value {
    let output = Command::new(paths::binary()).arg("openapi").output().expect("run helpdesk openapi");
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).expect("the spec is JSON")
}

#[test]
fn committed_spec_matches_the_binary() {
    let committed = std::fs::read_to_string(paths::root().join("openapi/openapi.json")).expect("openapi/openapi.json");
    let committed: Value = serde_json::from_str(&committed).expect("committed spec is JSON");
    assert!(
        committed == binary_spec(),
        "openapi/openapi.json is out of date: run `make openapi` (helpdesk openapi > openapi/openapi.json) and commit it"
    );
}

/// A response, following a `$ref` into `components/responses`.
fn resolve<'a>(spec: &'a Value, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/responses/")) {
        Some(name) => &spec["components"]["responses"][name],
        None => response,
    }
}

fn operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.push((method.to_uppercase(), path.clone(), op));
        }
    }
    ops
}

#[test]
fn spec_is_openapi_3_1_and_every_operation_documents_its_responses() {
    let spec = binary_spec();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    for (method, path, op) in operations(&spec) {
        let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{method} {path} has no responses"));
        assert!(responses.contains_key("default"), "{method} {path} documents no problem response");
        for (status, response) in responses {
            assert!(resolve(&spec, response)["description"].is_string(), "{method} {path} {status} has no description");
        }
        assert!(op["tags"].is_array(), "{method} {path} has no tag");
    }
}

#[test]
fn every_error_status_an_operation_can_answer_is_listed_not_left_to_default() {
    let spec = binary_spec();
    for (method, path, op) in operations(&spec) {
        let responses = op["responses"].as_object().unwrap();
        let has = |status: &str| responses.contains_key(status);
        let authenticated = op["security"].as_array().is_some_and(|s| !s.iter().any(|r| r == &serde_json::json!({})));
        if authenticated {
            for status in ["401", "403", "429"] {
                assert!(has(status), "{method} {path} needs a credential but does not list {status}");
            }
        }
        if path.contains('{') {
            assert!(has("404"), "{method} {path} takes an id but does not list 404");
        }
        if op["requestBody"]["content"]["application/json"].is_object() {
            for status in ["400", "413", "415", "422"] {
                assert!(has(status), "{method} {path} takes JSON but does not list {status}");
            }
        }
        let default = resolve(&spec, &responses["default"]);
        assert!(default["description"].as_str().unwrap().contains("500"), "{method} {path}: default is for 500 only");
    }
}

#[test]
fn operation_ids_are_unique_readable_camel_case_names() {
    let spec = binary_spec();
    let mut seen = std::collections::HashSet::new();
    for (method, path, op) in operations(&spec) {
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(
            id.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "{method} {path}: {id} is not lowerCamelCase"
        );
        assert!(seen.insert(id.to_owned()), "operationId {id} is used twice");
    }
    let id = |method: &str, path: &str| spec["paths"][path][method]["operationId"].as_str().unwrap().to_owned();
    assert_eq!(id("get", "/api/v1/tickets"), "listTickets");
    assert_eq!(id("post", "/api/v1/tickets"), "createTicket");
    assert_eq!(id("get", "/api/v1/tickets/{id}"), "getTicket");
    assert_eq!(id("patch", "/api/v1/tickets/{id}"), "updateTicket");
    assert_eq!(id("post", "/api/v1/tickets/{id}/comments"), "createComment");
    assert_eq!(id("post", "/api/v1/tickets/{id}/attachments"), "uploadAttachments");
    assert_eq!(id("post", "/api/v1/api-tokens"), "createApiToken");
    assert_eq!(id("post", "/api/v1/auth/login"), "login");
}

#[test]
fn documented_limits_of_list_queries_are_in_the_spec() {
    let spec = binary_spec();
    let param = |path: &str, name: &str| {
        spec["paths"][path]["get"]["parameters"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["schema"]
            .clone()
    };
    for path in ["/api/v1/tickets", "/api/v1/users", "/api/v1/organizations", "/api/v1/tickets/{id}/comments"] {
        assert_eq!(param(path, "limit")["minimum"], 1, "{path}");
        assert_eq!(param(path, "limit")["maximum"], 100, "{path}");
    }
    for path in ["/api/v1/tickets", "/api/v1/users", "/api/v1/organizations"] {
        assert_eq!(param(path, "q")["maxLength"], 200, "{path}");
    }
    assert!(param("/api/v1/tickets", "assignee_id")["pattern"].as_str().unwrap().contains("me|none"));
    assert!(spec["components"]["schemas"]["DomainName"]["pattern"].is_string());
}

#[test]
fn two_types_of_one_name_do_not_share_a_schema() {
    // utoipa names schemas by type name; a second `Channel` once replaced the first.
    let spec = binary_spec();
    let settings = &spec["components"]["schemas"]["NotificationSettings"]["properties"]["channels"];
    assert_eq!(settings["additionalProperties"]["$ref"], "#/components/schemas/NotificationChannel");
    let channel = spec["components"]["schemas"]["Channel"]["enum"].as_array().unwrap();
    assert!(channel.contains(&Value::from("contact_form")), "Channel is the ticket's channel");
}

#[tokio::test]
async fn served_spec_is_the_committed_one() {
    let app = TestApp::spawn().await;
    let served: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(served, binary_spec());
}

#[tokio::test]
async fn docs_page_loads_nothing_from_other_hosts() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(3)).build().unwrap();
    let page = client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(!html.contains(attr), "the docs page references another host: {attr}");
    }
    let init = client.get(app.url("/api/docs/swagger-initializer.js")).send().await.unwrap().text().await.unwrap();
    assert!(init.contains("/api/openapi.json"), "{init}");
}
