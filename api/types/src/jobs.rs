//! Scheduled jobs and SLA reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A periodic job as admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Job {
    pub name: String,
    pub description: String,
    /// Seconds between runs.
    pub every_seconds: i64,
    pub last_run: Option<JobRun>,
    /// When the next run is due (now when it never ran).
    pub next_run_at: DateTime<Utc>,
    /// The last finished run failed.
    pub failing: bool,
}

/// One run of a job (kept 30 days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobRun {
    pub started_at: DateTime<Utc>,
    /// `null` while it runs.
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `ok` or `failed`.
    pub outcome: String,
    /// What it did, e.g. `{"reminders": 3}`.
    pub counts: serde_json::Value,
    pub error: Option<String>,
}

/// `GET /api/v1/reports/sla` query: `from` and `to` bound the creation time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct SlaReportQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `tier` (default), `priority`, `category` or `agent`.
    pub group_by: Option<String>,
}

/// One group of the SLA report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaReportRow {
    /// The tier, priority, category name or agent name (`none` / `unassigned` without one).
    pub group: String,
    pub tickets: i64,
    /// Share of tickets with a first response whose response was in time, 0–100.
    pub first_response_met_percent: Option<f64>,
    /// Share of resolved tickets resolved in time, 0–100.
    pub resolution_met_percent: Option<f64>,
    /// Business minutes.
    pub first_response_median_minutes: Option<f64>,
    pub first_response_p90_minutes: Option<f64>,
    pub resolution_median_minutes: Option<f64>,
    pub resolution_p90_minutes: Option<f64>,
    /// Tickets that missed at least one deadline.
    pub breaches: i64,
}

/// `GET /api/v1/reports/volume` query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct VolumeReportQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `day` (default), `week` or `month`.
    pub interval: Option<String>,
}

/// Tickets created and resolved per interval, and the backlog (unresolved) at its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumePoint {
    pub start: DateTime<Utc>,
    /// The first day of the interval in Europe/Berlin (what a chart labels it).
    pub date: chrono::NaiveDate,
    pub created: i64,
    pub resolved: i64,
    pub backlog: i64,
}
