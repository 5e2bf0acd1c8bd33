//! Rate limits that must hold across instances and restarts, counted in the `rate_events` table:
//! registrations per client address, reset mails per email address, verification resends and
//! wrong current passwords per account. The clean-up job deletes events after a day.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::schema::rate_events;

/// What is counted, and under which key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Key: the client IP.
    Registration,
    /// Key: the email address the reset mail went to.
    ResetMail,
    /// Key: the account id.
    VerificationResend,
    /// Key: the account id.
    WrongCurrentPassword,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Registration => "registration",
            Kind::ResetMail => "reset_mail",
            Kind::VerificationResend => "verification_resend",
            Kind::WrongCurrentPassword => "wrong_current_password",
        }
    }
}

/// How long an event counts: every limit here is per hour.
pub const WINDOW: Duration = Duration::hours(1);

pub fn record(conn: &mut PgConnection, kind: Kind, key: &str) -> QueryResult<()> {
    diesel::insert_into(rate_events::table)
        .values((rate_events::kind.eq(kind.as_str()), rate_events::key.eq(key)))
        .execute(conn)
        .map(|_| ())
}

/// Events of `kind` for `key` within the last hour.
pub fn recent(conn: &mut PgConnection, kind: Kind, key: &str) -> QueryResult<i64> {
    rate_events::table
        .filter(rate_events::kind.eq(kind.as_str()))
        .filter(rate_events::key.eq(key))
        .filter(rate_events::at.gt(Utc::now() - WINDOW))
        .count()
        .get_result(conn)
}

/// Records the event unless `limit` events already happened within the hour; false then.
pub fn take(conn: &mut PgConnection, kind: Kind, key: &str, limit: u32) -> QueryResult<bool> {
    if recent(conn, kind, key)? >= i64::from(limit) {
        return Ok(false);
    }
    record(conn, kind, key)?;
    Ok(true)
}

/// The clean-up job.
pub fn delete_older_than(conn: &mut PgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(rate_events::table.filter(rate_events::at.lt(cutoff))).execute(conn)
}

/// Erasure (P12): forgets the events counted under the person's keys.
pub fn forget_keys(conn: &mut PgConnection, keys: &[String]) -> QueryResult<usize> {
    diesel::delete(rate_events::table.filter(rate_events::key.eq_any(keys))).execute(conn)
}
