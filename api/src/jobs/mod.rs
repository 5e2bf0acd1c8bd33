//! Background work started by `helpdesk serve` (P9): the email outbox worker and the periodic
//! clean-up. Each periodic job is idempotent and runs on one instance at a time under a
//! PostgreSQL advisory lock, so several instances can run side by side.

use std::{sync::Arc, time::Duration};

use actix_web::web;
use chrono::Utc;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, sql_types};

use crate::{
    app::AppState,
    auth::{login_failures, password_tokens, sessions},
    config::Policies,
    email::{outbox, transport::Mailer, worker},
};

const CLEANUP_EVERY: Duration = Duration::from_secs(60);
const SWEEP_EVERY: Duration = Duration::from_secs(6 * 3600);
/// Advisory lock ids, one per periodic job.
const CLEANUP_LOCK: i64 = 0x4844_0001;
const SWEEP_LOCK: i64 = 0x4844_0002;

/// Starts every background task on the current actix runtime.
pub fn spawn(state: &web::Data<AppState>, mailer: Mailer) {
    actix_web::rt::spawn(worker::run(state.pool.clone(), Arc::new(mailer), Arc::clone(&state.mail_wake)));
    actix_web::rt::spawn(sweep_loop(state.clone()));
    let state = state.clone();
    actix_web::rt::spawn(async move {
        let mut ticker = tokio::time::interval(CLEANUP_EVERY);
        loop {
            ticker.tick().await;
            let (pool, policies) = (state.pool.clone(), state.config.policies.clone());
            let result = web::block(move || -> anyhow::Result<Option<Cleaned>> {
                let mut conn = pool.get()?;
                Ok(conn.transaction(|conn| cleanup(conn, &policies))?)
            })
            .await;
            match result {
                Ok(Ok(Some(c))) => tracing::debug!(?c, "clean-up done"),
                Ok(Ok(None)) => tracing::debug!("clean-up runs on another instance"),
                Ok(Err(err)) => tracing::warn!(error = %format!("{err:#}"), "clean-up failed"),
                Err(err) => tracing::error!(error = %err, "clean-up task failed"),
            }
        }
    });
}

/// The attachment sweep (P6), every 6 hours on one instance (session-level advisory lock, held
/// on a dedicated connection while the object store is listed).
async fn sweep_loop(state: web::Data<AppState>) {
    let mut ticker = tokio::time::interval(SWEEP_EVERY);
    loop {
        ticker.tick().await;
        let pool = state.pool.clone();
        let conn = web::block(move || -> anyhow::Result<Option<_>> {
            let mut conn = pool.get()?;
            let locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
                .bind::<sql_types::BigInt, _>(SWEEP_LOCK)
                .get_result::<Locked>(&mut conn)?
                .locked;
            Ok(locked.then_some(conn))
        })
        .await;
        let Ok(Ok(Some(mut conn))) = conn else { continue };
        match crate::attachments::sweep::sweep(&state.storage, &mut conn, None).await {
            Ok(report) => tracing::info!(
                orphans_removed = report.orphans_removed,
                missing = report.missing_objects.len(),
                "attachment sweep done"
            ),
            Err(err) => tracing::warn!(error = %format!("{err:#}"), "attachment sweep failed"),
        }
        let _ = web::block(move || diesel::sql_query("SELECT pg_advisory_unlock_all()").execute(&mut conn)).await;
    }
}

/// P4: resolved tickets are closed and archived `days` after resolution, with a history event.
pub fn close_resolved(conn: &mut PgConnection, days: u32) -> diesel::QueryResult<usize> {
    diesel::sql_query(
        "WITH closed AS (
             UPDATE tickets SET status = 'closed', closed_at = now(), archived = TRUE, updated_at = now()
             WHERE status = 'resolved' AND resolved_at < now() - make_interval(days => $1)
             RETURNING id)
         INSERT INTO ticket_events (ticket_id, actor_name, kind, from_value, to_value)
         SELECT id, 'Helpdesk', 'status_changed', 'resolved', 'closed' FROM closed",
    )
    .bind::<sql_types::Integer, _>(i32::try_from(days).unwrap_or(i32::MAX))
    .execute(conn)
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = sql_types::Bool)]
    locked: bool,
}

/// Takes a transaction-scoped advisory lock; false if another instance holds it.
pub fn try_lock(conn: &mut PgConnection, id: i64) -> diesel::QueryResult<bool> {
    Ok(diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
        .bind::<sql_types::BigInt, _>(id)
        .get_result::<Locked>(conn)?
        .locked)
}

/// What one clean-up pass deleted.
#[derive(Debug, Default)]
pub struct Cleaned {
    pub login_failures: usize,
    pub sessions: usize,
    pub password_tokens: usize,
    pub emails: usize,
    pub tickets_closed: usize,
}

/// Deletes what the retention rules say must go: failed logins after their window (P8), ended
/// sessions, expired password links, and the email log after its retention period (P7); closes
/// and archives tickets resolved long enough ago (P4).
/// Runs inside the caller's transaction; `None` when another instance holds the lock.
pub fn cleanup(conn: &mut PgConnection, policies: &Policies) -> diesel::QueryResult<Option<Cleaned>> {
    if !try_lock(conn, CLEANUP_LOCK)? {
        return Ok(None);
    }
    let now = Utc::now();
    Ok(Some(Cleaned {
        login_failures: login_failures::delete_older_than(conn, now - policies.login_failure_window)?,
        sessions: sessions::delete_ended(conn, policies)?,
        password_tokens: password_tokens::delete_expired(conn)?,
        emails: outbox::delete_older_than(
            conn,
            now - chrono::Duration::days(policies.email_log_retention_days.into()),
        )?,
        tickets_closed: close_resolved(conn, policies.auto_close_resolved_after_days)?,
    }))
}
