//! `GET /api/v1/admin/audit-log` (admins).

use actix_web::{get, web};
use helpdesk_types::{Page, Problem, privacy::AuditEntry};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::repo;
use crate::{auth::Admin, db, error::ApiError, pagination, state::AppState};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_log);
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// Only entries about this account.
    subject_id: Option<i64>,
    /// Only this action, e.g. `erasure`.
    action: Option<String>,
    /// 1-100, default 25.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Privacy actions, newest first: who did what to whose data, when and from where.
#[utoipa::path(
    tag = "privacy",
    params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of audit entries.", body = Page<AuditEntry>),
        (status = 403, description = "Admins only.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/admin/audit-log")]
pub async fn list_audit_log(
    _admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let before: Option<i64> = pagination::decode(query.cursor.as_deref())?;
    let rows = db::run(&state.pool, move |conn| {
        Ok(repo::list(conn, query.subject_id, query.action.as_deref(), before, limit)?)
    })
    .await?;
    let (rows, next_cursor) = pagination::page(rows, limit, |r| r.id);
    let items = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            subject_id: r.subject_id,
            details: r.details,
            client_ip: r.client_ip,
        })
        .collect();
    Ok(web::Json(Page { items, next_cursor }))
}
