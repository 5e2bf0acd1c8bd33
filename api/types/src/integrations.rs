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
