//! `GET /metrics` in the Prometheus text format, for operators (not part of the REST API, not
//! public: it answers only `Authorization: Bearer $HELPDESK_METRICS_TOKEN`, and 404 while that
//! is unset). Per instance; scrape every instance.
//!
//! - `helpdesk_http_requests_total` and `helpdesk_http_request_duration_seconds` (histogram),
//!   by `method`, `route` (the matched pattern, e.g. `/api/v1/tickets/{id}`) and `status`;
//! - `helpdesk_db_pool_connections` by `state` (`in_use`, `idle`) and `helpdesk_db_pool_waiting`
//!   (requests waiting for a connection);
//! - `helpdesk_outbox_pending` and `helpdesk_outbox_oldest_pending_seconds` by `outbox`
//!   (`email`, `webhook`), read from the database at scrape time (all instances' work);
//! - `helpdesk_emails_total` and `helpdesk_webhook_deliveries_total` by `outcome`;
//! - `helpdesk_job_runs_total` by `job` and `outcome` (`ok`, `failed`).

use std::sync::OnceLock;

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::{QueryableByName, RunQueryDsl, sql_types::Double};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};

use crate::{db, error::ApiError, state::AppState};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder (`helpdesk serve` with a metrics token only; without
/// one, every metric call is a no-op).
pub fn install() -> anyhow::Result<()> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("helpdesk_http_request_duration_seconds".into()),
            &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
        )?
        .install_recorder()?;
    let _ = HANDLE.set(handle);
    Ok(())
}

/// Counts one answered request.
pub fn request(method: &str, route: String, status: u16, seconds: f64) {
    let labels = [("method", method.to_owned()), ("route", route), ("status", status.to_string())];
    metrics::counter!("helpdesk_http_requests_total", &labels).increment(1);
    metrics::histogram!("helpdesk_http_request_duration_seconds", &labels).record(seconds);
}

#[derive(QueryableByName)]
struct Outbox {
    #[diesel(sql_type = Double)]
    email_pending: f64,
    #[diesel(sql_type = Double)]
    email_oldest: f64,
    #[diesel(sql_type = Double)]
    webhook_pending: f64,
    #[diesel(sql_type = Double)]
    webhook_oldest: f64,
}

pub async fn serve(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (Some(expected), Some(handle)) = (state.config.metrics_token.as_ref(), HANDLE.get()) else {
        return Err(ApiError::NoRoute);
    };
    let given = crate::auth::extract::bearer(&req).unwrap_or_default();
    if Sha256::digest(given.as_bytes()) != Sha256::digest(expected.expose().as_bytes()) {
        return Err(ApiError::Unauthenticated("Send the metrics token as `Authorization: Bearer <token>`.".into()));
    }
    let pool = state.pool.state();
    metrics::gauge!("helpdesk_db_pool_connections", "state" => "in_use")
        .set(f64::from(pool.connections - pool.idle_connections));
    metrics::gauge!("helpdesk_db_pool_connections", "state" => "idle").set(f64::from(pool.idle_connections));
    let outbox: Outbox = db::run(&state.pool, |conn| {
        Ok(diesel::sql_query(
            "SELECT (SELECT count(*) FROM emails WHERE status = 'pending')::float8 AS email_pending,
                    coalesce((SELECT extract(epoch FROM now() - min(created_at)) FROM emails WHERE status = 'pending'), 0)::float8 AS email_oldest,
                    (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending')::float8 AS webhook_pending,
                    coalesce((SELECT extract(epoch FROM now() - min(created_at)) FROM webhook_deliveries WHERE status = 'pending'), 0)::float8 AS webhook_oldest",
        )
        .get_result(conn)?)
    })
    .await?;
    for (outbox_name, pending, oldest) in [
        ("email", outbox.email_pending, outbox.email_oldest),
        ("webhook", outbox.webhook_pending, outbox.webhook_oldest),
    ] {
        metrics::gauge!("helpdesk_outbox_pending", "outbox" => outbox_name).set(pending);
        metrics::gauge!("helpdesk_outbox_oldest_pending_seconds", "outbox" => outbox_name).set(oldest);
    }
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(handle.render()))
}
