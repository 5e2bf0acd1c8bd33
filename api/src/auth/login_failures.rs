//! Failed logins (P8) and the brute-force protection built on them. Every attempt is recorded
//! *before* its password is checked and judged by the count that includes it, so concurrent
//! guesses cannot all slip under the threshold (issue 10). A successful sign-in deletes the
//! account's failures; the clean-up job deletes failures after the window.
//!
//! Over the threshold (5 per account, 20 per client address, within the hour):
//! - with a captcha configured, the attempt needs a solved captcha;
//! - without one, the pair (account, address) and the address wait an exponentially growing
//!   delay (2, 4, 8 ... seconds, at most 15 minutes) from their last failure. The owner signing
//!   in from elsewhere is not locked out by someone guessing.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::{config::Policies, db::schema::login_failures};

/// The longest wait without a captcha.
const MAX_DELAY_SECS: i64 = 15 * 60;

/// What an attempt may do before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password.
    Proceed,
    /// Only with a solved captcha.
    NeedsCaptcha,
    /// Try again in this many seconds (no captcha configured).
    Wait(u64),
}

/// Records the attempt (id returned) and judges it by the counts that include it.
pub fn admit(
    conn: &mut PgConnection,
    user_id: Option<i64>,
    client_ip: &str,
    policies: &Policies,
    captcha_enabled: bool,
) -> QueryResult<(i64, Verdict)> {
    let id = record(conn, user_id, client_ip)?;
    let since = Utc::now() - policies.login_failure_window;
    let by_ip = count(conn, None, Some(client_ip), since)?;
    let over_ip = by_ip > i64::from(policies.login_failures_per_ip);
    if captcha_enabled {
        let by_account = match user_id {
            Some(u) => count(conn, Some(u), None, since)?,
            None => 0,
        };
        let over = over_ip || by_account > i64::from(policies.login_failures_per_account);
        return Ok((id, if over { Verdict::NeedsCaptcha } else { Verdict::Proceed }));
    }
    let by_pair = match user_id {
        Some(u) => count(conn, Some(u), Some(client_ip), since)?,
        None => 0,
    };
    let wait = [
        (by_pair - i64::from(policies.login_failures_per_account), user_id.map(|u| (Some(u), Some(client_ip)))),
        (by_ip - i64::from(policies.login_failures_per_ip), Some((None, Some(client_ip)))),
    ]
    .into_iter()
    .filter_map(|(over, key)| Some((over, key?)))
    .filter(|(over, _)| *over > 0)
    .map(|(over, (user, ip))| {
        let delay =
            Duration::seconds(2_i64.saturating_pow(u32::try_from(over).unwrap_or(u32::MAX)).min(MAX_DELAY_SECS));
        let previous = last_before(conn, user, ip, id)?;
        Ok(previous.map_or(0, |at| (at + delay - Utc::now()).num_seconds()))
    })
    .collect::<QueryResult<Vec<i64>>>()?
    .into_iter()
    .max()
    .unwrap_or(0);
    if wait > 0 {
        // A refused attempt checks nothing, so it does not count.
        forget(conn, id)?;
        return Ok((id, Verdict::Wait(wait.unsigned_abs())));
    }
    Ok((id, Verdict::Proceed))
}

pub fn record(conn: &mut PgConnection, user_id: Option<i64>, client_ip: &str) -> QueryResult<i64> {
    diesel::insert_into(login_failures::table)
        .values((login_failures::user_id.eq(user_id), login_failures::client_ip.eq(client_ip)))
        .returning(login_failures::id)
        .get_result(conn)
}

/// Removes one recorded attempt.
pub fn forget(conn: &mut PgConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(login_failures::table.find(id)).execute(conn)
}

fn count(
    conn: &mut PgConnection,
    user_id: Option<i64>,
    client_ip: Option<&str>,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    let mut q = login_failures::table.filter(login_failures::attempted_at.gt(since)).into_boxed();
    if let Some(u) = user_id {
        q = q.filter(login_failures::user_id.eq(u));
    }
    if let Some(ip) = client_ip {
        q = q.filter(login_failures::client_ip.eq(ip.to_owned()));
    }
    q.count().get_result(conn)
}

/// The time of the latest failure of this key other than `except`.
fn last_before(
    conn: &mut PgConnection,
    user_id: Option<i64>,
    client_ip: Option<&str>,
    except: i64,
) -> QueryResult<Option<DateTime<Utc>>> {
    let mut q = login_failures::table.filter(login_failures::id.ne(except)).into_boxed();
    if let Some(u) = user_id {
        q = q.filter(login_failures::user_id.eq(u));
    }
    if let Some(ip) = client_ip {
        q = q.filter(login_failures::client_ip.eq(ip.to_owned()));
    }
    q.select(diesel::dsl::max(login_failures::attempted_at)).first(conn)
}

pub fn clear_for_account(conn: &mut PgConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::user_id.eq(user_id))).execute(conn)
}

/// The cleanup job: failures older than the window no longer count and are deleted.
pub fn delete_older_than(conn: &mut PgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::attempted_at.lt(cutoff))).execute(conn)
}
