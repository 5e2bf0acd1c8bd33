//! The `emails` table: outbox and email log in one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use helpdesk_types::Locale;
use helpdesk_types::email::EmailStatus;

use super::templates::Message;
use crate::db::schema::emails;

/// Attempts before an email is given up (status `failed`); the backoff doubles from 5 s to 1 h.
pub const MAX_ATTEMPTS: i32 = 12;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = emails, check_for_backend(diesel::pg::Pg))]
pub struct EmailRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub template: String,
    pub text_body: Option<String>,
    pub html_body: Option<String>,
    pub status: EmailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    #[diesel(select_expression = emails::unsubscribe)]
    pub unsubscribe: Option<String>,
    #[diesel(select_expression = emails::ticket_number)]
    pub ticket_number: Option<i64>,
}

/// Queues an email in the caller's transaction, unless the recipient's account is restricted
/// (P12: only the notice of the restriction itself goes out) or refused this kind of email
/// (objection). `None` when it is not sent.
pub fn enqueue(
    conn: &mut PgConnection,
    recipient: &str,
    locale: Locale,
    message: &Message,
    public_url: &str,
) -> QueryResult<Option<i64>> {
    use crate::db::schema::users;
    let account: Option<(i64, bool, Vec<Option<String>>)> = users::table
        .filter(users::email.eq(recipient))
        .select((users::id, users::restricted_at.is_not_null(), users::refused_notifications))
        .first(conn)
        .optional()?;
    if let Some((_, restricted, refused)) = &account {
        let refused_kind = message.kind().is_some_and(|k| refused.iter().flatten().any(|r| r == k.as_str()));
        if (*restricted && !message.reaches_restricted()) || refused_kind {
            return Ok(None);
        }
    }
    // Non-essential mail to an account can be turned off with one click (RFC 8058).
    let unsubscribe = match (account, message.unsubscribe_kind()) {
        (Some((user_id, _, _)), Some(what)) => Some(format!("{user_id}:{what}")),
        _ => None,
    };
    insert(conn, recipient, locale, message, public_url, unsubscribe, false).map(Some)
}

fn insert(
    conn: &mut PgConnection,
    recipient: &str,
    locale: Locale,
    message: &Message,
    public_url: &str,
    unsubscribe: Option<String>,
    forget_after_send: bool,
) -> QueryResult<i64> {
    let rendered = message.render(locale, public_url);
    diesel::insert_into(emails::table)
        .values((
            emails::recipient.eq(recipient),
            emails::subject.eq(&rendered.subject),
            emails::ticket_number.eq(message.ticket_number()),
            emails::template.eq(rendered.template),
            emails::text_body.eq(&rendered.text),
            emails::html_body.eq(&rendered.html),
            emails::unsubscribe.eq(unsubscribe),
            emails::forget_after_send.eq(forget_after_send),
        ))
        .returning(emails::id)
        .get_result(conn)
}

/// How long a claimed email is left to its worker before another may send it.
const LEASE_SECONDS: i64 = 300;

