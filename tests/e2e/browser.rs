//! The web UI in a real browser: Debian's headless Chromium driven by playwright-core
//! (`tests/browser/scenarios.cjs`) against the real server. Each scenario saves screenshots in
//! `target/test-artifacts/<test>/`.

use helpdesk_tests::{CaptchaStandIn, TestApp, app::PASSWORD, paths};

fn run(app: &TestApp, scenario: &str, env: &[(&str, &str)]) {
    let artifacts = paths::artifacts(&paths::current_test());
    let output = std::process::Command::new("node")
        .arg(paths::root().join("tests/browser/scenarios.cjs"))
        .arg(scenario)
        .env("NODE_PATH", paths::root().join(".tools/node/node_modules"))
        .env("BASE_URL", &app.address)
        .env("ARTIFACTS", &artifacts)
        .envs(env.iter().copied())
        .output()
        .expect("run node (installed by scripts/ensure-tools.sh)");
    assert!(
        output.status.success(),
        "scenario {scenario} failed:\n{}\n{}\nserver log: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        app.log_path.display()
    );
}

#[tokio::test]
async fn a_ticket_from_registration_to_closing() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    app.user_with_role(&admin, "alex", "agent").await;
    // `UPDATE_SCREENSHOTS=1 make test` refreshes the README screenshots in docs/screenshots.
    let docs = paths::root().join("docs/screenshots");
    let update = std::env::var_os("UPDATE_SCREENSHOTS").is_some();
    let mut env = vec![("AGENT_LOGIN", "alex"), ("AGENT_PASSWORD", PASSWORD)];
    if update {
        env.push(("DOCS_SCREENSHOTS", docs.to_str().unwrap()));
    }
    run(&app, "ticket_lifecycle", &env);
}

#[tokio::test]
async fn five_wrong_passwords_show_the_captcha() {
    let captcha = CaptchaStandIn::start().await;
    let app = TestApp::builder()
        .env("HELPDESK_HCAPTCHA_SITEKEY", "test-site-key")
        .env("HELPDESK_HCAPTCHA_SECRET", "test-secret")
        .env("HELPDESK_HCAPTCHA_VERIFY_URL", &captcha.url)
        .spawn()
        .await;
    app.register("clara").await;
    run(&app, "captcha_after_failures", &[]);
}

#[tokio::test]
async fn a_6_mb_file_is_refused_before_upload() {
    let app = TestApp::spawn().await;
    app.register("clara").await;
    run(&app, "oversized_file_refused_before_upload", &[("CUSTOMER_LOGIN", "clara"), ("CUSTOMER_PASSWORD", PASSWORD)]);
}

#[tokio::test]
async fn admins_create_agents_and_organizations() {
    let app = TestApp::spawn().await;
    app.admin("boss").await;
    run(&app, "admin_pages", &[("ADMIN_LOGIN", "boss"), ("ADMIN_PASSWORD", PASSWORD)]);
}

#[tokio::test]
async fn admins_set_business_hours_and_staff_read_reports_and_notifications() {
    let app = TestApp::spawn().await;
    app.admin("boss").await;
    let customer = app.customer("clara").await;
    app.open_ticket(&customer, "Printer on fire", "Please hurry").await;
    run(&app, "sla_calendar_reports_and_bell", &[("ADMIN_LOGIN", "boss"), ("ADMIN_PASSWORD", PASSWORD)]);
}

#[tokio::test]
async fn an_admin_creates_uses_and_revokes_an_api_token_and_adds_a_webhook() {
    let app = TestApp::spawn().await;
    app.admin("boss").await;
    run(&app, "api_token", &[("ADMIN_LOGIN", "boss"), ("ADMIN_PASSWORD", PASSWORD)]);
}

#[tokio::test]
async fn an_admin_finds_a_mailed_ticket_in_the_received_mail_log() {
    let app = TestApp::spawn().await;
    let admin = app.admin("boss").await;
    let raw = std::fs::read(paths::root().join("tests/fixtures/mail/forwarded.eml")).unwrap();
    let (code, stderr) = app.ingest_email(&raw, &[], &[]);
    assert_eq!(code, 0, "{stderr}");
    let list = app.ok(reqwest::Method::GET, "/api/v1/tickets", &admin, None).await;
    let number = list["items"][0]["number"].to_string();
    run(&app, "mail_in_admin", &[("ADMIN_LOGIN", "boss"), ("ADMIN_PASSWORD", PASSWORD), ("TICKET_NUMBER", &number)]);
}

#[tokio::test]
async fn switching_to_german_changes_the_labels() {
    let app = TestApp::spawn().await;
    run(&app, "switch_to_german", &[]);
}

#[tokio::test]
async fn an_unverified_customer_confirms_the_address_from_the_banner() {
    let app = TestApp::spawn().await;
    app.register("clara").await;
    let mail_dir = app.dir.path().join("mail");
    run(
        &app,
        "confirm_email",
        &[("CUSTOMER_LOGIN", "clara"), ("CUSTOMER_PASSWORD", PASSWORD), ("MAIL_DIR", mail_dir.to_str().unwrap())],
    );
}

#[tokio::test]
async fn a_customer_turns_on_two_factor_sign_in_and_signs_in_with_a_code() {
    let app = TestApp::spawn().await;
    app.register("clara").await;
    run(&app, "two_factor", &[("CUSTOMER_LOGIN", "clara"), ("CUSTOMER_PASSWORD", PASSWORD)]);
}

