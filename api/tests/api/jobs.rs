//! The clean-up job enforces the retention rules (P7 email log, P8 failed logins).

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

    let cleaned = cleanup(&mut conn, &policies()).unwrap().expect("the lock is free");
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
         INSERT INTO tickets (subject, description, status, channel, requester_id, resolved_at, first_response_due_at, resolution_due_at)
         SELECT s, 'x', 'resolved', 'web', (SELECT id FROM users), now() - d, now(), now()
         FROM (VALUES ('old', interval '31 days'), ('recent', interval '29 days')) v(s, d)",
    )
    .unwrap();
    let cleaned = cleanup(&mut conn, &policies()).unwrap().unwrap();
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
