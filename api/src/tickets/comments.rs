//! `/api/v1/tickets/{id}/comments` and `/events`: the conversation and the history. Internal
//! notes, and events about them, are filtered out for customers in the query itself.

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::{
    Problem,
    tickets::{Comment, CreateComment, TicketEvent, TicketStatus},
};

use super::{
    access::{Viewer, find_visible},
    events::{self, Change},
    model::{CommentRow, EventRow},
    routes::apply_status,
};
use crate::{
    accounts::repo as accounts,
    app::AppState,
    auth::AuthUser,
    db::{
        self,
        schema::{comments, ticket_events, tickets},
    },
    email::{self, Message},
    error::ApiError,
};

/// The conversation in time order.
#[utoipa::path(
    tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Public replies, and for staff also internal notes.", body = Vec<Comment>),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/{id}/comments")]
pub async fn list_comments(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<Comment>>, ApiError> {
    let id = id.into_inner();
    let rows = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        find_visible(conn, &viewer, id, false)?;
        let mut q = comments::table
            .filter(comments::ticket_id.eq(id))
            .select(CommentRow::as_select())
            .order(comments::id)
            .into_boxed();
        if !viewer.staff {
            q = q.filter(comments::internal.eq(false));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Reply, or (staff) add an internal note. The first public staff reply is the first response;
/// a customer reply reopens a pending or resolved ticket. Public replies are emailed to the
/// other side; internal notes never leave the staff.
#[utoipa::path(
    tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    request_body = CreateComment,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The comment.", body = Comment),
        (status = 403, description = "Customers cannot write internal notes.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`ticket_closed`: closed tickets are read-only.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body is empty or too long.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/tickets/{id}/comments")]
pub async fn create_comment(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<CreateComment>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let text = body.body.trim().to_owned();
    if text.is_empty() || text.chars().count() > 20_000 {
        return Err(ApiError::field("body", "must be 1 to 20000 characters"));
    }
    let st = state.clone();
    let comment = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let viewer = Viewer::load(conn, &user)?;
            let mut t = find_visible(conn, &viewer, id, true)?;
            if body.internal && !viewer.staff {
                return Err(ApiError::Forbidden("Only support staff can write internal notes.".into()));
            }
            if t.status == TicketStatus::Closed {
                return Err(crate::tickets::access::ticket_closed());
            }
            let comment: CommentRow = diesel::insert_into(comments::table)
                .values((
                    comments::ticket_id.eq(id),
                    comments::author_id.eq(viewer.user_id),
                    comments::author_name.eq(&viewer.name),
                    comments::author_email.eq(&viewer.email),
                    comments::body.eq(&text),
                    comments::internal.eq(body.internal),
                ))
                .returning(CommentRow::as_returning())
                .get_result(conn)?;
            events::record(conn, id, &viewer, Change::CommentAdded { internal: body.internal })?;
            let before = t.status;
            if !body.internal {
                if viewer.staff {
                    if t.first_response_at.is_none() {
                        t.first_response_at = Some(comment.created_at);
                    }
                    if t.status == TicketStatus::New {
                        apply_status(&mut t, TicketStatus::Open);
                    }
                } else if matches!(t.status, TicketStatus::Pending | TicketStatus::Resolved) {
                    apply_status(&mut t, TicketStatus::Open);
                }
                if t.status != before {
                    events::record(conn, id, &viewer, Change::Status(before.as_str(), t.status.as_str()))?;
                }
            }
            diesel::update(tickets::table.find(id))
                .set((
                    tickets::status.eq(t.status),
                    tickets::first_response_at.eq(t.first_response_at),
                    tickets::resolved_at.eq(t.resolved_at),
                    tickets::updated_at.eq(Utc::now()),
                ))
                .execute(conn)?;
            // Public replies go to the other side: staff replies to the requester, customer
            // replies to the assignee.
            let recipient = match (body.internal, viewer.staff) {
                (true, _) => None,
                (false, true) => Some(t.requester_id),
                (false, false) => t.assignee_id,
            };
            if let Some(to) = recipient.filter(|r| *r != viewer.user_id)
                && let Some(person) = accounts::find(conn, to)?
            {
                let message = Message::TicketReply {
                    name: person.full_name.clone(),
                    number: t.number,
                    subject: t.subject.clone(),
                    author: viewer.name.clone(),
                    body: text.clone(),
                };
                email::enqueue(conn, &person.email, person.locale, &message, &st.config.public_url)?;
            }
            Ok(comment)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Created().json(Comment::from(comment)))
}

/// Who changed what when, oldest first.
#[utoipa::path(
    tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The events you may see.", body = Vec<TicketEvent>),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/{id}/events")]
pub async fn list_events(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<TicketEvent>>, ApiError> {
    let id = id.into_inner();
    let rows = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        find_visible(conn, &viewer, id, false)?;
        let mut q = ticket_events::table
            .filter(ticket_events::ticket_id.eq(id))
            .select(EventRow::as_select())
            .order(ticket_events::id)
            .into_boxed();
        if !viewer.staff {
            q = q.filter(ticket_events::internal.eq(false));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}
