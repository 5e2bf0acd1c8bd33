//! `/api/v1/tickets` and `/api/v1/tickets/{id}`: create, read, update, delete.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::{
    Problem, Role,
    organizations::ContractTier,
    tickets::{Channel, CreateTicket, Priority, Ticket, TicketStatus, UpdateTicket},
};
use serde_json::{Map, Value};

use super::{
    access::{Viewer, find_visible},
    events::{self, Change},
    model::{NewTicket, TicketRow},
    present, workflow,
};
use crate::{
    accounts::{model::User, repo as accounts},
    app::AppState,
    auth::{Admin, AuthUser},
    db::{
        self,
        schema::{categories, organizations, tickets},
    },
    email::{self, Message},
    error::ApiError,
    sla,
};

fn check_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::field(field, "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(ApiError::field(field, format!("must be at most {max} characters")));
    }
    Ok(v.to_owned())
}

/// The category, if it exists and may be chosen (active, or any for staff).
fn check_category(conn: &mut PgConnection, id: i64, staff: bool) -> Result<String, ApiError> {
    let found: Option<(String, bool)> =
        categories::table.find(id).select((categories::name, categories::active)).first(conn).optional()?;
    match found {
        Some((name, active)) if active || staff => Ok(name),
        _ => Err(ApiError::field("category_id", "is not an available category")),
    }
}

fn tier_of(conn: &mut PgConnection, organization_id: Option<i64>) -> QueryResult<ContractTier> {
    Ok(match organization_id {
        Some(id) => organizations::table
            .find(id)
            .select(organizations::contract_tier)
            .first(conn)
            .optional()?
            .unwrap_or(ContractTier::None),
        None => ContractTier::None,
    })
}

/// Open a ticket. Customers open their own (channel `web` or `api`); staff may log one for a
/// customer (`requester_id`, channel `phone` or `email`). Deadlines come from the SLA policy of
/// the requester's organization. The requester gets a confirmation email.
#[utoipa::path(
    tag = "tickets",
    request_body = CreateTicket,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The ticket.", body = Ticket),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/tickets")]
pub async fn create_ticket(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateTicket>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let subject = check_text("subject", &body.subject, 200)?;
    let description = check_text("description", &body.description, 20_000)?;
    let staff = user.is_staff();
    let channel = body.channel.unwrap_or(Channel::Web);
    let channel_ok = match channel {
        Channel::Web | Channel::Api => true,
        Channel::Phone | Channel::Email => staff,
        Channel::ContactForm => false,
    };
    if !channel_ok {
        return Err(ApiError::field(
            "channel",
            if staff { "must be web, api, phone or email" } else { "must be web or api" },
        ));
    }
    if body.requester_id.is_some() && !staff {
        return Err(ApiError::field("requester_id", "only support staff may open tickets for others"));
    }
    let st = state.clone();
    let ticket = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let viewer = Viewer::load(conn, &user)?;
            let requester: User = match body.requester_id {
                Some(id) => accounts::find(conn, id)?
                    .filter(|u| u.active && u.role == Role::Customer)
                    .ok_or_else(|| ApiError::field("requester_id", "is not an active customer"))?,
                None => user.user.clone(),
            };
            if let Some(category) = body.category_id {
                check_category(conn, category, staff)?;
            }
            let priority = body.priority.unwrap_or(Priority::Normal);
            let contract_tier = tier_of(conn, requester.organization_id)?;
            let now = Utc::now();
            let (first_response_due_at, resolution_due_at) = sla::deadlines(conn, contract_tier, priority, now)?;
            let row: TicketRow = diesel::insert_into(tickets::table)
                .values(NewTicket {
                    subject,
                    description,
                    priority,
                    channel,
                    category_id: body.category_id,
                    requester_id: requester.id,
                    organization_id: requester.organization_id,
                    contract_tier,
                    created_at: now,
                    updated_at: now,
                    first_response_due_at,
                    resolution_due_at,
                })
                .returning(TicketRow::as_returning())
                .get_result(conn)?;
            events::record(conn, row.id, &viewer, Change::Created)?;
            let message = Message::TicketCreated {
                name: requester.full_name.clone(),
                number: row.number,
                subject: row.subject.clone(),
            };
            email::enqueue(conn, &requester.email, requester.locale, &message, &st.config.public_url)?;
            Ok(present::ticket(conn, row)?)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Created().json(ticket))
}

/// One ticket.
#[utoipa::path(
    tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ticket.", body = Ticket),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/{id}")]
pub async fn get_ticket(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<Ticket>, ApiError> {
    let id = id.into_inner();
    let ticket = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        let row = find_visible(conn, &viewer, id, false)?;
        Ok(present::ticket(conn, row)?)
    })
    .await?;
    Ok(web::Json(ticket))
}

/// One ticket by its number.
#[utoipa::path(
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
        let id: i64 = tickets::table
            .filter(tickets::number.eq(number))
            .select(tickets::id)
            .first(conn)
            .optional()?
            .ok_or(ApiError::NotFound)?;
        let row = find_visible(conn, &viewer, id, false)?;
        Ok(present::ticket(conn, row)?)
    })
    .await?;
    Ok(web::Json(ticket))
}

