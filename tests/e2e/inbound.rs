//! Inbound email (#14): mail to the support address becomes tickets and replies, through a real
//! IMAP server (Dovecot) or `helpdesk ingest-email` as an MTA alias runs it; answers go out
//! through a real SMTP server. The corpus in `tests/fixtures/mail/` holds real-world-shaped
//! messages; each expected outcome is asserted here.

use helpdesk_tests::{
    SmtpServer, TestApp,
    imap::{Dovecot, fixture},
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SUPPORT: &str = "Support <support@helpdesk.test>";

async fn app_with(smtp: &SmtpServer, env: &[(&str, &str)]) -> TestApp {
    let mut builder = TestApp::builder().smtp(smtp).env("HELPDESK_MAIL_FROM", SUPPORT);
    for (k, v) in env {
        builder = builder.env(k, *v);
    }
    builder.spawn().await
}

/// A support desk: the SMTP sink, the server mailing through it, and its admin.
async fn desk(env: &[(&str, &str)]) -> (SmtpServer, TestApp, helpdesk_tests::Session) {
    let smtp = SmtpServer::start().await;
    let app = app_with(&smtp, env).await;
    let admin = app.admin("admin").await;
    (smtp, app, admin)
}

/// The server again, on the database of one that stopped, polling `url`.
async fn restarted(smtp: &SmtpServer, url: &str, db: helpdesk_tests::TestDb) -> TestApp {
    TestApp::builder()
        .smtp(smtp)
        .env("HELPDESK_MAIL_FROM", SUPPORT)
        .env("HELPDESK_IMAP_URL", url)
        .env("HELPDESK_IMAP_POLL_SECONDS", "1")
        .database(db)
        .spawn()
        .await
}

fn fill(template: &[u8], pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut text = String::from_utf8(template.to_vec()).unwrap();
    for (k, v) in pairs {
        text = text.replace(&format!("{{{{{k}}}}}"), v);
    }
    text.into_bytes()
}

/// Pipes a message to `helpdesk ingest-email`; it must be stored.
fn ingest(app: &TestApp, raw: &[u8]) {
    let (code, stderr) = app.ingest_email(raw, &[], &[]);
    assert_eq!(code, 0, "ingest-email failed: {stderr}");
}

fn mail(from: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\nMessage-ID: <{}@client.example>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        uuid_like(subject, body)
    )
    .into_bytes()
}

fn uuid_like(a: &str, b: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (a, b, std::time::SystemTime::now()).hash(&mut h);
    format!("{:x}", h.finish())
}

async fn tickets(app: &TestApp, admin: &helpdesk_tests::Session) -> Vec<Value> {
    app.ok(Method::GET, "/api/v1/tickets?limit=100", admin, None).await["items"].as_array().unwrap().clone()
}

async fn comments(app: &TestApp, admin: &helpdesk_tests::Session, ticket: &Value) -> Vec<Value> {
    let path = format!("/api/v1/tickets/{}/comments", ticket["id"]);
    app.ok(Method::GET, &path, admin, None).await["items"].as_array().unwrap().clone()
}

async fn files(app: &TestApp, session: &helpdesk_tests::Session, ticket: &Value) -> Vec<String> {
    let path = format!("/api/v1/tickets/{}/attachments", ticket["id"]);
    let list = app.ok(Method::GET, &path, session, None).await;
    list["items"].as_array().unwrap().iter().map(|f| f["filename"].as_str().unwrap().to_owned()).collect()
}

