//! Administration: users, organizations, categories, SLA policies and calendars, the email log,
//! scheduled jobs.

use helpdesk_types::{
    Account, Page,
    accounts::{CreateUser, UpdateUser},
    email::{EmailLogEntry, InboundEmail},
    jobs::Job,
    organizations::{Category, CategoryInput, Organization, OrganizationInput, SlaPolicy, SlaPolicyInput},
    sla::{Calendar, CalendarInput, Holiday, HolidayRegion},
};

use super::{ApiError, get, patch, post, put};
use crate::session::Session;

/// A page of accounts: `q` searches name, email and username; `cursor` continues a list.
pub async fn users(session: Session, q: &str, cursor: Option<&str>) -> Result<Page<Account>, ApiError> {
    let mut path = format!("/api/v1/users?limit=50&q={}", super::enc(q.trim()));
    if let Some(c) = cursor {
        path.push_str(&format!("&cursor={}", super::enc(c)));
    }
    get(session, &path).await
}

pub async fn create_user(session: Session, body: &CreateUser) -> Result<Account, ApiError> {
    post(session, "/api/v1/users", body).await
}

pub async fn update_user(session: Session, id: i64, body: &UpdateUser) -> Result<Account, ApiError> {
    patch(session, &format!("/api/v1/users/{id}"), body).await
}

pub async fn organizations(session: Session) -> Result<Page<Organization>, ApiError> {
    get(session, "/api/v1/organizations?limit=100").await
}

pub async fn create_organization(session: Session, body: &OrganizationInput) -> Result<Organization, ApiError> {
    post(session, "/api/v1/organizations", body).await
}

pub async fn update_organization(
    session: Session,
    id: i64,
    body: &OrganizationInput,
) -> Result<Organization, ApiError> {
    patch(session, &format!("/api/v1/organizations/{id}"), body).await
}

pub async fn delete_organization(session: Session, id: i64) -> Result<(), ApiError> {
    super::call(session, super::Method::Delete, &format!("/api/v1/organizations/{id}"), None::<&()>).await
}

pub async fn create_category(session: Session, body: &CategoryInput) -> Result<Category, ApiError> {
    post(session, "/api/v1/categories", body).await
}

pub async fn update_category(session: Session, id: i64, body: &CategoryInput) -> Result<Category, ApiError> {
    patch(session, &format!("/api/v1/categories/{id}"), body).await
}

pub async fn sla_policies(session: Session) -> Result<Vec<SlaPolicy>, ApiError> {
    get(session, "/api/v1/sla-policies").await
}

pub async fn put_sla_policy(
    session: Session,
    policy: &SlaPolicy,
    body: &SlaPolicyInput,
) -> Result<SlaPolicy, ApiError> {
    put(session, &format!("/api/v1/sla-policies/{}/{}", policy.contract_tier, policy.priority), body).await
}

pub async fn email_log(session: Session) -> Result<Page<EmailLogEntry>, ApiError> {
    get(session, "/api/v1/admin/email-log?limit=50").await
}

pub async fn inbound_log(session: Session) -> Result<Page<InboundEmail>, ApiError> {
    get(session, "/api/v1/admin/inbound-log?limit=50").await
}

pub async fn pending_members(session: Session, organization_id: i64) -> Result<Vec<Account>, ApiError> {
    get(session, &format!("/api/v1/organizations/{organization_id}/pending-members")).await
}

pub async fn approve_member(session: Session, organization_id: i64, user_id: i64) -> Result<Account, ApiError> {
    post(
        session,
        &format!("/api/v1/organizations/{organization_id}/pending-members/{user_id}/approve"),
        &serde_json::json!({}),
    )
    .await
}

pub async fn decline_member(session: Session, organization_id: i64, user_id: i64) -> Result<(), ApiError> {
    super::call(
        session,
        super::Method::Delete,
        &format!("/api/v1/organizations/{organization_id}/pending-members/{user_id}"),
        None::<&()>,
    )
    .await
}

/// Erases a person's account on their behalf (P12).
pub async fn erase_user(session: Session, id: i64) -> Result<(), ApiError> {
    post(session, &format!("/api/v1/users/{id}/erase"), &serde_json::json!({})).await
}

/// Restricts (or, with `on == false`, lifts the restriction of) a person's data (P12).
pub async fn set_restriction(session: Session, id: i64, on: bool) -> Result<(), ApiError> {
    let path = format!("/api/v1/users/{id}/restriction");
    if on {
        post(session, &path, &serde_json::json!({})).await
    } else {
        super::call(session, super::Method::Delete, &path, None::<&()>).await
    }
}

pub async fn calendars(session: Session) -> Result<Vec<Calendar>, ApiError> {
    get(session, "/api/v1/calendars").await
}

pub async fn create_calendar(session: Session, body: &CalendarInput) -> Result<Calendar, ApiError> {
    post(session, "/api/v1/calendars", body).await
}

pub async fn delete_calendar(session: Session, id: i64) -> Result<(), ApiError> {
    super::call(session, super::Method::Delete, &format!("/api/v1/calendars/{id}"), None::<&()>).await
}

pub async fn holiday_regions(session: Session) -> Result<Vec<HolidayRegion>, ApiError> {
    get(session, "/api/v1/calendars/holiday-regions").await
}

pub async fn holidays(session: Session, region: &str, year: i32) -> Result<Vec<Holiday>, ApiError> {
    get(session, &format!("/api/v1/calendars/holidays?region={region}&year={year}")).await
}

pub async fn jobs(session: Session) -> Result<Vec<Job>, ApiError> {
    get(session, "/api/v1/admin/jobs").await
}
