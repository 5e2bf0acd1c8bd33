//! Queries on organizations. No HTTP here.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use helpdesk_types::organizations::{ContractTier, JoinPolicy, Organization, OrganizationInput};

use crate::db::{self, schema::organizations};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations, check_for_backend(diesel::pg::Pg))]
pub struct OrganizationRow {
    pub id: i64,
    pub name: String,
    pub domains: Vec<Option<String>>,
    pub contract_tier: ContractTier,
    pub dpa_signed_at: Option<NaiveDate>,
    pub shares_tickets: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub join_policy: JoinPolicy,
}

impl OrganizationRow {
    /// Whether `email` has one of the organization's domains.
    pub fn owns_address(&self, email: &str) -> bool {
        let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
        self.domains.iter().flatten().any(|d| d.eq_ignore_ascii_case(domain))
    }
}

impl From<OrganizationRow> for Organization {
    fn from(r: OrganizationRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            domains: r.domains.into_iter().flatten().collect(),
            contract_tier: r.contract_tier,
            dpa_signed_at: r.dpa_signed_at,
            shares_tickets: r.shares_tickets,
            join_policy: r.join_policy,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The organization whose domains include the email's domain (a verified address joins it).
pub fn find_by_email_domain(conn: &mut PgConnection, email: &str) -> QueryResult<Option<OrganizationRow>> {
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d).to_lowercase();
    organizations::table
        .filter(organizations::domains.contains(vec![Some(domain)]))
        .select(OrganizationRow::as_select())
        .order(organizations::id)
        .first(conn)
        .optional()
}

pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<Option<OrganizationRow>> {
    organizations::table.find(id).select(OrganizationRow::as_select()).first(conn).optional()
}

/// A page of organizations by name, after `(name, id)`; `limit + 1` rows.
pub fn list(
    conn: &mut PgConnection,
    q: Option<&str>,
    after: Option<(String, i64)>,
    limit: i64,
) -> QueryResult<Vec<OrganizationRow>> {
    let mut query = organizations::table
        .select(OrganizationRow::as_select())
        .order((organizations::name, organizations::id))
        .limit(limit + 1)
        .into_boxed();
    if let Some(text) = q.filter(|t| !t.trim().is_empty()) {
        query = query.filter(organizations::name.ilike(db::like_pattern(text)));
    }
    if let Some((name, id)) = after {
        query = query.filter(
            organizations::name.gt(name.clone()).or(organizations::name.eq(name).and(organizations::id.gt(id))),
        );
    }
    query.load(conn)
}

/// Domains as stored: normalised, sorted, without duplicates.
fn domains(input: &[String]) -> Vec<Option<String>> {
    let mut out: Vec<String> = input.iter().map(|d| helpdesk_types::validation::normalize_domain(d)).collect();
    out.sort();
    out.dedup();
    out.into_iter().map(Some).collect()
}

/// Inserts a validated input (`name` present).
pub fn insert(conn: &mut PgConnection, name: &str, input: &OrganizationInput) -> QueryResult<OrganizationRow> {
    diesel::insert_into(organizations::table)
        .values((
            organizations::name.eq(name.trim()),
            organizations::domains.eq(domains(input.domains.as_deref().unwrap_or_default())),
            organizations::contract_tier.eq(input.contract_tier.unwrap_or(ContractTier::None)),
            organizations::dpa_signed_at.eq(input.dpa_signed_at.flatten()),
            organizations::shares_tickets.eq(input.shares_tickets.unwrap_or(false)),
            organizations::join_policy.eq(input.join_policy.unwrap_or(JoinPolicy::VerifiedDomain)),
        ))
        .returning(OrganizationRow::as_returning())
        .get_result(conn)
}

/// Applies a validated input to `current`; absent fields stay.
pub fn update(
    conn: &mut PgConnection,
    current: OrganizationRow,
    input: &OrganizationInput,
) -> QueryResult<OrganizationRow> {
    diesel::update(organizations::table.find(current.id))
        .set((
            organizations::name.eq(input.name.as_deref().map_or(current.name, |n| n.trim().to_owned())),
            organizations::domains.eq(input.domains.as_deref().map_or(current.domains, domains)),
            organizations::contract_tier.eq(input.contract_tier.unwrap_or(current.contract_tier)),
            organizations::dpa_signed_at.eq(input.dpa_signed_at.unwrap_or(current.dpa_signed_at)),
            organizations::shares_tickets.eq(input.shares_tickets.unwrap_or(current.shares_tickets)),
            organizations::join_policy.eq(input.join_policy.unwrap_or(current.join_policy)),
            organizations::updated_at.eq(Utc::now()),
        ))
        .returning(OrganizationRow::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(organizations::table.find(id)).execute(conn)? > 0)
}
