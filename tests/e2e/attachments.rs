//! Attachments (P6): every test runs against the local directory and against an S3-compatible
//! server.

use helpdesk_tests::{
    Session, TestApp,
    storage::{StorageKind, TestStorage, samples},
};
use reqwest::{
    Method, StatusCode, header,
    multipart::{Form, Part},
};
use serde_json::{Value, json};

/// Runs a scenario once per storage kind.
macro_rules! both_storages {
    ($($name:ident),* $(,)?) => {
        mod local {
            $(#[tokio::test] async fn $name() { super::$name(helpdesk_tests::storage::StorageKind::Local).await })*
        }
        mod s3 {
            $(#[tokio::test] async fn $name() { super::$name(helpdesk_tests::storage::StorageKind::S3).await })*
        }
    };
}

both_storages!(
    every_allowed_type_is_accepted_and_downloads_unchanged,
    disguised_oversized_and_empty_files_are_refused_and_leave_nothing_behind,
    file_names_are_sanitized_and_object_keys_random,
    only_people_who_see_the_ticket_see_its_files,
    deleting_the_ticket_deletes_its_files,
    uploaders_may_delete_within_15_minutes_and_staff_always,
);

struct Setup {
    app: TestApp,
    storage: TestStorage,
    agent: Session,
    customer: Session,
    ticket: i64,
}

async fn setup(kind: StorageKind) -> Setup {
    let storage = TestStorage::new(kind).await;
    let app = storage.configure(TestApp::builder()).spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let customer = app.customer("anna").await;
    let ticket: Value = app
        .authed(Method::POST, "/api/v1/tickets", &customer)
        .json(&json!({"subject": "Files", "description": "See attached"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Setup { app, storage, agent, customer, ticket: ticket["id"].as_i64().unwrap() }
}

fn form(files: &[(&str, &[u8])]) -> Form {
    files
        .iter()
        .fold(Form::new(), |f, (name, bytes)| f.part("file", Part::bytes(bytes.to_vec()).file_name(name.to_string())))
}

async fn upload(s: &Setup, session: &Session, form: Form) -> (StatusCode, Value) {
    let response = s
        .app
        .authed(Method::POST, &format!("/api/v1/tickets/{}/attachments", s.ticket), session)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn every_allowed_type_is_accepted_and_downloads_unchanged(kind: StorageKind) {
    let s = setup(kind).await;
    let samples = samples();
    assert_eq!(samples.len(), 10);
    let files: Vec<(&str, &[u8])> = samples.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let (status, created) = upload(&s, &s.customer, form(&files)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let created = created.as_array().unwrap();
    assert_eq!(created.len(), 10);
    for (entry, (name, bytes)) in created.iter().zip(&samples) {
        assert_eq!(entry["filename"], name.as_str());
        assert_eq!(entry["size"], bytes.len());
        assert_eq!(entry["uploaded_by"], s.customer.user_id());
        let response = s
            .app
            .authed(Method::GET, &format!("/api/v1/attachments/{}", entry["id"]), &s.customer)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let h = response.headers().clone();
        assert_eq!(h[header::CONTENT_TYPE], entry["content_type"].as_str().unwrap());
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h[header::CACHE_CONTROL], "private, no-store");
        assert_eq!(h[header::CONTENT_LENGTH], bytes.len().to_string().as_str());
        assert_eq!(h[header::ETAG], format!("\"{}\"", entry["sha256"].as_str().unwrap()).as_str());
        assert!(h[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment;"));
        assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice(), "{name}");
    }
    let png = created.iter().find(|e| e["filename"] == "sample.png").unwrap();
    assert_eq!(png["content_type"], "image/png");
    let unchanged = s
        .app
        .authed(Method::GET, &format!("/api/v1/attachments/{}", png["id"]), &s.customer)
        .header(header::IF_NONE_MATCH, format!("\"{}\"", png["sha256"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    let events: Value = s.app.get_json(&format!("/api/v1/tickets/{}/events", s.ticket), &s.agent).await;
    assert_eq!(events["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "attachment_added").count(), 10);
}

async fn disguised_oversized_and_empty_files_are_refused_and_leave_nothing_behind(kind: StorageKind) {
    let s = setup(kind).await;
    let pdf = samples().into_iter().find(|(n, _)| n == "sample.pdf").unwrap().1;
    let limit = 5 * 1024 * 1024;
    let mut too_big = b"%PDF-1.4\n".to_vec();
    too_big.resize(limit + 1, b' ');
    let mut just_fits = too_big.clone();
    just_fits.truncate(limit);
    let cases: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        (
            "photo.png",
            b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        ("setup.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("page.jpg", b"<html><script>alert(1)</script></html>".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            "logo.png",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        ("invoice.pdf.exe", pdf.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("notes.html", b"<p>hi</p>".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("README", b"plain".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("big.pdf", too_big, StatusCode::PAYLOAD_TOO_LARGE),
        ("empty.txt", Vec::new(), StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (name, bytes, expected) in cases {
        // A valid file first: it must be removed again when a later file in the request fails.
        let (status, problem) = upload(&s, &s.customer, form(&[("ok.pdf", &pdf), (name, &bytes)])).await;
        assert_eq!(status, expected, "{name}: {problem}");
        if expected == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            assert!(
                problem["detail"].as_str().unwrap().contains("JPG, JPEG, PNG, GIF, PDF, DOC, DOCX, TXT, ZIP, RAR"),
                "{problem}"
            );
        }
        assert_eq!(s.storage.keys(&s.app).await, Vec::<String>::new(), "{name} left an object behind");
    }
    let listed: Value = s.app.get_json(&format!("/api/v1/tickets/{}/attachments", s.ticket), &s.customer).await;
    assert_eq!(listed["items"], json!([]));
    let (status, _) = upload(&s, &s.customer, form(&[("exactly-5-mib.pdf", &just_fits)])).await;
    assert_eq!(status, StatusCode::CREATED, "exactly 5 MiB is allowed");
    let not_multipart = s
        .app
        .authed(Method::POST, &format!("/api/v1/tickets/{}/attachments", s.ticket), &s.customer)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(not_multipart.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn file_names_are_sanitized_and_object_keys_random(kind: StorageKind) {
    let s = setup(kind).await;
    let (status, created) =
        upload(&s, &s.customer, form(&[("../../etc/passwd.txt", b"root:x:0:0"), ("..\\..\\.hidden.txt", b"x")])).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created[0]["filename"], "passwd.txt");
    assert_eq!(created[1]["filename"], "hidden.txt");
    let keys = s.storage.keys(&s.app).await;
    assert_eq!(keys.len(), 2);
    for key in keys {
        assert!(
            key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()),
            "random hex key, not the filename: {key}"
        );
    }
    let response = s
        .app
        .authed(Method::GET, &format!("/api/v1/attachments/{}", created[0]["id"]), &s.customer)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()[header::CONTENT_DISPOSITION],
        "attachment; filename=\"passwd.txt\"; filename*=UTF-8''passwd.txt"
    );
}

async fn only_people_who_see_the_ticket_see_its_files(kind: StorageKind) {
    let s = setup(kind).await;
    let other = s.app.customer("bert").await;
    let (_, created) = upload(&s, &s.customer, form(&[("a.txt", b"public")])).await;
    let public = created[0]["id"].as_i64().unwrap();
    let note: Value = s
        .app
        .authed(Method::POST, &format!("/api/v1/tickets/{}/comments", s.ticket), &s.agent)
        .json(&json!({"body": "log from the server", "internal": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let form = form(&[("server.txt", b"internal log")]).text("comment_id", note["id"].to_string());
    let (status, created) = upload(&s, &s.agent, form).await;
    assert_eq!(status, StatusCode::CREATED);
    let internal = created[0]["id"].as_i64().unwrap();
    assert_eq!(created[0]["comment_id"], note["id"]);

    let list = |who: Session| {
        let (app, ticket) = (&s.app, s.ticket);
        async move { app.authed(Method::GET, &format!("/api/v1/tickets/{ticket}/attachments"), &who).send().await.unwrap() }
    };
    let get = |who: Session, id: i64| {
        let app = &s.app;
        async move { app.authed(Method::GET, &format!("/api/v1/attachments/{id}"), &who).send().await.unwrap().status() }
    };
    assert_eq!(list(other.clone()).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(other.clone(), public).await, StatusCode::NOT_FOUND);
    assert_eq!(get(other.clone(), internal).await, StatusCode::NOT_FOUND);
    let customer_list: Value = list(s.customer.clone()).await.json().await.unwrap();
    assert_eq!(
        customer_list["items"].as_array().unwrap().len(),
        1,
        "the internal note's file is hidden: {customer_list}"
    );
    assert_eq!(get(s.customer.clone(), internal).await, StatusCode::NOT_FOUND);
    assert_eq!(get(s.agent.clone(), internal).await, StatusCode::OK);
    let staff_list: Value = list(s.agent.clone()).await.json().await.unwrap();
    assert_eq!(staff_list["items"].as_array().unwrap().len(), 2);
    // Customers cannot attach to an internal note they cannot see.
    let sneaky = helpdesk_tests_form(note["id"].as_i64().unwrap());
    let (status, _) = upload(&s, &s.customer, sneaky).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let events: Value = s.app.get_json(&format!("/api/v1/tickets/{}/events", s.ticket), &s.customer).await;
    assert!(!events.to_string().contains("server.txt"), "the internal file's event is staff-only");
    assert_eq!(s.storage.keys(&s.app).await.len(), 2, "the refused upload left nothing behind");
}

fn helpdesk_tests_form(comment_id: i64) -> Form {
    form(&[("x.txt", b"x")]).text("comment_id", comment_id.to_string())
}

async fn deleting_the_ticket_deletes_its_files(kind: StorageKind) {
    let s = setup(kind).await;
    upload(&s, &s.customer, form(&[("a.txt", b"one"), ("b.txt", b"two")])).await;
    assert_eq!(s.storage.keys(&s.app).await.len(), 2);
    let admin = s.app.login("admin", helpdesk_tests::app::PASSWORD).await;
    let response = s.app.authed(Method::DELETE, &format!("/api/v1/tickets/{}", s.ticket), &admin).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(s.storage.keys(&s.app).await.is_empty());
}

async fn uploaders_may_delete_within_15_minutes_and_staff_always(kind: StorageKind) {
    let s = setup(kind).await;
    let (_, created) =
        upload(&s, &s.customer, form(&[("a.txt", b"one"), ("b.txt", b"two"), ("c.txt", b"three")])).await;
    let ids: Vec<i64> = created.as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    let delete = |who: &Session, id: i64| {
        let (app, who) = (&s.app, who.clone());
        async move { app.authed(Method::DELETE, &format!("/api/v1/attachments/{id}"), &who).send().await.unwrap().status() }
    };
    assert_eq!(delete(&s.customer, ids[0]).await, StatusCode::NO_CONTENT);
    use diesel::RunQueryDsl;
    diesel::sql_query(format!(
        "UPDATE attachments SET created_at = now() - interval '16 minutes' WHERE id = {}",
        ids[1]
    ))
    .execute(&mut s.app.db.connect())
    .unwrap();
    assert_eq!(delete(&s.customer, ids[1]).await, StatusCode::FORBIDDEN);
    assert_eq!(delete(&s.agent, ids[1]).await, StatusCode::NO_CONTENT);
    assert_eq!(s.storage.keys(&s.app).await.len(), 1);
    let events: Value = s.app.get_json(&format!("/api/v1/tickets/{}/events", s.ticket), &s.agent).await;
    let removed: Vec<&Value> =
        events["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "attachment_removed").collect();
    assert_eq!(removed.len(), 2);
    assert_eq!(removed[0]["from"], "a.txt");
}

#[tokio::test]
async fn the_sweep_removes_orphaned_objects() {
    let s = setup(StorageKind::Local).await;
    upload(&s, &s.customer, form(&[("kept.txt", b"kept")])).await;
    let dir = s.app.dir.path().join("attachments");
    let orphan = dir.join("0".repeat(64));
    std::fs::write(&orphan, b"left behind by a crash").unwrap();
    // A file that is not the helpdesk's shares the directory: the sweep leaves it alone.
    let foreign = dir.join("backup-notes.txt");
    std::fs::write(&foreign, b"not ours").unwrap();
    // Older than the sweep's grace period for in-flight uploads.
    for file in [&orphan, &foreign] {
        let status = std::process::Command::new("touch").args(["-d", "3 hours ago"]).arg(file).status().unwrap();
        assert!(status.success());
    }
    let storage_dir = dir.clone();
    let (db, app_dir) = s.app.stop().await;
    // The sweep runs every 6 hours, and at once when it never ran or its last run is older.
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE job_runs SET started_at = started_at - interval '7 hours' WHERE job = 'attachment_sweep'",
        ),
        &mut db.connect(),
    )
    .unwrap();
    let restarted =
        TestApp::builder().database(db).env("HELPDESK_STORAGE", storage_dir.to_string_lossy()).spawn().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while orphan.exists() {
        assert!(std::time::Instant::now() < deadline, "the orphan was not swept");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(std::fs::read_dir(&storage_dir).unwrap().count(), 2, "the attachment with a row stays");
    assert!(foreign.exists(), "a foreign file survives the sweep");
    drop(restarted);
    drop(app_dir);
}

#[tokio::test]
async fn closed_tickets_take_no_uploads() {
    let s = setup(StorageKind::Local).await;
    let closed = s
        .app
        .authed(Method::PATCH, &format!("/api/v1/tickets/{}", s.ticket), &s.customer)
        .json(&json!({"status": "closed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::OK);
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(2 * 1024 * 1024, b' ');
    let (status, problem) = upload(&s, &s.customer, form(&[("late.pdf", &big)])).await;
    assert_eq!(status, StatusCode::CONFLICT, "the client reads the problem, not a reset");
    assert_eq!(problem["code"], "ticket_closed");
    assert!(s.storage.keys(&s.app).await.is_empty());
}

#[tokio::test]
async fn the_storage_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup(StorageKind::Local).await;
    let mode = std::fs::metadata(s.app.dir.path().join("attachments")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    // Never served statically.
    assert_eq!(s.app.get("/attachments").await.status(), StatusCode::OK, "client route, index.html");
    assert!(!s.app.get("/attachments").await.text().await.unwrap().contains("root:"), "no directory listing");
}

/// A request cannot fill memory or disk: a huge part that is not a file is refused at a small
/// limit (and the client reads the answer), and nothing is stored.
#[tokio::test]
async fn a_huge_part_that_is_not_a_file_is_refused() {
    let s = setup(StorageKind::Local).await;
    let junk = vec![b'x'; 100 * 1024 * 1024];
    let form = form(&[("ok.txt", b"fine")]).part("junk", Part::bytes(junk));
    let (status, problem) = upload(&s, &s.customer, form).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    assert_eq!(problem["code"], "payload_too_large");
    assert!(s.storage.keys(&s.app).await.is_empty(), "the file before it was removed again");
}

/// Each account may store a configurable amount per day (here 1 MiB); beyond it uploads are a
/// 429 problem, and nothing of the refused upload stays.
#[tokio::test]
async fn uploads_beyond_the_daily_quota_are_refused() {
    let storage = TestStorage::new(StorageKind::Local).await;
    let app = storage.configure(TestApp::builder()).env("HELPDESK_UPLOAD_QUOTA_MB_PER_DAY", "1").spawn().await;
    let customer = app.customer("anna").await;
    let ticket = app.open_ticket(&customer, "Files", "x").await["id"].as_i64().unwrap();
    let s = Setup { agent: customer.clone(), customer, ticket, app, storage };
    let mut part = b"%PDF-1.4\n".to_vec();
    part.resize(400 * 1024, b' ');
    for _ in 0..2 {
        let (status, problem) = upload(&s, &s.customer, form(&[("a.pdf", &part)])).await;
        assert_eq!(status, StatusCode::CREATED, "{problem}");
    }
    let (status, problem) = upload(&s, &s.customer, form(&[("a.pdf", &part)])).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["code"], "upload_quota_exceeded");
    assert_eq!(s.storage.keys(&s.app).await.len(), 2);
}
