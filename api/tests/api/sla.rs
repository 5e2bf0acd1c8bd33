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
    sla,
    tickets::model::TicketRow,
};
use helpdesk_tests::TestDb;
use helpdesk_types::tickets::{Channel, SlaStatus, TicketStatus};

/// Minutes: the age of the ticket; when (after creation) it got its first response, was
/// resolved, and since when it is pending. Targets: first response 100, resolution 1000
/// minutes, at risk at 75 %.
type Clock = (i64, Option<i64>, Option<i64>, Option<i64>);

fn clocks() -> Vec<Clock> {
    let mut out = Vec::new();
    for age in [10, 74, 76, 99, 101, 500, 749, 751, 999, 1001, 5000] {
        for first in [None, Some(50), Some(99), Some(150)] {
            for resolved in [None, Some(400), Some(999), Some(1100)] {
                for paused in [None, Some(5), Some(90), Some(200), Some(1050)] {
                    let happened = |m: Option<i64>| m.is_none_or(|m| m <= age);
                    // A pending ticket is not resolved.
                    let consistent = paused.is_none() || resolved.is_none();
                    if happened(first) && happened(resolved) && happened(paused) && consistent {
                        out.push((age, first, resolved, paused));
                    }
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
        for clock in clocks() {
            let row = insert(conn, requester, now, clock)?;
            expected.push((row.id, sla::status(&row, now), clock));
        }
        for status in SlaStatus::ALL {
            let in_sql: Vec<i64> =
                tickets::table.filter(sql::<Bool>(&sla::status_sql(*status))).select(tickets::id).load(conn)?;
            for (id, in_rust, clock) in &expected {
                assert_eq!(
                    in_sql.contains(id),
                    in_rust == status,
                    "clock {clock:?} (age, first response, resolved, pending since): Rust says {in_rust}, SQL disagrees about {status}"
                );
            }
        }
        let seen: std::collections::HashSet<SlaStatus> = expected.iter().map(|e| e.1).collect();
        assert_eq!(seen.len(), SlaStatus::ALL.len(), "the table reaches every status");
        Ok(())
    })
    .unwrap();
}

fn insert(conn: &mut PgConnection, requester: i64, now: DateTime<Utc>, clock: Clock) -> diesel::QueryResult<TicketRow> {
    let (age, first, resolved, paused) = clock;
    let created = now - Duration::minutes(age);
    let at = |m: Option<i64>| m.map(|m| created + Duration::minutes(m));
    let status = match (resolved, paused) {
        (Some(_), _) => TicketStatus::Resolved,
        (None, Some(_)) => TicketStatus::Pending,
        (None, None) => TicketStatus::Open,
    };
    diesel::insert_into(tickets::table)
        .values((
            tickets::subject.eq("s"),
            tickets::description.eq("d"),
            tickets::status.eq(status),
            tickets::channel.eq(Channel::Web),
            tickets::requester_id.eq(requester),
            tickets::created_at.eq(created),
            tickets::first_response_at.eq(at(first)),
            tickets::resolved_at.eq(at(resolved)),
            tickets::sla_paused_at.eq(at(paused)),
            tickets::first_response_due_at.eq(created + Duration::minutes(100)),
            tickets::first_response_warn_at.eq(created + Duration::minutes(75)),
            tickets::resolution_due_at.eq(created + Duration::minutes(1000)),
            tickets::resolution_warn_at.eq(created + Duration::minutes(750)),
        ))
        .returning(TicketRow::as_returning())
        .get_result(conn)
}
