//! RFC 9457 problem details, the body of every error response.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An error response (`application/problem+json`, RFC 9457).
///
/// Clients switch on `code` (or the equivalent `type`); `detail` is for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "/problems/validation-failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "One or more fields are invalid.",
    "code": "validation_failed",
    "errors": {"email": ["must be a valid email address"]},
    "request_id": "5f0c6d8e-2f1b-4c4e-9b1a-2f6f1f1c9a10"
})))]
pub struct Problem {
    /// URI reference identifying the problem type: `/problems/<kind>`, stable across versions.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the problem type; the same for every occurrence.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence, in plain language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable kind (snake_case), e.g. `captcha_required`.
    pub code: String,
    /// Field name -> messages, for validation failures.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, Vec<String>>,
    /// The request id (also in the `X-Request-Id` header); quote it when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Further members specific to the problem type (e.g. `sitekey`, `allowed`).
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(additional_properties))]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}
