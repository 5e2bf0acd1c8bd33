//! Email ownership before organization membership (issue 10): a registration, an email change
//! or a resend mails a single-use link (24 hours); using it proves the address. Only a proven
//! address joins the organization that owns its domain, at once (`verified_domain`) or after an
//! admin's approval (`approval`). Registration never reveals whether an address has an account.

use diesel::PgConnection;
use helpdesk_types::{Locale, Role, accounts::RegisterRequest, organizations::JoinPolicy};

use super::{
    model::{NewUser, User},
    repo,
};
use crate::{
    auth::password_tokens,
    email::{self, Message},
    error::{ApiError, ProblemCode},
    organizations,
};

/// How long a verification link works.
pub const LINK_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Registers a customer, or, when the address already has an account, tells its owner instead.
/// Either way the caller answers the same. A taken username is reported (it is a chosen handle,
/// not an address).
pub fn register(conn: &mut PgConnection, body: &RegisterRequest, hash: &str, public_url: &str) -> Result<(), ApiError> {
    if let Some(owner) = repo::find_by_email(conn, &body.email)? {
        let notice = Message::RegistrationAttempt { name: owner.full_name.clone(), username: owner.username.clone() };
        email::enqueue(conn, &owner.email, owner.locale, &notice, public_url)?;
        return Ok(());
    }
    let locale = body.locale.unwrap_or(Locale::En);
    let created = repo::create(
        conn,
        NewUser {
            email: &body.email,
            username: &body.username,
            full_name: &body.full_name,
            company: body.company.as_deref(),
            phone: body.phone.as_deref(),
            password_hash: Some(hash),
            role: Role::Customer,
            locale,
            organization_id: None,
            email_verified_at: None,
        },
    );
    let user = match created {
        Ok(user) => user,
        // Registered a moment ago by a concurrent request: answer as for any existing address.
        Err(ApiError::Conflict { code: ProblemCode::EmailTaken, .. }) => return Ok(()),
        Err(other) => return Err(other),
    };
    let token = password_tokens::create_verification(conn, user.id, &user.email, LINK_TTL)?;
    let welcome =
        Message::Welcome { name: user.full_name.clone(), username: user.username.clone(), verify_token: Some(token) };
    email::enqueue(conn, &user.email, locale, &welcome, public_url)?;
    tracing::info!(user.id = user.id, "account registered");
    Ok(())
}

/// Mails a link proving `address` (the pending new address, or the unverified current one).
pub fn send_link(conn: &mut PgConnection, user: &User, address: &str, public_url: &str) -> Result<(), ApiError> {
    let token = password_tokens::create_verification(conn, user.id, address, LINK_TTL)?;
    let message = Message::VerifyEmail { name: user.full_name.clone(), token };
    email::enqueue(conn, address, user.locale, &message, public_url)?;
    Ok(())
}

/// An email change: the new address waits until its link is used; the current one is told.
pub fn request_change(conn: &mut PgConnection, user: &User, new_email: &str, public_url: &str) -> Result<(), ApiError> {
    repo::set_pending_email(conn, user.id, new_email)?;
    send_link(conn, user, new_email, public_url)?;
    let notice = Message::EmailChangeRequested { name: user.full_name.clone(), new_email: new_email.to_owned() };
    email::enqueue(conn, &user.email, user.locale, &notice, public_url)?;
    Ok(())
}

/// The problem for a link that is unknown, used or expired.
pub fn invalid_link() -> ApiError {
    ApiError::Client {
        status: actix_web::http::StatusCode::BAD_REQUEST,
        code: ProblemCode::InvalidToken,
        title: "Invalid link",
        detail: "This link is invalid, was already used or has expired; ask for a new one.".into(),
        extensions: Default::default(),
    }
}

/// Uses a verification link: the address becomes the account's (verified) email, and the
/// organization membership follows the new address.
pub fn verify(conn: &mut PgConnection, token: &str) -> Result<User, ApiError> {
    let (user_id, address) = password_tokens::consume_verification(conn, token)?.ok_or_else(invalid_link)?;
    let before = repo::find(conn, user_id)?.ok_or_else(invalid_link)?;
    if address != before.email {
        repo::ensure_available(conn, Some(&address), None)?;
    }
    let after = repo::set_verified_email(conn, user_id, &address).map_err(repo::map_unique_violation)?;
    follow_address(conn, &before, &after)?;
    repo::find(conn, user_id)?.ok_or_else(invalid_link)
}

/// Membership after an address was proven: a customer joins the organization that owns the new
/// address's domain (or asks to, under `approval`); a membership that came from the old
/// address's domain ends when the new address is outside it. Staff are never moved.
fn follow_address(conn: &mut PgConnection, before: &User, after: &User) -> Result<(), ApiError> {
    if after.role != Role::Customer {
        return Ok(());
    }
    if let Some(current) = after.organization_id
        && let Some(org) = organizations::repo::find(conn, current)?
        && org.owns_address(&before.email)
        && !org.owns_address(&after.email)
    {
        repo::set_organization(conn, after.id, None)?;
    }
    let Some(org) = organizations::repo::find_by_email_domain(conn, &after.email)? else { return Ok(()) };
    if after.organization_id == Some(org.id) {
        return Ok(());
    }
    match org.join_policy {
        JoinPolicy::VerifiedDomain => repo::set_organization(conn, after.id, Some(org.id))?,
        JoinPolicy::Approval => repo::request_organization(conn, after.id, Some(org.id))?,
    };
    Ok(())
}
