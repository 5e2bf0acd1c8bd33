//! Sessions and their rotating refresh tokens (P11, P13).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::tokens;
use crate::{
    accounts::model::User,
    config::Policies,
    db::schema::{refresh_tokens, sessions, users},
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Session {
    /// Usable now: not revoked, within its absolute lifetime, and not idle for too long.
    pub fn is_live(&self, policies: &Policies, now: DateTime<Utc>) -> bool {
        let idle = (now - self.last_seen_at).to_std().unwrap_or_default();
        self.revoked_at.is_none() && self.expires_at > now && idle < policies.session_idle_timeout
    }
}

/// Why a refresh token was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshRejected {
    Unknown,
    /// A token that was already rotated: the session is revoked (someone may have stolen it).
    Reused,
    Ended,
}

/// Starts a session and returns it with its first refresh token.
pub fn start(conn: &mut PgConnection, user_id: i64, policies: &Policies) -> QueryResult<(Session, String)> {
    let expires_at = Utc::now() + policies.session_max_lifetime;
    let session: Session = diesel::insert_into(sessions::table)
        .values((sessions::user_id.eq(user_id), sessions::expires_at.eq(expires_at)))
        .returning(Session::as_returning())
        .get_result(conn)?;
    let token = issue_refresh_token(conn, session.id)?;
    Ok((session, token))
}

fn issue_refresh_token(conn: &mut PgConnection, session_id: i64) -> QueryResult<String> {
    let token = tokens::generate();
    diesel::insert_into(refresh_tokens::table)
        .values((refresh_tokens::token_hash.eq(tokens::hash(&token)), refresh_tokens::session_id.eq(session_id)))
        .execute(conn)?;
    Ok(token)
}

/// Exchanges a refresh token for a new one (rotation). Call inside a transaction.
pub fn rotate(
    conn: &mut PgConnection,
    presented: &str,
    policies: &Policies,
) -> QueryResult<Result<(Session, User, String), RefreshRejected>> {
    let found: Option<(Option<DateTime<Utc>>, Session, User)> = refresh_tokens::table
        .inner_join(sessions::table.inner_join(users::table))
        .filter(refresh_tokens::token_hash.eq(tokens::hash(presented)))
        .select((refresh_tokens::used_at, Session::as_select(), User::as_select()))
        .for_update()
        .first(conn)
        .optional()?;
    let Some((used_at, session, user)) = found else { return Ok(Err(RefreshRejected::Unknown)) };
    let now = Utc::now();
    if let Some(used_at) = used_at
        && !within_grace(conn, session.id, used_at, now, policies)?
    {
        revoke(conn, session.id, "refresh token reused")?;
        tracing::warn!(session.id = session.id, user.id = user.id, "refresh token reused: session revoked");
        return Ok(Err(RefreshRejected::Reused));
    }
    if !session.is_live(policies, now) || !user.active {
        return Ok(Err(RefreshRejected::Ended));
    }
    diesel::update(refresh_tokens::table.filter(refresh_tokens::token_hash.eq(tokens::hash(presented))))
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)?;
    let session = touch(conn, session.id)?;
    let token = issue_refresh_token(conn, session.id)?;
    Ok(Ok((session, user, token)))
}

/// Two tabs refreshing at once present the same token: the one used last in its session may be
/// presented again for a few seconds (`HELPDESK_REFRESH_GRACE_SECONDS`, default 30). Any other
/// reuse is taken as theft.
fn within_grace(
    conn: &mut PgConnection,
    session_id: i64,
    used_at: DateTime<Utc>,
    now: DateTime<Utc>,
    policies: &Policies,
) -> QueryResult<bool> {
    if (now - used_at).to_std().unwrap_or_default() > policies.refresh_grace {
        return Ok(false);
    }
    let later_used: bool = diesel::select(diesel::dsl::exists(
        refresh_tokens::table
            .filter(refresh_tokens::session_id.eq(session_id))
            .filter(refresh_tokens::used_at.gt(used_at)),
    ))
    .get_result(conn)?;
    Ok(!later_used)
}

/// Marks the session as used now.
pub fn touch(conn: &mut PgConnection, session_id: i64) -> QueryResult<Session> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::last_seen_at.eq(Utc::now()))
        .returning(Session::as_returning())
        .get_result(conn)
}

pub fn revoke(conn: &mut PgConnection, session_id: i64, reason: &str) -> QueryResult<usize> {
    diesel::update(sessions::table.find(session_id).filter(sessions::revoked_at.is_null()))
        .set((sessions::revoked_at.eq(Utc::now()), sessions::revoked_reason.eq(reason)))
        .execute(conn)
}

/// Revokes every session of the account, except `keep` if given.
pub fn revoke_all(conn: &mut PgConnection, user_id: i64, keep: Option<i64>, reason: &str) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne(keep.unwrap_or(0))),
    )
    .set((sessions::revoked_at.eq(Utc::now()), sessions::revoked_reason.eq(reason)))
    .execute(conn)
}

/// The session of an access token together with its account.
pub fn find_with_user(conn: &mut PgConnection, session_id: i64) -> QueryResult<Option<(Session, User)>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .select((Session::as_select(), User::as_select()))
        .first(conn)
        .optional()
}

/// Deletes sessions that can no longer be used (the cleanup job).
pub fn delete_ended(conn: &mut PgConnection, policies: &Policies) -> QueryResult<usize> {
    let idle_cutoff = Utc::now() - policies.session_idle_timeout;
    diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .lt(Utc::now())
                .or(sessions::last_seen_at.lt(idle_cutoff))
                .or(sessions::revoked_at.lt(Utc::now() - chrono::Duration::days(1))),
        ),
    )
    .execute(conn)
}

/// The session a refresh token (used or not) belongs to.
pub fn session_of(conn: &mut PgConnection, presented: &str) -> QueryResult<Option<i64>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(tokens::hash(presented)))
        .select(refresh_tokens::session_id)
        .first(conn)
        .optional()
}
