//! The ticket history: every change of a ticket is recorded here, in the same transaction.

use diesel::prelude::*;

use super::access::Viewer;
use crate::db::schema::ticket_events;

/// What changed.
pub enum Change<'a> {
    Created,
    Status(&'a str, &'a str),
    Priority(&'a str, &'a str),
    Category(Option<&'a str>, Option<&'a str>),
    Assignee(Option<&'a str>, Option<&'a str>),
    Subject(&'a str, &'a str),
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
}

pub fn record(conn: &mut PgConnection, ticket_id: i64, actor: &Viewer, change: Change<'_>) -> QueryResult<()> {
    let (kind, from, to, internal) = match change {
        Change::Created => ("created", None, None, false),
        Change::Status(a, b) => ("status_changed", Some(a), Some(b), false),
        Change::Priority(a, b) => ("priority_changed", Some(a), Some(b), false),
        Change::Category(a, b) => ("category_changed", a, b, false),
        Change::Assignee(a, b) => ("assignee_changed", a, b, false),
        Change::Subject(a, b) => ("subject_changed", Some(a), Some(b), false),
        Change::CommentAdded { internal } => ("comment_added", None, None, internal),
        Change::AttachmentAdded { filename, internal } => ("attachment_added", None, Some(filename), internal),
        Change::AttachmentRemoved { filename, internal } => ("attachment_removed", Some(filename), None, internal),
    };
    diesel::insert_into(ticket_events::table)
        .values((
            ticket_events::ticket_id.eq(ticket_id),
            ticket_events::actor_id.eq(actor.user_id),
            ticket_events::actor_name.eq(&actor.name),
            ticket_events::kind.eq(kind),
            ticket_events::from_value.eq(from),
            ticket_events::to_value.eq(to),
            ticket_events::internal.eq(internal),
        ))
        .execute(conn)?;
    Ok(())
}
