//! `GET /tickets/stats`: the agents' dashboard counts, read from counters that a trigger keeps
//! in the transaction that changes tickets (migration `ticket_counts`), so the answer is exact
//! and takes the same time at any size. The only counting left at read time is of the running
//! tickets still in time (on track or at risk: time moves them, no write does), a range of the
//! deadline index that holds the tickets currently being worked on, not the history; under load
//! it is counted at most every 2 s, and the answer says when (`sla_counted_at`).

use std::collections::HashMap;

use actix_web::{get, web};
use diesel::{
    prelude::*,
    sql_types::{BigInt, Text},
};
use helpdesk_types::{
    Problem,
    tickets::{SlaStatus, TicketStats, TicketStatus},
};

use crate::{auth::Staff, db, error::ApiError, sla, state::AppState};

/// Counts for the agents' dashboard (archived tickets excluded).
#[utoipa::path(
    operation_id = "getTicketStats",
    tag = "tickets",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The counts.", body = TicketStats),
        (status = 403, description = "Customers have no dashboard.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/stats")]
pub async fn stats(staff: Staff, state: web::Data<AppState>) -> Result<web::Json<TicketStats>, ApiError> {
    let me = staff.0.id();
    let stats = db::run(&state.pool, move |conn| Ok(read(conn, me)?)).await?;
    Ok(web::Json(stats))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName, Clone, Copy)]
struct InTime {
    #[diesel(sql_type = BigInt)]
    on_track: i64,
    #[diesel(sql_type = BigInt)]
    at_risk: i64,
}

/// The counts; `me` is the agent asking.
pub fn read(conn: &mut PgConnection, me: i64) -> QueryResult<TicketStats> {
    let mine = format!("assignee:{me}");
    let counts: HashMap<String, i64> = diesel::sql_query(
        "SELECT key, sum(n)::bigint AS n FROM ticket_counts
         WHERE key LIKE 'status:%' OR key = ANY(ARRAY['unassigned', 'running', 'paused_breached', $1]) GROUP BY key",
    )
    .bind::<Text, _>(&mine)
    .load::<Count>(conn)?
    .into_iter()
    .map(|c| (c.key, c.n))
    .collect();
    let count = |key: &str| counts.get(key).copied().unwrap_or(0);
    // Running and not breached means every open deadline lies ahead: a range of the due index
    // (resolved and closed tickets, archived ones among them, sort at its far end, so the
    // range holds only tickets that still need work).
    let (in_time, sla_counted_at) = in_time(conn)?;
    let breached = count("paused_breached") + count("running") - in_time.on_track - in_time.at_risk;
    Ok(TicketStats {
        by_status: TicketStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), count(&format!("status:{}", s.as_str()))))
            .collect(),
        by_sla_status: [
            (SlaStatus::OnTrack, in_time.on_track),
            (SlaStatus::AtRisk, in_time.at_risk),
            (SlaStatus::Breached, breached),
        ]
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), n))
        .collect(),
        unassigned: count("unassigned"),
        mine: count(&mine),
        sla_counted_at,
    })
}

/// The count of the running tickets still in time, and when it was taken. Under a dashboard
/// load it is counted at most every 2 s rather than per request: it is the one part of the
/// answer whose cost grows with the number of tickets being worked on, and only time moves it
/// between on track, at risk and breached (every write on this instance forgets it at once).
static IN_TIME: crate::fresh::Fresh<(InTime, chrono::DateTime<chrono::Utc>)> =
    crate::fresh::Fresh::new(std::time::Duration::from_secs(2));

/// Forgets the count (after a write on this instance: `middleware::caches`).
pub fn forget() {
    IN_TIME.forget();
}

fn in_time(conn: &mut PgConnection) -> QueryResult<(InTime, chrono::DateTime<chrono::Utc>)> {
    IN_TIME.get_or_read(|| count_in_time(conn))
}

fn count_in_time(conn: &mut PgConnection) -> QueryResult<(InTime, chrono::DateTime<chrono::Utc>)> {
    let counted_at = chrono::Utc::now();
    let in_time: InTime = diesel::sql_query(format!(
        "SELECT count(*) FILTER (WHERE {on_track}) AS on_track, count(*) FILTER (WHERE {at_risk}) AS at_risk
         FROM tickets WHERE next_due_at > now() AND next_due_at < $1 AND NOT archived AND sla_paused_at IS NULL",
        on_track = sla::status_sql(SlaStatus::OnTrack),
        at_risk = sla::status_sql(SlaStatus::AtRisk),
    ))
    .bind::<diesel::sql_types::Timestamptz, _>(sla::clock::never())
    .get_result(conn)?;
    Ok((in_time, counted_at))
}

/// Sums the counters' rows per key, so reading them stays cheap under any write load. Runs
/// every few seconds on each instance; one at a time (the others skip).
pub fn fold(conn: &mut PgConnection) -> QueryResult<()> {
    const LOCK: i64 = 0x4844_0010;
    conn.transaction(|conn| {
        if crate::jobs::try_lock(conn, LOCK)? {
            diesel::sql_query("SELECT fold_ticket_counts()").execute(conn)?;
        }
        Ok(())
    })
}

/// Folds the counters every few seconds until the process ends.
pub async fn run(pool: db::DbPool) {
    let mut ticker = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        ticker.tick().await;
        if let Err(err) = db::run(&pool, |conn| Ok(fold(conn)?)).await {
            tracing::warn!(error = %format!("{err:#}"), "ticket counters not folded");
        }
    }
}
