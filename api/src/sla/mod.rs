//! The SLA engine: policies (targets per contract tier and priority, each counted in business
//! time of a calendar), the business calendars, the clock of each ticket (deadlines, pause,
//! status) and the monitor that warns before a deadline passes. See `docs/architecture.md`.

pub mod calendar;
pub mod calendars;
pub mod clock;
pub mod holidays;
pub mod monitor;
pub mod reports;

pub use clock::{Policy, settle, status, status_sql};

use actix_web::{get, put, web};
use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::{
    Problem,
    organizations::{ContractTier, SlaPolicy, SlaPolicyInput},
    tickets::Priority,
};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::{
    auth::{Admin, Staff},
    db::{
        self,
        schema::{calendars as calendars_table, sla_policies},
    },
    error::ApiError,
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_policies).service(put_policy);
    calendars::routes(cfg);
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = sla_policies, check_for_backend(diesel::pg::Pg))]
struct PolicyRow {
    contract_tier: ContractTier,
    priority: Priority,
    first_response_minutes: i32,
    resolution_minutes: i32,
    calendar_id: i64,
    at_risk_percent: i16,
}

impl From<PolicyRow> for SlaPolicy {
    fn from(r: PolicyRow) -> Self {
        Self {
            contract_tier: r.contract_tier,
            priority: r.priority,
            first_response_minutes: r.first_response_minutes,
            resolution_minutes: r.resolution_minutes,
            calendar_id: r.calendar_id,
            at_risk_percent: r.at_risk_percent,
        }
    }
}

/// Every policy (staff).
#[utoipa::path(
    operation_id = "listSlaPolicies",
    tag = "sla",
    security(("bearer" = [])),
    responses((status = 200, description = "The SLA policies.", body = Vec<SlaPolicy>)),
)]
#[get("/sla-policies")]
pub async fn list_policies(_staff: Staff, state: web::Data<AppState>) -> Result<web::Json<Vec<SlaPolicy>>, ApiError> {
    let rows: Vec<PolicyRow> =
        db::run(&state.pool, |conn| Ok(sla_policies::table.select(PolicyRow::as_select()).load(conn)?)).await?;
    let mut policies: Vec<SlaPolicy> = rows.into_iter().map(Into::into).collect();
    policies.sort_by_key(|p| (std::cmp::Reverse(p.contract_tier), std::cmp::Reverse(p.priority)));
    Ok(web::Json(policies))
}

/// Set the targets of one tier and priority, the calendar they count in and the at-risk share.
/// Applies to tickets created, re-prioritised or resumed from now on.
#[utoipa::path(
    operation_id = "putSlaPolicy",
    tag = "sla",
    params(
        ("contract_tier" = ContractTier, Path, description = "none, standard or premium"),
        ("priority" = Priority, Path, description = "low, normal, high or urgent"),
    ),
    request_body = SlaPolicyInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The policy.", body = SlaPolicy),
        (status = 404, description = "Unknown tier or priority.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Targets must be 1 to 525600 minutes, resolution not before first response; the calendar must exist; at_risk_percent 1 to 99.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/sla-policies/{contract_tier}/{priority}")]
pub async fn put_policy(
    _admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<SlaPolicyInput>,
) -> Result<web::Json<SlaPolicy>, ApiError> {
    let (tier, priority) = path.into_inner();
    let tier: ContractTier = tier.parse().map_err(|_| ApiError::NotFound)?;
    let priority: Priority = priority.parse().map_err(|_| ApiError::NotFound)?;
    let body = body.into_inner();
    body.validate()?;
    let row = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if let Some(id) = body.calendar_id {
                let exists: bool =
                    diesel::select(diesel::dsl::exists(calendars_table::table.find(id))).get_result(conn)?;
                if !exists {
                    return Err(ApiError::field("calendar_id", "is not a calendar"));
                }
            }
            let current: Option<(i64, i16)> = sla_policies::table
                .find((tier, priority))
                .select((sla_policies::calendar_id, sla_policies::at_risk_percent))
                .first(conn)
                .optional()?;
            let calendar_id = body.calendar_id.or(current.map(|c| c.0)).unwrap_or(calendars::ALWAYS_OPEN);
            let at_risk_percent = body.at_risk_percent.or(current.map(|c| c.1)).unwrap_or(75);
            Ok(diesel::insert_into(sla_policies::table)
                .values((
                    sla_policies::contract_tier.eq(tier),
                    sla_policies::priority.eq(priority),
                    sla_policies::first_response_minutes.eq(body.first_response_minutes),
                    sla_policies::resolution_minutes.eq(body.resolution_minutes),
                    sla_policies::calendar_id.eq(calendar_id),
                    sla_policies::at_risk_percent.eq(at_risk_percent),
                ))
                .on_conflict((sla_policies::contract_tier, sla_policies::priority))
                .do_update()
                .set((
                    sla_policies::first_response_minutes.eq(body.first_response_minutes),
                    sla_policies::resolution_minutes.eq(body.resolution_minutes),
                    sla_policies::calendar_id.eq(calendar_id),
                    sla_policies::at_risk_percent.eq(at_risk_percent),
                    sla_policies::updated_at.eq(Utc::now()),
                ))
                .returning(PolicyRow::as_returning())
                .get_result(conn)?)
        })
    })
    .await?;
    Ok(web::Json(row.into()))
}
