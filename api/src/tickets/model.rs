//! Diesel rows of tickets, comments and events.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use helpdesk_types::{
    organizations::ContractTier,
    tickets::{Channel, Priority, TicketStatus},
};

use crate::db::schema::{comments, ticket_events, tickets};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets, check_for_backend(diesel::pg::Pg))]
pub struct TicketRow {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub description: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub channel: Channel,
    pub category_id: Option<i64>,
    pub requester_id: i64,
    pub organization_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub contract_tier: ContractTier,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub first_response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    pub priority_rank: Option<i16>,
    pub queue_rank: Option<i16>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub legal_hold: bool,
    pub sla_paused_at: Option<DateTime<Utc>>,
    pub sla_paused_seconds: i64,
    pub first_response_warn_at: DateTime<Utc>,
    pub resolution_warn_at: DateTime<Utc>,
    pub sla_alerted: Vec<Option<String>>,
    pub sla_alert_at: Option<DateTime<Utc>>,
    pub pending_reminders: i16,
    pub follow_up_of: Option<i64>,
    /// When the customer last wrote publicly (their ticket or a reply).
    pub customer_said_at: Option<DateTime<Utc>>,
    /// When the team last replied publicly.
    pub team_said_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tickets)]
pub struct NewTicket {
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub channel: Channel,
    pub category_id: Option<i64>,
    pub requester_id: i64,
    pub organization_id: Option<i64>,
    pub contract_tier: ContractTier,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    pub first_response_warn_at: DateTime<Utc>,
    pub resolution_warn_at: DateTime<Utc>,
    pub sla_alert_at: Option<DateTime<Utc>>,
    pub follow_up_of: Option<i64>,
    pub customer_said_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments, check_for_backend(diesel::pg::Pg))]
pub struct CommentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub body: String,
    pub internal: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = comments)]
pub struct NewComment<'a> {
    pub ticket_id: i64,
    pub author_id: Option<i64>,
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub body: &'a str,
    pub internal: bool,
}

impl From<CommentRow> for helpdesk_types::tickets::Comment {
    fn from(r: CommentRow) -> Self {
        Self {
            id: r.id,
            ticket_id: r.ticket_id,
            author_id: r.author_id,
            author_name: r.author_name,
            author_email: r.author_email,
            body: r.body,
            internal: r.internal,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_events, check_for_backend(diesel::pg::Pg))]
pub struct EventRow {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub kind: String,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<EventRow> for helpdesk_types::tickets::TicketEvent {
    fn from(r: EventRow) -> Self {
        Self {
            id: r.id,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            kind: r.kind,
            from: r.from_value,
            to: r.to_value,
            created_at: r.created_at,
        }
    }
}
