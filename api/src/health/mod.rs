//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::{get, web};
use helpdesk_types::{Health, HealthStatus, Problem};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{error::ApiError, state::AppState};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(live).service(ready);
}

fn ok() -> web::Json<Health> {
    web::Json(Health { status: HealthStatus::Ok, version: env!("CARGO_PKG_VERSION").to_owned() })
}

/// Liveness: the process is up and serving HTTP.
#[utoipa::path(
    operation_id = "getLiveness",
    tag = "health",
    responses((status = 200, description = "The process is up.", body = Health)),
)]
#[get("/health/live")]
async fn live() -> web::Json<Health> {
    ok()
}

/// Readiness: the database answers, migrations are applied, the instance is not stopping.
#[utoipa::path(
    operation_id = "getReadiness",
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve requests.", body = Health),
        (status = 503, description = "The database is unreachable or migrations are pending.", body = Problem,
         content_type = "application/problem+json"),
    ),
)]
#[get("/health/ready")]
async fn ready(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(ApiError::Unavailable("the instance is shutting down".into()));
    }
    crate::db::check_ready(&state.pool).await?;
    Ok(ok())
}
