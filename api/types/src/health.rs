//! `GET /health/live` and `GET /health/ready`.

use serde::{Deserialize, Serialize};

/// Whether a probe passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Everything this probe checks is fine.
    Ok,
}

/// The answer of a health probe that passed. A failing probe answers with a problem body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "ok", "version": "0.1.0"})))]
pub struct Health {
    /// Always `ok`.
    pub status: HealthStatus,
    /// Version of the running server.
    pub version: String,
}
