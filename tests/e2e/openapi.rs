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

#[test]
fn spec_is_openapi_3_1_and_every_operation_documents_its_responses() {
    let spec = binary_spec();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{method} {path} has no responses"));
            assert!(responses.contains_key("default"), "{method} {path} documents no problem response");
            for (status, response) in responses {
                assert!(response["description"].is_string(), "{method} {path} {status} has no description");
            }
            assert!(op["tags"].is_array(), "{method} {path} has no tag");
        }
    }
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
