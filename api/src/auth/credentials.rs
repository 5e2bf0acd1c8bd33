//! What a new password means, wherever it is set (reset link, invitation, profile): the hash is
//! stored, every other session ends, every unused reset or invitation link stops working,
//! failed sign-ins are forgotten, and the owner is told by email.

use diesel::PgConnection;

use super::{login_failures, password_tokens, sessions};
use crate::{
    accounts::{model::User, repo},
    email::{self, Message},
    error::ApiError,
};

pub fn replace_password(
    conn: &mut PgConnection,
    user: &User,
    hash: &str,
    keep_session: Option<i64>,
    reason: &str,
    public_url: &str,
) -> Result<(), ApiError> {
    repo::set_password(conn, user.id, hash)?;
    sessions::revoke_all(conn, user.id, keep_session, reason)?;
    password_tokens::revoke_password_links(conn, user.id)?;
    login_failures::clear_for_account(conn, user.id)?;
    let message = Message::PasswordChanged { name: user.full_name.clone() };
    email::enqueue(conn, &user.email, user.locale, &message, public_url)?;
    Ok(())
}
