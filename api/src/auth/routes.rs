//! `/api/v1/auth/*`: register, login, refresh, logout, password reset.

use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, SameSite, time::Duration as CookieDuration},
    http::StatusCode,
    post, web,
};
use chrono::Utc;
use diesel::Connection;
use helpdesk_types::{
    Account, Locale, Problem, Role,
    accounts::{
        ClientKind, LoginRequest, PasswordResetConfirm, PasswordResetRequest, RefreshRequest, RegisterRequest,
        TokenResponse,
    },
};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::{login_failures, password, password_tokens, sessions};
use crate::{
    accounts::{
        model::{NewUser, User},
        repo,
    },
    db,
    email::{self, Message},
    error::{ApiError, ProblemCode},
    middleware::client_ip,
    organizations,
    state::AppState,
};

pub const REFRESH_COOKIE: &str = "helpdesk_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(register_account)
        .service(sign_in)
        .service(refresh_session)
        .service(sign_out)
        .service(request_password_reset)
        .service(confirm_password_reset);
}

fn ip(req: &HttpRequest, state: &AppState) -> String {
    client_ip(req, state.config.trust_proxy).unwrap_or_else(|| "unknown".into())
}

/// The session cookie: no Max-Age/Expires, so it ends with the browser (P13).
fn refresh_cookie(state: &AppState, token: &str) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, token.to_owned())
        .http_only(true)
        .secure(state.config.is_https())
        .same_site(SameSite::Strict)
        .path(COOKIE_PATH)
        .finish()
}

fn expired_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = refresh_cookie(state, "");
    cookie.set_max_age(CookieDuration::ZERO);
    cookie
}

fn token_response(
    state: &AppState,
    user: User,
    session_id: i64,
    refresh: &str,
    body_refresh: bool,
) -> Result<HttpResponse, ApiError> {
    let access_token = state.jwt.issue(user.id, user.role, session_id)?;
    let body = TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl().as_secs(),
        refresh_token: body_refresh.then(|| refresh.to_owned()),
        user: user.into(),
    };
    Ok(HttpResponse::Ok()
        .cookie(refresh_cookie(state, refresh))
        .insert_header(("Cache-Control", "no-store"))
        .json(body))
}

/// Register a customer account. Sends the welcome email.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The account was created.", body = Account),
        (status = 409, description = "The email or username is already registered.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/register")]
