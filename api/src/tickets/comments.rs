//! `/api/v1/tickets/{id}/comments` and `/events`: the conversation and the history. What a
//! customer may read is decided by `policy::visible_internal`, inside the queries.

use actix_web::{HttpResponse, get, post, web};
use diesel::prelude::*;
use helpdesk_types::{
    Page, Problem,
    tickets::{Comment, CreateComment, TicketEvent},
};
use validator::Validate;

use super::{
    events::{self, Change},
    model::{CommentRow, NewComment, TicketRow},
    notify,
    policy::{self, Viewer},
    repo,
};
use crate::{
    auth::AuthUser,
    db,
    error::ApiError,
    notifications,
    pagination::{self, PageQuery},
    state::AppState,
};

/// The conversation in time order.
#[utoipa::path(
    tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of public replies, and for staff also internal notes.", body = Page<Comment>),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/{id}/comments")]
pub async fn list_comments(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Comment>>, ApiError> {
    let (id, (limit, after)) = (id.into_inner(), page.parse()?);
    let (rows, viewer) = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        repo::find_visible(conn, &viewer, id, false)?;
        Ok((repo::comments(conn, &viewer, id, after, limit)?, viewer))
    })
    .await?;
    let (rows, next_cursor) = pagination::page(rows, limit, |c| c.id);
    Ok(web::Json(Page { items: rows.into_iter().map(|c| viewer.comment(c)).collect(), next_cursor }))
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
    body.validate()?;
    let (text, internal) = (body.body.trim().to_owned(), body.internal);
    let public_url = state.config.public_url.clone();
    let comment = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let viewer = Viewer::load(conn, &user)?;
            let mut ticket = repo::find_visible(conn, &viewer, id, true)?;
            add(conn, &viewer, &mut ticket, &text, internal, &public_url)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Created().json(Comment::from(comment)))
}

/// Adds a reply or (staff) an internal note by `viewer` to `ticket` (locked, visible to them),
/// with everything that follows in the same transaction: the event, the webhook, the mails, the
/// status and SLA changes of a public reply. Used by the API, the private link of a contact
/// request and replies by mail.
pub fn add(
    conn: &mut diesel::PgConnection,
    viewer: &Viewer,
    ticket: &mut TicketRow,
    text: &str,
    internal: bool,
    public_url: &str,
) -> Result<CommentRow, ApiError> {
    policy::ensure_may_write(viewer, internal)?;
    policy::ensure_open(ticket)?;
    policy::ensure_not_restricted(viewer)?;
    policy::ensure_requester_not_restricted(repo::requester_restricted(conn, ticket)?)?;
    let comment = repo::insert_comment(
        conn,
        &NewComment {
            ticket_id: ticket.id,
            author_id: Some(viewer.user_id),
            author_name: &viewer.name,
            author_email: &viewer.email,
            body: text,
            internal,
        },
    )?;
    events::record(conn, ticket.id, &viewer.actor(), Change::CommentAdded { internal })?;
    crate::webhooks::emit(
        conn,
        helpdesk_types::integrations::EventType::CommentCreated,
        Some(ticket.id),
        internal,
        crate::webhooks::comment_data(ticket, &comment),
    )?;
    // An internal note changes nothing a customer sees, `updated_at` included.
    if internal {
        notifications::mentions(conn, ticket, text, viewer.user_id, public_url)?;
        notifications::stream::ticket_changed(conn, ticket.id)?;
    } else {
        notify::after_public_reply(conn, viewer, ticket, text, comment.created_at, public_url)?;
    }
    Ok(comment)
}

/// Who changed what when, oldest first.
#[utoipa::path(
    operation_id = "listTicketEvents",
    tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the events you may see.", body = Page<TicketEvent>),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/{id}/events")]
pub async fn list_events(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<TicketEvent>>, ApiError> {
    let (id, (limit, after)) = (id.into_inner(), page.parse()?);
    let rows = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        repo::find_visible(conn, &viewer, id, false)?;
        Ok(repo::events(conn, &viewer, id, after, limit)?)
    })
    .await?;
    let (rows, next_cursor) = pagination::page(rows, limit, |e| e.id);
    Ok(web::Json(Page { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}
