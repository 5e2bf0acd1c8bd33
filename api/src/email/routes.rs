//! `GET /api/v1/admin/email-log`: every email sent or attempted (P7).

use actix_web::{get, web};
use diesel::prelude::*;
use helpdesk_types::{
    Page,
    email::{EmailLogEntry, EmailLogQuery},
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::outbox::EmailRow;
use crate::{auth::Admin, db, db::schema::emails, error::ApiError, pagination, state::AppState};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(email_log);
}

impl From<EmailRow> for EmailLogEntry {
    fn from(r: EmailRow) -> Self {
        Self {
            id: r.id,
            recipient: r.recipient,
            subject: r.subject,
            template: r.template,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            next_attempt_at: r.next_attempt_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            sent_at: r.sent_at,
        }
    }
}

/// The email log, newest first.
#[utoipa::path(
    operation_id = "listEmailLog",
    tag = "admin",
    params(EmailLogQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the email log.", body = Page<EmailLogEntry>),
        (status = 401, description = "Not signed in.", body = helpdesk_types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin.", body = helpdesk_types::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/admin/email-log")]
async fn email_log(
    _admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<EmailLogQuery>,
) -> Result<web::Json<Page<EmailLogEntry>>, ApiError> {
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let after: Option<i64> = pagination::decode(query.cursor.as_deref())?;
    if query.recipient.as_ref().is_some_and(|r| r.chars().count() > helpdesk_types::validation::limits::EMAIL) {
        return Err(ApiError::field("recipient", "must be at most 254 characters"));
    }
    let rows = db::run(&state.pool, move |conn| {
        let mut q = emails::table.select(EmailRow::as_select()).order(emails::id.desc()).limit(limit + 1).into_boxed();
        if let Some(recipient) = query.recipient {
            q = q.filter(emails::recipient.eq(recipient.trim().to_lowercase()));
        }
        if let Some(status) = query.status {
            q = q.filter(emails::status.eq(status));
        }
        if let Some(template) = query.template {
            q = q.filter(emails::template.eq(template));
        }
        if let Some(after) = after {
            q = q.filter(emails::id.lt(after));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    let (rows, next_cursor) = pagination::page(rows, limit, |r| r.id);
    Ok(web::Json(Page { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}
