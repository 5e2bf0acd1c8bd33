//! `/api/v1/auth/*`: sign-in (with login protection), refresh and sign-out; the route table of
//! the auth feature (registration in `registration.rs`, password links in `reset.rs`, the second
//! factor in `two_factor.rs`).

use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, SameSite, time::Duration as CookieDuration},
    post, web,
};
use diesel::Connection;
use helpdesk_types::{
    Problem,
    accounts::{ClientKind, LoginRequest, LoginResponse, RefreshRequest, TokenResponse, TwoFactorChallenge},
};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::{limits, login_failures, registration, reset, sessions, two_factor};
use crate::{
    accounts::{model::User, repo},
    db,
    error::ApiError,
    middleware::client_ip,
    state::AppState,
};

pub const REFRESH_COOKIE: &str = "helpdesk_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(registration::register_account)
        .service(registration::verify_email)
        .service(registration::resend_verification)
        .service(sign_in)
        .service(two_factor::login_second_step)
        .service(two_factor::start_setup)
        .service(two_factor::confirm_setup)
        .service(two_factor::disable)
        .service(two_factor::admin_reset)
        .service(refresh_session)
        .service(sign_out)
        .service(reset::request_password_reset)
        .service(reset::confirm_password_reset);
}

/// The client address of a request (see `middleware::client_ip`).
pub(crate) fn client_address(req: &HttpRequest, state: &AppState) -> String {
    client_ip(req, &state.config.trusted_proxies).unwrap_or_else(|| "unknown".into())
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

pub(crate) fn token_response(
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

/// A solved captcha, required when a threshold is reached (or, without a configured captcha,
/// a 429 until the window has passed).
pub(crate) async fn require_captcha(
    state: &AppState,
    token: Option<&str>,
    client: &str,
    why: &str,
) -> Result<(), ApiError> {
    if !state.captcha.enabled() {
        return Err(ApiError::TooManyRequests { retry_after_secs: limits::WINDOW.num_seconds().unsigned_abs() });
    }
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(state.captcha.required(&format!("{why}: solve the captcha and try again.")));
    };
    if !state.captcha.verify(token, Some(client)).await? {
        return Err(state.captcha.required("The captcha was not solved; try again."));
    }
    Ok(())
}

/// Sign in with email or username and password. Sets the refresh credential as an HttpOnly
/// session cookie; `client: api` also returns it in the body. After 5 failed attempts for the
/// account (or 20 from the address) within an hour, a captcha is required; without a configured
/// captcha, the guessing address waits instead (2, 4, 8 ... seconds), while the account's owner
/// elsewhere can still sign in. A deactivated account answers like a wrong password.
#[utoipa::path(
    operation_id = "login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; or, for an account with two factors, the challenge for `POST /auth/login/2fa`.", body = LoginResponse,
         headers(("Set-Cookie" = String, description = "`helpdesk_refresh`: HttpOnly; SameSite=Strict; Path=/api/v1/auth; a session cookie"))),
        (status = 401, description = "Wrong login or password (the same answer for both).", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`captcha_required`: solve the captcha (site key in `sitekey`) and send `captcha_token`.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "No captcha is configured and this account (from this address) or this address failed too often: wait `Retry-After` seconds; or too many requests.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The captcha verifier is unreachable.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/login")]
async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = client_address(&req, &state);
    state.auth_limiter.check(&client)?;
    let body = body.into_inner();
    if body.login.len() > 254 || body.password.len() > 1024 {
        return Err(wrong_login());
    }
    if body.captcha_token.as_ref().is_some_and(|t| t.len() > helpdesk_types::validation::limits::CAPTCHA_TOKEN) {
        return Err(ApiError::field("captcha_token", "must be at most 8192 characters"));
    }
    let (login, ip_for_db) = (body.login.clone(), client.clone());
    let (policies, captcha) = (state.config.policies.clone(), state.captcha.enabled());
    let (user, attempt, verdict) = db::run(&state.pool, move |conn| {
        let user = repo::find_by_login(conn, &login)?;
        let (attempt, verdict) =
            login_failures::admit(conn, user.as_ref().map(|u| u.id), &ip_for_db, &policies, captcha)?;
        Ok((user, attempt, verdict))
    })
    .await?;
    enforce(verdict, &state, body.captcha_token.as_deref(), &client).await?;
    // Verified off the async threads and without a connection; an unknown account is checked
    // against a dummy hash so both cases take the same time.
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches =
        state.hasher.verify(body.password.clone(), stored.unwrap_or_else(|| state.dummy_hash.clone())).await?
            && user.as_ref().is_some_and(|u| u.password_hash.is_some());
    let policies = state.config.policies.clone();
    let signed_in = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| match user {
            // With two factors the right password only earns the second step; the attempt is not
            // a failure, but the account's earlier failures still count.
            Some(user) if matches && user.active && user.two_factor_enabled_at.is_some() => {
                login_failures::forget(conn, attempt)?;
                Ok(Ok(SignIn::SecondStep(two_factor::challenge(conn, &user)?)))
            }
            // A deactivated account answers like a wrong password: no oracle for its password.
            Some(user) if matches && user.active => {
                Ok(start_session(conn, user, &policies)?.map(|done| SignIn::Done(Box::new(done))))
            }
            // The attempt was recorded as a failure before the check; it stays one.
            _ => Ok(Err(wrong_login())),
        })
    })
    .await??;
    match signed_in {
        SignIn::SecondStep(challenge) => Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(LoginResponse::TwoFactor(TwoFactorChallenge { two_factor_required: true, challenge }))),
        SignIn::Done(done) => {
            let (user, session_id, refresh) = *done;
            tracing::info!(user.id = user.id, session.id = session_id, "signed in");
            token_response(&state, user, session_id, &refresh, body.client == Some(ClientKind::Api))
        }
    }
}

/// What the right password leads to.
enum SignIn {
    Done(Box<(User, i64, String)>),
    SecondStep(String),
}

/// What the login protection decided for an attempt, before its password is checked.
async fn enforce(
    verdict: login_failures::Verdict,
    state: &AppState,
    captcha_token: Option<&str>,
    client: &str,
) -> Result<(), ApiError> {
    match verdict {
        login_failures::Verdict::Proceed => Ok(()),
        login_failures::Verdict::NeedsCaptcha => {
            require_captcha(state, captcha_token, client, "Too many failed sign-ins").await
        }
        login_failures::Verdict::Wait(secs) => Err(ApiError::TooManyRequests { retry_after_secs: secs }),
    }
}

fn wrong_login() -> ApiError {
    ApiError::Unauthenticated("The login or the password is wrong.".into())
}

/// The right password: the account's failures (this attempt's included) are forgotten and a
/// session starts.
pub(crate) fn start_session(
    conn: &mut diesel::PgConnection,
    user: User,
    policies: &crate::config::Policies,
) -> Result<Result<(User, i64, String), ApiError>, ApiError> {
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
        (status = 204, description = "No refresh credential was sent (no cookie, no `refresh_token`): there is no session to continue."),
        (status = 401, description = "The refresh credential is not valid, or the session ended.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not an application/json request.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/refresh")]
async fn refresh_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    state.auth_limiter.check(&client_address(&req, &state))?;
    let Some((token, from_body)) = presented_refresh(&req, &body) else {
        // No credential at all is the normal state of a visitor, not an error.
        return Ok(HttpResponse::NoContent().finish());
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
    operation_id = "logout",
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
    body.validate()?;
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
