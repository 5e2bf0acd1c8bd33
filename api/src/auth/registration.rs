//! `/api/v1/auth/register` and `/auth/verify-email`: new accounts and proven addresses (see
//! `accounts::verification`).

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::Connection;
use helpdesk_types::{
    Problem,
    accounts::{Notice, RegisterRequest, VerifyEmailRequest},
};
use validator::Validate;

use super::{
    AuthUser, limits,
    routes::{client_address, require_captcha},
};
use crate::{accounts::verification, db, error::ApiError, state::AppState};

/// Register a customer account. The welcome email carries a link that verifies the address;
/// until it is used the account belongs to no organization. The answer is the same whether or
/// not the address already has an account (its owner is told by email instead), so
/// registration reveals nothing; a taken username is still reported.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "Check your inbox.", body = Notice),
        (status = 403, description = "`captcha_required`: many registrations from this address; solve the captcha and send `captcha_token`.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`username_taken`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests or registrations from this address.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/register")]
pub async fn register_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = client_address(&req, &state);
    state.auth_limiter.check(&client)?;
    let mut body = body.into_inner();
    body.validate()?;
    body.email = body.email.trim().to_lowercase();
    let key = client.clone();
    let recent = db::run(&state.pool, move |conn| Ok(limits::recent(conn, limits::Kind::Registration, &key)?)).await?;
    if recent >= i64::from(state.config.policies.registrations_per_ip_hour) {
        require_captcha(&state, body.captcha_token.as_deref(), &client, "Many registrations from your address").await?;
    }
    // Hashed for existing addresses too, so the answer takes the same time.
    let hash = state.hasher.hash(body.password.clone()).await?;
    let public_url = state.config.public_url.clone();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            limits::record(conn, limits::Kind::Registration, &client)?;
            verification::register(conn, &body, &hash, &public_url)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Accepted()
        .json(Notice { message: "Check your inbox: we sent you an email to confirm your address.".into() }))
}

/// Confirm an email address with the token from the emailed link (no sign-in needed). A new
/// address replaces the old one now; a customer joins the organization that owns its domain
/// (or, where the organization wants it, asks an admin to approve).
#[utoipa::path(
    tag = "auth",
    request_body = VerifyEmailRequest,
    responses(
        (status = 204, description = "The address is verified."),
        (status = 400, description = "`invalid_token`: the link is unknown, used or expired.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_taken`: another account has this address meanwhile.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/verify-email")]
pub async fn verify_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<VerifyEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&client_address(&req, &state))?;
    let user =
        db::run(&state.pool, move |conn| conn.transaction(|conn| verification::verify(conn, &body.token))).await?;
    tracing::info!(user.id = user.id, "email address verified");
    Ok(HttpResponse::NoContent().finish())
}

/// Send the verification link again: for a pending new address, or for an unverified one. At
/// most 3 per hour.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A new link is on its way (or nothing needs verifying).", body = Notice),
        (status = 429, description = "Too many links asked for within the hour.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/verify-email/resend")]
pub async fn resend_verification(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (public_url, limit) = (state.config.public_url.clone(), state.config.policies.verification_resends_per_hour);
    let me = user.user;
    let address = me.pending_email.clone().or_else(|| me.email_verified_at.is_none().then(|| me.email.clone()));
    if let Some(address) = address {
        db::run(&state.pool, move |conn| {
            conn.transaction(|conn| {
                if !limits::take(conn, limits::Kind::VerificationResend, &me.id.to_string(), limit)? {
                    return Err(ApiError::TooManyRequests { retry_after_secs: 3600 });
                }
                verification::send_link(conn, &me, &address, &public_url)
            })
        })
        .await?;
        state.mail_wake.notify_one();
    }
    Ok(HttpResponse::Accepted().json(Notice { message: "Check your inbox for the new link.".into() }))
}
