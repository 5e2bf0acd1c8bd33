//! Rights of data subjects (P12) and retention (P2): erasure on request and by an admin, the
//! audit trail (issue 11).

use helpdesk_tests::{TestApp, app::PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Everything PostgreSQL holds, as text (pg_dump of the test database).
fn dump(app: &TestApp) -> String {
    let output = std::process::Command::new("pg_dump")
        .args(["--data-only", "--no-owner", &app.db.url])
        .output()
        .expect("run pg_dump (postgresql-client)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Waits until no email row for `address` is left (the erasure's own confirmation is deleted
/// once it was sent).
async fn until_no_mail_rows_for(app: &TestApp, address: &str) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while dump(app).contains(address) {
        assert!(tokio::time::Instant::now() < deadline, "{address} is still in the database: {}", {
            let d = dump(app);
            d.lines().filter(|l| l.contains(address)).map(str::to_owned).collect::<Vec<_>>().join("\n")
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn erasure_removes_every_trace_of_the_person_but_keeps_the_counts() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let erin = app.verified_customer("erin", "erin.private@example.org").await;
    app.ok(Method::PATCH, "/api/v1/me", &erin, Some(json!({"phone": "+49 170 5550199", "company": "Erin's Bakery"})))
        .await;
    let keep = app.customer("kim").await;
    let first = app.open_ticket(&erin, "Printer jams", "My desk printer, room 4711").await;
    let id = first["id"].as_i64().unwrap();
    app.open_ticket(&erin, "VPN", "Cannot connect").await;
    app.open_ticket(&keep, "Other", "Not erin's").await;
    let (status, _) = app.attach(&erin, id, None, "photo.txt").await;
    assert_eq!(status, StatusCode::CREATED);
    app.ok(Method::POST, &format!("/api/v1/tickets/{id}/comments"), &agent, Some(json!({"body": "We are on it."})))
        .await;
    app.ok(
        Method::POST,
        &format!("/api/v1/tickets/{id}/comments"),
        &erin,
        Some(json!({"body": "Call me on my mobile"})),
    )
    .await;
    // The counts, without the time the tickets in time were counted.
    let counts = |mut stats: serde_json::Value| {
        stats.as_object_mut().unwrap().remove("sla_counted_at");
        stats
    };
    let stats_before = counts(app.ok(Method::GET, "/api/v1/tickets/stats", &agent, None).await);
    assert!(dump(&app).contains("erin.private@example.org"));

    let (status, _) =
        app.send(Method::DELETE, "/api/v1/me", Some(&erin), Some(json!({"password": "wrong-password"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the password is needed");
    let (status, _) = app.send(Method::DELETE, "/api/v1/me", Some(&erin), Some(json!({"password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.me_status(&erin).await, StatusCode::UNAUTHORIZED, "every session ended");
    app.mailed_link("erin.private@example.org", "/").await;

    until_no_mail_rows_for(&app, "erin.private@example.org").await;
    let db = dump(&app);
    for trace in ["erin Example", "erin.private", "room 4711", "Call me on my mobile", "photo.txt", "5550199", "Bakery"]
    {
        let lines: Vec<&str> = db.lines().filter(|l| l.contains(trace)).collect();
        assert!(lines.is_empty(), "the database still holds {trace:?}: {lines:?}");
    }
    assert!(db.contains("We are on it."), "staff comments stay");
    assert_eq!(
        counts(app.ok(Method::GET, "/api/v1/tickets/stats", &agent, None).await),
        stats_before,
        "the counts do not change"
    );
    let ticket = app.ok(Method::GET, &format!("/api/v1/tickets/{id}"), &agent, None).await;
    assert_eq!(
        (ticket["subject"].as_str(), ticket["requester"]["full_name"].as_str()),
        (Some("[deleted]"), Some("Deleted user"))
    );
    assert!(std::fs::read_dir(app.dir.path().join("attachments")).unwrap().next().is_none(), "the file is gone");
    assert!(app.login_status("erin", PASSWORD).await.is_client_error());

    let audit = app.ok(Method::GET, "/api/v1/admin/audit-log?action=erasure", &admin, None).await;
    let entry = &audit["items"][0];
    assert_eq!(
        (entry["subject_id"].as_i64(), entry["actor_id"].as_i64()),
        (Some(erin.user_id()), Some(erin.user_id()))
    );
    assert_eq!(entry["details"]["tickets_anonymized"], 2);
    assert!(!audit.to_string().contains("erin"), "the audit log names no personal data: {audit}");
}

#[tokio::test]
async fn admins_erase_on_behalf_and_the_audit_log_is_theirs_alone() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let jane = app.customer("jane").await;
    let (status, problem) =
        app.send(Method::POST, &format!("/api/v1/users/{}/erase", admin.user_id()), Some(&admin), None).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("own_account")));
    let (status, _) =
        app.send(Method::POST, &format!("/api/v1/users/{}/erase", jane.user_id()), Some(&jane), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        app.send(Method::POST, &format!("/api/v1/users/{}/erase", jane.user_id()), Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let account = app.ok(Method::GET, &format!("/api/v1/users/{}", jane.user_id()), &admin, None).await;
    assert_eq!(account["full_name"], "Deleted user");
    assert_eq!(app.me_status(&jane).await, StatusCode::UNAUTHORIZED, "the erased session is gone");
    let audit =
        app.ok(Method::GET, &format!("/api/v1/admin/audit-log?subject_id={}", jane.user_id()), &admin, None).await;
    let entry: &Value = &audit["items"][0];
    assert_eq!((entry["action"].as_str(), entry["actor_id"].as_i64()), (Some("erasure"), Some(admin.user_id())));
    assert_eq!(entry["details"]["reason"], "admin");
    assert_eq!(entry["client_ip"], "127.0.0.1");
}

/// P12 restriction: a restricted account keeps its data but nothing is processed: no new
/// tickets or replies, no mail (but the notice), staff cannot change its tickets and see a
/// badge; only an admin lifts it, and the person is told.
#[tokio::test]
async fn a_restricted_account_is_frozen_until_an_admin_lifts_it() {
    let smtp = helpdesk_tests::SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let rita = app.customer("rita").await;
    let t = app.open_ticket(&rita, "Before", "x").await;
    let id = t["id"].as_i64().unwrap();
    let (status, _) = app.send(Method::POST, "/api/v1/me/restriction", Some(&rita), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    smtp.wait_for("rita@example.com", |m| m.subject == "Processing of your data is restricted").await;
    assert_eq!(app.get_json("/api/v1/me", &rita).await["restricted"], true);

    let (status, problem) =
        app.send(Method::POST, "/api/v1/tickets", Some(&rita), Some(json!({"subject": "s", "description": "d"}))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("account_restricted")));
    let (status, _) = app
        .send(Method::POST, &format!("/api/v1/tickets/{id}/comments"), Some(&rita), Some(json!({"body": "hi"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) =
        app.send(Method::PATCH, &format!("/api/v1/tickets/{id}"), Some(&agent), Some(json!({"status": "open"}))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("requester_restricted")));
    let (status, _) = app
        .send(Method::POST, &format!("/api/v1/tickets/{id}/comments"), Some(&agent), Some(json!({"body": "hello?"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let seen = app.ok(Method::GET, &format!("/api/v1/tickets/{id}"), &agent, None).await;
    assert_eq!(seen["requester"]["restricted"], true, "the agent sees the badge");
    // No mail reaches a restricted account (here: a password reset would, but not now).
    app.post_json("/api/v1/auth/password-reset", &json!({"email": "rita@example.com"})).await;

    let (status, _) =
        app.send(Method::DELETE, &format!("/api/v1/users/{}/restriction", rita.user_id()), Some(&rita), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only admins lift it");
    let (status, _) =
        app.send(Method::DELETE, &format!("/api/v1/users/{}/restriction", rita.user_id()), Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    smtp.wait_for("rita@example.com", |m| m.subject == "Restriction lifted").await;
    assert!(
        !smtp
            .received()
            .iter()
            .any(|m| m.rcpt_tos.contains(&"rita@example.com".to_owned()) && m.subject == "Reset your password"),
        "nothing but the notices reached the restricted account"
    );
    app.ok(Method::POST, &format!("/api/v1/tickets/{id}/comments"), &rita, Some(json!({"body": "back"}))).await;
    let audit =
        app.ok(Method::GET, &format!("/api/v1/admin/audit-log?subject_id={}", rita.user_id()), &admin, None).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["restriction_lifted", "restriction_set"]);
}

/// P12 objection: a person refuses non-essential kinds of email; essential ones (a password
/// reset) still arrive.
#[tokio::test]
async fn an_objection_stops_those_emails_but_not_a_password_reset() {
    let smtp = helpdesk_tests::SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let olga = app.customer("olga").await;
    let me = app
        .ok(Method::PATCH, "/api/v1/me", &olga, Some(json!({"refused_notifications": ["status_updates", "replies"]})))
        .await;
    assert_eq!(me["refused_notifications"], json!(["replies", "status_updates"]));
    let t = app.open_ticket(&olga, "Quiet please", "x").await;
    let path = format!("/api/v1/tickets/{}", t["id"]);
    app.ok(Method::POST, &format!("{path}/comments"), &agent, Some(json!({"body": "A reply you did not want mailed"})))
        .await;
    app.ok(Method::PATCH, &path, &agent, Some(json!({"status": "pending"}))).await;
    app.post_json("/api/v1/auth/password-reset", &json!({"email": "olga@example.com"})).await;
    smtp.wait_for("olga@example.com", |m| m.subject == "Reset your password").await;
    let subjects: Vec<String> = smtp
        .received()
        .into_iter()
        .filter(|m| m.rcpt_tos.contains(&"olga@example.com".to_owned()))
        .map(|m| m.subject)
        .collect();
    assert!(
        subjects.iter().any(|s| s.contains("Quiet please")),
        "the ticket confirmation was not refused: {subjects:?}"
    );
    assert_eq!(
        subjects.iter().filter(|s| s.contains("Quiet please")).count(),
        1,
        "no reply or status mail: {subjects:?}"
    );
    let audit = app.ok(Method::GET, "/api/v1/admin/audit-log?action=objection_changed", &admin, None).await;
    assert_eq!(audit["items"][0]["subject_id"].as_i64(), Some(olga.user_id()));
}

/// Staff put a ticket on legal hold (it then outlives its category's retention); customers
/// cannot; the change is an event and an audit entry; categories carry their retention period.
#[tokio::test]
async fn staff_put_tickets_on_legal_hold_and_categories_carry_their_retention() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let category = app
        .ok(Method::POST, "/api/v1/categories", &admin, Some(json!({"name": "Trivial", "retention_days": 365})))
        .await;
    assert_eq!(category["retention_days"], 365);
    let (status, problem) = app
        .send(
            Method::PATCH,
            &format!("/api/v1/categories/{}", category["id"]),
            Some(&admin),
            Some(json!({"retention_days": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let kept = app
        .ok(
            Method::PATCH,
            &format!("/api/v1/categories/{}", category["id"]),
            &admin,
            Some(json!({"retention_days": null})),
        )
        .await;
    assert!(kept["retention_days"].is_null());
    let customer = app.customer("hank").await;
    let t = app.open_ticket(&customer, "Keep me", "x").await;
    let path = format!("/api/v1/tickets/{}", t["id"]);
    let (status, _) = app.send(Method::PATCH, &path, Some(&customer), Some(json!({"legal_hold": true}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let held = app.ok(Method::PATCH, &path, &admin, Some(json!({"legal_hold": true}))).await;
    assert_eq!(held["legal_hold"], true);
    let events = app.ok(Method::GET, &format!("{path}/events"), &admin, None).await;
    assert!(events.to_string().contains("legal_hold_changed"));
    let audit = app.ok(Method::GET, "/api/v1/admin/audit-log?action=legal_hold_set", &admin, None).await;
    assert_eq!(audit["items"][0]["details"]["ticket_id"], t["id"]);
}

/// The archive of an export, opened by Python's `zipfile` (a reader we did not write): every
/// entry's name and content, after `testzip` checked the CRCs.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.zip");
    std::fs::write(&path, bytes).unwrap();
    let script = "import zipfile, sys, json, base64\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n\
                  print(json.dumps({n: base64.b64encode(z.read(n)).decode() for n in z.namelist()}))";
    let output =
        std::process::Command::new(helpdesk_tests::paths::python()).args(["-c", script]).arg(&path).output().unwrap();
    assert!(output.status.success(), "not a valid ZIP: {}", String::from_utf8_lossy(&output.stderr));
    let entries: std::collections::BTreeMap<String, String> = serde_json::from_slice(&output.stdout).unwrap();
    use base64::Engine;
    entries.into_iter().map(|(k, v)| (k, base64::engine::general_purpose::STANDARD.decode(v).unwrap())).collect()
}

/// P12 access and portability: the export holds every ticket and file of the person, their
/// comments and emails, and never an internal note or anything of another person.
#[tokio::test]
async fn an_export_holds_all_of_the_persons_data_and_nothing_else() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let eve = app.customer("eve").await;
    let other = app.customer("otto").await;
    let mine = app.open_ticket(&eve, "Eve's printer", "It jams").await;
    let id = mine["id"].as_i64().unwrap();
    app.open_ticket(&eve, "Eve's VPN", "Slow").await;
    app.open_ticket(&other, "Otto's secret", "Not Eve's business").await;
    let (_, files) = app.attach(&eve, id, None, "jam.txt").await;
    assert_eq!(files[0]["filename"], "jam.txt");
    app.ok(Method::POST, &format!("/api/v1/tickets/{id}/comments"), &agent, Some(json!({"body": "Public answer"})))
        .await;
    let note = app
        .ok(
            Method::POST,
            &format!("/api/v1/tickets/{id}/comments"),
            &agent,
            Some(json!({"body": "Secret staff note", "internal": true})),
        )
        .await;
    app.attach(&agent, id, Some(note["id"].as_i64().unwrap()), "internal-log.txt").await;

    // Opening the answered ticket leaves an unread marker: the person's data too.
    app.get_json(&format!("/api/v1/tickets/{id}"), &eve).await;
    let response = app.authed(Method::GET, "/api/v1/me/export", &eve).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let archive = unzip(&response.bytes().await.unwrap());
    let data: Value = serde_json::from_slice(&archive["data.json"]).unwrap();
    assert_eq!(data["format"], "helpdesk-export/1");
    assert_eq!(data["account"]["email"], "eve@example.com");
    assert_eq!(data["tickets"].as_array().unwrap().len(), 2);
    let text = data.to_string();
    assert!(text.contains("Public answer") && text.contains("It jams"));
    for never in ["Secret staff note", "internal-log.txt", "Otto", "otto@example.com"] {
        assert!(!text.contains(never), "the export holds {never:?}");
    }
    assert!(!data["emails"].as_array().unwrap().is_empty(), "the emails sent to the person");
    assert_eq!(data["tickets_read"][0]["ticket_number"], mine["number"]);
    let path = data["tickets"][0]["attachments"][0]["path"].as_str().unwrap();
    assert_eq!(archive[path], b"attached text");
    assert_eq!(archive.keys().filter(|k| k.starts_with("files/")).count(), 1, "no internal file: {:?}", archive.keys());

    let (status, _) =
        app.send(Method::GET, &format!("/api/v1/users/{}/export", eve.user_id()), Some(&agent), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admins only");
    let by_admin =
        app.authed(Method::GET, &format!("/api/v1/users/{}/export", eve.user_id()), &admin).send().await.unwrap();
    assert_eq!(by_admin.status(), StatusCode::OK);
    unzip(&by_admin.bytes().await.unwrap());
    let audit =
        app.ok(Method::GET, &format!("/api/v1/admin/audit-log?subject_id={}", eve.user_id()), &admin, None).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["export_by_admin", "export"]);
}

/// P14 and P8: the contact form always needs a captcha and the consent; it becomes a
/// `contact_form` ticket; the sender gets a private link to read and answer it (and a new one
/// with each reply), which dies with the ticket; an existing account's address answers the same.
#[tokio::test]
async fn the_contact_form_needs_a_captcha_and_its_private_link_dies_with_the_ticket() {
    use helpdesk_tests::{CaptchaStandIn, captcha::PASSING_TOKEN};
    let unconfigured = TestApp::spawn().await;
    let base = json!({"name": "Gina Guest", "email": "gina@example.org", "subject": "An offer", "message": "Please call me back", "consent": true});
    let response = unconfigured.post_json("/api/v1/contact", &base).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "no captcha service, no form");

    let captcha = CaptchaStandIn::start().await;
    let app = TestApp::builder()
        .env("HELPDESK_HCAPTCHA_SITEKEY", "site-key")
        .env("HELPDESK_HCAPTCHA_SECRET", "captcha-secret")
        .env("HELPDESK_HCAPTCHA_VERIFY_URL", &captcha.url)
        .spawn()
        .await;
    let admin = app.admin("admin").await;
    let (status, problem) = app.send(Method::POST, "/api/v1/contact", None, Some(base.clone())).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("captcha_required")));
    let mut with_captcha = base.clone();
    with_captcha["captcha_token"] = json!(PASSING_TOKEN);
    let mut no_consent = with_captcha.clone();
    no_consent["consent"] = json!(false);
    let (status, problem) = app.send(Method::POST, "/api/v1/contact", None, Some(no_consent)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["errors"]["consent"].is_array());
    let (status, first) = app.send(Method::POST, "/api/v1/contact", None, Some(with_captcha.clone())).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let link = app.mailed_link("gina@example.org", "/requests/").await;
    let token = link.rsplit('/').next().unwrap().to_owned();
    let request = app.ok_guest(&format!("/api/v1/requests/{token}")).await;
    assert_eq!(
        (request["subject"].as_str(), request["description"].as_str()),
        (Some("An offer"), Some("Please call me back"))
    );
    let list = app.ok(Method::GET, "/api/v1/tickets?q=offer", &admin, None).await;
    let ticket = &list["items"][0];
    assert_eq!(ticket["channel"], "contact_form");
    let id = ticket["id"].as_i64().unwrap();
    use diesel::{QueryableByName, RunQueryDsl, sql_types::Text};
    #[derive(QueryableByName)]
    struct Consent {
        #[diesel(sql_type = Text)]
        consent_text: String,
    }
    let consent: Consent =
        diesel::sql_query(format!("SELECT consent_text FROM tickets WHERE id = {id} AND consent_at IS NOT NULL"))
            .get_result(&mut app.db.connect())
            .unwrap();
    assert!(consent.consent_text.contains("I agree"), "the consent is stored with its wording");

    let (status, _) = app
        .send(Method::POST, &format!("/api/v1/requests/{token}/comments"), None, Some(json!({"body": "Any news?"})))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.ok(
        Method::POST,
        &format!("/api/v1/tickets/{id}/comments"),
        &admin,
        Some(json!({"body": "We will call you today."})),
    )
    .await;
    // The reply mail carries a private link of its own.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let reply_link = loop {
        let newest = app.mailed_link("gina@example.org", "/requests/").await;
        if newest != link {
            break newest;
        }
        assert!(tokio::time::Instant::now() < deadline, "no reply mail with a new link");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let seen = app.ok_guest(&format!("/api/v1/requests/{}", reply_link.rsplit('/').next().unwrap())).await;
    let bodies: Vec<&str> = seen["replies"].as_array().unwrap().iter().map(|r| r["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Any news?", "We will call you today."]);

    // An existing account's address gets the same answer, and the request is theirs.
    let kim = app.customer("kim").await;
    let mut from_kim = with_captcha.clone();
    from_kim["email"] = json!("kim@example.com");
    let (status, second) = app.send(Method::POST, "/api/v1/contact", None, Some(from_kim)).await;
    assert_eq!((status, &second), (StatusCode::ACCEPTED, &first));
    assert_eq!(app.get_json("/api/v1/tickets", &kim).await["items"][0]["channel"], "contact_form");

    // The link dies with the ticket.
    app.ok(Method::DELETE, &format!("/api/v1/tickets/{id}"), &admin, None).await;
    let (status, _) = app.send(Method::GET, &format!("/api/v1/requests/{token}"), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