async fn inbound_log(app: &TestApp, admin: &helpdesk_tests::Session) -> Vec<Value> {
    app.ok(Method::GET, "/api/v1/admin/inbound-log", admin, None).await["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_new_mail_becomes_a_ticket_by_its_sender_with_body_files_and_the_original_for_staff_only() {
    let (smtp, app, admin) = desk(&[]).await;
    // Anna has an account: the ticket is hers, and she sees what a customer may see.
    let anna = app.verified_customer("anna", "anna@kunde.de").await;
    ingest(&app, &fixture("apple-inline-image.eml"));
    let all = tickets(&app, &admin).await;
    assert_eq!(all.len(), 1);
    let t = &all[0];
    assert_eq!((t["channel"].as_str(), t["subject"].as_str()), (Some("email"), Some("Angebot als PDF")));
    assert_eq!(t["requester"]["email"], "anna@kunde.de");
    assert!(t["description"].as_str().unwrap().contains("anbei das Angebot"), "{t}");
    // The signature logo (inline, small) is not stored; the PDF is; the original is staff-only.
    assert_eq!(files(&app, &admin, t).await, ["Angebot.pdf", "original.eml"]);
    assert_eq!(files(&app, &anna, t).await, ["Angebot.pdf"]);
    // The confirmation threads and is marked as an automatic answer.
    let confirmation = smtp.wait_for("anna@kunde.de", |m| m.subject.contains("[#")).await;
    assert!(confirmation.subject.contains(&format!("[#{}]", t["number"])), "{}", confirmation.subject);
    assert_eq!(confirmation.headers.get("auto-submitted").map(String::as_str), Some("auto-replied"));
    let id = confirmation.headers.get("message-id").unwrap();
    assert!(id.starts_with("<hd.") && id.ends_with("@helpdesk.test>"), "{id}");
    let log = inbound_log(&app, &admin).await;
    assert_eq!((log[0]["outcome"].as_str(), log[0]["mailbox"].as_str()), (Some("ticket_created"), Some("pipe")));
    assert_eq!(log[0]["ticket_id"], t["id"]);
}

#[tokio::test]
async fn an_unknown_sender_becomes_a_contact_without_password_who_can_claim_the_account() {
    let (smtp, app, admin) = desk(&[]).await;
    ingest(&app, &fixture("forwarded.eml"));
    let t = tickets(&app, &admin).await.remove(0);
    assert_eq!(t["requester"]["email"], "bert@example.org");
    assert_eq!(t["requester"]["full_name"], "Bert Braun");
    assert!(t["description"].as_str().unwrap().contains("we have 10"), "the forwarded text stays: {t}");
    let users = app.ok(Method::GET, "/api/v1/users?q=bert@example.org", &admin, None).await;
    assert_eq!(users["items"][0]["organization_id"], Value::Null, "a mail never joins an organization");
    let (status, _) =
        app.send(Method::POST, "/api/v1/auth/password-reset", None, Some(json!({"email": "bert@example.org"}))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    smtp.wait_for("bert@example.org", |m| m.text().contains("reset")).await;
}

#[tokio::test]
async fn every_charset_german_senders_use_is_decoded() {
    let (_smtp, app, admin) = desk(&[]).await;
    ingest(&app, &fixture("outlook-html-cp1252.eml"));
    ingest(&app, &fixture("rfc2047-umlauts.eml"));
    let all = tickets(&app, &admin).await;
    let outlook = all.iter().find(|t| t["requester"]["email"] == "juergen.mueller@kunde.de").unwrap();
    assert_eq!(outlook["subject"], "Drucker im Büro „Nord“ druckt nicht");
    assert_eq!(outlook["requester"]["full_name"], "Jürgen Müller");
    let text = outlook["description"].as_str().unwrap();
    assert!(text.contains("Büro „Nord“ druckt") && text.contains("200 € kosten"), "{text}");
    assert!(text.contains("Handbuch (https://kunde.de/drucker)"), "link targets stay: {text}");
    assert!(!text.contains("alert") && !text.contains("tracker.example"), "no script, no remote image: {text}");
    let latin9 = all.iter().find(|t| t["requester"]["email"] == "bjoern@firma.de").unwrap();
    assert_eq!(latin9["subject"], "Störung beim Server € dringend");
    assert!(latin9["description"].as_str().unwrap().contains("Kosten bis 50 € sind ok"));
    assert!(files(&app, &admin, latin9).await.contains(&"Prüfbericht.txt".to_owned()));
}

#[tokio::test]
async fn replies_thread_by_our_message_id_or_the_subject_number_without_the_quoted_text() {
    let (smtp, app, admin) = desk(&[]).await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let jane = app.verified_customer("jane", "jane@example.com").await;
    let t = app.open_ticket(&jane, "Printer offline", "It does not print.").await;
    let path = format!("/api/v1/tickets/{}/comments", t["id"]);
    app.ok(Method::POST, &path, &agent, Some(json!({"body": "Hello Jane, please restart the printer."}))).await;
    let answer = smtp.wait_for("jane@example.com", |m| m.text().contains("please restart")).await;
    let message_id = answer.headers["message-id"].trim_matches(['<', '>']).to_owned();
    let number = t["number"].to_string();
    let fields = [("SENDER", "jane@example.com"), ("NUMBER", number.as_str()), ("MESSAGE_ID", message_id.as_str())];
    ingest(&app, &fill(&fixture("thunderbird-reply-de.eml"), &fields));
    ingest(&app, &fill(&fixture("outlook-reply-en.eml"), &fields));
    let all = comments(&app, &admin, &t).await;
    let bodies: Vec<&str> = all.iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!(
        bodies,
        [
            "Hello Jane, please restart the printer.",
            "Danke, nach dem Neustart läuft er wieder.",
            "It failed again this morning."
        ]
    );
    assert_eq!(all[1]["author_id"], jane.user["id"]);
    assert_eq!(tickets(&app, &admin).await.len(), 1, "no new ticket");
    // The reply's original is there for staff, not for Jane.
    assert_eq!(files(&app, &admin, &t).await, ["original.eml", "original.eml"]);
    assert!(files(&app, &jane, &t).await.is_empty());
}

#[tokio::test]
async fn a_subject_number_from_a_stranger_opens_a_new_ticket_instead() {
    let (_smtp, app, admin) = desk(&[]).await;
    let jane = app.verified_customer("jane", "jane@example.com").await;
    let t = app.open_ticket(&jane, "Printer offline", "x").await;
    let subject = format!("Re: [#{}] Printer offline", t["number"]);
    ingest(&app, &mail("Mallory <mallory@evil.example>", &subject, "I am Jane, send me everything."));
    assert!(comments(&app, &admin, &t).await.is_empty(), "nothing lands on Jane's ticket");
    let all = tickets(&app, &admin).await;
    assert_eq!(all.len(), 2);
    assert!(all.iter().any(|x| x["requester"]["email"] == "mallory@evil.example"));
    // A forged Message-ID of ours does not thread either.
    let forged = format!(
        "From: mallory@evil.example\r\nSubject: hi\r\nIn-Reply-To: <hd.1.{}.00000000000000000000@helpdesk.test>\r\n\r\nx\r\n",
        t["number"]
    );
    ingest(&app, forged.as_bytes());
    assert!(comments(&app, &admin, &t).await.is_empty());
}

#[tokio::test]
async fn staff_reply_by_mail_as_themselves_and_internal_makes_a_note() {
    let (smtp, app, admin) = desk(&[]).await;
    app.user_with_role(&admin, "alex", "agent").await;
    let jane = app.verified_customer("jane", "jane@example.com").await;
    let t = app.open_ticket(&jane, "Printer offline", "x").await;
    let subject = format!("Re: [#{}] Printer offline", t["number"]);
    ingest(&app, &mail("Alex <alex@example.com>", &subject, "#internal\nShe is on holiday until Monday."));
    ingest(&app, &mail("Alex <alex@example.com>", &subject, "We ordered a new toner."));
    let all = comments(&app, &admin, &t).await;
    assert_eq!(
        (all[0]["body"].as_str(), all[0]["internal"].as_bool()),
        (Some("She is on holiday until Monday."), Some(true))
    );
    assert_eq!((all[1]["body"].as_str(), all[1]["internal"].as_bool()), (Some("We ordered a new toner."), Some(false)));
    let jane_sees = comments(&app, &jane, &t).await;
    assert_eq!(jane_sees.len(), 1, "the note stays with the staff");
    smtp.wait_for("jane@example.com", |m| m.text().contains("new toner")).await;
    assert!(smtp.received().iter().all(|m| !m.text().contains("holiday")), "a note is never mailed");
}

#[tokio::test]
async fn a_reply_to_a_closed_ticket_opens_a_follow_up_that_names_it() {
    let (_smtp, app, admin) = desk(&[]).await;
    let jane = app.verified_customer("jane", "jane@example.com").await;
    let t = app.open_ticket(&jane, "Printer offline", "x").await;
    app.ok(Method::PATCH, &format!("/api/v1/tickets/{}", t["id"]), &admin, Some(json!({"status": "closed"}))).await;
    ingest(&app, &mail("jane@example.com", &format!("Re: [#{}] Printer offline", t["number"]), "It is broken again."));
    let all = tickets(&app, &admin).await;
    assert_eq!(all.len(), 2);
    let follow_up = all.iter().find(|x| x["id"] != t["id"]).unwrap();
    let text = follow_up["description"].as_str().unwrap();
    assert!(text.starts_with(&format!("Follow-up to #{}", t["number"])) && text.contains("broken again"), "{text}");
}

#[tokio::test]
async fn automatic_mail_never_becomes_a_ticket_and_a_bounce_marks_our_mail() {
    let (smtp, app, admin) = desk(&[]).await;
    let jane = app.verified_customer("jane", "jane@example.com").await;
    let t = app.open_ticket(&jane, "Printer offline", "x").await;
    let confirmation = smtp.wait_for("jane@example.com", |m| m.subject.contains("Printer offline")).await;
    ingest(&app, &fixture("auto-reply.eml"));
    ingest(&app, &mail(SUPPORT, "loop", "our own mail came back"));
    ingest(&app, &mail("MAILER-DAEMON@mx.example.com", "failure", "x"));
    let list = b"From: news@list.example\r\nList-Id: <news.list.example>\r\nSubject: News\r\n\r\nx\r\n";
    ingest(&app, list);
    assert_eq!(tickets(&app, &admin).await.len(), 1, "only Jane's web ticket");
    let message_id = confirmation.headers["message-id"].trim_matches(['<', '>']).to_owned();
    let number = t["number"].to_string();
    let fields = [("SENDER", "jane@example.com"), ("NUMBER", number.as_str()), ("MESSAGE_ID", message_id.as_str())];
    ingest(&app, &fill(&fixture("bounce.eml"), &fields));
    let log = app.ok(Method::GET, "/api/v1/admin/email-log?recipient=jane@example.com", &admin, None).await;
    let mail = log["items"].as_array().unwrap().iter().find(|m| m["subject"] == confirmation.subject).unwrap().clone();
    assert_eq!(mail["status"], "bounced", "{mail}");
    let outcomes: Vec<String> =
        inbound_log(&app, &admin).await.iter().map(|e| e["outcome"].as_str().unwrap().to_owned()).collect();
    assert_eq!(outcomes, ["bounce", "ignored", "ignored", "ignored", "ignored"]);
    // No automatic answer went to any of them.
    for address in ["news@list.example", "MAILER-DAEMON@mx.example.com"] {
        assert!(smtp.received().iter().all(|m| !m.rcpt_tos.iter().any(|r| r.eq_ignore_ascii_case(address))));
    }
}

#[tokio::test]
async fn refused_files_are_listed_in_a_note_and_explained_to_the_sender_once() {
    use base64::{Engine, engine::general_purpose::STANDARD};
    let (smtp, app, admin) = desk(&[]).await;
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(6 * 1024 * 1024, b'0');
    let part = |name: &str, bytes: &[u8]| {
        let encoded = STANDARD.encode(bytes);
        let lines: Vec<&str> = encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
        format!(
            "--b\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            lines.join("\r\n")
        )
    };
    let raw = format!(
        "From: Carl <carl@example.com>\r\nSubject: Files\r\nMessage-ID: <files-1@example.com>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n{}{}{}--b--\r\n",
        part("setup.exe", b"MZ\x90\x00"),
        part("manual.pdf", &pdf),
        part("notes.txt", b"fine"),
    );
    ingest(&app, raw.as_bytes());
    let t = tickets(&app, &admin).await.remove(0);
    assert_eq!(files(&app, &admin, &t).await, ["notes.txt", "original.eml"]);
    let notes = comments(&app, &admin, &t).await;
    assert_eq!(notes.len(), 1);
    let note = notes[0]["body"].as_str().unwrap();
    assert!(notes[0]["internal"].as_bool().unwrap());
    assert!(
        note.contains("setup.exe: type not allowed") && note.contains("manual.pdf: larger than the limit"),
        "{note}"
    );
    let explained = smtp.wait_for("carl@example.com", |m| m.text().contains("setup.exe")).await;
    assert!(explained.text().contains("manual.pdf"));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let about_files = smtp.received().iter().filter(|m| m.text().contains("setup.exe")).count();
    assert_eq!(about_files, 1, "one mail about it");
}

#[tokio::test]
async fn more_new_tickets_per_sender_and_hour_than_allowed_are_refused() {
    let (_smtp, app, admin) = desk(&[("HELPDESK_INBOUND_MAX_PER_SENDER_PER_HOUR", "2")]).await;
    for n in 0..3 {
        ingest(&app, &mail("spammy@example.com", &format!("Issue {n}"), "x"));
    }
    ingest(&app, &mail("calm@example.com", "Issue", "x"));
    assert_eq!(tickets(&app, &admin).await.len(), 3);
    let log = inbound_log(&app, &admin).await;
    let refused: Vec<&Value> = log.iter().filter(|e| e["outcome"] == "refused").collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["sender"], "spammy@example.com");
}

#[tokio::test]
async fn the_same_message_twice_is_processed_once() {
    let (_smtp, app, admin) = desk(&[]).await;
    ingest(&app, &fixture("no-message-id.eml"));
    ingest(&app, &fixture("no-message-id.eml"));
    ingest(&app, &fixture("forwarded.eml"));
    ingest(&app, &fixture("forwarded.eml"));
    assert_eq!(tickets(&app, &admin).await.len(), 2);
}

#[tokio::test]
async fn ingest_email_exits_65_for_what_is_not_mail_and_75_when_the_database_is_away() {
    let smtp = SmtpServer::start().await;
    let app = app_with(&smtp, &[]).await;
    let (code, _) = app.ingest_email(b"", &[], &[]);
    assert_eq!(code, 65, "nothing on stdin");
    let (code, _) = app.ingest_email(b"\x00\x01\x02 not a message", &[], &[]);
    assert_eq!(code, 65);
    let (code, stderr) = app.ingest_email(
        &fixture("forwarded.eml"),
        &[],
        &[("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")],
    );
    assert_eq!(code, 75, "the MTA must retry: {stderr}");
}

#[tokio::test]
async fn the_inbound_log_is_for_admins_only() {
    let (_smtp, app, admin) = desk(&[]).await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    ingest(&app, &fixture("forwarded.eml"));
    let (status, _) = app.send(Method::GET, "/api/v1/admin/inbound-log", Some(&agent), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let filtered = app.ok(Method::GET, "/api/v1/admin/inbound-log?sender=bert@example.org", &admin, None).await;
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn through_imap_a_mail_becomes_a_ticket_and_the_answer_to_our_reply_a_comment() {
    let dovecot = Dovecot::start();
    let smtp = SmtpServer::start().await;
    let url = dovecot.url("INBOX");
    let app = app_with(&smtp, &[("HELPDESK_IMAP_URL", &url), ("HELPDESK_IMAP_POLL_SECONDS", "1")]).await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    dovecot.deliver("INBOX", &mail("Jane Doe <jane@example.com>", "Printer offline", "It does not print."));
    dovecot.wait_for("Processed", 1).await;
    assert_eq!(dovecot.count("INBOX"), 0);
    let t = tickets(&app, &admin).await.remove(0);
    assert_eq!((t["channel"].as_str(), t["requester"]["email"].as_str()), (Some("email"), Some("jane@example.com")));

    let path = format!("/api/v1/tickets/{}/comments", t["id"]);
    app.ok(Method::POST, &path, &agent, Some(json!({"body": "Hello Jane, please restart the printer."}))).await;
    let answer = smtp.wait_for("jane@example.com", |m| m.text().contains("please restart")).await;
    let message_id = answer.headers["message-id"].trim_matches(['<', '>']).to_owned();
    let number = t["number"].to_string();
    let fields = [("SENDER", "jane@example.com"), ("NUMBER", number.as_str()), ("MESSAGE_ID", message_id.as_str())];
    dovecot.deliver("INBOX", &fill(&fixture("thunderbird-reply-de.eml"), &fields));
    dovecot.wait_for("Processed", 2).await;
    let all = comments(&app, &admin, &t).await;
    assert_eq!(all.last().unwrap()["body"], "Danke, nach dem Neustart läuft er wieder.");
    assert_eq!(tickets(&app, &admin).await.len(), 1);
    // Not a mail at all: to Failed, the admins told.
    dovecot.deliver("INBOX", b"\x00garbage without headers");
    dovecot.wait_for("Failed", 1).await;
    let notes = app.ok(Method::GET, "/api/v1/notifications", &admin, None).await;
    let titles: Vec<&str> = notes["items"].as_array().unwrap().iter().filter_map(|n| n["title"].as_str()).collect();
    assert!(titles.iter().any(|t| t.starts_with("Mail not processed (INBOX)")), "{titles:?}");
}

#[tokio::test]
async fn a_message_processed_before_a_crash_is_moved_without_a_second_ticket() {
    let dovecot = Dovecot::start();
    let (smtp, app, admin) = desk(&[]).await;
    // As if the server died after the commit, before moving the message: it is still there.
    let raw = fixture("forwarded.eml");
    ingest(&app, &raw);
    dovecot.deliver("INBOX", &raw);
    let (db, _files) = app.stop().await;
    let url = dovecot.url("INBOX");
    let app = restarted(&smtp, &url, db).await;
    dovecot.wait_for("Processed", 1).await;
    assert_eq!(tickets(&app, &admin).await.len(), 1, "processed once");
}

#[tokio::test]
async fn with_two_instances_one_polls_the_mailbox_and_each_message_is_processed_once() {
    let dovecot = Dovecot::start();
    let smtp = SmtpServer::start().await;
    let url = dovecot.url("INBOX");
    let imap = [("HELPDESK_IMAP_URL", url.as_str()), ("HELPDESK_IMAP_POLL_SECONDS", "1")];
    let first = app_with(&smtp, &imap).await;
    let second = TestApp::builder()
        .smtp(&smtp)
        .env("HELPDESK_MAIL_FROM", SUPPORT)
        .env("HELPDESK_IMAP_URL", url.as_str())
        .env("HELPDESK_IMAP_POLL_SECONDS", "1")
        .env("DATABASE_URL", first.db.url.clone())
        .spawn()
        .await;
    let admin = first.admin("admin").await;
    for n in 0..10 {
        dovecot.deliver("INBOX", &mail(&format!("customer{n}@example.com"), &format!("Question {n}"), "x"));
    }
    dovecot.wait_for("Processed", 10).await;
    assert_eq!(tickets(&first, &admin).await.len(), 10);
    assert_eq!(inbound_log(&second, &admin).await.len(), 10);
    // One advisory lock for the folder, held by one of the two instances.
    let mut conn = first.db.connect();
    use diesel::{RunQueryDsl, dsl::sql, sql_types::BigInt};
    let locks: i64 = diesel::select(sql::<BigInt>(
        "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = \
          (SELECT oid FROM pg_database WHERE datname = current_database()))",
    ))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(locks, 1, "exactly one instance polls INBOX");
}

#[tokio::test]
async fn a_mailbox_mapped_to_a_category_files_its_tickets_there() {
    let (_smtp, app, admin) = desk(&[]).await;
    app.ok(Method::POST, "/api/v1/categories", &admin, Some(json!({"name": "Billing", "description": "Invoices"})))
        .await;
    let (code, stderr) = app.ingest_email(&fixture("forwarded.eml"), &["--category", "Billing"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let t = tickets(&app, &admin).await.remove(0);
    assert_eq!(t["category"]["name"], "Billing");
}

#[tokio::test]
async fn killing_the_server_mid_mailbox_loses_and_duplicates_nothing() {
    let dovecot = Dovecot::start();
    let smtp = SmtpServer::start().await;
    let total = 150;
    for n in 0..total {
        dovecot.deliver("INBOX", &mail(&format!("customer{n}@example.com"), &format!("Question {n}"), "x"));
    }
    let url = dovecot.url("INBOX");
    let imap = [("HELPDESK_IMAP_URL", url.as_str()), ("HELPDESK_IMAP_POLL_SECONDS", "1")];
    let app = app_with(&smtp, &imap).await;
    dovecot.wait_for("Processed", 10).await;
    // SIGKILL, wherever it is: fetched, in the transaction, committed but not moved.
    let (db, _files) = app.stop().await;
    assert!(dovecot.count("Processed") < total, "killed mid-mailbox");
    let app = restarted(&smtp, &url, db).await;
    dovecot.wait_for("Processed", total).await;
    assert_eq!(dovecot.count("INBOX"), 0);
    let mut conn = app.db.connect();
    use diesel::{RunQueryDsl, dsl::sql, sql_types::BigInt};
    let count = |conn: &mut diesel::PgConnection, query: &str| -> i64 {
        diesel::select(sql::<BigInt>(query)).get_result(conn).unwrap()
    };
    assert_eq!(count(&mut conn, "(SELECT count(*) FROM tickets WHERE channel = 'email')"), total as i64);
    assert_eq!(count(&mut conn, "(SELECT count(DISTINCT subject) FROM tickets)"), total as i64, "none twice");
    assert_eq!(
        count(&mut conn, "(SELECT count(*) FROM inbound_emails WHERE outcome = 'ticket_created')"),
        total as i64
    );
}

#[tokio::test]
async fn mail_about_a_restricted_person_is_logged_but_not_processed() {
    let (_smtp, app, admin) = desk(&[]).await;
    app.user_with_role(&admin, "alex", "agent").await;
    let jane = app.verified_customer("jane", "jane@example.com").await;
    let t = app.open_ticket(&jane, "Printer offline", "x").await;
    app.ok(Method::POST, "/api/v1/me/restriction", &jane, None).await;
    let subject = format!("Re: [#{}] Printer offline", t["number"]);
    ingest(&app, &mail("jane@example.com", &subject, "Any news?"));
    ingest(&app, &mail("Alex <alex@example.com>", &subject, "We ordered a new toner."));
    assert!(comments(&app, &admin, &t).await.is_empty(), "nothing is added (P12)");
    let reasons: Vec<String> =
        inbound_log(&app, &admin).await.iter().map(|e| e["reason"].as_str().unwrap_or_default().to_owned()).collect();
    assert!(reasons.iter().all(|r| r.contains("restricted")), "{reasons:?}");
}