/// Claims up to `limit` due emails that no other worker holds, by moving their next attempt
/// a lease ahead (committed at once: the sending happens outside any transaction).
pub fn claim_due(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<EmailRow>> {
    conn.transaction(|conn| {
        let now = Utc::now();
        let due: Vec<i64> = emails::table
            .filter(emails::status.eq(EmailStatus::Pending))
            .filter(emails::next_attempt_at.le(now))
            .order(emails::next_attempt_at)
            .limit(limit)
            .for_update()
            .skip_locked()
            .select(emails::id)
            .load(conn)?;
        diesel::update(emails::table.filter(emails::id.eq_any(due)))
            .set(emails::next_attempt_at.eq(now + chrono::Duration::seconds(LEASE_SECONDS)))
            .returning(EmailRow::as_returning())
            .get_results(conn)
    })
}

/// What became of a claimed email.
#[derive(Debug)]
pub enum Outcome {
    Sent,
    Failed(String),
    /// Not tried (the worker is stopping): due again at once, for any instance.
    Released,
}

/// Records what became of claimed emails, in one transaction.
pub fn record(conn: &mut PgConnection, outcomes: &[(EmailRow, Outcome)]) -> QueryResult<()> {
    let ids = |wanted: fn(&Outcome) -> bool| -> Vec<i64> {
        outcomes.iter().filter(|(_, o)| wanted(o)).map(|(e, _)| e.id).collect()
    };
    conn.transaction(|conn| {
        mark_sent(conn, &ids(|o| matches!(o, Outcome::Sent)))?;
        diesel::update(emails::table.filter(emails::id.eq_any(ids(|o| matches!(o, Outcome::Released)))))
            .set(emails::next_attempt_at.eq(Utc::now()))
            .execute(conn)?;
        for (email, outcome) in outcomes {
            if let Outcome::Failed(error) = outcome {
                mark_failed(conn, email, error)?;
            }
        }
        Ok(())
    })
}

/// Queues the last email to an address that is being erased: its log row is deleted once it
/// was sent (or given up), so nothing of the address stays.
pub fn enqueue_and_forget(
    conn: &mut PgConnection,
    recipient: &str,
    locale: Locale,
    message: &Message,
    public_url: &str,
) -> QueryResult<i64> {
    insert(conn, recipient, locale, message, public_url, None, true)
}

/// Deletes the log of every email to `recipient` but `keep` (erasure, P12).
pub fn forget_recipient(conn: &mut PgConnection, recipient: &str, keep: i64) -> QueryResult<usize> {
    diesel::delete(emails::table.filter(emails::recipient.eq(recipient)).filter(emails::id.ne(keep))).execute(conn)
}

/// Deletes the rows of finished emails that were to be forgotten once sent.
fn forget_finished(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(
        emails::table
            .filter(emails::id.eq_any(ids))
            .filter(emails::forget_after_send.eq(true))
            .filter(emails::status.ne(EmailStatus::Pending)),
    )
    .execute(conn)
}

/// Sent: the bodies are dropped (they may hold single-use links); the log entry stays.
fn mark_sent(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    diesel::update(emails::table.filter(emails::id.eq_any(ids)))
        .set((
            emails::status.eq(EmailStatus::Sent),
            emails::attempts.eq(emails::attempts + 1),
            emails::sent_at.eq(now),
            emails::updated_at.eq(now),
            emails::text_body.eq(None::<String>),
            emails::html_body.eq(None::<String>),
        ))
        .execute(conn)?;
    forget_finished(conn, ids)
}

/// A failed attempt: retried with exponential backoff, or given up after [`MAX_ATTEMPTS`].
fn mark_failed(conn: &mut PgConnection, email: &EmailRow, error: &str) -> QueryResult<usize> {
    let attempts = email.attempts + 1;
    let now = Utc::now();
    let error: String = error.chars().take(1000).collect();
    if attempts >= MAX_ATTEMPTS {
        return diesel::update(emails::table.find(email.id))
            .set((
                emails::status.eq(EmailStatus::Failed),
                emails::attempts.eq(attempts),
                emails::last_error.eq(error),
                emails::updated_at.eq(now),
                emails::text_body.eq(None::<String>),
                emails::html_body.eq(None::<String>),
            ))
            .execute(conn)
            .and_then(|_| forget_finished(conn, &[email.id]));
    }
    let delay = chrono::Duration::seconds((5_i64 << (attempts - 1).clamp(0, 20)).min(3600));
    diesel::update(emails::table.find(email.id))
        .set((
            emails::attempts.eq(attempts),
            emails::last_error.eq(error),
            emails::next_attempt_at.eq(now + delay),
            emails::updated_at.eq(now),
        ))
        .execute(conn)
}

/// The retention job: the email log is deleted after its retention period (P7).
pub fn delete_older_than(conn: &mut PgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(emails::table.filter(emails::created_at.lt(cutoff))).execute(conn)
}
