//! `/api/v1/categories`: everyone reads the active ones (staff see all), admins write.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::{
    Problem,
    organizations::{Category, CategoryInput},
};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::{
    auth::{Admin, AuthUser},
    db::{self, schema::categories},
    error::{ApiError, ProblemCode},
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_categories).service(create_category).service(update_category).service(delete_category);
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories, check_for_backend(diesel::pg::Pg))]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub active: bool,
    pub retention_days: Option<i32>,
}

impl From<CategoryRow> for Category {
    fn from(r: CategoryRow) -> Self {
        Self { id: r.id, name: r.name, description: r.description, active: r.active, retention_days: r.retention_days }
    }
}

fn name_taken(err: diesel::result::Error) -> ApiError {
    ApiError::unique_violation(err, ProblemCode::NameTaken, "name", "is already used by another category")
}

/// Categories by name: the active ones, and for staff also the inactive ones.
#[utoipa::path(
    tag = "categories",
    security(("bearer" = [])),
    responses((status = 200, description = "The categories.", body = Vec<Category>)),
)]
#[get("/categories")]
pub async fn list_categories(user: AuthUser, state: web::Data<AppState>) -> Result<web::Json<Vec<Category>>, ApiError> {
    let staff = user.is_staff();
    let rows = db::run(&state.pool, move |conn| {
        let mut q = categories::table.select(CategoryRow::as_select()).order(categories::name).into_boxed();
        if !staff {
            q = q.filter(categories::active.eq(true));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Create a category.
#[utoipa::path(
    tag = "categories",
    request_body = CategoryInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = Category),
        (status = 409, description = "The name is taken.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/categories")]
pub async fn create_category(
    _admin: Admin,
    state: web::Data<AppState>,
    body: web::Json<CategoryInput>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    body.validate()?;
    let name =
        body.name.as_deref().map(str::trim).map(str::to_owned).ok_or_else(|| ApiError::field("name", "is required"))?;
    let row = db::run(&state.pool, move |conn| {
        diesel::insert_into(categories::table)
            .values((
                categories::name.eq(name),
                categories::description.eq(body.description.unwrap_or_default()),
                categories::active.eq(body.active.unwrap_or(true)),
                categories::retention_days.eq(body.retention_days.flatten()),
            ))
            .returning(CategoryRow::as_returning())
            .get_result(conn)
            .map_err(name_taken)
    })
    .await?;
    Ok(HttpResponse::Created().json(Category::from(row)))
}

/// Change a category; deactivate it to retire it without touching existing tickets.
#[utoipa::path(
    tag = "categories",
    params(("id" = i64, Path, description = "Category id")),
    request_body = CategoryInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated category.", body = Category),
        (status = 404, description = "No such category.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/categories/{id}")]
pub async fn update_category(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<CategoryInput>,
) -> Result<web::Json<Category>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    body.validate()?;
    let row = db::run(&state.pool, move |conn| {
        let current: CategoryRow = categories::table
            .find(id)
            .select(CategoryRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(ApiError::NotFound)?;
        diesel::update(categories::table.find(id))
            .set((
                categories::name.eq(body.name.map(|n| n.trim().to_owned()).unwrap_or(current.name)),
                categories::description.eq(body.description.unwrap_or(current.description)),
                categories::active.eq(body.active.unwrap_or(current.active)),
                categories::retention_days.eq(body.retention_days.unwrap_or(current.retention_days)),
                categories::updated_at.eq(Utc::now()),
            ))
            .returning(CategoryRow::as_returning())
            .get_result(conn)
            .map_err(name_taken)
    })
    .await?;
    Ok(web::Json(row.into()))
}

/// Delete a category; its tickets keep existing without a category.
#[utoipa::path(
    tag = "categories",
    params(("id" = i64, Path, description = "Category id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such category.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/categories/{id}")]
pub async fn delete_category(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| match diesel::delete(categories::table.find(id)).execute(conn)? {
        0 => Err(ApiError::NotFound),
        _ => Ok(()),
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
