//! `/api/v1/reports`: SLA performance and ticket volume (staff).

use helpdesk_types::jobs::{SlaReportRow, VolumePoint};

use super::{ApiError, get};
use crate::session::Session;

pub async fn sla(session: Session, from: &str, to: &str, group_by: &str) -> Result<Vec<SlaReportRow>, ApiError> {
    get(session, &format!("/api/v1/reports/sla?from={from}&to={to}&group_by={group_by}")).await
}

pub async fn volume(session: Session, from: &str, to: &str, interval: &str) -> Result<Vec<VolumePoint>, ApiError> {
    get(session, &format!("/api/v1/reports/volume?from={from}&to={to}&interval={interval}")).await
}
