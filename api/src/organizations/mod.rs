//! `/api/v1/organizations`: client companies with service contracts (admins write, staff read).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use helpdesk_types::{
    Page, Problem,
    organizations::{ContractTier, Organization, OrganizationInput},
};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    app::AppState,
    auth::{Admin, Staff},
    db::{
        self,
        schema::{organizations, tickets, users},
    },
    error::ApiError,
    pagination,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_organizations)
        .service(create_organization)
        .service(get_organization)
        .service(update_organization)
        .service(delete_organization);
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations, check_for_backend(diesel::pg::Pg))]
pub struct OrganizationRow {
    pub id: i64,
    pub name: String,
    pub domains: Vec<Option<String>>,
    pub contract_tier: ContractTier,
    pub dpa_signed_at: Option<NaiveDate>,
    pub shares_tickets: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrganizationRow> for Organization {
    fn from(r: OrganizationRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            domains: r.domains.into_iter().flatten().collect(),
            contract_tier: r.contract_tier,
            dpa_signed_at: r.dpa_signed_at,
            shares_tickets: r.shares_tickets,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The organization whose domains include the email's domain (registration joins it).
pub fn find_by_email_domain(conn: &mut PgConnection, email: &str) -> QueryResult<Option<i64>> {
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d).to_lowercase();
    organizations::table
        .filter(organizations::domains.contains(vec![Some(domain)]))
        .select(organizations::id)
        .order(organizations::id)
        .first(conn)
        .optional()
}

pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<Option<OrganizationRow>> {
    organizations::table.find(id).select(OrganizationRow::as_select()).first(conn).optional()
}

/// Checked, normalised input.
struct Parsed {
    name: Option<String>,
    domains: Option<Vec<Option<String>>>,
}

fn parse(input: &OrganizationInput) -> Result<Parsed, ApiError> {
    let name = match input.name.as_deref().map(str::trim) {
        Some("") => return Err(ApiError::field("name", "must not be empty")),
        Some(n) if n.chars().count() > 200 => return Err(ApiError::field("name", "must be at most 200 characters")),
        other => other.map(str::to_owned),
    };
    let domains = match &input.domains {
        None => None,
        Some(list) if list.len() > 50 => return Err(ApiError::field("domains", "may list at most 50 domains")),
        Some(list) => {
            let mut out = Vec::new();
            for d in list {
                let d = d.trim().trim_start_matches('@').to_lowercase();
                let valid = d.len() <= 253
                    && d.contains('.')
                    && d.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
                if !valid {
                    return Err(ApiError::field("domains", format!("{d:?} is not a domain name like example.com")));
                }
                out.push(Some(d));
            }
            out.sort();
            out.dedup();
            Some(out)
        }
    };
    Ok(Parsed { name, domains })
}

fn name_taken(err: diesel::result::Error) -> ApiError {
    ApiError::unique_violation(err, "name_taken", "name", "is already used by another organization")
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Part of the name.
    q: Option<String>,
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
    let rows = db::run(&state.pool, move |conn| {
        let mut q = organizations::table
            .select(OrganizationRow::as_select())
            .order((organizations::name, organizations::id))
            .limit(limit + 1)
            .into_boxed();
        if let Some(text) = query.q.as_deref().filter(|t| !t.trim().is_empty()) {
            q = q.filter(organizations::name.ilike(crate::accounts::admin::like_pattern(text)));
        }
        if let Some((name, id)) = after {
            q = q.filter(
                organizations::name.gt(name.clone()).or(organizations::name.eq(name).and(organizations::id.gt(id))),
            );
        }
        Ok(q.load(conn)?)
    })
    .await?;
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
    let parsed = parse(&body)?;
    let name = parsed.name.ok_or_else(|| ApiError::field("name", "is required"))?;
    let row = db::run(&state.pool, move |conn| {
        diesel::insert_into(organizations::table)
            .values((
                organizations::name.eq(name),
                organizations::domains.eq(parsed.domains.unwrap_or_default()),
                organizations::contract_tier.eq(body.contract_tier.unwrap_or(ContractTier::None)),
                organizations::dpa_signed_at.eq(body.dpa_signed_at.flatten()),
                organizations::shares_tickets.eq(body.shares_tickets.unwrap_or(false)),
            ))
            .returning(OrganizationRow::as_returning())
            .get_result(conn)
            .map_err(name_taken)
    })
    .await?;
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
    let row = db::run(&state.pool, move |conn| find(conn, id)?.ok_or(ApiError::NotFound)).await?;
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
    let parsed = parse(&body)?;
    let row = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = find(conn, id)?.ok_or(ApiError::NotFound)?;
            let row: OrganizationRow = diesel::update(organizations::table.find(id))
                .set((
                    organizations::name.eq(parsed.name.unwrap_or(current.name)),
                    organizations::domains.eq(parsed.domains.unwrap_or(current.domains)),
                    organizations::contract_tier.eq(body.contract_tier.unwrap_or(current.contract_tier)),
                    organizations::dpa_signed_at.eq(body.dpa_signed_at.unwrap_or(current.dpa_signed_at)),
                    organizations::shares_tickets.eq(body.shares_tickets.unwrap_or(current.shares_tickets)),
                    organizations::updated_at.eq(Utc::now()),
                ))
                .returning(OrganizationRow::as_returning())
                .get_result(conn)
                .map_err(name_taken)?;
            if row.contract_tier != current.contract_tier {
                diesel::update(
                    tickets::table.filter(tickets::organization_id.eq(id)).filter(tickets::archived.eq(false)),
                )
                .set(tickets::contract_tier.eq(row.contract_tier))
                .execute(conn)?;
            }
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
            diesel::update(tickets::table.filter(tickets::organization_id.eq(id)))
                .set(tickets::contract_tier.eq(ContractTier::None))
                .execute(conn)?;
            diesel::update(users::table.filter(users::organization_id.eq(id)))
                .set(users::organization_id.eq(None::<i64>))
                .execute(conn)?;
            match diesel::delete(organizations::table.find(id)).execute(conn)? {
                0 => Err(ApiError::NotFound),
                _ => Ok(()),
            }
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
