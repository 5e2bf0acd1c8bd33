//! Background work started by `helpdesk serve`: the email outbox worker and one scheduler for
//! every periodic job (P9). Each job runs under its PostgreSQL advisory lock and only when its
//! last run (in `job_runs`, any instance) is older than its period, so with several instances
//! every job runs once per period. Each run is recorded with its outcome and counts (kept 30
//! days); `GET /api/v1/admin/jobs` shows them. A failed job is retried at its next tick and
//! admins are told once per failure streak.

pub mod routes;

use std::{sync::Arc, time::Duration};

use actix_web::web;
use chrono::{DateTime, Utc};
use diesel::{
    Connection, ExpressionMethods, OptionalExtension, PgConnection, QueryDsl, QueryableByName, RunQueryDsl, sql_types,
};
use serde_json::json;

use crate::{
    auth::{limits, login_failures, password_tokens, sessions},
    config::Policies,
    db::{self, schema::job_runs},
    email::{outbox, transport::Mailer, worker},
    error::ApiError,
    state::AppState,
    tickets,
};

/// A periodic job.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    pub name: &'static str,
    pub description: &'static str,
    pub every: Duration,
    /// Its advisory lock id.
    lock: i64,
}

/// Every periodic job.
pub const JOBS: [Job; 4] = [
    Job {
        name: "sla_monitor",
        description: "Warns before SLA deadlines pass and records breaches.",
        every: Duration::from_secs(60),
        lock: 0x4844_0003,
    },
    Job {
        name: "pending_follow_up",
        description: "Reminds customers of pending tickets and resolves those left unanswered.",
        every: Duration::from_secs(15 * 60),
        lock: 0x4844_0004,
    },
    Job {
        name: "cleanup",
        description: "Retention: deletes what its period ended for, closes resolved tickets, warns and erases inactive accounts.",
        every: Duration::from_secs(60),
        lock: 0x4844_0005,
    },
    Job {
        name: "attachment_sweep",
        description: "Deletes stored files no attachment points to and reports missing ones.",
        every: Duration::from_secs(6 * 3600),
        lock: 0x4844_0006,
    },
];

/// How often the scheduler looks for due jobs.
const TICK: Duration = Duration::from_secs(5);

/// The background tasks that must finish their work before the process ends.
pub struct Background {
    mail_shutdown: Arc<worker::Shutdown>,
    mail: tokio::task::JoinHandle<()>,
}

impl Background {
    /// Lets the email worker record the emails it holds (up to 20 s), after the HTTP server
    /// stopped.
    pub async fn stop(self) {
        self.mail_shutdown.request();
        if tokio::time::timeout(Duration::from_secs(20), self.mail).await.is_err() {
            tracing::warn!("the email worker did not finish in time; unrecorded emails are retried after their lease");
        }
    }
}

/// Starts every background task on the current actix runtime.
pub fn spawn(state: &web::Data<AppState>, mailer: Mailer) -> Background {
    let mail_shutdown = Arc::new(worker::Shutdown::default());
    let mail = actix_web::rt::spawn(worker::run(
        state.pool.clone(),
        Arc::new(mailer),
        Arc::clone(&state.mail_wake),
        Arc::clone(&mail_shutdown),
    ));
    actix_web::rt::spawn(scheduler(state.clone()));
    actix_web::rt::spawn(state.budgets.clone().run(state.pool.clone()));
    actix_web::rt::spawn(tickets::stats::run(state.pool.clone()));
    actix_web::rt::spawn(crate::webhooks::worker::run(
        state.pool.clone(),
        state.config.webhook_allow_private,
        state.config.public_url.clone(),
        Arc::clone(&state.webhook_wake),
        Arc::clone(&state.mail_wake),
    ));
    Background { mail_shutdown, mail }
}

impl Job {
    pub fn period(&self, policies: &Policies) -> Duration {
        policies.job_interval_override.map_or(self.every, Duration::from_secs)
    }
}

async fn scheduler(state: web::Data<AppState>) {
    let tick = state.config.policies.job_interval_override.map_or(TICK, |s| Duration::from_secs(s).min(TICK));
    let mut ticker = tokio::time::interval(tick);
    loop {
        ticker.tick().await;
        for job in JOBS {
            run(&state, job).await;
        }
    }
}

