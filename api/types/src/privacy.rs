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
    /// Request logs are deleted after this (P10), when the server keeps them itself.
    pub request_log_retention_days: u32,
    /// Whether the server keeps its request logs in files it deletes itself; otherwise they go to
    /// the operator's log system, whose retention applies (P10).
    pub request_logs_kept_by_server: bool,
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
    /// Whether a captcha service is configured (P8, P14); it then receives the captcha data.
    pub captcha_enabled: bool,
    /// The hCaptcha site key for the widget (the contact form always shows it).
    pub captcha_sitekey: Option<String>,
    /// Whether emails go through an SMTP relay (a third party receiving addresses and contents).
    pub smtp_relay: bool,
    /// The web addresses of active webhooks (systems the operator connected, which receive ticket
    /// and account data); their hosts only.
    #[serde(default)]
    pub webhook_hosts: Vec<String>,
    /// Contact-form requests are deleted this long after closing (P14).
    pub contact_retention_days: u32,
    /// Privacy actions are logged and the log kept this long (P12).
    pub audit_log_retention_days: u32,
    /// The original of a mail to the support address (staff-only) is kept this long; the log of
    /// received mail as long as the email log.
    #[serde(default)]
    pub raw_email_retention_days: u32,
}

/// One privacy action in the audit log (admins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    /// Who acted; `null` for the helpdesk itself (retention jobs).
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// `erasure`, `inactivity_warning`, `inactive_staff_reported`, ...
    pub action: String,
    /// Whose data it concerns.
    pub subject_id: Option<i64>,
    /// Counts and other facts, never the person's data.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
    pub client_ip: Option<String>,
}

/// `DELETE /api/v1/me`: erasing your account needs your password, and a code when two-factor
/// sign-in is on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EraseMe {
    #[cfg_attr(feature = "openapi", schema(max_length = 1024, format = "password"))]
    pub password: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub code: Option<String>,
}
