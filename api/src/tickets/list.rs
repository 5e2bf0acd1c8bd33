//! `GET /api/v1/tickets`: filters, full-text search, keyset pagination.

use actix_web::{HttpRequest, get, web};
use helpdesk_types::{
    Page, Problem,
    tickets::{Sort, Ticket, TicketQuery},
};

use super::{
    policy::Viewer,
    present, repo,
    seek::{Key, Seek},
};
use crate::{auth::AuthUser, db, error::ApiError, pagination, state::AppState};

/// Tickets you may see. Keyset pagination: deep pages cost what the first costs, and tickets
/// created while you page are neither skipped nor repeated.
#[utoipa::path(
    tag = "tickets",
    params(TicketQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tickets.", body = Page<Ticket>),
        (status = 422, description = "A filter is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets")]
pub async fn list_tickets(
    user: AuthUser,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<web::Json<Page<Ticket>>, ApiError> {
    // Parsed by hand: `status` repeats, which the query extractor cannot read.
    let query = TicketQuery::parse(req.query_string()).map_err(|p| ApiError::field(p.field, p.message))?;
    let limit = pagination::limit(query.limit)?;
    let seek = Seek(query.sort.unwrap_or(Sort::CreatedAt));
    let after: Option<Key> = pagination::decode(query.cursor.as_deref())?;
    if after.as_ref().is_some_and(|k| k.sort != seek.0) {
        return Err(ApiError::field("cursor", "belongs to another sort order"));
    }
    let (items, next_cursor) = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        let rows = repo::list(conn, &viewer, &query, seek, after.as_ref(), limit)?;
        let (rows, next) = pagination::page(rows, limit, |t| seek.key(t));
        Ok((present::tickets(conn, &viewer, rows)?, next))
    })
    .await?;
    Ok(web::Json(Page { items, next_cursor }))
}
