//! `/api/v1/canned-replies`: texts the support team keeps and inserts into replies (#16).
//! Support staff (agents and admins) read and maintain them; customers never see them. The
//! placeholders are checked when saved and filled in by the composer when inserted.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::{
    Problem,
    tickets::{CannedReply, CannedReplyInput},
};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::{
    auth::Staff,
    db::{self, schema::canned_replies, schema::users},
    error::{ApiError, ProblemCode},
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_canned).service(create_canned).service(update_canned).service(delete_canned);
}

type Row = (i64, String, String, Option<String>, chrono::DateTime<Utc>);

fn present((id, title, body, created_by, updated_at): Row) -> CannedReply {
    CannedReply { id, title, body, created_by, updated_at }
}

/// The canned replies with the author's name, by title; `q` narrows to titles and bodies that
/// contain it.
fn load(conn: &mut PgConnection, id: Option<i64>, q: Option<&str>) -> QueryResult<Vec<CannedReply>> {
    let mut query = canned_replies::table
        .left_join(users::table)
        .select((
            canned_replies::id,
            canned_replies::title,
            canned_replies::body,
            users::full_name.nullable(),
            canned_replies::updated_at,
        ))
        .order((canned_replies::title, canned_replies::id))
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(canned_replies::id.eq(id));
    }
    if let Some(q) = q {
        let pattern = db::like_pattern(q);
        query = query.filter(canned_replies::title.ilike(pattern.clone()).or(canned_replies::body.ilike(pattern)));
    }
    Ok(query.load::<Row>(conn)?.into_iter().map(present).collect())
}

fn title_taken(err: diesel::result::Error) -> ApiError {
    ApiError::unique_violation(err, ProblemCode::NameTaken, "title", "is already used by another canned reply")
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CannedQuery {
    /// Only replies whose title or text contains this (any case).
    #[param(max_length = 200)]
    pub q: Option<String>,
}

/// The team's canned replies, by title.
#[utoipa::path(
    tag = "canned replies",
    params(CannedQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The canned replies.", body = Vec<CannedReply>),
        (status = 403, description = "Not support staff.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/canned-replies")]
pub async fn list_canned(
    _staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<CannedQuery>,
) -> Result<web::Json<Vec<CannedReply>>, ApiError> {
    let q = crate::pagination::search_term(query.into_inner().q)?;
    Ok(web::Json(db::run(&state.pool, move |conn| Ok(load(conn, None, q.as_deref())?)).await?))
}

/// Add a canned reply (title and text; the text may use the documented placeholders).
#[utoipa::path(
    tag = "canned replies",
    request_body = CannedReplyInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = CannedReply),
        (status = 409, description = "`name_taken`: another canned reply has this title.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid (also: an unknown placeholder).", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/canned-replies")]
pub async fn create_canned(
    staff: Staff,
    state: web::Data<AppState>,
    body: web::Json<CannedReplyInput>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    body.validate()?;
    let title = body.title.map(|t| t.trim().to_owned()).ok_or_else(|| ApiError::field("title", "is required"))?;
    let text = body.body.ok_or_else(|| ApiError::field("body", "is required"))?;
    let author = staff.0.id();
    let created = db::run(&state.pool, move |conn| {
        let id: i64 = diesel::insert_into(canned_replies::table)
            .values((
                canned_replies::title.eq(title),
                canned_replies::body.eq(text.trim()),
                canned_replies::created_by.eq(author),
            ))
            .returning(canned_replies::id)
            .get_result(conn)
            .map_err(title_taken)?;
        load(conn, Some(id), None)?.pop().ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Change a canned reply's title or text.
#[utoipa::path(
    tag = "canned replies",
    params(("id" = i64, Path, description = "Canned reply id")),
    request_body = CannedReplyInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed canned reply.", body = CannedReply),
        (status = 404, description = "No such canned reply.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`name_taken`: another canned reply has this title.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/canned-replies/{id}")]
pub async fn update_canned(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<CannedReplyInput>,
) -> Result<web::Json<CannedReply>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    body.validate()?;
    let changed = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let (title, text): (String, String) = canned_replies::table
                .find(id)
                .select((canned_replies::title, canned_replies::body))
                .for_update()
                .first(conn)
                .optional()?
                .ok_or(ApiError::NotFound)?;
            diesel::update(canned_replies::table.find(id))
                .set((
                    canned_replies::title.eq(body.title.map_or(title, |t| t.trim().to_owned())),
                    canned_replies::body.eq(body.body.map_or(text, |b| b.trim().to_owned())),
                    canned_replies::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .map_err(title_taken)?;
            load(conn, Some(id), None)?.pop().ok_or(ApiError::NotFound)
        })
    })
    .await?;
    Ok(web::Json(changed))
}

/// Delete a canned reply.
#[utoipa::path(
    tag = "canned replies",
    params(("id" = i64, Path, description = "Canned reply id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such canned reply.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/canned-replies/{id}")]
pub async fn delete_canned(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let deleted =
        db::run(&state.pool, move |conn| Ok(diesel::delete(canned_replies::table.find(id)).execute(conn)?)).await?;
    if deleted == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}
