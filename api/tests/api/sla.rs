//! The SLA status exists twice: in Rust (`sla::status`, for responses) and in SQL
//! (`sla::status_sql`, for filters and counts). For every clock of a table both must agree.

use chrono::{DateTime, Duration, Utc};
use diesel::{
    Connection, PgConnection, RunQueryDsl,
    dsl::sql,
    prelude::*,
    sql_types::{Bool, Timestamptz},
};
use helpdesk_api::{
    db::schema::{tickets, users},
    sla::{self, Clock},
};
use helpdesk_tests::TestDb;
use helpdesk_types::tickets::{Channel, SlaStatus, TicketStatus};

/// Minutes: the age of the ticket, and when (after creation) it got its first response and was
/// resolved. Targets: first response 100, resolution 1000 minutes.
fn clocks() -> Vec<(i64, Option<i64>, Option<i64>)> {
    let mut out = Vec::new();
    for age in [10, 74, 76, 99, 101, 500, 749, 751, 999, 1001, 5000] {
        for first in [None, Some(50), Some(99), Some(150)] {
            for resolved in [None, Some(400), Some(999), Some(1100)] {
                let happened = |m: Option<i64>| m.is_none_or(|m| m <= age);
                if happened(first) && happened(resolved) {
                    out.push((age, first, resolved));
                }
            }
        }
    }
    out
}

#[test]
fn sla_status_is_the_same_in_rust_and_in_sql() {
    let db = TestDb::create();
    let mut conn = db.connect();
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        // `now()` is the transaction's start: the moment both implementations judge.
        let now: DateTime<Utc> = diesel::select(sql::<Timestamptz>("now()")).get_result(conn)?;
        let requester: i64 = diesel::insert_into(users::table)
            .values((users::email.eq("c@example.com"), users::username.eq("c"), users::full_name.eq("C")))
            .returning(users::id)
            .get_result(conn)?;
        let mut expected = Vec::new();
        for (age, first, resolved) in clocks() {
            let created = now - Duration::minutes(age);
            let clock = Clock {
                created_at: created,
                first_response_at: first.map(|m| created + Duration::minutes(m)),
                resolved_at: resolved.map(|m| created + Duration::minutes(m)),
                first_response_due_at: created + Duration::minutes(100),
                resolution_due_at: created + Duration::minutes(1000),
            };
            let id: i64 = insert(conn, requester, &clock)?;
            expected.push((id, sla::status(&clock, now), (age, first, resolved)));
        }
        for status in [SlaStatus::OnTrack, SlaStatus::AtRisk, SlaStatus::Breached] {
            let in_sql: Vec<i64> =
                tickets::table.filter(sql::<Bool>(&sla::status_sql(status))).select(tickets::id).load(conn)?;
            for (id, in_rust, clock) in &expected {
                assert_eq!(
                    in_sql.contains(id),
                    *in_rust == status,
                    "clock {clock:?} (age, first response, resolved): Rust says {in_rust}, SQL disagrees about {status}"
                );
            }
        }
        Ok(())
    })
    .unwrap();
}

fn insert(conn: &mut PgConnection, requester: i64, c: &Clock) -> diesel::QueryResult<i64> {
    diesel::insert_into(tickets::table)
        .values((
            tickets::subject.eq("s"),
            tickets::description.eq("d"),
            tickets::status.eq(TicketStatus::Open),
            tickets::channel.eq(Channel::Web),
            tickets::requester_id.eq(requester),
            tickets::created_at.eq(c.created_at),
            tickets::first_response_at.eq(c.first_response_at),
            tickets::resolved_at.eq(c.resolved_at),
            tickets::first_response_due_at.eq(c.first_response_due_at),
            tickets::resolution_due_at.eq(c.resolution_due_at),
        ))
        .returning(tickets::id)
        .get_result(conn)
}
