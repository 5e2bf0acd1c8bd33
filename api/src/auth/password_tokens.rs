//! Single-use links for choosing a password: resets (1 hour) and invitations.

use chrono::Utc;
use diesel::prelude::*;

use super::tokens;
use crate::db::schema::password_tokens;

pub const RESET: &str = "reset";
pub const INVITE: &str = "invite";

/// Creates a token for `user_id` valid for `ttl`; returns the token to email.
pub fn create(conn: &mut PgConnection, user_id: i64, purpose: &str, ttl: std::time::Duration) -> QueryResult<String> {
    let token = tokens::generate();
    let expires_at = Utc::now() + ttl;
    diesel::insert_into(password_tokens::table)
        .values((
            password_tokens::token_hash.eq(tokens::hash(&token)),
            password_tokens::user_id.eq(user_id),
            password_tokens::purpose.eq(purpose),
            password_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Uses a token: the account it belongs to, if it is unused and unexpired; it cannot be used again.
pub fn consume(conn: &mut PgConnection, token: &str) -> QueryResult<Option<i64>> {
    diesel::update(
        password_tokens::table
            .filter(password_tokens::token_hash.eq(tokens::hash(token)))
            .filter(password_tokens::used_at.is_null())
            .filter(password_tokens::expires_at.gt(Utc::now())),
    )
    .set(password_tokens::used_at.eq(Utc::now()))
    .returning(password_tokens::user_id)
    .get_result(conn)
    .optional()
}

/// The cleanup job.
pub fn delete_expired(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::delete(password_tokens::table.filter(password_tokens::expires_at.lt(Utc::now()))).execute(conn)
}