#[tokio::test]
async fn a_customer_downloads_the_data_and_deletes_the_account_from_the_profile() {
    let app = TestApp::spawn().await;
    let clara = app.customer("clara").await;
    app.open_ticket(&clara, "Before I go", "x").await;
    run(&app, "erase_account", &[("CUSTOMER_LOGIN", "clara"), ("CUSTOMER_PASSWORD", PASSWORD)]);
    let admin = app.admin("boss").await;
    let account = app.get_json(&format!("/api/v1/users/{}", clara.user_id()), &admin).await;
    assert_eq!(account["full_name"], "Deleted user");
}

// Multi-threaded, so the captcha stand-in keeps answering while the scenario blocks this thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_sends_the_contact_form_and_answers_through_the_private_link() {
    let captcha = CaptchaStandIn::start().await;
    let app = TestApp::builder()
        .env("HELPDESK_HCAPTCHA_SITEKEY", "test-site-key")
        .env("HELPDESK_HCAPTCHA_SECRET", "test-secret")
        .env("HELPDESK_HCAPTCHA_VERIFY_URL", &captcha.url)
        .spawn()
        .await;
    let mail_dir = app.dir.path().join("mail");
    let env = [("CAPTCHA_TOKEN", helpdesk_tests::captcha::PASSING_TOKEN), ("MAIL_DIR", mail_dir.to_str().unwrap())];
    tokio::task::block_in_place(|| run(&app, "contact_form", &env));
}

fn customer_env() -> [(&'static str, &'static str); 2] {
    [("CUSTOMER_LOGIN", "clara"), ("CUSTOMER_PASSWORD", PASSWORD)]
}

#[tokio::test]
async fn forgot_password_confirms_that_a_link_is_on_its_way() {
    let app = TestApp::spawn().await;
    run(&app, "forgot_password_confirms", &[]);
}

#[tokio::test]
async fn a_refused_upload_never_leaves_an_orphan_or_a_second_ticket() {
    let app = TestApp::builder().env("HELPDESK_MAX_UPLOAD_BYTES", "1024").spawn().await;
    app.register("clara").await;
    run(&app, "refused_upload_never_leaves_an_orphan_ticket", &customer_env());
}

#[tokio::test]
async fn saving_the_profile_says_saved() {
    let app = TestApp::spawn().await;
    app.register("clara").await;
    run(&app, "profile_save_says_saved", &customer_env());
}

#[tokio::test]
async fn a_closed_ticket_says_why_and_offers_a_linked_follow_up() {
    let app = TestApp::spawn().await;
    let clara = app.customer("clara").await;
    app.open_ticket(&clara, "Drucker kaputt", "Geht nicht").await;
    run(&app, "closed_ticket_offers_a_follow_up", &customer_env());
}

/// An admin, the agent alex, and three tickets by clara (one for Acme GmbH through a colleague).
async fn workspace() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    app.user_with_role(&admin, "alex", "agent").await;
    app.create_organization(&admin, "Acme GmbH", "acme.example", "premium", false).await;
    let clara = app.customer("clara").await;
    let first = app.open_ticket(&clara, "Drucker kaputt", "Geht nicht").await;
    app.open_ticket(&clara, "Scanner piept", "Seit heute").await;
    app.verified_customer("otto", "otto@acme.example").await;
    let otto = app.login("otto", PASSWORD).await;
    app.open_ticket(&otto, "Beamer flackert", "Im Saal").await;
    (app, first["number"].to_string())
}

#[tokio::test]
async fn agents_work_the_queue_by_views_search_bulk_assignment_and_keyboard() {
    let (app, number) = workspace().await;
    let env = [
        ("AGENT_LOGIN", "alex"),
        ("AGENT_PASSWORD", PASSWORD),
        ("AGENT_NAME", "alex Example"),
        ("TICKET_NUMBER", number.as_str()),
    ];
    run(&app, "queue_views_bulk_assign_and_keyboard", &env);
}

#[tokio::test]
async fn replies_and_internal_notes_are_separate_tabs_and_a_reply_carries_an_image() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    app.user_with_role(&admin, "alex", "agent").await;
    app.register("clara").await;
    let clara = app.login("clara", PASSWORD).await;
    app.ok(reqwest::Method::PATCH, "/api/v1/me", &clara, Some(serde_json::json!({"full_name": "Clara Customer"})))
        .await;
    app.open_ticket(&clara, "Drucker kaputt", "Geht nicht").await;
    run(&app, "reply_and_note_tabs_with_an_image", &[("AGENT_LOGIN", "alex"), ("AGENT_PASSWORD", PASSWORD)]);
}

#[tokio::test]
async fn the_workspace_reads_german_throughout() {
    let (app, _) = workspace().await;
    let env = [
        ("AGENT_LOGIN", "alex"),
        ("AGENT_PASSWORD", PASSWORD),
        ("CUSTOMER_LOGIN", "clara"),
        ("CUSTOMER_PASSWORD", PASSWORD),
        ("ADMIN_LOGIN", "admin"),
        ("ADMIN_PASSWORD", PASSWORD),
    ];
    run(&app, "workspace_in_german", &env);
}
