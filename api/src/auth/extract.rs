//! Who is calling: the extractors that authenticate a request and check its role, in one place.
//! A handler states what it needs in its signature: [`AuthUser`] (anyone signed in), [`Staff`]
//! (agents and admins) or [`Admin`].

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use chrono::Utc;
use helpdesk_types::Role;

use super::{jwt::Claims, sessions};
use crate::{accounts::model::User, db, error::ApiError, state::AppState};

/// How often the session's last-seen time is written, at most (activity within this interval
/// is not recorded again).
const TOUCH_INTERVAL_SECS: i64 = 30;

/// A signed-in person with a live session.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: User,
    /// 0 when an API token authenticated the request.
    pub session_id: i64,
    /// The API token, when one authenticated the request (`None`: a signed-in session).
    pub token: Option<super::api_tokens::Grant>,
}

impl AuthUser {
    pub fn id(&self) -> i64 {
        self.user.id
    }
    pub fn role(&self) -> Role {
        self.user.role
    }
    pub fn is_staff(&self) -> bool {
        self.user.role.is_staff()
    }
}

/// An agent or admin.
#[derive(Debug, Clone)]
pub struct Staff(pub AuthUser);

/// An admin.
#[derive(Debug, Clone)]
pub struct Admin(pub AuthUser);

fn unauthenticated(detail: &str) -> ApiError {
    ApiError::Unauthenticated(detail.to_owned())
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case).
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

/// The synchronous half: a valid access token, checked before any other extractor finishes
/// (so a guest or a customer gets 401/403 rather than, say, a validation error).
fn verify(req: &HttpRequest) -> Result<(web::Data<AppState>, Claims), ApiError> {
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal("AppState missing"))?.clone();
    let token = bearer(req)
        .ok_or_else(|| unauthenticated("Sign in and send the access token as `Authorization: Bearer <token>`."))?;
    let claims = state.jwt.verify(&token).ok_or_else(|| unauthenticated("The access token is invalid or expired."))?;
    Ok((state, claims))
}

/// The asynchronous half: the session is live and the account active. A session checked within
/// the last two seconds is taken from the instance's cache (`session_cache`), unless its
/// last-seen time is due to be written.
async fn load(state: web::Data<AppState>, claims: Claims) -> Result<AuthUser, ApiError> {
    let policies = state.config.policies.clone();
    if let Some((session, user)) = state.sessions.get(claims.sid)
        && (Utc::now() - session.last_seen_at).num_seconds() < TOUCH_INTERVAL_SECS
    {
        return live(&claims, session, user, &policies);
    }
    let cache = std::sync::Arc::clone(&state.sessions);
    let generation = cache.generation();
    db::run(&state.pool, move |conn| {
        let (mut session, user) =
            sessions::find_with_user(conn, claims.sid)?.ok_or_else(|| unauthenticated("The session has ended."))?;
        let user = live(&claims, session.clone(), user, &policies)?.user;
        if (Utc::now() - session.last_seen_at).num_seconds() >= TOUCH_INTERVAL_SECS {
            session = sessions::touch(conn, session.id)?;
        }
        cache.put(generation, session.clone(), user.clone());
        Ok(AuthUser { user, session_id: session.id, token: None })
    })
    .await
}

/// The session belongs to the token's account, is live, and the account active.
fn live(
    claims: &Claims,
    session: sessions::Session,
    user: User,
    policies: &crate::config::Policies,
) -> Result<AuthUser, ApiError> {
    if user.id.to_string() != claims.sub || !session.is_live(policies, Utc::now()) || !user.active {
        return Err(unauthenticated("The session has ended; sign in again."));
    }
    Ok(AuthUser { user, session_id: session.id, token: None })
}

/// Authenticates and requires `allowed(role)`. The role in the token is checked first (a role
/// change revokes the account's sessions, so it is current), the stored role again after loading.
fn authenticate(req: &HttpRequest, allowed: fn(Role) -> bool, forbidden: &'static str) -> Fut<AuthUser> {
    if let Some(secret) = bearer(req).filter(|t| t.starts_with("hd_")) {
        return by_api_token(req, secret, allowed, forbidden);
    }
    let verified = verify(req).and_then(|(state, claims)| {
        if allowed(claims.role) { Ok((state, claims)) } else { Err(ApiError::Forbidden(forbidden.into())) }
    });
    let path = req.path().to_owned();
    Box::pin(async move {
        let (state, claims) = verified?;
        let require_2fa = state.config.require_2fa_for_staff;
        let user = load(state, claims).await?;
        if require_2fa && user.is_staff() && user.user.two_factor_enabled_at.is_none() && !may_set_up_2fa(&path) {
            return Err(two_factor_setup_required());
        }
        if allowed(user.role()) { Ok(user) } else { Err(ApiError::Forbidden(forbidden.into())) }
    })
}

/// An API token: live, with the scope the route needs, and the owner's role allowed here.
fn by_api_token(
    req: &HttpRequest,
    secret: String,
    allowed: fn(Role) -> bool,
    forbidden: &'static str,
) -> Fut<AuthUser> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let pattern = req.match_pattern().unwrap_or_else(|| req.path().to_owned());
    let need = super::api_tokens::need(req.method().as_str(), &pattern);
    Box::pin(async move {
        let state = state.ok_or_else(|| ApiError::internal("AppState missing"))?;
        let (user, grant) = db::run(&state.pool, move |conn| super::api_tokens::authenticate(conn, &secret)).await?;
        grant.allows(need)?;
        if !allowed(user.role) {
            return Err(ApiError::Forbidden(forbidden.into()));
        }
        Ok(AuthUser { user, session_id: 0, token: Some(grant) })
    })
}

/// What staff without a second factor may still reach when it is required: their profile, the
/// set-up and signing out.
fn may_set_up_2fa(path: &str) -> bool {
    path == "/api/v1/me" || path.starts_with("/api/v1/me/2fa") || path.starts_with("/api/v1/auth/")
}

fn two_factor_setup_required() -> ApiError {
    ApiError::Client {
        status: actix_web::http::StatusCode::FORBIDDEN,
        code: crate::error::ProblemCode::TwoFactorSetupRequired,
        title: "Two-factor sign-in required",
        detail: "Support staff must set up two-factor sign-in (POST /api/v1/me/2fa) before anything else.".into(),
        extensions: Default::default(),
    }
}

type Fut<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        authenticate(req, |_| true, "")
    }
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = authenticate(req, Role::is_staff, "Only support staff may do this.");
        Box::pin(async move { user.await.map(Staff) })
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = authenticate(req, |r| r == Role::Admin, "Only admins may do this.");
        Box::pin(async move { user.await.map(Admin) })
    }
}
