//! Single-use links: choosing a password (resets, 1 hour; invitations) and proving an email
//! address (24 hours). Stored as SHA-256 hashes; a used link never works again.

use chrono::Utc;
use diesel::prelude::*;

use super::tokens;
use crate::db::schema::password_tokens;

pub const RESET: &str = "reset";
pub const INVITE: &str = "invite";
pub const VERIFY_EMAIL: &str = "verify_email";
pub const TWO_FACTOR: &str = "two_factor";

/// Creates a password token (reset or invitation) for `user_id` valid for `ttl`; returns the
/// token to email.
pub fn create(conn: &mut PgConnection, user_id: i64, purpose: &str, ttl: std::time::Duration) -> QueryResult<String> {
    insert(conn, user_id, purpose, None, ttl)
}

/// Creates a link proving `email` belongs to `user_id`.
pub fn create_verification(
    conn: &mut PgConnection,
    user_id: i64,
    email: &str,
    ttl: std::time::Duration,
) -> QueryResult<String> {
    insert(conn, user_id, VERIFY_EMAIL, Some(email), ttl)
}

fn insert(
    conn: &mut PgConnection,
    user_id: i64,
    purpose: &str,
    email: Option<&str>,
    ttl: std::time::Duration,
) -> QueryResult<String> {
    let token = tokens::generate();
    diesel::insert_into(password_tokens::table)
        .values((
            password_tokens::token_hash.eq(tokens::hash(&token)),
            password_tokens::user_id.eq(user_id),
            password_tokens::purpose.eq(purpose),
            password_tokens::email.eq(email),
            password_tokens::expires_at.eq(Utc::now() + ttl),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The account of a usable (unused, unexpired) password token, without using it: checked
/// before the slow password hash, so a bogus token costs nothing.
pub fn peek_password_token(conn: &mut PgConnection, token: &str) -> QueryResult<Option<i64>> {
    password_tokens::table
        .filter(password_tokens::token_hash.eq(tokens::hash(token)))
        .filter(password_tokens::purpose.eq_any([RESET, INVITE]))
        .filter(password_tokens::used_at.is_null())
        .filter(password_tokens::expires_at.gt(Utc::now()))
        .select(password_tokens::user_id)
        .first(conn)
        .optional()
}

/// Uses a password token (reset or invitation): the account and the purpose, if it is unused
/// and unexpired; it cannot be used again.
pub fn consume(conn: &mut PgConnection, token: &str) -> QueryResult<Option<(i64, String)>> {
    diesel::update(
        password_tokens::table
            .filter(password_tokens::token_hash.eq(tokens::hash(token)))
            .filter(password_tokens::purpose.eq_any([RESET, INVITE]))
            .filter(password_tokens::used_at.is_null())
            .filter(password_tokens::expires_at.gt(Utc::now())),
    )
    .set(password_tokens::used_at.eq(Utc::now()))
    .returning((password_tokens::user_id, password_tokens::purpose))
    .get_result(conn)
    .optional()
}

/// Uses a verification link: the account and the address it proves.
pub fn consume_verification(conn: &mut PgConnection, token: &str) -> QueryResult<Option<(i64, String)>> {
    let found: Option<(i64, Option<String>)> = diesel::update(
        password_tokens::table
            .filter(password_tokens::token_hash.eq(tokens::hash(token)))
            .filter(password_tokens::purpose.eq(VERIFY_EMAIL))
            .filter(password_tokens::used_at.is_null())
            .filter(password_tokens::expires_at.gt(Utc::now())),
    )
    .set(password_tokens::used_at.eq(Utc::now()))
    .returning((password_tokens::user_id, password_tokens::email))
    .get_result(conn)
    .optional()?;
    Ok(found.and_then(|(user, email)| Some((user, email?))))
}

/// A challenge for the second sign-in step of `user_id`.
pub fn create_challenge(conn: &mut PgConnection, user_id: i64, ttl: std::time::Duration) -> QueryResult<String> {
    insert(conn, user_id, TWO_FACTOR, None, ttl)
}

/// The account of a live challenge (it stays usable until it expires or succeeds).
pub fn challenge_owner(conn: &mut PgConnection, token: &str) -> QueryResult<Option<i64>> {
    password_tokens::table
        .filter(password_tokens::token_hash.eq(tokens::hash(token)))
        .filter(password_tokens::purpose.eq(TWO_FACTOR))
        .filter(password_tokens::used_at.is_null())
        .filter(password_tokens::expires_at.gt(Utc::now()))
        .select(password_tokens::user_id)
        .first(conn)
        .optional()
}

/// Ends a challenge once the second step succeeded.
pub fn finish_challenge(conn: &mut PgConnection, token: &str) -> QueryResult<usize> {
    diesel::update(password_tokens::table.filter(password_tokens::token_hash.eq(tokens::hash(token))))
        .set(password_tokens::used_at.eq(Utc::now()))
        .execute(conn)
}

/// Every unused password link of an account stops working (its password changed).
pub fn revoke_password_links(conn: &mut PgConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(
        password_tokens::table
            .filter(password_tokens::user_id.eq(user_id))
            .filter(password_tokens::purpose.eq_any([RESET, INVITE]))
            .filter(password_tokens::used_at.is_null()),
    )
    .set(password_tokens::used_at.eq(Utc::now()))
    .execute(conn)
}

/// The cleanup job.
pub fn delete_expired(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::delete(password_tokens::table.filter(password_tokens::expires_at.lt(Utc::now()))).execute(conn)
}

/// Erasure (P12): every link of the account goes.
pub fn delete_of(conn: &mut PgConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(password_tokens::table.filter(password_tokens::user_id.eq(user_id))).execute(conn)
}
