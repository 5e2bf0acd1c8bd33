//! P12 restriction of processing: the person (or an admin on their behalf) freezes the account:
//! its data is kept but not processed: no mail (but the notice of the restriction), no new
//! tickets, comments or files, and staff cannot change the person's tickets (they see a
//! "restricted" badge). Only an admin lifts it; the person is told. Both are audited.

use actix_web::{HttpRequest, HttpResponse, delete, post, web};
use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::Problem;
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{model::User, repo};
use crate::{
    audit,
    auth::{Admin, AuthUser, routes::client_address},
    db::{self, schema::users},
    email::{self, Message},
    error::ApiError,
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(restrict_me).service(restrict_user).service(lift_restriction);
}

/// Sets or lifts the restriction, tells the person, and audits it.
fn set(
    conn: &mut PgConnection,
    user: &User,
    on: bool,
    actor: (Option<i64>, &str),
    client_ip: &str,
    public_url: &str,
) -> Result<(), ApiError> {
    diesel::update(users::table.find(user.id)).set(users::restricted_at.eq(on.then(Utc::now))).execute(conn)?;
    let message = Message::RestrictionChanged { name: user.full_name.clone(), restricted: on };
    email::enqueue(conn, &user.email, user.locale, &message, public_url)?;
    audit::record(
        conn,
        &audit::Entry {
            actor_id: actor.0,
            actor_name: actor.1,
            action: if on { "restriction_set" } else { "restriction_lifted" },
            subject_id: Some(user.id),
            details: json!({}),
            client_ip: Some(client_ip),
        },
    )?;
    Ok(())
}

/// Restrict processing of your data (P12). Only an admin can lift it again.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 204, description = "Restricted; a confirmation email is on its way.")),
)]
#[post("/me/restriction")]
async fn restrict_me(me: AuthUser, req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (client, public_url) = (client_address(&req, &state), state.config.public_url.clone());
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| set(conn, &me.user, true, (Some(me.id()), "Account holder"), &client, &public_url))
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::NoContent().finish())
}

/// Restrict processing of a person's data on their behalf (admins).
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Restricted."),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/users/{id}/restriction")]
async fn restrict_user(
    admin: Admin,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    change(admin, req, state, id.into_inner(), true).await
}

/// Lift a restriction (admins); the person is told.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Lifted."),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/users/{id}/restriction")]
async fn lift_restriction(
    admin: Admin,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    change(admin, req, state, id.into_inner(), false).await
}

async fn change(
    admin: Admin,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: i64,
    on: bool,
) -> Result<HttpResponse, ApiError> {
    let (client, public_url) = (client_address(&req, &state), state.config.public_url.clone());
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let user = repo::find(conn, id)?.ok_or(ApiError::NotFound)?;
            // Lifting: the notice goes out, so the restriction ends before the mail is queued.
            set(conn, &user, on, (Some(admin.0.id()), &admin.0.user.full_name), &client, &public_url)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::NoContent().finish())
}
