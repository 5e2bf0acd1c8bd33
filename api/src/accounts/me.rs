//! `/api/v1/me`: the signed-in person's own account (P7 data-changed emails, P12 rectification).

use actix_web::{HttpResponse, delete, get, patch, put, web};
use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::{
    Account, Problem,
    accounts::{ChangePassword, UpdateMe},
    privacy::EraseMe,
};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::{erasure, model::User, repo, verification};
use crate::{
    auth::{AuthUser, credentials, limits},
    db::{self, schema::users},
    email::{self, Message},
    error::ApiError,
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_me).service(update_me).service(change_password).service(erase_me);
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
    refused_notifications: Option<Vec<Option<String>>>,
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
    if let Some(kinds) = &body.refused_notifications {
        let mut refused: Vec<String> = kinds.iter().map(|k| k.as_str().to_owned()).collect();
        refused.sort();
        refused.dedup();
        let mut current: Vec<String> = user.refused_notifications.iter().flatten().cloned().collect();
        current.sort();
        if refused != current {
            changes.refused_notifications = Some(refused.into_iter().map(Some).collect());
            fields.push("refused_notifications".to_owned());
        }
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
            if fields.iter().any(|f| f == "refused_notifications") {
                // P12 objection: which kinds were refused is a privacy action.
                let refused = user.refused_notifications.iter().flatten().cloned().collect::<Vec<_>>();
                crate::audit::record(
                    conn,
                    &crate::audit::Entry {
                        actor_id: Some(user.id),
                        actor_name: "Account holder",
                        action: "objection_changed",
                        subject_id: Some(user.id),
                        details: serde_json::json!({"refused": refused}),
                        client_ip: None,
                    },
                )?;
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

/// Delete your account (P12, erasure): your personal data is removed; tickets you opened stay
/// only anonymized (their text removed, their files deleted), so counts and reports do not
/// change. Needs your password, and a code when two-factor sign-in is on. You get a last
/// confirmation email; every session ends.
#[utoipa::path(
    tag = "me",
    request_body = EraseMe,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Erased; you are signed out."),
        (status = 400, description = "`invalid_code`: the two-factor code is wrong.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password is wrong.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me")]
async fn erase_me(
    me: AuthUser,
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<EraseMe>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    check_current_password(&state, &me, body.password.clone()).await?;
    let (public_url, client) = (state.config.public_url.clone(), crate::auth::routes::client_address(&req, &state));
    let keys = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if me.user.two_factor_enabled_at.is_some()
                && !crate::auth::two_factor::check_code(conn, me.id(), body.code.as_deref().unwrap_or_default(), true)?
            {
                return Err(ApiError::field("code", "is wrong or missing"));
            }
            // The audit row must not keep the name it erases.
            let by = erasure::Eraser {
                id: Some(me.id()),
                name: "Account holder",
                client_ip: Some(&client),
                reason: "request",
            };
            erasure::erase(conn, &me.user, &by, &public_url)
        })
    })
    .await?;
    // The files go after the commit; a failure is logged and left to the sweep.
    state.storage.delete_all(&keys).await;
    state.mail_wake.notify_one();
    Ok(HttpResponse::NoContent().finish())
}