async fn register_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&ip(&req, &state))?;
    let body = body.into_inner();
    body.validate()?;
    let hash = password::hash_off_thread(body.password.clone(), state.config.bcrypt_cost).await?;
    let st = state.clone();
    let user = db::run(&state.pool, move |conn| {
        let locale = body.locale.unwrap_or(Locale::En);
        conn.transaction(|conn| {
            // A customer whose email domain belongs to an organization joins it.
            let organization_id = organizations::repo::find_by_email_domain(conn, &body.email)?;
            let user = repo::create(
                conn,
                NewUser {
                    email: &body.email,
                    username: &body.username,
                    full_name: &body.full_name,
                    company: body.company.as_deref().map(str::trim).filter(|c| !c.is_empty()),
                    phone: body.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()),
                    password_hash: Some(&hash),
                    role: Role::Customer,
                    locale,
                    organization_id,
                },
            )?;
            let welcome = Message::Welcome { name: user.full_name.clone(), username: user.username.clone() };
            email::enqueue(conn, &user.email, locale, &welcome, &st.config.public_url)?;
            Ok(user)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    tracing::info!(user.id = user.id, "account registered");
    Ok(HttpResponse::Created().json(Account::from(user)))
}

/// Sign in with email or username and password. Sets the refresh credential as an HttpOnly
/// session cookie; `client: api` also returns it in the body. After 5 failed attempts for the
/// account (or 20 from the address) within an hour, a captcha is required.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in.", body = TokenResponse,
         headers(("Set-Cookie" = String, description = "`helpdesk_refresh`: HttpOnly; SameSite=Strict; Path=/api/v1/auth; a session cookie"))),
        (status = 401, description = "Wrong login or password (the same answer for both).", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`captcha_required`: solve the captcha (site key in `sitekey`) and send `captcha_token`; `account_disabled`: the account was deactivated.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts and no captcha is configured, or too many requests.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The captcha verifier is unreachable.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/login")]
async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = ip(&req, &state);
    state.auth_limiter.check(&client)?;
    let body = body.into_inner();
    if body.login.len() > 254 || body.password.len() > 1024 {
        return Err(wrong_login());
    }
    let (login, ip_for_db) = (body.login.clone(), client.clone());
    let window_start = Utc::now() - state.config.policies.login_failure_window;
    let (user, failures) = db::run(&state.pool, move |conn| {
        let user = repo::find_by_login(conn, &login)?;
        let failures = login_failures::counts(conn, user.as_ref().map(|u| u.id), &ip_for_db, window_start)?;
        Ok((user, failures))
    })
    .await?;
    require_captcha_after_failures(&state, failures, body.captcha_token.as_deref(), &client).await?;
    // Verified off the async threads and without a connection; an unknown account is checked
    // against a dummy hash so both cases take the same time.
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches =
        password::verify_off_thread(body.password.clone(), stored.unwrap_or_else(|| state.dummy_hash.clone())).await?
            && user.as_ref().is_some_and(|u| u.password_hash.is_some());
    let policies = state.config.policies.clone();
    let (user, session_id, refresh) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| match user {
            Some(user) if matches => start_session(conn, user, &policies),
            user => {
                login_failures::record(conn, user.map(|u| u.id), &client)?;
                Ok(Err(wrong_login()))
            }
        })
    })
    .await??;
    tracing::info!(user.id = user.id, session.id = session_id, "signed in");
    token_response(&state, user, session_id, &refresh, body.client == Some(ClientKind::Api))
}

fn wrong_login() -> ApiError {
    ApiError::Unauthenticated("The login or the password is wrong.".into())
}

/// Brute-force protection (P8): after too many failures for the account or from the address,
/// a solved captcha is required (or, without a captcha configured, the attempt waits).
async fn require_captcha_after_failures(
    state: &AppState,
    (by_account, by_ip): (i64, i64),
    captcha_token: Option<&str>,
    client: &str,
) -> Result<(), ApiError> {
    let policies = &state.config.policies;
    if by_account < i64::from(policies.login_failures_per_account) && by_ip < i64::from(policies.login_failures_per_ip)
    {
        return Ok(());
    }
    if !state.captcha.enabled() {
        return Err(ApiError::TooManyRequests { retry_after_secs: policies.login_failure_window.as_secs() });
    }
    let Some(token) = captcha_token.filter(|t| !t.is_empty()) else {
        return Err(state.captcha.required("Too many failed sign-ins: solve the captcha and try again."));
    };
    if !state.captcha.verify(token, Some(client)).await? {
        return Err(state.captcha.required("The captcha was not solved; try again."));
    }
    Ok(())
}

/// The right password: a deactivated account is refused, otherwise its failures are forgotten
/// and a session starts. The inner error is the answer, not a reason to roll back.
fn start_session(
    conn: &mut diesel::PgConnection,
    user: User,
    policies: &crate::config::Policies,
) -> Result<Result<(User, i64, String), ApiError>, ApiError> {
    if !user.active {
        return Ok(Err(ApiError::Client {
            status: StatusCode::FORBIDDEN,
            code: ProblemCode::AccountDisabled,
            title: "Account disabled",
            detail: "This account has been deactivated.".into(),
            extensions: Default::default(),
        }));
    }
    login_failures::clear_for_account(conn, user.id)?;
    repo::mark_active(conn, user.id)?;
    let (session, refresh) = sessions::start(conn, user.id, policies)?;
    Ok(Ok((user, session.id, refresh)))
}

