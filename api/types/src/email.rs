//! The email log (P7).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// Where an email stands.
    pub enum EmailStatus {
        /// Queued or waiting for a retry.
        Pending = "pending",
        Sent = "sent",
        /// Given up after the last retry.
        Failed = "failed",
        /// Sent, then returned by the recipient's mail server (a delivery status notification).
        Bounced = "bounced",
    }
}

/// One email sent or attempted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailLogEntry {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    /// e.g. `welcome`, `password_reset`, `data_changed`.
    pub template: String,
    pub status: EmailStatus,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// The error of the last failed attempt, kept after a later success.
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Filters of `GET /api/v1/admin/email-log`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct EmailLogQuery {
    /// The exact address.
    #[cfg_attr(feature = "openapi", param(max_length = 254))]
    pub recipient: Option<String>,
    pub status: Option<EmailStatus>,
    pub template: Option<String>,
    /// 1-100, default 25.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

crate::text_enum! {
    /// What became of a mail to the support address.
    pub enum InboundOutcome {
        TicketCreated = "ticket_created",
        CommentAdded = "comment_added",
        /// Automatic mail (auto-reply, list, daemon), our own, a duplicate, or from a
        /// restricted account.
        Ignored = "ignored",
        /// A delivery status notification for one of our mails.
        Bounce = "bounce",
        /// Not taken (too many new tickets from the sender, no sender address).
        Refused = "refused",
    }
}

/// One mail that arrived at the support address (kept 30 days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundEmail {
    pub id: i64,
    /// `pipe` (`helpdesk ingest-email`) or the IMAP folder.
    pub mailbox: String,
    pub sender: String,
    pub subject: String,
    pub outcome: InboundOutcome,
    pub reason: Option<String>,
    pub ticket_id: Option<i64>,
    /// The number of that ticket (the web UI's address of it).
    pub ticket_number: Option<i64>,
    pub comment_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// Filters of `GET /api/v1/admin/inbound-log`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct InboundLogQuery {
    /// The exact sender address.
    #[cfg_attr(feature = "openapi", param(max_length = 254))]
    pub sender: Option<String>,
    pub outcome: Option<InboundOutcome>,
    /// 1-100, default 25.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
