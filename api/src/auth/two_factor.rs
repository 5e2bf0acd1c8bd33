//! Two-factor sign-in (TOTP, RFC 6238; issue 10): any account can turn it on with an
//! authenticator app and gets 10 single-use recovery codes (stored hashed). Signing in then
//! takes a second step with a code; a code works once, and wrong codes count toward the same
//! login protection as wrong passwords. Admins can reset an account's second factor (the owner
//! is told by email), and `HELPDESK_REQUIRE_2FA_FOR_STAFF` makes staff set it up before anything
//! else (enforced by the `AuthUser` extractor).

use actix_web::{HttpResponse, delete, post, web};
use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::{
    Problem,
    accounts::{
        ClientKind, DisableTwoFactor, LoginTwoFactor, RecoveryCodes, TokenResponse, TwoFactorCode, TwoFactorSetup,
    },
};
use rand::RngCore;

use super::{Admin, AuthUser, login_failures, password_tokens, tokens, totp};
use crate::{
    accounts::{model::User, repo},
    db::{
        self,
        schema::{recovery_codes, two_factor, users},
    },
    email::{self, Message},
    error::{ApiError, ProblemCode},
    state::AppState,
};

/// How long the second sign-in step may take.
pub const CHALLENGE_TTL: std::time::Duration = std::time::Duration::from_secs(5 * 60);
const RECOVERY_CODES: usize = 10;

fn invalid_code() -> ApiError {
    ApiError::Client {
        status: actix_web::http::StatusCode::BAD_REQUEST,
        code: ProblemCode::InvalidCode,
        title: "Invalid code",
        detail: "The code is wrong, expired or was already used.".into(),
        extensions: Default::default(),
    }
}

/// The account's secret and the last step a code was accepted for.
fn secret_of(conn: &mut PgConnection, user_id: i64) -> QueryResult<Option<(String, i64)>> {
    two_factor::table.find(user_id).select((two_factor::secret, two_factor::last_step)).first(conn).optional()
}

/// Checks a code from the app (once per step) or, with `recovery`, an unused recovery code.
pub fn check_code(conn: &mut PgConnection, user_id: i64, code: &str, recovery: bool) -> Result<bool, ApiError> {
    let Some((secret, last_step)) = secret_of(conn, user_id)? else { return Ok(false) };
    let key = totp::base32_decode(&secret).unwrap_or_default();
    if let Some(step) = totp::matching_step(&key, code, Utc::now().timestamp(), last_step) {
        diesel::update(two_factor::table.find(user_id)).set(two_factor::last_step.eq(step)).execute(conn)?;
        return Ok(true);
    }
    if !recovery {
        return Ok(false);
    }
    let normalized = code.trim().replace([' ', '-'], "").to_lowercase();
    let used = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(tokens::hash(&normalized)))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(Utc::now()))
    .execute(conn)?;
    Ok(used > 0)
}

fn set_enabled(conn: &mut PgConnection, user_id: i64, on: bool) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id)).set(users::two_factor_enabled_at.eq(on.then(Utc::now))).execute(conn)
}

/// Turns the second factor off and forgets its secret and recovery codes.
pub fn remove(conn: &mut PgConnection, user_id: i64) -> QueryResult<()> {
    diesel::delete(two_factor::table.find(user_id)).execute(conn)?;
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id))).execute(conn)?;
    set_enabled(conn, user_id, false)?;
    Ok(())
}

/// Start setting up two-factor sign-in: a new secret for the authenticator app, as text and as
/// a QR code. Nothing changes for signing in until `POST /me/2fa/confirm` with a first code.
#[utoipa::path(
    operation_id = "startTwoFactorSetup",
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The secret for the app.", body = TwoFactorSetup),
        (status = 409, description = "`two_factor_enabled`: turn it off first.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/2fa")]
pub async fn start_setup(me: AuthUser, state: web::Data<AppState>) -> Result<web::Json<TwoFactorSetup>, ApiError> {
    if me.user.two_factor_enabled_at.is_some() {
        return Err(ApiError::conflict(ProblemCode::TwoFactorEnabled, "Two-factor sign-in is already on."));
    }
    let mut key = [0_u8; 20];
    rand::rng().fill_bytes(&mut key);
    let secret = totp::base32(&key);
    let stored = secret.clone();
    let user_id = me.id();
    db::run(&state.pool, move |conn| {
        diesel::insert_into(two_factor::table)
            .values((two_factor::user_id.eq(user_id), two_factor::secret.eq(&stored)))
            .on_conflict(two_factor::user_id)
            .do_update()
            .set((two_factor::secret.eq(&stored), two_factor::last_step.eq(0)))
            .execute(conn)?;
        Ok(())
    })
    .await?;
    let otpauth_uri = totp::otpauth_uri("Helpdesk", &me.user.email, &secret);
    let qr_svg = totp::qr_svg(&otpauth_uri);
    Ok(web::Json(TwoFactorSetup { secret, otpauth_uri, qr_svg }))
}

/// Confirm the set-up with a first code from the app: two-factor sign-in is on, and the 10
/// recovery codes are shown (once).
#[utoipa::path(
    operation_id = "confirmTwoFactorSetup",
    tag = "me",
    request_body = TwoFactorCode,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "On; keep these recovery codes somewhere safe.", body = RecoveryCodes),
        (status = 400, description = "`invalid_code`.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`two_factor_enabled`: already on.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/2fa/confirm")]