/// Runs `job` if it is due and no other instance runs it; records the run.
pub async fn run(state: &web::Data<AppState>, job: Job) {
    let period = job.period(&state.config.policies);
    let started = db::run(&state.pool, move |conn| Ok(conn.transaction(|conn| start(conn, job, period))?)).await;
    let Ok(Some(run_id)) = started else {
        if let Err(err) = started {
            tracing::warn!(job = job.name, error = %format!("{err:#}"), "scheduler cannot reach the database");
        }
        return;
    };
    let outcome = execute(state, job).await;
    let public_url = state.config.public_url.clone();
    let recorded = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let (name, counts, error) = match &outcome {
                Ok(counts) => ("ok", counts.clone(), None),
                Err(err) => ("failed", json!({}), Some(format!("{err:#}"))),
            };
            metrics::counter!("helpdesk_job_runs_total", "job" => job.name, "outcome" => name).increment(1);
            diesel::update(job_runs::table.find(run_id))
                .set((
                    job_runs::finished_at.eq(Utc::now()),
                    job_runs::outcome.eq(name),
                    job_runs::counts.eq(&counts),
                    job_runs::error.eq(&error),
                ))
                .execute(conn)?;
            if let Some(error) = &error {
                tracing::warn!(job = job.name, %error, "scheduled job failed");
                if previous_outcome(conn, job.name, run_id)?.as_deref() != Some("failed") {
                    crate::notifications::job_failed(conn, job.name, error, &public_url)?;
                }
            }
            Ok(())
        })
    })
    .await;
    if let Err(err) = recorded {
        tracing::warn!(job = job.name, error = %format!("{err:#}"), "job run not recorded");
    }
    state.mail_wake.notify_one();
}

/// Takes the job for this period: `None` when another instance holds it or ran it recently.
fn start(conn: &mut PgConnection, job: Job, period: Duration) -> diesel::QueryResult<Option<i64>> {
    if !try_lock(conn, job.lock)? {
        return Ok(None);
    }
    let now = Utc::now();
    let last: Option<DateTime<Utc>> = job_runs::table
        .filter(job_runs::job.eq(job.name))
        .select(diesel::dsl::max(job_runs::started_at))
        .first(conn)?;
    // A little slack, so a tick that comes early by a few milliseconds does not skip a period.
    let slack = chrono::Duration::from_std(period.mul_f64(0.9)).unwrap_or_default();
    if last.is_some_and(|l| now - l < slack) {
        return Ok(None);
    }
    diesel::insert_into(job_runs::table)
        .values((job_runs::job.eq(job.name), job_runs::started_at.eq(now), job_runs::outcome.eq("running")))
        .returning(job_runs::id)
        .get_result(conn)
        .map(Some)
}

fn previous_outcome(conn: &mut PgConnection, job: &str, before: i64) -> diesel::QueryResult<Option<String>> {
    job_runs::table
        .filter(job_runs::job.eq(job))
        .filter(job_runs::id.lt(before))
        .order(job_runs::id.desc())
        .select(job_runs::outcome)
        .first(conn)
        .optional()
}

async fn execute(state: &web::Data<AppState>, job: Job) -> Result<serde_json::Value, ApiError> {
    let (policies, public_url) = (state.config.policies.clone(), state.config.public_url.clone());
    match job.name {
        "sla_monitor" => {
            let checked = db::run(&state.pool, move |conn| crate::sla::monitor::run(conn, &public_url)).await?;
            Ok(json!(checked))
        }
        "pending_follow_up" => {
            let done = db::run(&state.pool, move |conn| {
                conn.transaction(|conn| {
                    tickets::pending::follow_up(
                        conn,
                        policies.pending_reminder_days,
                        policies.pending_auto_resolve_days,
                        &public_url,
                    )
                })
            })
            .await?;
            Ok(json!(done))
        }
        "cleanup" => cleanup_run(state).await,
        _ => {
            let report = crate::attachments::sweep::sweep(&state.storage, &state.pool, None).await?;
            Ok(json!({"orphans_removed": report.orphans_removed, "missing": report.missing_objects.len()}))
        }
    }
}

