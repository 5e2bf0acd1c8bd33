//! SLA policies and deadlines: targets per contract tier and priority (admins), the deadlines of
//! a ticket, and its SLA status. The status rules exist twice on purpose, in Rust ([`status`], for
//! responses) and in SQL ([`status_sql`], for filters and counts); `api/tests/api/sla.rs` checks
//! that they agree over a table of clocks.

use actix_web::{get, put, web};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use helpdesk_types::{
    Problem,
    organizations::{ContractTier, SlaPolicy, SlaPolicyInput},
    tickets::{Priority, SlaStatus},
};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::{
    auth::{Admin, Staff},
    db::{self, schema::sla_policies},
    error::ApiError,
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_policies).service(put_policy);
}

/// First-response and resolution deadlines of a ticket created at `created_at`.
pub fn deadlines(
    conn: &mut PgConnection,
    tier: ContractTier,
    priority: Priority,
    created_at: DateTime<Utc>,
) -> QueryResult<(DateTime<Utc>, DateTime<Utc>)> {
    let (first, resolution): (i32, i32) = sla_policies::table
        .find((tier, priority))
        .select((sla_policies::first_response_minutes, sla_policies::resolution_minutes))
        .first(conn)?;
    Ok((created_at + Duration::minutes(first.into()), created_at + Duration::minutes(resolution.into())))
}

/// The timestamps the SLA status depends on.
pub struct Clock {
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub first_response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
}

/// `breached` once a deadline passed unmet; `at_risk` when less than a quarter of the time to a
/// pending deadline is left; `on_track` otherwise.
pub fn status(c: &Clock, now: DateTime<Utc>) -> SlaStatus {
    let missed = |done: Option<DateTime<Utc>>, due: DateTime<Utc>| done.map_or(now > due, |at| at > due);
    if missed(c.first_response_at, c.first_response_due_at) || missed(c.resolved_at, c.resolution_due_at) {
        return SlaStatus::Breached;
    }
    let close =
        |done: Option<DateTime<Utc>>, due: DateTime<Utc>| done.is_none() && now > due - (due - c.created_at) / 4;
    if close(c.first_response_at, c.first_response_due_at) || close(c.resolved_at, c.resolution_due_at) {
        SlaStatus::AtRisk
    } else {
        SlaStatus::OnTrack
    }
}

// Every term is TRUE or FALSE, never NULL: `NOT (x OR NULL)` would drop tickets without a
// first response or resolution from the on-track and at-risk filters.
const BREACHED_SQL: &str = "((tickets.first_response_at IS NULL AND now() > tickets.first_response_due_at) \
     OR (tickets.first_response_at IS NOT NULL AND tickets.first_response_at > tickets.first_response_due_at) \
     OR (tickets.resolved_at IS NULL AND now() > tickets.resolution_due_at) \
     OR (tickets.resolved_at IS NOT NULL AND tickets.resolved_at > tickets.resolution_due_at))";
const CLOSE_SQL: &str = "((tickets.first_response_at IS NULL AND now() > tickets.first_response_due_at - (tickets.first_response_due_at - tickets.created_at) / 4) \
     OR (tickets.resolved_at IS NULL AND now() > tickets.resolution_due_at - (tickets.resolution_due_at - tickets.created_at) / 4))";

/// The SQL condition "a ticket of `tickets` has this SLA status".
pub fn status_sql(status: SlaStatus) -> String {
    match status {
        SlaStatus::Breached => BREACHED_SQL.to_owned(),
        SlaStatus::AtRisk => format!("(NOT {BREACHED_SQL} AND {CLOSE_SQL})"),
        SlaStatus::OnTrack => format!("(NOT {BREACHED_SQL} AND NOT {CLOSE_SQL})"),
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = sla_policies, check_for_backend(diesel::pg::Pg))]
struct PolicyRow {
    contract_tier: ContractTier,
    priority: Priority,
    first_response_minutes: i32,
    resolution_minutes: i32,
}

impl From<PolicyRow> for SlaPolicy {
    fn from(r: PolicyRow) -> Self {
        Self {
            contract_tier: r.contract_tier,
            priority: r.priority,
            first_response_minutes: r.first_response_minutes,
            resolution_minutes: r.resolution_minutes,
        }
    }
}

/// Every policy (staff).
#[utoipa::path(
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

/// Set the targets of one tier and priority. Applies to tickets created or re-prioritised from now on.
#[utoipa::path(
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
        (status = 422, description = "Targets must be 1 to 525600 minutes, resolution not before first response.", body = Problem, content_type = "application/problem+json"),
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
        Ok(diesel::insert_into(sla_policies::table)
            .values((
                sla_policies::contract_tier.eq(tier),
                sla_policies::priority.eq(priority),
                sla_policies::first_response_minutes.eq(body.first_response_minutes),
                sla_policies::resolution_minutes.eq(body.resolution_minutes),
            ))
            .on_conflict((sla_policies::contract_tier, sla_policies::priority))
            .do_update()
            .set((
                sla_policies::first_response_minutes.eq(body.first_response_minutes),
                sla_policies::resolution_minutes.eq(body.resolution_minutes),
                sla_policies::updated_at.eq(Utc::now()),
            ))
            .returning(PolicyRow::as_returning())
            .get_result(conn)?)
    })
    .await?;
    Ok(web::Json(row.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(first: Option<i64>, resolved: Option<i64>) -> Clock {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        Clock {
            created_at: t0,
            first_response_at: first.map(|m| t0 + Duration::minutes(m)),
            resolved_at: resolved.map(|m| t0 + Duration::minutes(m)),
            first_response_due_at: t0 + Duration::minutes(100),
            resolution_due_at: t0 + Duration::minutes(1000),
        }
    }

    #[test]
    fn sla_status_follows_the_deadlines() {
        let at = |m: i64| DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(m);
        assert_eq!(status(&clock(None, None), at(10)), SlaStatus::OnTrack);
        assert_eq!(status(&clock(None, None), at(80)), SlaStatus::AtRisk, "less than a quarter left");
        assert_eq!(status(&clock(None, None), at(101)), SlaStatus::Breached);
        assert_eq!(status(&clock(Some(50), None), at(500)), SlaStatus::OnTrack);
        assert_eq!(
            status(&clock(Some(150), None), at(500)),
            SlaStatus::Breached,
            "a late first response stays breached"
        );
        assert_eq!(status(&clock(Some(50), None), at(800)), SlaStatus::AtRisk);
        assert_eq!(status(&clock(Some(50), Some(900)), at(5000)), SlaStatus::OnTrack, "resolved in time");
    }
}
