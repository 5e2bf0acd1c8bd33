//! `/api/v1/me`: the signed-in person's own account (P7 data-changed emails, P12 rectification).

use actix_web::{HttpResponse, get, patch, put, web};
use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::{
    Account, Problem,
    accounts::{ChangePassword, UpdateMe},
};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::{model::User, repo, verification};
use crate::{
    auth::{AuthUser, credentials, limits},
    db::{self, schema::users},
    email::{self, Message},
    error::ApiError,
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_me).service(update_me).service(change_password);
}

/// The signed-in account.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your account.", body = Account),
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me")]
async fn get_me(me: AuthUser) -> web::Json<Account> {
    web::Json(me.user.into())
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = users)]
struct Changes {
    full_name: Option<String>,
    username: Option<String>,
    email: Option<String>,
    company: Option<Option<String>>,
    phone: Option<Option<String>>,
    locale: Option<helpdesk_types::Locale>,
}

/// An optional text field: empty clears it.
fn optional(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// The changes `body` makes to `user`, and the names of the fields that change.
fn diff(user: &User, body: &UpdateMe) -> (Changes, Vec<String>) {
    let mut changes = Changes::default();
    let mut fields = Vec::new();
    if let Some(name) = body.full_name.as_deref().map(str::trim).filter(|n| *n != user.full_name) {
        changes.full_name = Some(name.to_owned());
        fields.push("full_name".to_owned());
    }
    if let Some(u) = body.username.as_deref().map(|u| u.trim().to_lowercase()).filter(|u| *u != user.username) {
        changes.username = Some(u);
        fields.push("username".to_owned());
    }
    if let Some(e) = body.email.as_deref().map(|e| e.trim().to_lowercase()).filter(|e| *e != user.email) {
        changes.email = Some(e);
        fields.push("email".to_owned());
    }
    if let Some(c) = body.company.as_deref().map(optional).filter(|c| *c != user.company) {
        changes.company = Some(c);
        fields.push("company".to_owned());
    }
    if let Some(p) = body.phone.as_deref().map(optional).filter(|p| *p != user.phone) {
        changes.phone = Some(p);
        fields.push("phone".to_owned());
    }
    if let Some(l) = body.locale.filter(|l| *l != user.locale) {
        changes.locale = Some(l);
        fields.push("locale".to_owned());
    }
    (changes, fields)
}

/// Change your own data. Changing `email` or `username` needs `current_password`. Every change
/// is confirmed by email; a changed email address notifies the old and the new address.
#[utoipa::path(
    tag = "me",
    request_body = UpdateMe,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated account.", body = Account),
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email or username is already registered.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or `current_password` is missing or wrong.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/me")]
async fn update_me(
    me: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<UpdateMe>,
) -> Result<web::Json<Account>, ApiError> {
    let body = body.into_inner();
    body.validate()?;
    let (mut changes, mut fields) = diff(&me.user, &body);
    if fields.is_empty() {
        return Ok(web::Json(me.user.into()));
    }
    if changes.email.is_some() || changes.username.is_some() {
        let Some(current) = body.current_password.clone() else {
            return Err(ApiError::field("current_password", "is required to change your email address or username"));
        };
        check_current_password(&state, &me, current).await?;
    }
    // A new address takes effect only once its link is used (issue 10).
    let new_email = changes.email.take();
    fields.retain(|f| f != "email");
    let public_url = state.config.public_url.clone();
    let old = me.user.clone();
    let user = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            repo::ensure_available(conn, new_email.as_deref(), changes.username.as_deref())?;
            let user: User = diesel::update(users::table.find(old.id))
                .set((&changes, users::updated_at.eq(Utc::now())))
                .returning(User::as_returning())
                .get_result(conn)
                .map_err(repo::map_unique_violation)?;
            if !fields.is_empty() {
                let message = Message::DataChanged { name: user.full_name.clone(), fields: fields.clone() };
                email::enqueue(conn, &user.email, user.locale, &message, &public_url)?;
            }
            if let Some(address) = new_email {
                verification::request_change(conn, &user, &address, &public_url)?;
            }
            Ok(repo::find(conn, old.id)?.unwrap_or(user))
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(web::Json(user.into()))
}

/// The signed-in person's password, checked off the async threads; wrong answers count, and the
/// sixth within an hour is a 429 (so a stolen session cannot guess the password).
async fn check_current_password(state: &AppState, me: &AuthUser, given: String) -> Result<(), ApiError> {
    let key = me.id().to_string();
    let limit = i64::from(state.config.policies.wrong_current_password_per_hour);
    let k = key.clone();
    if db::run(&state.pool, move |conn| Ok(limits::recent(conn, limits::Kind::WrongCurrentPassword, &k)?)).await?
        >= limit
    {
        return Err(ApiError::TooManyRequests { retry_after_secs: 3600 });
    }
    let hash = me.user.password_hash.clone().unwrap_or_default();
    if state.hasher.verify(given, hash).await? {
        return Ok(());
    }
    db::run(&state.pool, move |conn| Ok(limits::record(conn, limits::Kind::WrongCurrentPassword, &key)?)).await?;
    Err(ApiError::field("current_password", "is wrong"))
}

/// Change your password. Ends your other sessions and emails a confirmation.
#[utoipa::path(
    tag = "me",
    request_body = ChangePassword,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The password was changed."),
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`current_password` is wrong or the new password is not acceptable.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/password")]
async fn change_password(
    me: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    body.validate()?;
    check_current_password(&state, &me, body.current_password.clone()).await?;
    let new_hash = state.hasher.hash(body.new_password.clone()).await?;
    let public_url = state.config.public_url.clone();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            credentials::replace_password(
                conn,
                &me.user,
                &new_hash,
                Some(me.session_id),
                "password changed",
                &public_url,
            )
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::NoContent().finish())
}
