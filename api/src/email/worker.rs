//! The outbox worker: claims due emails with `FOR UPDATE SKIP LOCKED` (so instances never send
//! the same email twice), sends them, and records the outcome. Woken right after a commit that
//! queued mail, and every few seconds for retries and for mail queued by other instances.

use std::{sync::Arc, time::Duration};

use diesel::{Connection, PgConnection};
use tokio::sync::Notify;

use super::{outbox, transport::Mailer};
use crate::{
    db::{self, DbPool},
    error::ApiError,
};

const BATCH: i64 = 20;
const POLL: Duration = Duration::from_secs(2);

/// Sends one batch; returns how many emails it handled.
fn send_batch(conn: &mut PgConnection, mailer: &Mailer) -> Result<usize, ApiError> {
    conn.transaction(|conn| {
        let due = outbox::claim_due(conn, BATCH)?;
        for email in &due {
            let result = mailer.send(email);
            match result {
                Ok(()) => {
                    outbox::mark_sent(conn, email.id)?;
                    tracing::info!(email.id = email.id, template = %email.template, "email sent");
                }
                Err(err) => {
                    outbox::mark_failed(conn, email, &format!("{err:#}"))?;
                    tracing::warn!(email.id = email.id, attempt = email.attempts + 1, error = %format!("{err:#}"), "email not sent");
                }
            }
        }
        Ok(due.len())
    })
}

/// Runs until the process ends.
pub async fn run(pool: DbPool, mailer: Arc<Mailer>, wake: Arc<Notify>) {
    loop {
        let mailer = Arc::clone(&mailer);
        let handled = match db::run(&pool, move |conn| send_batch(conn, &mailer)).await {
            Ok(n) => n,
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "email worker pass failed");
                0
            }
        };
        if handled < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            let _ = tokio::time::timeout(POLL, wake.notified()).await;
        }
    }
}
