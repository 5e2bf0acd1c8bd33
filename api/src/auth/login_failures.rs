//! Failed logins (P8): stored with the account (if known), the client IP and the time; counted
//! within the window; cleared for an account on its successful login; deleted after the window.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::login_failures;

pub fn record(conn: &mut PgConnection, user_id: Option<i64>, client_ip: &str) -> QueryResult<usize> {
    diesel::insert_into(login_failures::table)
        .values((login_failures::user_id.eq(user_id), login_failures::client_ip.eq(client_ip)))
        .execute(conn)
}

/// Failures of the account and of the client IP since `since`.
pub fn counts(
    conn: &mut PgConnection,
    user_id: Option<i64>,
    client_ip: &str,
    since: DateTime<Utc>,
) -> QueryResult<(i64, i64)> {
    let by_account = match user_id {
        Some(id) => login_failures::table
            .filter(login_failures::user_id.eq(id))
            .filter(login_failures::attempted_at.gt(since))
            .count()
            .get_result(conn)?,
        None => 0,
    };
    let by_ip = login_failures::table
        .filter(login_failures::client_ip.eq(client_ip))
        .filter(login_failures::attempted_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok((by_account, by_ip))
}

pub fn clear_for_account(conn: &mut PgConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::user_id.eq(user_id))).execute(conn)
}

/// The cleanup job: failures older than the window no longer count and are deleted.
pub fn delete_older_than(conn: &mut PgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::attempted_at.lt(cutoff))).execute(conn)
}
