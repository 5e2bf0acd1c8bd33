//! The steps of a ticket update, one per field: each checks the new value, changes the ticket
//! in memory and records the event. `repo::save` writes the result once.

use chrono::Utc;
use diesel::PgConnection;
use helpdesk_types::tickets::{Priority, TicketStatus, UpdateTicket};

use super::{
    events::{self, Change},
    model::TicketRow,
    policy::Viewer,
    repo,
    workflow::{self, By},
};
use crate::{accounts::repo as accounts, error::ApiError};

/// Applies every field of `update` that differs from `t`.
pub fn apply(
    conn: &mut PgConnection,
    viewer: &Viewer,
    t: &mut TicketRow,
    update: UpdateTicket,
) -> Result<(), ApiError> {
    if let Some(to) = update.status {
        status(conn, viewer, t, to)?;
    }
    if let Some(p) = update.priority.filter(|p| *p != t.priority) {
        priority(conn, viewer, t, p)?;
    }
    if let Some(c) = update.category_id.filter(|c| *c != t.category_id) {
        category(conn, viewer, t, c)?;
    }
    if let Some(a) = update.assignee_id.filter(|a| *a != t.assignee_id) {
        assignee(conn, viewer, t, a)?;
    }
    if let Some(hold) = update.legal_hold.filter(|h| *h != t.legal_hold) {
        events::record(conn, t.id, &viewer.actor(), Change::LegalHold(hold))?;
        crate::audit::record(
            conn,
            &crate::audit::Entry {
                actor_id: Some(viewer.user_id),
                actor_name: &viewer.name,
                action: if hold { "legal_hold_set" } else { "legal_hold_cleared" },
                subject_id: Some(t.requester_id),
                details: serde_json::json!({"ticket_id": t.id}),
                client_ip: None,
            },
        )?;
        t.legal_hold = hold;
    }
    if let Some(s) = update.subject.map(|s| s.trim().to_owned()).filter(|s| *s != t.subject) {
        events::record(conn, t.id, &viewer.actor(), Change::Subject(&t.subject, &s))?;
        t.subject = s;
    }
    Ok(())
}

fn status(conn: &mut PgConnection, viewer: &Viewer, t: &mut TicketRow, to: TicketStatus) -> Result<(), ApiError> {
    if let Some(change) = workflow::move_to(t, to, By::viewer(viewer), Utc::now())? {
        events::record(conn, t.id, &viewer.actor(), change.event())?;
    }
    Ok(())
}

/// A new priority: `sla::settle` recomputes the deadlines from the ticket's creation.
fn priority(conn: &mut PgConnection, viewer: &Viewer, t: &mut TicketRow, p: Priority) -> Result<(), ApiError> {
    events::record(conn, t.id, &viewer.actor(), Change::Priority(t.priority.as_str(), p.as_str()))?;
    t.priority = p;
    Ok(())
}

fn category(conn: &mut PgConnection, viewer: &Viewer, t: &mut TicketRow, to: Option<i64>) -> Result<(), ApiError> {
    let new_name = to.map(|c| chosen_category(conn, c, true)).transpose()?;
    let old_name = match t.category_id {
        Some(c) => repo::category_name(conn, c, true)?,
        None => None,
    };
    events::record(conn, t.id, &viewer.actor(), Change::Category(old_name.as_deref(), new_name.as_deref()))?;
    t.category_id = to;
    Ok(())
}

fn assignee(conn: &mut PgConnection, viewer: &Viewer, t: &mut TicketRow, to: Option<i64>) -> Result<(), ApiError> {
    let new_name = match to {
        Some(a) => Some(
            accounts::find(conn, a)?
                .filter(|u| u.active && u.role.is_staff())
                .ok_or_else(|| ApiError::field("assignee_id", "is not an active agent"))?
                .full_name,
        ),
        None => None,
    };
    let old_name = t.assignee_id.map(|a| accounts::find(conn, a)).transpose()?.flatten().map(|u| u.full_name);
    events::record(conn, t.id, &viewer.actor(), Change::Assignee(old_name.as_deref(), new_name.as_deref()))?;
    t.assignee_id = to;
    Ok(())
}

/// The category's name, if it may be chosen (active, or any for staff); else a field error.
pub fn chosen_category(conn: &mut PgConnection, id: i64, staff: bool) -> Result<String, ApiError> {
    repo::category_name(conn, id, staff)?.ok_or_else(|| ApiError::field("category_id", "is not an available category"))
}

/// The ticket a new one follows up (`follow_up_of`): resolved or closed, visible to the viewer,
/// and of the same requester, so the link never reveals a ticket to someone who could not see it.
pub fn followed_up(
    conn: &mut PgConnection,
    viewer: &super::policy::Viewer,
    id: i64,
    requester_id: i64,
) -> Result<i64, ApiError> {
    use helpdesk_types::tickets::TicketStatus;
    let original = match repo::find_visible(conn, viewer, id, false) {
        Err(ApiError::NotFound) => return Err(ApiError::field("follow_up_of", "is not a ticket you can see")),
        found => found?,
    };
    if !matches!(original.status, TicketStatus::Resolved | TicketStatus::Closed) {
        return Err(ApiError::field("follow_up_of", "is still open: reply there instead"));
    }
    if original.requester_id != requester_id {
        return Err(ApiError::field("follow_up_of", "belongs to another requester"));
    }
    Ok(original.id)
}
