//! The live settings the privacy page is generated from (P15).

use serde::{Deserialize, Serialize};

/// Retention periods and protections as configured on this server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrivacySettings {
    /// Accounts inactive this long are deleted (P2).
    pub inactive_account_deletion_days: u32,
    /// The warning email goes out this long before (P2).
    pub inactive_account_warning_days: u32,
    /// Resolved tickets are closed and archived after this (P4).
    pub auto_close_resolved_after_days: u32,
    /// The email log is deleted after this (P7).
    pub email_log_retention_days: u32,
    /// Request logs are deleted after this (P10).
    pub request_log_retention_days: u32,
    /// Failed sign-ins per account before a captcha is required (P8).
    pub login_failures_before_captcha: u32,
    /// How long failed sign-ins are counted and kept, in minutes (P8).
    pub login_failure_window_minutes: u64,
    /// A session ends after this many minutes without activity (P11).
    pub session_idle_minutes: u64,
    /// Largest attachment in bytes (P6).
    pub max_upload_bytes: u64,
    /// Allowed attachment types (P6).
    pub allowed_file_types: Vec<String>,
    /// Whether a captcha service is configured (P8, P14).
    pub captcha_enabled: bool,
}
