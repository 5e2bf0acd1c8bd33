//! The status workflow: new -> open -> pending <-> open -> resolved -> closed. Every status
//! change goes through [`move_to`]: ticket updates, replies that open or reopen a ticket, and the
//! auto-close job (P4). Staff (and the helpdesk itself) move freely except out of `closed` and
//! never back to `new`; customers may close their own ticket or reopen a resolved one.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use helpdesk_types::tickets::TicketStatus::{self, Closed, New, Open, Pending, Resolved};
use serde_json::{Map, Value};

use super::{
    events::{self, Actor, Change},
    model::TicketRow,
    policy, repo,
};
use crate::error::{ApiError, ProblemCode};

/// Who moves a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Customer,
    Staff,
    /// Replies and scheduled jobs: the helpdesk may do what staff may.
    Helpdesk,
}

impl By {
    pub fn viewer(viewer: &policy::Viewer) -> Self {
        if viewer.staff { By::Staff } else { By::Customer }
    }
}

/// The statuses a ticket in `from` may move to.
pub fn allowed(from: TicketStatus, by: By) -> Vec<TicketStatus> {
    match (from, by) {
        (Closed, _) => vec![],
        (_, By::Staff | By::Helpdesk) => [Open, Pending, Resolved, Closed].into_iter().filter(|s| *s != from).collect(),
        (Resolved, By::Customer) => vec![Open, Closed],
        (_, By::Customer) => vec![Closed],
    }
}

/// A status change, as the event that records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub from: TicketStatus,
    pub to: TicketStatus,
}

impl StatusChange {
    pub fn event(self) -> Change<'static> {
        Change::Status(self.from.as_str(), self.to.as_str())
    }
}

fn invalid_transition(from: TicketStatus, to: TicketStatus, allowed: &[TicketStatus]) -> ApiError {
    let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    let mut extensions = Map::new();
    extensions.insert("allowed".into(), Value::from(names.clone()));
    let list = if names.is_empty() { "none".to_owned() } else { names.join(", ") };
    ApiError::Conflict {
        code: ProblemCode::InvalidTransition,
        detail: format!("A {from} ticket cannot become {to}; allowed: {list}."),
        errors: Default::default(),
        extensions,
    }
}

/// Moves `t` to `to` if `by` may, setting the status timestamps; `None` when it already is there.
pub fn move_to(
    t: &mut TicketRow,
    to: TicketStatus,
    by: By,
    now: DateTime<Utc>,
) -> Result<Option<StatusChange>, ApiError> {
    if t.status == to {
        return Ok(None);
    }
    let allowed = allowed(t.status, by);
    if !allowed.contains(&to) {
        return Err(invalid_transition(t.status, to, &allowed));
    }
    match to {
        Resolved => t.resolved_at = Some(now),
        Closed => {
            t.resolved_at = t.resolved_at.or(Some(now));
            t.closed_at = Some(now);
        }
        New | Open | Pending => t.resolved_at = None,
    }
    let change = StatusChange { from: t.status, to };
    t.status = to;
    Ok(Some(change))
}

/// What a public reply does: the first staff reply is the first response and opens a new
/// ticket; a customer's reply reopens a pending or resolved one.
pub fn on_public_reply(t: &mut TicketRow, by_staff: bool, at: DateTime<Utc>) -> Option<StatusChange> {
    let reopens = if by_staff {
        t.first_response_at.get_or_insert(at);
        t.status == New
    } else {
        matches!(t.status, Pending | Resolved)
    };
    if reopens { move_to(t, Open, By::Helpdesk, at).ok().flatten() } else { None }
}

/// Tickets the auto-close job reads and closes at a time.
const AUTO_CLOSE_BATCH: i64 = 1000;
/// Batches per run: the clean-up is one transaction holding every closed ticket's row lock, so a
/// backlog (an import, a long outage) is worked off a run at a time, each a few seconds long,
/// instead of locking a hundred thousand tickets for minutes while agents work on them.
const AUTO_CLOSE_BATCHES_PER_RUN: usize = 5;

/// P4: resolved tickets are closed and archived `days` after resolution, each with a history
/// event by the helpdesk and a mail to the requester, oldest resolution first; at most
/// [`AUTO_CLOSE_BATCHES_PER_RUN`] batches per run. Returns how many were closed.
pub fn auto_close(conn: &mut PgConnection, days: u32, public_url: &str) -> QueryResult<usize> {
    let now = Utc::now();
    let cutoff = now - Duration::days(days.into());
    let mut closed = 0;
    for _ in 0..AUTO_CLOSE_BATCHES_PER_RUN {
        let due = repo::resolved_before(conn, cutoff, AUTO_CLOSE_BATCH)?;
        closed_mails(conn, &due, public_url)?;
        let changes: Vec<(i64, Change<'static>)> = due
            .into_iter()
            .filter_map(|mut t| {
                let change = move_to(&mut t, Closed, By::Helpdesk, now).ok().flatten()?;
                Some((t.id, change.event()))
            })
            .collect();
        let ids: Vec<i64> = changes.iter().map(|(id, _)| *id).collect();
        repo::close_and_archive(conn, &ids, now)?;
        events::record_all(conn, &Actor::HELPDESK, &changes)?;
        closed += ids.len();
        if ids.len() < usize::try_from(AUTO_CLOSE_BATCH).unwrap_or(usize::MAX) {
            break;
        }
    }
    Ok(closed)
}

/// The "your ticket was closed" mails of an auto-close batch (requesters who objected to status
/// mails get none).
fn closed_mails(conn: &mut PgConnection, due: &[TicketRow], public_url: &str) -> QueryResult<()> {
    use crate::db::schema::users;
    let ids: Vec<i64> = due.iter().map(|t| t.requester_id).collect();
    let people: std::collections::HashMap<i64, (String, String, helpdesk_types::Locale)> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::email, users::full_name, users::locale))
        .load::<(i64, String, String, helpdesk_types::Locale)>(conn)?
        .into_iter()
        .map(|(id, email, name, locale)| (id, (email, name, locale)))
        .collect();
    for t in due {
        if let Some((email, name, locale)) = people.get(&t.requester_id) {
            let message = crate::email::Message::TicketAutoClosed {
                name: name.clone(),
                number: t.number,
                subject: t.subject.clone(),
            };
            crate::email::enqueue(conn, email, *locale, &message, public_url)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_is_final_and_customers_only_close_or_reopen() {
        assert!(allowed(Closed, By::Staff).is_empty());
        assert!(allowed(Closed, By::Helpdesk).is_empty());
        assert_eq!(allowed(New, By::Staff), vec![Open, Pending, Resolved, Closed]);
        assert!(!allowed(Open, By::Staff).contains(&New));
        assert_eq!(allowed(Resolved, By::Customer), vec![Open, Closed]);
        assert_eq!(allowed(Pending, By::Customer), vec![Closed]);
    }
}
