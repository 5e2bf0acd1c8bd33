//! API tokens for integrations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// What an API token may do (least privilege). A token never goes beyond its owner's role;
    /// `admin` is everything the owner (an admin) may do.
    pub enum Scope {
        #[serde(rename = "tickets:read")]
        TicketsRead = "tickets:read",
        #[serde(rename = "tickets:write")]
        TicketsWrite = "tickets:write",
        #[serde(rename = "comments:write")]
        CommentsWrite = "comments:write",
        #[serde(rename = "users:read")]
        UsersRead = "users:read",
        #[serde(rename = "users:write")]
        UsersWrite = "users:write",
        #[serde(rename = "organizations:read")]
        OrganizationsRead = "organizations:read",
        #[serde(rename = "organizations:write")]
        OrganizationsWrite = "organizations:write",
        #[serde(rename = "webhooks:manage")]
        WebhooksManage = "webhooks:manage",
        Admin = "admin",
    }
}

/// An API token as listed (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret, e.g. `hd_4fZq`.
    pub prefix: String,
    pub scopes: Vec<Scope>,
    /// Whose token it is (its actions are theirs).
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    /// Updated at most once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/api-tokens`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "CRM sync", "scopes": ["tickets:read", "comments:write"], "expires_at": "2027-12-31T00:00:00Z"})))]
pub struct CreateApiToken {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub scopes: Vec<Scope>,
    /// In the future; none: until revoked.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The created token with its secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    pub token: ApiToken,
    /// `hd_` + 43 base62 characters + a 6-character checksum; send as `Authorization: Bearer …`.
    pub secret: String,
}

crate::text_enum! {
    /// What a webhook can subscribe to.
    pub enum EventType {
        #[serde(rename = "ticket.created")]
        TicketCreated = "ticket.created",
        #[serde(rename = "ticket.updated")]
        TicketUpdated = "ticket.updated",
        #[serde(rename = "ticket.status_changed")]
        TicketStatusChanged = "ticket.status_changed",
        #[serde(rename = "ticket.assigned")]
        TicketAssigned = "ticket.assigned",
        /// Public comments; internal notes only for webhooks with `include_internal`.
        #[serde(rename = "comment.created")]
        CommentCreated = "comment.created",
        #[serde(rename = "attachment.created")]
        AttachmentCreated = "attachment.created",
        #[serde(rename = "sla.warning")]
        SlaWarning = "sla.warning",
        #[serde(rename = "sla.breached")]
        SlaBreached = "sla.breached",
        #[serde(rename = "user.created")]
        UserCreated = "user.created",
        #[serde(rename = "organization.updated")]
        OrganizationUpdated = "organization.updated",
        /// Sent by `POST /webhooks/{id}/ping` only.
        #[serde(rename = "webhook.ping")]
        Ping = "webhook.ping",
    }
}

/// A webhook subscription (never its secret, after creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub active: bool,
    /// Internal notes are delivered too (admins only).
    pub include_internal: bool,
    /// Set when the webhook was switched off after failing for 24 hours.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/webhooks`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"url": "https://crm.example.com/hooks/helpdesk", "event_types": ["ticket.created", "comment.created"]})))]
pub struct WebhookInput {
    /// `https://` (plain `http://` only outside production).
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub url: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub event_types: Vec<EventType>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub include_internal: bool,
}

fn yes() -> bool {
    true
}

/// `PATCH /api/v1/webhooks/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    pub active: Option<bool>,
    pub include_internal: Option<bool>,
}

/// The created webhook with its signing secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    /// `whsec_` + base64: the key of the Standard Webhooks signature.
    pub secret: String,
}

/// One delivery of one event to one webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: i64,
    /// `Webhook-Id`: the same for every attempt, so receivers can drop duplicates.
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub response_status: Option<i16>,
    /// The first 1 KiB of the response.
    pub response_excerpt: Option<String>,
    pub duration_ms: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}
