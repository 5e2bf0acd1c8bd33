//! `/api/v1/tickets` and `/api/v1/tickets/{id}`: create, read, update, delete.

use actix_web::{HttpResponse, delete, get, http::header, patch, post, web};
use chrono::Utc;
use diesel::{PgConnection, prelude::*};
use helpdesk_types::{
    Problem, Role,
    integrations::EventType,
    tickets::{Channel, CreateTicket, Priority, Ticket, UpdateTicket},
};
use validator::Validate;

use super::{
    changes,
    events::{self, Change},
    intake,
    model::TicketRow,
    notify,
    policy::{self, Viewer},
    present, repo,
};
use crate::{
    accounts::{model::User, repo as accounts},
    attachments,
    auth::{Admin, AuthUser},
    db,
    error::ApiError,
    notifications, sla,
    state::AppState,
    webhooks,
};

/// Open a ticket. Customers open their own (channel `web` or `api`); staff may log one for a
/// customer (`requester_id`, channel `phone` or `email`). Deadlines come from the SLA policy of
/// the requester's organization. The requester gets a confirmation email.
#[utoipa::path(
    tag = "tickets",
    request_body = CreateTicket,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The ticket.", body = Ticket),
        (status = 422, description = "A field is invalid (also: a priority above what the customer's contract allows).", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/tickets")]
pub async fn create_ticket(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateTicket>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    body.validate()?;
    let channel = body.channel.unwrap_or(Channel::Web);
    policy::ensure_may_open(user.is_staff(), channel, body.requester_id.is_some())?;
    let (public_url, caps) = (state.config.public_url.clone(), state.config.priority_caps);
    let ticket = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let viewer = Viewer::load(conn, &user)?;
            policy::ensure_not_restricted(&viewer)?;
            let requester = requester(conn, &user, body.requester_id)?;
            policy::ensure_requester_not_restricted(requester.restricted_at.is_some())?;
            if let Some(category) = body.category_id {
                changes::chosen_category(conn, category, viewer.staff)?;
            }
            let priority = body.priority.unwrap_or(Priority::Normal);
            let content = intake::Content { subject: &body.subject, description: &body.description, priority, channel };
            let mut new = intake::new_ticket(conn, &requester, &content, body.category_id)?;
            if viewer.staff {
                new.customer_said_at = None;
            }
            if let Some(original) = body.follow_up_of {
                new.follow_up_of = Some(changes::followed_up(conn, &viewer, original, requester.id)?);
            }
            policy::ensure_priority_allowed(viewer.staff, new.contract_tier, new.priority, &caps)?;
            let row = repo::insert(conn, &new)?;
            webhooks::emit(conn, EventType::TicketCreated, Some(row.id), false, webhooks::ticket_data(&row))?;
            events::record(conn, row.id, &viewer.actor(), Change::Created)?;
            notify::created(conn, &requester, &row, viewer.user_id, &public_url)?;
            Ok(present::ticket(conn, &viewer, row)?)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Created().json(ticket))
}

/// Who the ticket is for: the caller, or (staff) an active customer.
fn requester(conn: &mut PgConnection, user: &AuthUser, requester_id: Option<i64>) -> Result<User, ApiError> {
    match requester_id {
        Some(id) => accounts::find(conn, id)?
            .filter(|u| u.active && u.role == Role::Customer)
            .ok_or_else(|| ApiError::field("requester_id", "is not an active customer")),
        None => Ok(user.user.clone()),
    }
}

/// One ticket.
#[utoipa::path(
    tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ticket; `ETag` identifies this version (send it as `If-Match` with `PATCH`).", body = Ticket,
            headers(("ETag" = String, description = "The ticket's version"))),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/{id}")]
pub async fn get_ticket(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let ticket = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        let row = repo::find_visible(conn, &viewer, id, false)?;
        opened(conn, &user, &viewer, row)
    })
    .await?;
    Ok(with_etag(&ticket))
}

/// A ticket a person opened: its news count as seen from now on (`unread` in this answer still
/// says whether there was any). Reads with an API token leave the markers alone.
fn opened(conn: &mut PgConnection, user: &AuthUser, viewer: &Viewer, row: TicketRow) -> Result<Ticket, ApiError> {
    let ticket = present::ticket(conn, viewer, row)?;
    if user.token.is_none() {
        present::mark_read(conn, viewer, &ticket)?;
    }
    Ok(ticket)
}

