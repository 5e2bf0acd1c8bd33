//! `/api/v1/organizations`: client companies with service contracts (admins write, staff read).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use diesel::Connection;
use helpdesk_types::{
    Account, Page, Problem,
    organizations::{ContractTier, Organization, OrganizationInput},
};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::repo;
use crate::{
    accounts::repo as accounts,
    auth::{Admin, Staff},
    db,
    error::{ApiError, ProblemCode},
    pagination,
    state::AppState,
    tickets::repo as tickets,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_organizations)
        .service(create_organization)
        .service(get_organization)
        .service(update_organization)
        .service(delete_organization)
        .service(pending_members)
        .service(approve_member)
        .service(decline_member);
}

fn name_taken(err: diesel::result::Error) -> ApiError {
    ApiError::unique_violation(err, ProblemCode::NameTaken, "name", "is already used by another organization")
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Part of the name.
    #[param(max_length = 200)]
    q: Option<String>,
    /// 1-100, default 25.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Organizations by name.
#[utoipa::path(
    tag = "organizations",
    params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of organizations.", body = Page<Organization>),
        (status = 403, description = "Customers may not list organizations.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/organizations")]
pub async fn list_organizations(
    _staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<Page<Organization>>, ApiError> {
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let after: Option<(String, i64)> = pagination::decode(query.cursor.as_deref())?;
    let q = pagination::search_term(query.q)?;
    let rows = db::run(&state.pool, move |conn| Ok(repo::list(conn, q.as_deref(), after, limit)?)).await?;
    let (rows, next_cursor) = pagination::page(rows, limit, |r| (r.name.clone(), r.id));
    Ok(web::Json(Page { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Create an organization.
#[utoipa::path(
    tag = "organizations",
    request_body = OrganizationInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = Organization),
        (status = 409, description = "The name is taken.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/organizations")]
pub async fn create_organization(
    _admin: Admin,
    state: web::Data<AppState>,
    body: web::Json<OrganizationInput>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    body.validate()?;
    let name = body.name.clone().ok_or_else(|| ApiError::field("name", "is required"))?;
    let row = db::run(&state.pool, move |conn| repo::insert(conn, &name, &body).map_err(name_taken)).await?;
    Ok(HttpResponse::Created().json(Organization::from(row)))
}

/// One organization.
#[utoipa::path(
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The organization.", body = Organization),
        (status = 404, description = "No such organization.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<Organization>, ApiError> {
    let id = id.into_inner();
    let row = db::run(&state.pool, move |conn| repo::find(conn, id)?.ok_or(ApiError::NotFound)).await?;
    Ok(web::Json(row.into()))
}

/// Change an organization. A changed contract tier re-orders its open tickets in the queue.
#[utoipa::path(
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    request_body = OrganizationInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated organization.", body = Organization),
        (status = 404, description = "No such organization.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<OrganizationInput>,
) -> Result<web::Json<Organization>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    body.validate()?;
    let row = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = repo::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let old_tier = current.contract_tier;
            let row = repo::update(conn, current, &body).map_err(name_taken)?;
            if row.contract_tier != old_tier {
                tickets::set_contract_tier(conn, id, row.contract_tier, false)?;
            }
            let data =
                serde_json::json!({"organization": helpdesk_types::organizations::Organization::from(row.clone())});
            crate::webhooks::emit(
                conn,
                helpdesk_types::integrations::EventType::OrganizationUpdated,
                None,
                false,
                data,
            )?;
            Ok(row)
        })
    })
    .await?;
    Ok(web::Json(row.into()))
}

/// Delete an organization. Its members and tickets stay, without an organization.
#[utoipa::path(
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such organization.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/organizations/{id}")]
pub async fn delete_organization(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            tickets::set_contract_tier(conn, id, ContractTier::None, true)?;
            accounts::leave_organization(conn, id)?;
            if repo::delete(conn, id)? { Ok(()) } else { Err(ApiError::NotFound) }
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// People who verified an address of the organization's domain and wait for an admin's
/// approval (organizations with `join_policy: approval`).
#[utoipa::path(
    operation_id = "listPendingMembers",
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The people waiting, oldest request first.", body = Vec<Account>),
        (status = 404, description = "No such organization.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/organizations/{id}/pending-members")]
pub async fn pending_members(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<Account>>, ApiError> {
    let id = id.into_inner();
    let people = db::run(&state.pool, move |conn| {
        repo::find(conn, id)?.ok_or(ApiError::NotFound)?;
        Ok(accounts::pending_members(conn, id)?)
    })
    .await?;
    Ok(web::Json(people.into_iter().map(Into::into).collect()))
}

/// Let a waiting person in.
#[utoipa::path(
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id"), ("user_id" = i64, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account, now a member.", body = Account),
        (status = 404, description = "Nobody with this id waits for this organization.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/organizations/{id}/pending-members/{user_id}/approve")]
pub async fn approve_member(
    _admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<web::Json<Account>, ApiError> {
    let (id, user_id) = path.into_inner();
    let user = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            waiting(conn, id, user_id)?;
            accounts::set_organization(conn, user_id, Some(id))?;
            accounts::find(conn, user_id)?.ok_or(ApiError::NotFound)
        })
    })
    .await?;
    Ok(web::Json(user.into()))
}

/// Turn a waiting person away (they stay a customer without an organization).
#[utoipa::path(
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id"), ("user_id" = i64, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Declined."),
        (status = 404, description = "Nobody with this id waits for this organization.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/organizations/{id}/pending-members/{user_id}")]
pub async fn decline_member(
    _admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            waiting(conn, id, user_id)?;
            accounts::request_organization(conn, user_id, None)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// 404 unless the account waits for this organization.
fn waiting(conn: &mut diesel::PgConnection, organization_id: i64, user_id: i64) -> Result<(), ApiError> {
    match accounts::find(conn, user_id)? {
        Some(u) if u.requested_organization_id == Some(organization_id) => Ok(()),
        _ => Err(ApiError::NotFound),
    }
}