/// The refresh credential of a request: the body's `refresh_token`, else the cookie.
fn presented_refresh(req: &HttpRequest, body: &RefreshRequest) -> Option<(String, bool)> {
    if let Some(token) = body.refresh_token.as_deref().filter(|t| !t.is_empty()) {
        return Some((token.to_owned(), true));
    }
    req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()).filter(|v| !v.is_empty()).map(|v| (v, false))
}

/// Exchange the refresh credential (cookie, or `refresh_token` in the body) for a new access
/// token and a new refresh credential. A refresh credential works once; presenting a used one
/// ends the session. Only `application/json` requests are accepted, so a cross-site form
/// cannot use the cookie.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    security((), ("refresh_cookie" = [])),
    responses(
        (status = 200, description = "A new access token; the refresh credential was rotated.", body = TokenResponse),
        (status = 401, description = "No valid refresh credential, or the session ended.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not an application/json request.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/refresh")]
async fn refresh_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&ip(&req, &state))?;
    let Some((token, from_body)) = presented_refresh(&req, &body) else {
        return Err(ApiError::Unauthenticated("No refresh credential was sent; sign in.".into()));
    };
    let st = state.clone();
    let rotated = db::run(&state.pool, move |conn| {
        let result = conn.transaction(|conn| sessions::rotate(conn, &token, &st.config.policies))?;
        if let Ok((_, user, _)) = &result {
            repo::mark_active(conn, user.id)?;
        }
        Ok(result)
    })
    .await?;
    match rotated {
        Ok((session, user, new_token)) => token_response(&state, user, session.id, &new_token, from_body),
        Err(rejected) => {
            let mut response = actix_web::ResponseError::error_response(&ApiError::Unauthenticated(
                match rejected {
                    sessions::RefreshRejected::Reused => {
                        "This refresh credential was already used; the session was ended for safety."
                    }
                    _ => "The session has ended; sign in again.",
                }
                .into(),
            ));
            let _ = response.add_cookie(&expired_cookie(&state));
            Ok(response)
        }
    }
}

/// End the session of the refresh credential (cookie or body) or of the bearer token, and
/// clear the cookie. Always 204.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    security((), ("refresh_cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Signed out."),
        (status = 415, description = "Not an application/json request.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/logout")]
async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let refresh = presented_refresh(&req, &body).map(|(t, _)| t);
    let bearer_session = super::extract::bearer(&req).and_then(|t| state.jwt.verify(&t)).map(|c| c.sid);
    db::run(&state.pool, move |conn| {
        if let Some(token) = refresh
            && let Some(session_id) = sessions::session_of(conn, &token)?
        {
            sessions::revoke(conn, session_id, "signed out")?;
        }
        if let Some(session_id) = bearer_session {
            sessions::revoke(conn, session_id, "signed out")?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().cookie(expired_cookie(&state)).finish())
}

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
async fn request_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&ip(&req, &state))?;
    let st = state.clone();
    let queued = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(user) = repo::find_by_email(conn, &body.email)?.filter(|u| u.active) else { return Ok(false) };
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
async fn confirm_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<PasswordResetConfirm>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&ip(&req, &state))?;
    let body = body.into_inner();
    body.validate()?;
    let hash = password::hash_off_thread(body.new_password.clone(), state.config.bcrypt_cost).await?;
    let st = state.clone();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let invalid = || ApiError::Client {
                status: StatusCode::BAD_REQUEST,
                code: ProblemCode::InvalidToken,
                title: "Invalid link",
                detail: "This link is invalid, was already used or has expired; ask for a new one.".into(),
                extensions: Default::default(),
            };
            let user_id = password_tokens::consume(conn, &body.token)?.ok_or_else(invalid)?;
            let user = repo::find(conn, user_id)?.filter(|u| u.active).ok_or_else(invalid)?;
            repo::set_password(conn, user.id, &hash)?;
            sessions::revoke_all(conn, user.id, None, "password reset")?;
            login_failures::clear_for_account(conn, user.id)?;
            email::enqueue(
                conn,
                &user.email,
                user.locale,
                &Message::PasswordChanged { name: user.full_name.clone() },
                &st.config.public_url,
            )?;
            Ok(())
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::NoContent().finish())
}
