//! `/api/v1/auth/password-reset`: links to choose a new password (resets and invitations).

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::Connection;
use helpdesk_types::{
    Problem,
    accounts::{PasswordResetConfirm, PasswordResetRequest},
};
use validator::Validate;

use super::{credentials, limits, password_tokens, routes::client_address};
use crate::{
    accounts::{repo, verification},
    db,
    email::{self, Message},
    error::ApiError,
    state::AppState,
};

/// Ask for a password-reset link. Always 202, whether or not the address has an account.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If the address has an account, a single-use link valid for 1 hour was emailed."),
        (status = 429, description = "Too many requests from this address.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    state.auth_limiter.check(&client_address(&req, &state))?;
    let st = state.clone();
    let queued = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(user) = repo::find_by_email(conn, &body.email)?.filter(|u| u.active) else { return Ok(false) };
            let limit = st.config.policies.reset_mails_per_address_hour;
            // Over the limit the answer stays the same; the address just gets no more mail.
            if !limits::take(conn, limits::Kind::ResetMail, &user.email, limit)? {
                return Ok(false);
            }
            let ttl = st.config.policies.password_reset_ttl;
            let token = password_tokens::create(conn, user.id, password_tokens::RESET, ttl)?;
            let message =
                Message::PasswordReset { name: user.full_name.clone(), token, valid_minutes: ttl.as_secs() / 60 };
            email::enqueue(conn, &user.email, user.locale, &message, &st.config.public_url)?;
            Ok(true)
        })
    })
    .await?;
    if queued {
        state.mail_wake.notify_one();
    }
    Ok(HttpResponse::Accepted().finish())
}

/// Choose a new password with the token from a reset or invitation email. Ends every session of
/// the account and emails a confirmation.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetConfirm,
    responses(
        (status = 204, description = "The password was changed."),
        (status = 400, description = "`invalid_token`: the link is unknown, used or expired.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The new password is not acceptable.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<PasswordResetConfirm>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&client_address(&req, &state))?;
    let body = body.into_inner();
    body.validate()?;
    // A bogus link costs no bcrypt work: the token is checked before the hash.
    let token = body.token.clone();
    db::run(&state.pool, move |conn| {
        password_tokens::peek_password_token(conn, &token)?.ok_or_else(verification::invalid_link)
    })
    .await?;
    let hash = state.hasher.hash(body.new_password.clone()).await?;
    let public_url = state.config.public_url.clone();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let (user_id, purpose) =
                password_tokens::consume(conn, &body.token)?.ok_or_else(verification::invalid_link)?;
            let user = repo::find(conn, user_id)?.filter(|u| u.active).ok_or_else(verification::invalid_link)?;
            if purpose == password_tokens::INVITE && user.email_verified_at.is_none() {
                // The invitation went to this address: using it proves the address.
                repo::set_verified_email(conn, user.id, &user.email)?;
            }
            credentials::replace_password(conn, &user, &hash, None, "password reset", &public_url)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::NoContent().finish())
}
