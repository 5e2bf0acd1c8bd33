//! Generated clients (#13): `openapi/openapi.json` turned into a Python client
//! (openapi-python-client) and TypeScript types (openapi-typescript, with openapi-fetch), both
//! unmodified, each running one real integration (`tests/clients/flow.*`) against the server:
//! API token, idempotent create, comment, upload, cursor paging and verified webhooks.

use std::{path::Path, process::Command};

use helpdesk_tests::{TestApp, app::PASSWORD, paths};

async fn app_with_admin() -> TestApp {
    let app = TestApp::builder().env("HELPDESK_WEBHOOK_ALLOW_PRIVATE", "true").spawn().await;
    app.admin("admin").await;
    app
}

/// Runs a tool and fails the test with its output unless it succeeds; returns stdout and stderr.
fn run(what: &str, command: &mut Command, app: &TestApp) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e} (installed by scripts/ensure-tools.sh)"));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{what} failed:\n{text}\nserver log: {}", app.log_path.display());
    text
}

fn spec() -> std::path::PathBuf {
    paths::root().join("openapi/openapi.json")
}

fn fresh(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_generated_python_client_runs_an_integration_end_to_end() {
    let app = app_with_admin().await;
    let work = paths::artifacts(&paths::current_test()).join("python");
    fresh(&work);
    let venv = paths::root().join(".tools/venv/bin");
    let path = format!("{}:{}", venv.display(), std::env::var("PATH").unwrap_or_default());
    let generated = run(
        "openapi-python-client",
        Command::new(venv.join("openapi-python-client"))
            .args(["generate", "--meta", "none", "--path"])
            .arg(spec())
            .arg("--output-path")
            .arg(work.join("helpdesk_api_client"))
            .arg("--config")
            .arg(paths::root().join("tests/clients/python-client.yml"))
            .env("PATH", &path),
        &app,
    );
    assert!(!generated.contains("WARNING"), "the generator dropped parts of the spec:\n{generated}");
    let out = run(
        "the Python flow",
        Command::new(paths::python())
            .arg(paths::root().join("tests/clients/flow.py"))
            .env("PYTHONPATH", &work)
            .env("BASE_URL", &app.address)
            .env("ADMIN_LOGIN", "admin")
            .env("ADMIN_PASSWORD", PASSWORD),
        &app,
    );
    assert!(out.contains("4 tickets paged, 6 webhooks verified"), "{out}");
}

#[tokio::test]
async fn the_generated_typescript_client_runs_an_integration_end_to_end() {
    let app = app_with_admin().await;
    let work = paths::artifacts(&paths::current_test()).join("typescript");
    fresh(&work);
    let node = paths::root().join(".tools/node/node_modules");
    // The project's node_modules (openapi-fetch, typescript) for the compiled flow to import.
    std::os::unix::fs::symlink(&node, work.join("node_modules")).unwrap();
    std::fs::write(work.join("package.json"), r#"{"type": "module"}"#).unwrap();
    std::fs::copy(paths::root().join("tests/clients/flow.ts"), work.join("flow.ts")).unwrap();
    run(
        "openapi-typescript",
        Command::new("node")
            .arg(node.join("openapi-typescript/bin/cli.js"))
            .arg(spec())
            .arg("-o")
            .arg(work.join("schema.d.ts")),
        &app,
    );
    run(
        "tsc --strict (the flow type-checks against the generated types)",
        Command::new("node")
            .arg(node.join("typescript/bin/tsc"))
            .args(["--strict", "--module", "nodenext", "--target", "es2022", "--skipLibCheck", "false", "flow.ts"])
            .current_dir(&work),
        &app,
    );
    let out = run(
        "the TypeScript flow",
        Command::new("node")
            .arg(work.join("flow.js"))
            .env("BASE_URL", &app.address)
            .env("ADMIN_LOGIN", "admin")
            .env("ADMIN_PASSWORD", PASSWORD),
        &app,
    );
    assert!(out.contains("4 tickets paged, 6 webhooks verified"), "{out}");
}
