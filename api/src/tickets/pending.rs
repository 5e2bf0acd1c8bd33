//! Tickets waiting for the customer: a reminder after `HELPDESK_PENDING_REMINDER_DAYS` (and again
//! after each further period), and after `HELPDESK_PENDING_AUTO_RESOLVE_DAYS` without an answer
//! the ticket is resolved with a mail. Reminders are non-essential mail: a person who objected
//! to reminders (P12) gets none.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use helpdesk_types::tickets::TicketStatus;

use super::{
    events::Actor,
    model::TicketRow,
    repo,
    workflow::{self, By},
};
use crate::{
    accounts::repo as accounts,
    db::schema::tickets,
    email::{self, Message},
    error::ApiError,
    sla,
};

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Followed {
    pub reminders: usize,
    pub resolved: usize,
}

const BATCH: i64 = 500;

/// Reminds and resolves what is due, in the caller's transaction.
pub fn follow_up(
    conn: &mut PgConnection,
    reminder_days: u32,
    resolve_days: u32,
    public_url: &str,
) -> Result<Followed, ApiError> {
    let now = Utc::now();
    let days = |n: i64| Duration::days(n);
    let due: Vec<TicketRow> = tickets::table
        .filter(tickets::status.eq(TicketStatus::Pending))
        .filter(tickets::sla_paused_at.le(now - days(reminder_days.min(resolve_days).into())))
        .order(tickets::sla_paused_at)
        .limit(BATCH)
        .for_update()
        .skip_locked()
        .select(TicketRow::as_select())
        .load(conn)?;
    let mut done = Followed::default();
    for t in due {
        let Some(since) = t.sla_paused_at else { continue };
        let Some(requester) = accounts::find(conn, t.requester_id)? else { continue };
        let waited = now - since;
        if waited >= days(resolve_days.into()) {
            let mut after = t.clone();
            if let Some(change) = workflow::move_to(&mut after, TicketStatus::Resolved, By::Helpdesk, now)? {
                super::events::record(conn, t.id, &Actor::HELPDESK, change.event())?;
            }
            sla::settle(conn, &t, &mut after, &Actor::HELPDESK, now)?;
            repo::save(conn, &after)?;
            let message = Message::TicketAutoResolved {
                name: requester.full_name.clone(),
                number: t.number,
                subject: t.subject.clone(),
                days: resolve_days,
            };
            email::enqueue(conn, &requester.email, requester.locale, &message, public_url)?;
            done.resolved += 1;
        } else if waited >= days(i64::from(reminder_days) * (i64::from(t.pending_reminders) + 1)) {
            diesel::update(tickets::table.find(t.id))
                .set(tickets::pending_reminders.eq(t.pending_reminders.saturating_add(1)))
                .execute(conn)?;
            let left = (days(resolve_days.into()) - waited).num_days().max(1);
            let message = Message::PendingReminder {
                name: requester.full_name.clone(),
                number: t.number,
                subject: t.subject.clone(),
                resolve_in_days: u32::try_from(left).unwrap_or(u32::MAX),
            };
            email::enqueue(conn, &requester.email, requester.locale, &message, public_url)?;
            done.reminders += 1;
        }
    }
    Ok(done)
}