/// A ticket's version for optimistic concurrency: every write moves `updated_at`.
pub fn etag(id: i64, updated_at: chrono::DateTime<Utc>) -> String {
    format!("\"{id}-{}\"", updated_at.timestamp_micros())
}

fn with_etag(ticket: &Ticket) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(ticket.id, ticket.updated_at))).json(ticket)
}

/// `If-Match` (a list of tags or `*`) names the current version.
fn precondition(if_match: Option<&str>, current: &str) -> Result<(), ApiError> {
    let Some(value) = if_match else { return Ok(()) };
    let matches = value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current || tag.trim_start_matches("W/") == current);
    if matches {
        Ok(())
    } else {
        Err(ApiError::Client {
            status: actix_web::http::StatusCode::PRECONDITION_FAILED,
            code: crate::error::ProblemCode::PreconditionFailed,
            title: "Precondition failed",
            detail: format!(
                "The ticket changed since you read it (now {current}); reload and apply your change again."
            ),
            extensions: Default::default(),
        })
    }
}

/// One ticket by its number.
#[utoipa::path(
    operation_id = "getTicketByNumber",
    tag = "tickets",
    params(("number" = i64, Path, description = "Ticket number, e.g. 100023")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ticket.", body = Ticket),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/by-number/{number}")]
pub async fn get_by_number(
    user: AuthUser,
    state: web::Data<AppState>,
    number: web::Path<i64>,
) -> Result<web::Json<Ticket>, ApiError> {
    let number = number.into_inner();
    let ticket = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        let id = repo::id_by_number(conn, number)?.ok_or(ApiError::NotFound)?;
        let row = repo::find_visible(conn, &viewer, id, false)?;
        opened(conn, &user, &viewer, row)
    })
    .await?;
    Ok(web::Json(ticket))
}

/// Change a ticket. Customers may only close their ticket or reopen a resolved one; staff change
/// status, priority (deadlines are recomputed), category, assignee and subject. Every change is
/// recorded as an event; a status change is emailed to the requester.
#[utoipa::path(
    tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    request_body = UpdateTicket,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated ticket.", body = Ticket),
        (status = 403, description = "Customers may only change the status.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition` (with `allowed`) or `ticket_closed`.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: `If-Match` names an older version.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
    params(("If-Match" = Option<String>, Header, description = "The `ETag` of the version you changed; a stale one is 412.")),
)]
#[patch("/tickets/{id}")]
pub async fn update_ticket(
    req: actix_web::HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<UpdateTicket>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    body.validate()?;
    let if_match = req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let public_url = state.config.public_url.clone();
    let ticket = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let viewer = Viewer::load(conn, &user)?;
            policy::ensure_may_update(&viewer, &body)?;
            let before = repo::find_visible(conn, &viewer, id, true)?;
            precondition(if_match.as_deref(), &etag(before.id, before.updated_at))?;
            policy::ensure_open(&before)?;
            policy::ensure_requester_not_restricted(repo::requester_restricted(conn, &before)?)?;
            let mut ticket: TicketRow = before.clone();
            changes::apply(conn, &viewer, &mut ticket, body)?;
            sla::settle(conn, &before, &mut ticket, &viewer.actor(), Utc::now())?;
            let saved = repo::save(conn, &ticket)?;
            if saved.status != before.status {
                notify::status_changed(conn, &saved, &public_url)?;
            }
            if let Some(assignee) = saved.assignee_id.filter(|a| before.assignee_id != Some(*a)) {
                notifications::assigned(conn, &saved, assignee, viewer.user_id, &public_url)?;
            }
            notifications::stream::ticket_changed(conn, saved.id)?;
            webhooks::ticket_updated(conn, &before, &saved)?;
            Ok(present::ticket(conn, &viewer, saved)?)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(with_etag(&ticket))
}

/// Delete a ticket with its comments, events and attachments (admins).
#[utoipa::path(
    tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such ticket.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/tickets/{id}")]
pub async fn delete_ticket(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let keys = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let keys = attachments::repo::keys_of_ticket(conn, id)?;
            if repo::delete(conn, id)? { Ok(keys) } else { Err(ApiError::NotFound) }
        })
    })
    .await?;
    // The files go after the commit (P6); a failure is logged and left to the sweep.
    state.storage.delete_all(&keys).await;
    Ok(HttpResponse::NoContent().finish())
}
