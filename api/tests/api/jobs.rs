//! The clean-up job enforces the retention rules (P7 email log, P8 failed logins, the originals
//! and the log of received mail).

use diesel::{QueryableByName, RunQueryDsl, sql_types::BigInt};
use helpdesk_api::{
    config::{Config, Policies},
    db::migrate,
    jobs::cleanup,
};
use helpdesk_tests::TestDb;

fn policies() -> Policies {
    Config::from_env(&[("DATABASE_URL", "postgres://unused/x")]).unwrap().policies
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut diesel::PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

#[test]
fn failed_logins_are_deleted_after_an_hour_and_the_email_log_after_30_days() {
    let db = TestDb::create_empty();
    let mut conn = db.connect();
    migrate(&mut conn).unwrap();
    diesel::sql_query(
        "INSERT INTO login_failures (client_ip, attempted_at) VALUES \
         ('10.0.0.1', now() - interval '61 minutes'), ('10.0.0.2', now() - interval '59 minutes')",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "INSERT INTO emails (recipient, subject, template, status, created_at) VALUES \
         ('old@example.com', 's', 'welcome', 'sent', now() - interval '31 days'), \
         ('new@example.com', 's', 'welcome', 'sent', now() - interval '29 days')",
    )
    .execute(&mut conn)
    .unwrap();

    let cleaned = cleanup(&mut conn, &policies(), "http://h").unwrap().expect("the lock is free");
    assert_eq!((cleaned.login_failures, cleaned.emails), (1, 1));
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM login_failures WHERE client_ip = '10.0.0.2'"), 1);
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM emails WHERE recipient = 'new@example.com'"), 1);
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM emails"), 1);
}

#[test]
fn resolved_tickets_are_closed_and_archived_after_30_days() {
    let db = TestDb::create_empty();
    let mut conn = db.connect();
    migrate(&mut conn).unwrap();
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        "INSERT INTO users (email, username, full_name) VALUES ('c@example.com', 'c', 'C');
         INSERT INTO tickets (subject, description, status, channel, requester_id, resolved_at, first_response_due_at, resolution_due_at, first_response_warn_at, resolution_warn_at)
         SELECT s, 'x', 'resolved', 'web', (SELECT id FROM users), now() - d, now(), now(), now(), now()
         FROM (VALUES ('old', interval '31 days'), ('recent', interval '29 days')) v(s, d)",
    )
    .unwrap();
    let cleaned = cleanup(&mut conn, &policies(), "http://h").unwrap().unwrap();
    assert_eq!(cleaned.tickets_closed, 1);
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM tickets WHERE subject = 'old' AND status = 'closed' AND archived AND closed_at IS NOT NULL"
        ),
        1
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM tickets WHERE subject = 'recent' AND status = 'resolved' AND NOT archived"
        ),
        1
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM ticket_events WHERE kind = 'status_changed' AND to_value = 'closed'"
        ),
        1
    );
}

/// A backlog of long-resolved tickets (an import, an outage) is closed 5,000 per run, oldest
/// resolution first, so no clean-up transaction locks a hundred thousand tickets for minutes;
/// the next runs close the rest.
#[test]
fn a_backlog_of_resolved_tickets_is_closed_a_bounded_batch_per_run() {
    let db = TestDb::create_empty();
    let mut conn = db.connect();
    migrate(&mut conn).unwrap();
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        "INSERT INTO users (email, username, full_name) VALUES ('c@example.com', 'c', 'C');
         INSERT INTO tickets (subject, description, status, channel, requester_id, resolved_at, first_response_due_at, resolution_due_at, first_response_warn_at, resolution_warn_at)
         SELECT 'old ' || g, 'x', 'resolved', 'web', (SELECT id FROM users), now() - interval '40 days' + g * interval '1 second', now(), now(), now(), now()
         FROM generate_series(1, 5200) g",
    )
    .unwrap();
    let first = cleanup(&mut conn, &policies(), "http://h").unwrap().unwrap();
    assert_eq!(first.tickets_closed, 5000);
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM tickets WHERE status = 'resolved' AND subject IN ('old 5001', 'old 5200')"
        ),
        2,
        "the most recently resolved wait for the next run"
    );
    let second = cleanup(&mut conn, &policies(), "http://h").unwrap().unwrap();
    assert_eq!(second.tickets_closed, 200);
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM tickets WHERE status = 'closed' AND archived"), 5200);
}