/// The clean-up (P4, P7, P8) and, after its commit, the files and request logs it freed.
async fn cleanup_run(state: &web::Data<AppState>) -> Result<serde_json::Value, ApiError> {
    let (policies, public_url) = (state.config.policies.clone(), state.config.public_url.clone());
    let Some(c) =
        db::run(&state.pool, move |conn| conn.transaction(|conn| cleanup(conn, &policies, &public_url))).await?
    else {
        return Ok(json!({"skipped": "another instance"}));
    };
    let mut request_logs = 0;
    if let Some(dir) = state.config.log_dir.clone() {
        let days = state.config.policies.request_log_retention_days;
        request_logs =
            db::blocking(move || Ok(crate::request_logs::delete_expired(&dir, days).map_err(anyhow::Error::from)?))
                .await?;
    }
    // Files of erased accounts go after the commit; failures are left to the sweep.
    state.storage.delete_all(&c.object_keys).await;
    Ok(json!({
        "login_failures": c.login_failures, "sessions": c.sessions, "password_tokens": c.password_tokens,
        "emails": c.emails, "tickets_closed": c.tickets_closed, "rate_events": c.rate_events,
        "audit_entries": c.audit_entries, "tickets_deleted": c.tickets_deleted,
        "inactive_accounts_warned": c.inactive_accounts_warned, "inactive_accounts_erased": c.inactive_accounts_erased,
        "notifications": c.notifications, "job_runs": c.job_runs, "idempotency_keys": c.idempotency_keys, "webhook_deliveries": c.webhook_deliveries,
        "inbound_emails": c.inbound_emails, "raw_emails": c.raw_emails, "request_logs": request_logs,
    }))
}

/// Kept this many days: in-app notifications, job runs (and the webhook delivery log).
const NOTIFICATION_DAYS: i64 = 90;
const JOB_RUN_DAYS: i64 = 30;
/// The clean-up's own lock, so a direct call (tests, the CLI) never overlaps a scheduled run.
const CLEANUP_LOCK: i64 = 0x4844_0001;

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
    /// In-app notifications older than 90 days.
    pub notifications: usize,
    /// Job runs older than 30 days.
    pub job_runs: usize,
    /// Idempotency keys older than 24 hours.
    pub idempotency_keys: usize,
    /// Webhook deliveries older than 30 days (the delivery log).
    pub webhook_deliveries: usize,
    /// Inbound mail log rows past the email log's retention.
    pub inbound_emails: usize,
    /// Original messages of mails (`original.eml`) past `HELPDESK_RAW_EMAIL_RETENTION_DAYS`.
    pub raw_emails: usize,
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
    let raw_email_keys = crate::attachments::repo::delete_expired(conn, now)?;
    let raw_emails = raw_email_keys.len();
    inactivity.object_keys.extend(raw_email_keys);
    Ok(Some(Cleaned {
        tickets_deleted,
        raw_emails,
        inbound_emails: crate::inbound::routes::delete_older_than(
            conn,
            now - chrono::Duration::days(policies.email_log_retention_days.into()),
        )?,
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
        tickets_closed: tickets::workflow::auto_close(conn, policies.auto_close_resolved_after_days, public_url)?,
        notifications: diesel::delete(
            crate::db::schema::notifications::table.filter(
                crate::db::schema::notifications::created_at.lt(now - chrono::Duration::days(NOTIFICATION_DAYS)),
            ),
        )
        .execute(conn)?,
        idempotency_keys: crate::middleware::idempotency::delete_expired(conn)?,
        webhook_deliveries: diesel::delete(
            crate::db::schema::webhook_deliveries::table
                .filter(crate::db::schema::webhook_deliveries::status.ne("pending"))
                .filter(
                    crate::db::schema::webhook_deliveries::created_at.lt(now - chrono::Duration::days(JOB_RUN_DAYS)),
                ),
        )
        .execute(conn)?,
        job_runs: diesel::delete(
            job_runs::table.filter(job_runs::started_at.lt(now - chrono::Duration::days(JOB_RUN_DAYS))),
        )
        .execute(conn)?,
        rate_events: limits::delete_older_than(conn, now - limits::WINDOW)?,
    }))
}
