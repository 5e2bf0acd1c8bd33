//! The web UI is served by the API binary: files, client routes, cache policy.

use helpdesk_tests::{TestApp, paths};
use reqwest::{StatusCode, header};

fn built_asset(ext: &str) -> String {
    let dist = paths::root().join("web-ui/dist");
    std::fs::read_dir(&dist)
        .unwrap_or_else(|_| panic!("{} missing: build the SPA with scripts/build-web.sh", dist.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(ext))
        .unwrap_or_else(|| panic!("no *{ext} in web-ui/dist"))
}

#[tokio::test]
async fn client_routes_get_index_html_uncached() {
    let app = TestApp::spawn().await;
    for path in ["/", "/tickets/42", "/admin/users"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache", "{path}");
        assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
        assert!(response.text().await.unwrap().contains("<html"));
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_gzipped() {
    let app = TestApp::spawn().await;
    let wasm = built_asset(".wasm");
    let response = app
        .request(reqwest::Method::GET, &format!("/{wasm}"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn missing_assets_and_hidden_files_are_404() {
    let app = TestApp::spawn().await;
    for path in ["/missing-0123456789abcdef.js", "/.env", "/favicon-missing.ico"] {
        assert_eq!(app.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
