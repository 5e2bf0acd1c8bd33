//! A new ticket from any channel (the web and API, phone and email logged by staff, the contact
//! form): the requester's contract tier and the SLA deadlines of its priority.

use chrono::Utc;
use diesel::PgConnection;
use helpdesk_types::tickets::{Channel, Priority};

use super::{model::NewTicket, repo};
use crate::{accounts::model::User, error::ApiError, sla};

/// What the ticket says.
pub struct Content<'a> {
    pub subject: &'a str,
    pub description: &'a str,
    pub priority: Priority,
    pub channel: Channel,
}

/// The row to insert for `requester` (trimmed text, tier and deadlines as of now).
pub fn new_ticket(
    conn: &mut PgConnection,
    requester: &User,
    content: &Content<'_>,
    category_id: Option<i64>,
) -> Result<NewTicket, ApiError> {
    let contract_tier = repo::contract_tier_of(conn, requester.organization_id)?;
    let now = Utc::now();
    let d = sla::Policy::load(conn, contract_tier, content.priority)?.deadlines(now, 0);
    Ok(NewTicket {
        subject: content.subject.trim().to_owned(),
        description: content.description.trim().to_owned(),
        priority: content.priority,
        channel: content.channel,
        category_id,
        requester_id: requester.id,
        organization_id: requester.organization_id,
        contract_tier,
        created_at: now,
        updated_at: now,
        first_response_due_at: d.first_response_due_at,
        resolution_due_at: d.resolution_due_at,
        first_response_warn_at: d.first_response_warn_at,
        resolution_warn_at: d.resolution_warn_at,
        sla_alert_at: Some(d.first_response_warn_at.min(d.resolution_warn_at)),
        follow_up_of: None,
        // Written by the customer, unless staff log it for them (the route clears it then).
        customer_said_at: Some(now),
    })
}
