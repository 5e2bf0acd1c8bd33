//! `GET /api/v1/admin/jobs`: every scheduled job with its schedule, last run and next run.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use helpdesk_types::jobs::{Job as JobView, JobRun};
use utoipa_actix_web::service_config::ServiceConfig;

use super::JOBS;
use crate::{
    auth::Admin,
    db::{self, schema::job_runs},
    error::ApiError,
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_jobs);
}

type RunRow = (String, DateTime<Utc>, Option<DateTime<Utc>>, String, serde_json::Value, Option<String>);

/// Every periodic job: what it does, how often, its last run and when it runs next (admins).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, description = "The jobs.", body = Vec<JobView>)),
)]
#[get("/admin/jobs")]
pub async fn list_jobs(_admin: Admin, state: web::Data<AppState>) -> Result<web::Json<Vec<JobView>>, ApiError> {
    let (last, last_finished): (Vec<RunRow>, Vec<(String, String)>) = db::run(&state.pool, |conn| {
        let last = job_runs::table
            .distinct_on(job_runs::job)
            .order((job_runs::job, job_runs::started_at.desc()))
            .select((
                job_runs::job,
                job_runs::started_at,
                job_runs::finished_at,
                job_runs::outcome,
                job_runs::counts,
                job_runs::error,
            ))
            .load(conn)?;
        let finished = job_runs::table
            .filter(job_runs::outcome.ne("running"))
            .distinct_on(job_runs::job)
            .order((job_runs::job, job_runs::started_at.desc()))
            .select((job_runs::job, job_runs::outcome))
            .load(conn)?;
        Ok((last, finished))
    })
    .await?;
    let now = Utc::now();
    let jobs = JOBS
        .iter()
        .map(|job| {
            let period = job.period(&state.config.policies);
            let run = last.iter().find(|r| r.0 == job.name).map(|r| JobRun {
                started_at: r.1,
                finished_at: r.2,
                outcome: r.3.clone(),
                counts: r.4.clone(),
                error: r.5.clone(),
            });
            let next_run_at = run
                .as_ref()
                .map_or(now, |r| r.started_at + chrono::Duration::from_std(period).unwrap_or_default())
                .max(now);
            JobView {
                name: job.name.to_owned(),
                description: job.description.to_owned(),
                every_seconds: i64::try_from(period.as_secs()).unwrap_or(i64::MAX),
                failing: last_finished.iter().any(|(n, o)| n == job.name && o == "failed"),
                last_run: run,
                next_run_at,
            }
        })
        .collect();
    Ok(web::Json(jobs))
}