fn invalid_transition(from: TicketStatus, to: TicketStatus, allowed: &[TicketStatus]) -> ApiError {
    let mut extensions = Map::new();
    extensions.insert("allowed".into(), Value::from(allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    let list = if allowed.is_empty() {
        "none".to_owned()
    } else {
        allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    };
    ApiError::Conflict {
        code: "invalid_transition",
        detail: format!("A {from} ticket cannot become {to}; allowed: {list}."),
        errors: Default::default(),
        extensions,
    }
}

/// Sets the status-dependent timestamps of `t` for a move to `to`.
pub fn apply_status(t: &mut TicketRow, to: TicketStatus) {
    let now = Utc::now();
    match to {
        TicketStatus::Resolved => t.resolved_at = Some(now),
        TicketStatus::Closed => {
            t.resolved_at = t.resolved_at.or(Some(now));
            t.closed_at = Some(now);
        }
        TicketStatus::New | TicketStatus::Open | TicketStatus::Pending => t.resolved_at = None,
    }
    t.status = to;
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
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/tickets/{id}")]
pub async fn update_ticket(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<UpdateTicket>,
) -> Result<web::Json<Ticket>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let staff = user.is_staff();
    if !staff
        && (body.priority.is_some()
            || body.category_id.is_some()
            || body.assignee_id.is_some()
            || body.subject.is_some())
    {
        return Err(ApiError::Forbidden("Customers may only close or reopen their tickets.".into()));
    }
    let subject = body.subject.as_deref().map(|s| check_text("subject", s, 200)).transpose()?;
    let st = state.clone();
    let ticket = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let viewer = Viewer::load(conn, &user)?;
            let before = find_visible(conn, &viewer, id, true)?;
            if before.status == TicketStatus::Closed {
                return Err(crate::tickets::access::ticket_closed());
            }
            let mut t = before.clone();
            if let Some(to) = body.status.filter(|s| *s != before.status) {
                let allowed = workflow::allowed(before.status, staff);
                if !allowed.contains(&to) {
                    return Err(invalid_transition(before.status, to, &allowed));
                }
                apply_status(&mut t, to);
                events::record(conn, id, &viewer, Change::Status(before.status.as_str(), to.as_str()))?;
            }
            if let Some(p) = body.priority.filter(|p| *p != before.priority) {
                t.priority = p;
                (t.first_response_due_at, t.resolution_due_at) =
                    sla::deadlines(conn, t.contract_tier, p, t.created_at)?;
                events::record(conn, id, &viewer, Change::Priority(before.priority.as_str(), p.as_str()))?;
            }
            if let Some(category) = body.category_id.filter(|c| *c != before.category_id) {
                let new_name = category.map(|c| check_category(conn, c, true)).transpose()?;
                let old_name: Option<String> = match before.category_id {
                    Some(c) => categories::table.find(c).select(categories::name).first(conn).optional()?,
                    None => None,
                };
                t.category_id = category;
                events::record(conn, id, &viewer, Change::Category(old_name.as_deref(), new_name.as_deref()))?;
            }
            if let Some(assignee) = body.assignee_id.filter(|a| *a != before.assignee_id) {
                let new_name = match assignee {
                    Some(a) => Some(
                        accounts::find(conn, a)?
                            .filter(|u| u.active && u.role.is_staff())
                            .ok_or_else(|| ApiError::field("assignee_id", "is not an active agent"))?
                            .full_name,
                    ),
                    None => None,
                };
                let old_name =
                    before.assignee_id.map(|a| accounts::find(conn, a)).transpose()?.flatten().map(|u| u.full_name);
                t.assignee_id = assignee;
                events::record(conn, id, &viewer, Change::Assignee(old_name.as_deref(), new_name.as_deref()))?;
            }
            if let Some(subject) = subject.filter(|s| *s != before.subject) {
                events::record(conn, id, &viewer, Change::Subject(&before.subject, &subject))?;
                t.subject = subject;
            }
            let row: TicketRow = diesel::update(tickets::table.find(id))
                .set((
                    tickets::status.eq(t.status),
                    tickets::priority.eq(t.priority),
                    tickets::category_id.eq(t.category_id),
                    tickets::assignee_id.eq(t.assignee_id),
                    tickets::subject.eq(&t.subject),
                    tickets::resolved_at.eq(t.resolved_at),
                    tickets::closed_at.eq(t.closed_at),
                    tickets::first_response_due_at.eq(t.first_response_due_at),
                    tickets::resolution_due_at.eq(t.resolution_due_at),
                    tickets::updated_at.eq(Utc::now()),
                ))
                .returning(TicketRow::as_returning())
                .get_result(conn)?;
            if row.status != before.status
                && let Some(requester) = accounts::find(conn, row.requester_id)?
            {
                let message = Message::TicketStatusChanged {
                    name: requester.full_name.clone(),
                    number: row.number,
                    subject: row.subject.clone(),
                    status: row.status.as_str().to_owned(),
                };
                email::enqueue(conn, &requester.email, requester.locale, &message, &st.config.public_url)?;
            }
            Ok(present::ticket(conn, row)?)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(web::Json(ticket))
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
            let keys = crate::attachments::routes::keys_of_ticket(conn, id)?;
            match diesel::delete(tickets::table.find(id)).execute(conn)? {
                0 => Err(ApiError::NotFound),
                _ => Ok(keys),
            }
        })
    })
    .await?;
    // The files go after the commit (P6); a failure is logged and left to the sweep.
    state.storage.delete_all(&keys).await;
    Ok(HttpResponse::NoContent().finish())
}