/// P2: an account unused for almost two years is warned; after the warning period it is
/// erased; signing in would have reset the clock; staff are reported, never erased.
#[test]
fn inactive_accounts_are_warned_then_erased_and_staff_only_reported() {
    let db = TestDb::create();
    let mut conn = db.connect();
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        "INSERT INTO users (email, username, full_name, role, last_active_at) VALUES
           ('old@example.com', 'old', 'Old Customer', 'customer', now() - interval '710 days'),
           ('fresh@example.com', 'fresh', 'Fresh Customer', 'customer', now() - interval '10 days'),
           ('agent@example.com', 'agent', 'Old Agent', 'agent', now() - interval '800 days')",
    )
    .unwrap();
    let cleaned = cleanup(&mut conn, &policies(), "http://h").unwrap().unwrap();
    assert_eq!((cleaned.inactive_accounts_warned, cleaned.inactive_accounts_erased), (1, 0));
    assert_eq!(cleaned.inactive_staff_reported, 1);
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM emails WHERE recipient = 'old@example.com' AND template = 'inactivity_warning'"
        ),
        1
    );
    // Time travel: two years without sign-in, the warning a month old.
    diesel::sql_query(
        "UPDATE users SET last_active_at = now() - interval '731 days', inactivity_warned_at = now() - interval '31 days' WHERE username = 'old'",
    )
    .execute(&mut conn)
    .unwrap();
    let cleaned = cleanup(&mut conn, &policies(), "http://h").unwrap().unwrap();
    assert_eq!(cleaned.inactive_accounts_erased, 1);
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM users WHERE full_name = 'Old Customer' OR email = 'old@example.com'"
        ),
        0
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM users WHERE full_name = 'Old Agent'"),
        1,
        "staff are never erased"
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM users WHERE full_name = 'Fresh Customer'"), 1);
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_log WHERE action = 'erasure' AND actor_name = 'Helpdesk'"),
        1
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM audit_log WHERE action = 'inactive_staff_reported'"), 1);
}

/// Per-category retention: closed tickets past their category's period are deleted, unless on
/// legal hold; recent ones, and those of categories without a period, stay.
#[test]
fn closed_tickets_past_their_categorys_retention_are_deleted_unless_held() {
    let db = TestDb::create();
    let mut conn = db.connect();
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        "INSERT INTO users (email, username, full_name) VALUES ('c@example.com', 'c', 'C');
         INSERT INTO categories (name, retention_days) VALUES ('Trivial', 365), ('Billing', NULL);
         INSERT INTO tickets (subject, description, status, channel, requester_id, category_id, closed_at, resolved_at, legal_hold,
                              first_response_due_at, resolution_due_at, first_response_warn_at, resolution_warn_at)
         SELECT s, 'x', 'closed', 'web', (SELECT id FROM users), (SELECT id FROM categories WHERE name = c), now() - d, now() - d, h, now(), now(), now(), now()
         FROM (VALUES ('expired', 'Trivial', interval '400 days', FALSE),
                      ('held', 'Trivial', interval '400 days', TRUE),
                      ('recent', 'Trivial', interval '100 days', FALSE),
                      ('billing', 'Billing', interval '4000 days', FALSE)) v(s, c, d, h);
         INSERT INTO tickets (subject, description, status, channel, requester_id, closed_at, resolved_at, first_response_due_at, resolution_due_at, first_response_warn_at, resolution_warn_at)
         SELECT s, 'x', 'closed', 'contact_form', (SELECT id FROM users), now() - d, now() - d, now(), now(), now(), now()
         FROM (VALUES ('old contact', interval '200 days'), ('new contact', interval '20 days')) v(s, d);",
    )
    .unwrap();
    let cleaned = cleanup(&mut conn, &policies(), "http://h").unwrap().unwrap();
    assert_eq!(cleaned.tickets_deleted, 2, "the expired ticket and the old contact request (180 days)");
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM tickets WHERE subject IN ('expired', 'old contact')"), 0);
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM tickets WHERE subject IN ('held', 'recent', 'billing', 'new contact')"
        ),
        4
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM audit_log WHERE action = 'retention_deletion'"), 1);
}

#[test]
fn expired_mail_originals_and_old_inbound_log_rows_are_deleted() {
    let db = TestDb::create();
    let mut conn = db.connect();
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        "INSERT INTO users (email, username, full_name) VALUES ('c@example.com', 'c', 'C');
         INSERT INTO tickets (subject, description, status, channel, requester_id,
                              first_response_due_at, resolution_due_at, first_response_warn_at, resolution_warn_at)
         SELECT 'mail', 'x', 'new', 'email', (SELECT id FROM users), now(), now(), now(), now();
         INSERT INTO attachments (ticket_id, internal, object_key, filename, content_type, size, sha256, expires_at)
         SELECT (SELECT id FROM tickets), TRUE, k, 'original.eml', 'message/rfc822', 1, 'x', e
         FROM (VALUES ('expired-key', now() - interval '1 minute'), ('fresh-key', now() + interval '1 day')) v(k, e);
         INSERT INTO attachments (ticket_id, internal, object_key, filename, content_type, size, sha256)
         SELECT (SELECT id FROM tickets), FALSE, 'kept-key', 'report.pdf', 'application/pdf', 1, 'x';
         INSERT INTO inbound_emails (message_key, mailbox, sender, subject, outcome, created_at) VALUES
           ('old', 'INBOX', 'c@example.com', 's', 'ticket_created', now() - interval '31 days'),
           ('new', 'INBOX', 'c@example.com', 's', 'ticket_created', now() - interval '29 days');",
    )
    .unwrap();
    let cleaned = cleanup(&mut conn, &policies(), "http://h").unwrap().unwrap();
    assert_eq!((cleaned.raw_emails, cleaned.inbound_emails), (1, 1));
    assert!(cleaned.object_keys.contains(&"expired-key".to_owned()), "its object goes after the commit");
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM attachments"), 2);
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM inbound_emails WHERE message_key = 'new'"), 1);
}
