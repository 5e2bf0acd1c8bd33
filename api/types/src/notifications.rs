//! In-app notifications and the choice of channel per kind.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// What an agent is told about.
    pub enum Topic {
        /// A new ticket in a category the agent follows (all categories when none is followed).
        NewTicket = "new_ticket",
        /// A customer replied on a ticket assigned to the agent.
        CustomerReply = "customer_reply",
        /// A ticket was assigned to the agent.
        Assigned = "assigned",
        /// An internal note mentions the agent (`@username`).
        Mention = "mention",
        /// A ticket of the agent's (or, unassigned, of a category they follow) is at risk.
        SlaWarning = "sla_warning",
        /// A ticket of the agent's (or, unassigned, of a category they follow) missed a deadline.
        SlaBreach = "sla_breach",
        /// A scheduled job failed (admins).
        JobFailed = "job_failed",
    }
}

crate::text_enum! {
    /// Where a kind of notification goes.
    pub enum NotificationChannel {
        Email = "email",
        InApp = "in_app",
        Both = "both",
        None = "none",
    }
}

impl NotificationChannel {
    pub const fn email(self) -> bool {
        matches!(self, NotificationChannel::Email | NotificationChannel::Both)
    }

    pub const fn in_app(self) -> bool {
        matches!(self, NotificationChannel::InApp | NotificationChannel::Both)
    }
}

impl Topic {
    /// The channel used until the person chooses: new tickets only in the app (they are many),
    /// everything else by email and in the app.
    pub const fn default_channel(self) -> NotificationChannel {
        match self {
            Topic::NewTicket => NotificationChannel::InApp,
            _ => NotificationChannel::Both,
        }
    }
}

/// One in-app notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    pub topic: Topic,
    pub title: String,
    /// The ticket it is about (`null` once deleted, or for job failures).
    pub ticket_id: Option<i64>,
    /// Where it leads in the web UI, e.g. `/tickets/100042` (tickets by number).
    pub link: String,
    pub read: bool,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/v1/notifications` query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct NotificationQuery {
    /// `true`: unread only.
    pub unread: Option<bool>,
    /// 1 to 100, default 25.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `POST /api/v1/notifications/read`: the given ids, or all with `all: true`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkRead {
    #[serde(default)]
    pub ids: Vec<i64>,
    #[serde(default)]
    pub all: bool,
}

/// The unread count for the bell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    pub unread: i64,
}

/// A person's notification settings: a channel per topic, and the categories followed for
/// new-ticket notifications (empty: all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationSettings {
    pub channels: std::collections::BTreeMap<String, NotificationChannel>,
    pub followed_category_ids: Vec<i64>,
}
