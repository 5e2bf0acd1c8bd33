//! Webhooks (#13): subscriptions, the delivery outbox written in the transaction of each change
//! ([`emit`]), and the worker that delivers with Standard Webhooks signatures ([`worker`]).
//! See `docs/webhooks.md`.

pub mod routes;
pub mod worker;

use diesel::prelude::*;
use helpdesk_types::integrations::EventType;
use serde_json::{Value, json};

use crate::{
    db::schema::{webhook_deliveries, webhooks},
    tickets::model::TicketRow,
};

/// Queues `event` with `data` for every active webhook that subscribed to it, in the caller's
/// transaction. `internal`: the event concerns an internal note (only webhooks flagged
/// `include_internal` get it). `ticket_id` keeps the per-ticket order.
pub fn emit(
    conn: &mut PgConnection,
    event: EventType,
    ticket_id: Option<i64>,
    internal: bool,
    data: Value,
) -> QueryResult<usize> {
    let mut subscribed = webhooks::table
        .filter(webhooks::active.eq(true))
        .filter(webhooks::event_types.contains(vec![Some(event.as_str().to_owned())]))
        .select(webhooks::id)
        .into_boxed();
    if internal {
        subscribed = subscribed.filter(webhooks::include_internal.eq(true));
    }
    let ids: Vec<i64> = subscribed.load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    let event_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    let now = chrono::Utc::now();
    let payload = json!({"id": event_id, "type": event.as_str(), "created_at": now, "data": data});
    let rows: Vec<_> = ids
        .into_iter()
        .map(|webhook_id| {
            (
                webhook_deliveries::webhook_id.eq(webhook_id),
                webhook_deliveries::event_id.eq(event_id.clone()),
                webhook_deliveries::event_type.eq(event.as_str()),
                webhook_deliveries::ticket_id.eq(ticket_id),
                webhook_deliveries::payload.eq(payload.clone()),
            )
        })
        .collect();
    diesel::insert_into(webhook_deliveries::table).values(rows).execute(conn)
}

/// A ticket as webhooks carry it.
pub fn ticket_data(t: &TicketRow) -> Value {
    json!({
        "ticket": {
            "id": t.id, "number": t.number, "subject": t.subject, "status": t.status, "priority": t.priority,
            "channel": t.channel, "category_id": t.category_id, "requester_id": t.requester_id,
            "organization_id": t.organization_id, "assignee_id": t.assignee_id, "contract_tier": t.contract_tier,
            "created_at": t.created_at, "updated_at": t.updated_at,
            "first_response_due_at": t.first_response_due_at, "resolution_due_at": t.resolution_due_at,
        }
    })
}

/// A comment as webhooks carry it, with its ticket.
pub fn comment_data(t: &TicketRow, c: &crate::tickets::model::CommentRow) -> Value {
    let mut data = ticket_data(t);
    data["comment"] = json!({
        "id": c.id, "author_id": c.author_id, "author_name": c.author_name, "body": c.body,
        "internal": c.internal, "created_at": c.created_at,
    });
    data
}

/// The events of a ticket update: `ticket.updated`, plus `ticket.status_changed` and
/// `ticket.assigned` when those changed.
pub fn ticket_updated(conn: &mut PgConnection, before: &TicketRow, after: &TicketRow) -> QueryResult<()> {
    let data = ticket_data(after);
    emit(conn, EventType::TicketUpdated, Some(after.id), false, data.clone())?;
    if before.status != after.status {
        let mut d = data.clone();
        d["previous_status"] = json!(before.status);
        emit(conn, EventType::TicketStatusChanged, Some(after.id), false, d)?;
    }
    if before.assignee_id != after.assignee_id {
        let mut d = data;
        d["previous_assignee_id"] = json!(before.assignee_id);
        emit(conn, EventType::TicketAssigned, Some(after.id), false, d)?;
    }
    Ok(())
}