pub async fn confirm_setup(
    me: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<TwoFactorCode>,
) -> Result<web::Json<RecoveryCodes>, ApiError> {
    if me.user.two_factor_enabled_at.is_some() {
        return Err(ApiError::conflict(ProblemCode::TwoFactorEnabled, "Two-factor sign-in is already on."));
    }
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| tokens::hash(&c.replace('-', ""))).collect();
    let user_id = me.id();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if !check_code(conn, user_id, &body.code, false)? {
                return Err(invalid_code());
            }
            diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id))).execute(conn)?;
            let rows: Vec<_> =
                hashes.iter().map(|h| (recovery_codes::user_id.eq(user_id), recovery_codes::code_hash.eq(h))).collect();
            diesel::insert_into(recovery_codes::table).values(rows).execute(conn)?;
            set_enabled(conn, user_id, true)?;
            Ok(())
        })
    })
    .await?;
    tracing::info!(user.id = user_id, "two-factor sign-in enabled");
    Ok(web::Json(RecoveryCodes { recovery_codes: codes }))
}

/// `xxxxx-xxxxx` of lower-case letters and digits (about 52 bits).
fn recovery_code() -> String {
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0_u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    let chars: String = bytes.iter().map(|b| char::from(CHARS[usize::from(*b) % CHARS.len()])).collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// Turn two-factor sign-in off: needs the password and a code (or a recovery code).
#[utoipa::path(
    operation_id = "disableTwoFactor",
    tag = "me",
    request_body = DisableTwoFactor,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Off."),
        (status = 400, description = "`invalid_code`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password is wrong.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/2fa")]
pub async fn disable(
    me: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<DisableTwoFactor>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let hash = me.user.password_hash.clone().unwrap_or_default();
    if !state.hasher.verify(body.password.clone(), hash).await? {
        return Err(ApiError::field("password", "is wrong"));
    }
    let user_id = me.id();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if !check_code(conn, user_id, &body.code, true)? {
                return Err(invalid_code());
            }
            Ok(remove(conn, user_id)?)
        })
    })
    .await?;
    tracing::info!(user.id = user_id, "two-factor sign-in disabled");
    Ok(HttpResponse::NoContent().finish())
}

/// Reset an account's second factor (it lost its phone and its recovery codes). The owner is
/// told by email.
#[utoipa::path(
    operation_id = "resetUserTwoFactor",
    tag = "users",
    params(("id" = i64, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Two-factor sign-in is off for the account."),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/users/{id}/2fa")]
pub async fn admin_reset(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (id, public_url) = (id.into_inner(), state.config.public_url.clone());
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let user = repo::find(conn, id)?.ok_or(ApiError::NotFound)?;
            remove(conn, id)?;
            let message = Message::TwoFactorReset { name: user.full_name.clone() };
            email::enqueue(conn, &user.email, user.locale, &message, &public_url)?;
            Ok(())
        })
    })
    .await?;
    state.mail_wake.notify_one();
    tracing::info!(user.id = id, admin.id = admin.0.id(), "two-factor sign-in reset by an admin");
    Ok(HttpResponse::NoContent().finish())
}

/// A challenge for the second sign-in step.
pub fn challenge(conn: &mut PgConnection, user: &User) -> QueryResult<String> {
    password_tokens::create_challenge(conn, user.id, CHALLENGE_TTL)
}

/// The second sign-in step: the challenge from the first answer and a code from the app (or a
/// recovery code, which then is used up). Wrong codes count as failed sign-ins.
#[utoipa::path(
    operation_id = "loginSecondFactor",
    tag = "auth",
    request_body = LoginTwoFactor,
    responses(
        (status = 200, description = "Signed in.", body = TokenResponse),
        (status = 400, description = "`invalid_code`, or the challenge expired (sign in again).", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/login/2fa")]
pub async fn login_second_step(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginTwoFactor>,
) -> Result<HttpResponse, ApiError> {
    let client = super::routes::client_address(&req, &state);
    state.auth_limiter.check(&client)?;
    let body = body.into_inner();
    let api_client = body.client == Some(ClientKind::Api);
    let (policies, captcha) = (state.config.policies.clone(), state.captcha.enabled());
    let (user, session_id, refresh) = db::run(&state.pool, move |conn| {
        let user_id = password_tokens::challenge_owner(conn, &body.challenge)?.ok_or_else(invalid_code)?;
        // The attempt counts before the code is checked, like a password.
        let (attempt, verdict) = login_failures::admit(conn, Some(user_id), &client, &policies, captcha)?;
        if verdict != login_failures::Verdict::Proceed {
            return Err(ApiError::TooManyRequests { retry_after_secs: 60 });
        }
        conn.transaction(|conn| {
            if !check_code(conn, user_id, &body.code, true)? {
                return Ok(Err(invalid_code()));
            }
            login_failures::forget(conn, attempt)?;
            password_tokens::finish_challenge(conn, &body.challenge)?;
            let user = repo::find(conn, user_id)?.filter(|u| u.active).ok_or_else(invalid_code)?;
            super::routes::start_session(conn, user, &policies)
        })
    })
    .await??;
    tracing::info!(user.id = user.id, session.id = session_id, "signed in with two factors");
    super::routes::token_response(&state, user, session_id, &refresh, api_client)
}
