//! Organizations (client companies), categories and SLA policies.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "validate")]
use validator::Validate;

#[cfg(feature = "validate")]
use crate::validation::rules;

crate::text_enum! {
    /// Service contract of an organization; contract customers are served first.
    pub enum ContractTier {
        None = "none",
        Standard = "standard",
        Premium = "premium",
    }
}

crate::text_enum! {
    /// How people join an organization whose email domain they have.
    pub enum JoinPolicy {
        /// As soon as they verified their address (the default).
        VerifiedDomain = "verified_domain",
        /// After verifying their address and an admin's approval.
        Approval = "approval",
    }
}

/// A client company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    pub id: i64,
    pub name: String,
    /// Email domains; customers registering with one of them join the organization.
    pub domains: Vec<String>,
    pub contract_tier: ContractTier,
    /// When the data-processing agreement was signed; `null`: not signed.
    pub dpa_signed_at: Option<NaiveDate>,
    /// Whether members see each other's tickets.
    pub shares_tickets: bool,
    pub join_policy: JoinPolicy,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/organizations` and `PATCH /api/v1/organizations/{id}` (absent fields stay).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Example GmbH", "domains": ["example.com"], "contract_tier": "premium",
    "dpa_signed_at": "2026-01-15", "shares_tickets": true
})))]
#[cfg_attr(feature = "validate", derive(Validate))]
pub struct OrganizationInput {
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::organization_name")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::domains")))]
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Option<Vec<DomainName>>))]
    pub domains: Option<Vec<String>>,
    pub contract_tier: Option<ContractTier>,
    /// `null` clears it.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub dpa_signed_at: Option<Option<NaiveDate>>,
    pub shares_tickets: Option<bool>,
    /// Default `verified_domain`.
    pub join_policy: Option<JoinPolicy>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(value: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// An email domain like `example.com`: letters, digits and `-` in two or more
/// labels; a leading `@` and surrounding blanks are ignored, it is stored in lower case.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(pattern = r"^\s*@?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\s*$", max_length = 253, example = "example.com")]
pub struct DomainName(pub String);

/// A ticket category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// Inactive categories are hidden from customers and cannot be chosen for new tickets.
    pub active: bool,
    /// Closed tickets are deleted this many days after closing, unless on legal hold; `null`:
    /// kept (P4, P15).
    pub retention_days: Option<i32>,
}

/// `POST /api/v1/categories`, `PATCH /api/v1/categories/{id}` (absent fields stay).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "validate", derive(Validate))]
pub struct CategoryInput {
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::category_name")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::category_description")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub description: Option<String>,
    pub active: Option<bool>,
    /// Days after closing until the category's tickets are deleted; `null` keeps them.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>, minimum = 1, maximum = 36500))]
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::retention_days")))]
    pub retention_days: Option<Option<i32>>,
}

/// Targets for one contract tier and priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaPolicy {
    pub contract_tier: ContractTier,
    pub priority: crate::tickets::Priority,
    /// Minutes from creation to the first public agent reply.
    pub first_response_minutes: i32,
    /// Minutes from creation to resolution.
    pub resolution_minutes: i32,
    /// The business calendar the minutes count in (1: around the clock).
    pub calendar_id: i64,
    /// A target is at risk once this share of its business time is used.
    pub at_risk_percent: i16,
}

/// `PUT /api/v1/sla-policies/{contract_tier}/{priority}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "validate", derive(Validate))]
#[cfg_attr(feature = "validate", validate(schema(function = "rules::sla_policy", skip_on_field_errors = true)))]
pub struct SlaPolicyInput {
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::sla_minutes")))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 525600))]
    pub first_response_minutes: i32,
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::sla_minutes")))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 525600))]
    pub resolution_minutes: i32,
    /// Default: unchanged (around the clock for a new policy).
    #[serde(default)]
    pub calendar_id: Option<i64>,
    /// 1 to 99; default: unchanged (75 for a new policy).
    #[serde(default)]
    #[cfg_attr(feature = "validate", validate(range(min = 1, max = 99)))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 99))]
    pub at_risk_percent: Option<i16>,
}
