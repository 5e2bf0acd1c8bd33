//! Background work started by `helpdesk serve` (P9): the email outbox worker and the periodic
//! clean-up. Each periodic job is idempotent and runs on one instance at a time under a
//! PostgreSQL advisory lock, so several instances can run side by side.

use std::{sync::Arc, time::Duration};

use actix_web::web;
use chrono::Utc;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, sql_types};

use crate::{
    auth::{limits, login_failures, password_tokens, sessions},
    config::Policies,
    db,
    email::{outbox, transport::Mailer, worker},
    error::ApiError,
    state::AppState,
    tickets,
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
    actix_web::rt::spawn(cleanup_loop(state.clone()));
}

/// The clean-up (P4, P7, P8), every minute on one instance.
async fn cleanup_loop(state: web::Data<AppState>) {
    let mut ticker = tokio::time::interval(CLEANUP_EVERY);
    loop {
        ticker.tick().await;
        let (policies, public_url) = (state.config.policies.clone(), state.config.public_url.clone());
        match db::run(&state.pool, move |conn| conn.transaction(|conn| cleanup(conn, &policies, &public_url))).await {
            Ok(Some(c)) => {
                if let Some(dir) = state.config.log_dir.clone() {
                    let days = state.config.policies.request_log_retention_days;
                    match db::blocking(move || {
                        Ok(crate::request_logs::delete_expired(&dir, days).map_err(anyhow::Error::from)?)
                    })
                    .await
                    {
                        Ok(n) if n > 0 => tracing::info!(files = n, "old request logs deleted"),
                        Ok(_) => {}
                        Err(err) => tracing::warn!(error = %format!("{err:#}"), "request logs not cleaned"),
                    }
                }
                // Files of erased accounts go after the commit; failures are left to the sweep.
                state.storage.delete_all(&c.object_keys).await;
                if c.inactive_accounts_warned + c.inactive_accounts_erased > 0 {
                    state.mail_wake.notify_one();
                }
                tracing::debug!(?c, "clean-up done");
            }
            Ok(None) => tracing::debug!("clean-up runs on another instance"),
            Err(err) => tracing::warn!(error = %format!("{err:#}"), "clean-up failed"),
        }
    }
}

/// The attachment sweep (P6), every 6 hours. The advisory lock keeps a second instance from
/// starting a sweep in the same moment; should two sweeps overlap anyway, both only delete
/// objects no row points to, which is harmless.
async fn sweep_loop(state: web::Data<AppState>) {
    let mut ticker = tokio::time::interval(SWEEP_EVERY);
    loop {
        ticker.tick().await;
        let ours = db::run(&state.pool, |conn| Ok(conn.transaction(|conn| try_lock(conn, SWEEP_LOCK))?)).await;
        if !matches!(ours, Ok(true)) {
            continue;
        }
        match crate::attachments::sweep::sweep(&state.storage, &state.pool, None).await {
            Ok(report) => tracing::info!(
                orphans_removed = report.orphans_removed,
                missing = report.missing_objects.len(),
                "attachment sweep done"
            ),
            Err(err) => tracing::warn!(error = %format!("{err:#}"), "attachment sweep failed"),
        }
    }
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
    pub rate_events: usize,
    pub audit_entries: usize,
    /// Closed tickets past their category's retention (P4, P15).
    pub tickets_deleted: usize,
    pub inactive_accounts_warned: usize,
    pub inactive_accounts_erased: usize,
    pub inactive_staff_reported: usize,
    /// Objects of erased accounts, deleted from storage after the commit.
    pub object_keys: Vec<String>,
}

/// Deletes what the retention rules say must go: failed logins after their window (P8), ended
/// sessions, expired password links, the email log (P7) and the audit log after their periods,
/// closed tickets past their category's or the contact form's retention (P4, P14); warns and
/// then erases inactive accounts (P2); closes and archives tickets resolved long enough ago (P4).
/// Runs inside the caller's transaction; `None` when another instance holds the lock.
pub fn cleanup(conn: &mut PgConnection, policies: &Policies, public_url: &str) -> Result<Option<Cleaned>, ApiError> {
    if !try_lock(conn, CLEANUP_LOCK)? {
        return Ok(None);
    }
    let now = Utc::now();
    let mut inactivity = crate::accounts::inactivity::enforce(conn, policies, public_url)?;
    let (tickets_deleted, ticket_keys) = tickets::retention::purge_expired(conn, policies.contact_retention_days)?;
    inactivity.object_keys.extend(ticket_keys);
    Ok(Some(Cleaned {
        tickets_deleted,
        inactive_accounts_warned: inactivity.warned,
        inactive_accounts_erased: inactivity.erased,
        inactive_staff_reported: inactivity.staff_reported,
        object_keys: inactivity.object_keys,
        audit_entries: crate::audit::repo::delete_older_than(
            conn,
            now - chrono::Duration::days(policies.audit_log_retention_days.into()),
        )?,
        login_failures: login_failures::delete_older_than(conn, now - policies.login_failure_window)?,
        sessions: sessions::delete_ended(conn, policies)?,
        password_tokens: password_tokens::delete_expired(conn)?,
        emails: outbox::delete_older_than(
            conn,
            now - chrono::Duration::days(policies.email_log_retention_days.into()),
        )?,
        tickets_closed: tickets::workflow::auto_close(conn, policies.auto_close_resolved_after_days)?,
        rate_events: limits::delete_older_than(conn, now - limits::WINDOW)?,
    }))
}
