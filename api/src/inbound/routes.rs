//! `GET /api/v1/admin/inbound-log`: every mail that reached the support address and what
//! became of it (admins; kept 30 days like the email log).

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use helpdesk_types::{
    Page,
    email::{InboundEmail, InboundLogQuery, InboundOutcome},
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{auth::Admin, db, db::schema::inbound_emails, error::ApiError, pagination, state::AppState};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(inbound_log);
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = inbound_emails, check_for_backend(diesel::pg::Pg))]
struct InboundRow {
    id: i64,
    mailbox: String,
    sender: String,
    subject: String,
    outcome: InboundOutcome,
    reason: Option<String>,
    ticket_id: Option<i64>,
    comment_id: Option<i64>,
    created_at: DateTime<Utc>,
}

impl From<InboundRow> for InboundEmail {
    fn from(r: InboundRow) -> Self {
        Self {
            id: r.id,
            mailbox: r.mailbox,
            sender: r.sender,
            subject: r.subject,
            outcome: r.outcome,
            reason: r.reason,
            ticket_id: r.ticket_id,
            comment_id: r.comment_id,
            created_at: r.created_at,
        }
    }
}

/// The inbound mail log, newest first.
#[utoipa::path(
    operation_id = "listInboundLog",
    tag = "admin",
    params(InboundLogQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the inbound mail log.", body = Page<InboundEmail>),
        (status = 403, description = "Not an admin.", body = helpdesk_types::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/admin/inbound-log")]
async fn inbound_log(
    _admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<InboundLogQuery>,
) -> Result<web::Json<Page<InboundEmail>>, ApiError> {
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let after: Option<i64> = pagination::decode(query.cursor.as_deref())?;
    if query.sender.as_ref().is_some_and(|r| r.chars().count() > helpdesk_types::validation::limits::EMAIL) {
        return Err(ApiError::field("sender", "must be at most 254 characters"));
    }
    let rows = db::run(&state.pool, move |conn| {
        let mut q = inbound_emails::table
            .select(InboundRow::as_select())
            .order(inbound_emails::id.desc())
            .limit(limit + 1)
            .into_boxed();
        if let Some(sender) = query.sender {
            q = q.filter(inbound_emails::sender.eq(sender.trim().to_lowercase()));
        }
        if let Some(outcome) = query.outcome {
            q = q.filter(inbound_emails::outcome.eq(outcome));
        }
        if let Some(after) = after {
            q = q.filter(inbound_emails::id.lt(after));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    let (rows, next_cursor) = pagination::page(rows, limit, |r| r.id);
    Ok(web::Json(Page { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Forgets inbound log rows older than `cutoff` (the cleanup job keeps 30 days).
pub fn delete_older_than(conn: &mut PgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(inbound_emails::table.filter(inbound_emails::created_at.lt(cutoff))).execute(conn)
}
