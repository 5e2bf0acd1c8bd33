//! The outbox worker. Each pass claims up to [`BATCH`] due emails (`FOR UPDATE SKIP LOCKED`, so
//! instances never claim the same email) by moving their next attempt a lease ahead, in its own
//! short transaction; sends them with several in flight over pooled SMTP connections; and
//! records each outcome as it arrives, in small groups. An email is sent again only when its
//! outcome was never recorded: the process died between the server's acceptance and the record
//! (a window of milliseconds, after which the lease runs out); the copy carries the same
//! Message-ID, by which mail systems recognise it. On shutdown the worker starts no more
//! sends, records those in flight and hands the rest of its claim back at once. Woken right after a commit that queued mail, and every
//! few seconds for retries and for mail queued by other instances.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures_util::StreamExt;
use tokio::sync::Notify;

use super::{
    outbox::{self, EmailRow, Outcome},
    transport::Mailer,
};
use crate::db::{self, DbPool};

/// Emails claimed per pass.
const BATCH: i64 = 500;
/// Outcomes recorded per statement.
const RECORD_EVERY: usize = 100;
const POLL: Duration = Duration::from_secs(2);

/// Stops the worker: it claims nothing more and returns once what it holds is recorded.
#[derive(Default)]
pub struct Shutdown {
    requested: AtomicBool,
    wake: Notify,
}

impl Shutdown {
    pub fn request(&self) {
        self.requested.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

/// Runs until `shutdown` is requested.
pub async fn run(pool: DbPool, mailer: Arc<Mailer>, wake: Arc<Notify>, shutdown: Arc<Shutdown>) {
    while !shutdown.requested() {
        let claimed = match db::run(&pool, |conn| Ok(outbox::claim_due(conn, BATCH)?)).await {
            Ok(emails) => emails,
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "email worker cannot claim mail");
                Vec::new()
            }
        };
        let full = claimed.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
        send_all(&pool, &mailer, claimed, &shutdown).await;
        if !full {
            tokio::select! {
                () = wake.notified() => {}
                () = shutdown.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }
}

/// Sends `emails`, several at once, recording outcomes in groups as they arrive.
async fn send_all(pool: &DbPool, mailer: &Mailer, emails: Vec<EmailRow>, shutdown: &Shutdown) {
    let mut outcomes = futures_util::stream::iter(emails.into_iter().map(|email| async move {
        if shutdown.requested() {
            return (email, Outcome::Released);
        }
        let outcome = match mailer.send(&email).await {
            Ok(()) => {
                tracing::info!(email.id = email.id, template = %email.template, "email sent");
                metrics::counter!("helpdesk_emails_total", "outcome" => "sent").increment(1);
                Outcome::Sent
            }
            Err(err) => {
                let error = format!("{err:#}");
                tracing::warn!(email.id = email.id, attempt = email.attempts + 1, %error, "email not sent");
                metrics::counter!("helpdesk_emails_total", "outcome" => "failed").increment(1);
                Outcome::Failed(error)
            }
        };
        (email, outcome)
    }))
    .buffer_unordered(mailer.parallel())
    .ready_chunks(RECORD_EVERY);
    while let Some(group) = outcomes.next().await {
        record(pool, group).await;
    }
}

/// Records outcomes; while the database is away it keeps trying (an email whose outcome is not
/// recorded would be sent again when its lease runs out).
async fn record(pool: &DbPool, outcomes: Vec<(EmailRow, Outcome)>) {
    let outcomes = Arc::new(outcomes);
    let mut wait = Duration::from_millis(200);
    for _ in 0..20 {
        let todo = Arc::clone(&outcomes);
        match db::run(pool, move |conn| Ok(outbox::record(conn, &todo)?)).await {
            Ok(()) => return,
            Err(err) => tracing::warn!(error = %format!("{err:#}"), "email outcomes not recorded yet"),
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(10));
    }
    tracing::error!(count = outcomes.len(), "email outcomes not recorded: they are retried when their lease ends");
}
