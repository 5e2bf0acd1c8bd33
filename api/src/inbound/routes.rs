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

use std::collections::HashMap;

use crate::{
    auth::Admin,
    db,
    db::schema::{inbound_emails, tickets},
    error::ApiError,
    pagination,
    state::AppState,
};

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

impl InboundRow {
    fn present(self, ticket_number: Option<i64>) -> InboundEmail {
        InboundEmail {
            id: self.id,
            mailbox: self.mailbox,
            sender: self.sender,
            subject: self.subject,
            outcome: self.outcome,
            reason: self.reason,
            ticket_id: self.ticket_id,
            ticket_number,
            comment_id: self.comment_id,
            created_at: self.created_at,
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
        let rows: Vec<InboundRow> = q.load(conn)?;
        let ids: Vec<i64> = rows.iter().filter_map(|r| r.ticket_id).collect();
        let numbers: HashMap<i64, i64> = tickets::table
            .filter(tickets::id.eq_any(ids))
            .select((tickets::id, tickets::number))
            .load(conn)?
            .into_iter()
            .collect();
        Ok((rows, numbers))
    })
    .await?;
    let (rows, numbers) = rows;
    let (rows, next_cursor) = pagination::page(rows, limit, |r| r.id);
    let items = rows
        .into_iter()
        .map(|r| {
            let number = r.ticket_id.and_then(|id| numbers.get(&id).copied());
            r.present(number)
        })
        .collect();
    Ok(web::Json(Page { items, next_cursor }))
}

/// Forgets inbound log rows older than `cutoff` (the cleanup job keeps 30 days).
pub fn delete_older_than(conn: &mut PgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(inbound_emails::table.filter(inbound_emails::created_at.lt(cutoff))).execute(conn)
}
