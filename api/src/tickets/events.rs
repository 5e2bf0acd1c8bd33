//! The ticket history: every change of a ticket is recorded here, in the same transaction as the
//! change, and nowhere else. Events about internal notes are internal themselves.

use diesel::prelude::*;

use crate::db::schema::ticket_events;

/// Who made a change: a person, or the helpdesk itself (scheduled jobs).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: Option<i64>,
    pub name: &'a str,
}

impl Actor<'static> {
    /// Changes made by scheduled jobs.
    pub const HELPDESK: Actor<'static> = Actor { id: None, name: "Helpdesk" };
}

/// What changed.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    Created,
    Status(&'a str, &'a str),
    Priority(&'a str, &'a str),
    Category(Option<&'a str>, Option<&'a str>),
    Assignee(Option<&'a str>, Option<&'a str>),
    Subject(&'a str, &'a str),
    LegalHold(bool),
    /// `internal`: the comment is an internal note, so the event is staff-only too.
    CommentAdded {
        internal: bool,
    },
    AttachmentAdded {
        filename: &'a str,
        internal: bool,
    },
    AttachmentRemoved {
        filename: &'a str,
        internal: bool,
    },
    /// The SLA clock: `kind` is `sla_at_risk`, `sla_breached`, `sla_met`, `sla_paused` or
    /// `sla_resumed`; `target` names `first_response` or `resolution`; `figures` is a JSON
    /// object (due time, business minutes used and the target). Staff-only.
    Sla {
        kind: &'static str,
        target: Option<&'a str>,
        figures: &'a str,
    },
}

impl<'a> Change<'a> {
    /// Kind, from, to, internal.
    fn parts(self) -> (&'static str, Option<&'a str>, Option<&'a str>, bool) {
        match self {
            Change::Created => ("created", None, None, false),
            Change::Status(a, b) => ("status_changed", Some(a), Some(b), false),
            Change::Priority(a, b) => ("priority_changed", Some(a), Some(b), false),
            Change::Category(a, b) => ("category_changed", a, b, false),
            Change::Assignee(a, b) => ("assignee_changed", a, b, false),
            Change::Subject(a, b) => ("subject_changed", Some(a), Some(b), false),
            Change::LegalHold(on) => ("legal_hold_changed", None, Some(if on { "on" } else { "off" }), false),
            Change::CommentAdded { internal } => ("comment_added", None, None, internal),
            Change::AttachmentAdded { filename, internal } => ("attachment_added", None, Some(filename), internal),
            Change::AttachmentRemoved { filename, internal } => ("attachment_removed", Some(filename), None, internal),
            Change::Sla { kind, target, figures } => (kind, target, Some(figures), true),
        }
    }
}

/// Records one change of one ticket.
pub fn record(conn: &mut PgConnection, ticket_id: i64, actor: &Actor<'_>, change: Change<'_>) -> QueryResult<()> {
    record_all(conn, actor, &[(ticket_id, change)]).map(|_| ())
}

/// Records changes of several tickets by one actor with one statement (batch jobs).
pub fn record_all(conn: &mut PgConnection, actor: &Actor<'_>, changes: &[(i64, Change<'_>)]) -> QueryResult<usize> {
    let rows: Vec<_> = changes
        .iter()
        .map(|(ticket_id, change)| {
            let (kind, from, to, internal) = change.parts();
            (
                ticket_events::ticket_id.eq(*ticket_id),
                ticket_events::actor_id.eq(actor.id),
                ticket_events::actor_name.eq(actor.name),
                ticket_events::kind.eq(kind),
                ticket_events::from_value.eq(from),
                ticket_events::to_value.eq(to),
                ticket_events::internal.eq(internal),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(ticket_events::table).values(rows).execute(conn)
}

/// Erasure (P12): the person's events keep what changed but name them `label`; on the tickets
/// they requested, values that may hold their words (subjects, file names) are cleared.
pub fn anonymize_person(conn: &mut PgConnection, user_id: i64, label: &str) -> QueryResult<usize> {
    use crate::db::schema::tickets;
    diesel::update(ticket_events::table.filter(ticket_events::actor_id.eq(user_id)))
        .set(ticket_events::actor_name.eq(label))
        .execute(conn)?;
    let their_tickets = tickets::table.filter(tickets::requester_id.eq(user_id)).select(tickets::id);
    diesel::update(
        ticket_events::table
            .filter(ticket_events::ticket_id.eq_any(their_tickets))
            .filter(ticket_events::kind.eq_any(["subject_changed", "attachment_added", "attachment_removed"])),
    )
    .set((ticket_events::from_value.eq(None::<String>), ticket_events::to_value.eq(None::<String>)))
    .execute(conn)
}
