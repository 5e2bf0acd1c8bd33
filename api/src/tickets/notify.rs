//! The emails a ticket's life sends (P7), queued in the caller's transaction: a confirmation
//! when it is opened, the new status when it changes, and each public reply to the other side.
//! Internal notes are never emailed.

use diesel::PgConnection;

use super::{events, model::TicketRow, policy::Viewer, workflow};
use crate::{
    accounts::{model::User, repo as accounts},
    email::{self, Message},
    error::ApiError,
    notifications, sla,
};

/// A new ticket: the confirmation to the requester, a notice to the agents who follow its
/// category (not to `by`, who logged it), and a live update for open queues.
pub fn created(
    conn: &mut PgConnection,
    requester: &User,
    t: &TicketRow,
    by: i64,
    public_url: &str,
) -> Result<(), ApiError> {
    let message =
        Message::TicketCreated { name: requester.full_name.clone(), number: t.number, subject: t.subject.clone() };
    email::enqueue(conn, &requester.email, requester.locale, &message, public_url)?;
    notifications::new_ticket(conn, t, by, public_url)?;
    notifications::stream::ticket_changed(conn, t.id)?;
    Ok(())
}

/// What follows a public reply by `author` on `t` (the comment is stored): the reply opens or
/// reopens the ticket, the SLA clock settles, the other side is told, the ticket is saved.
pub fn after_public_reply(
    conn: &mut PgConnection,
    author: &Viewer,
    t: &mut TicketRow,
    body: &str,
    at: chrono::DateTime<chrono::Utc>,
    public_url: &str,
) -> Result<(), ApiError> {
    let before = t.clone();
    if let Some(change) = workflow::on_public_reply(t, author.staff, at) {
        events::record(conn, t.id, &author.actor(), change.event())?;
    }
    sla::settle(conn, &before, t, &author.actor(), at)?;
    if author.staff {
        t.team_said_at = Some(at);
    } else {
        t.customer_said_at = Some(at);
    }
    public_reply(conn, author, t, body, public_url)?;
    let saved = super::repo::save(conn, t)?;
    if saved.status != before.status {
        crate::webhooks::ticket_updated(conn, &before, &saved)?;
    }
    notifications::stream::ticket_changed(conn, t.id)?;
    Ok(())
}

pub fn status_changed(conn: &mut PgConnection, t: &TicketRow, public_url: &str) -> Result<(), ApiError> {
    let Some(requester) = accounts::find(conn, t.requester_id)? else { return Ok(()) };
    let message = Message::TicketStatusChanged {
        name: requester.full_name.clone(),
        number: t.number,
        subject: t.subject.clone(),
        status: t.status.as_str().to_owned(),
    };
    email::enqueue(conn, &requester.email, requester.locale, &message, public_url)?;
    Ok(())
}

/// A public reply goes to the other side: a staff reply to the requester, a customer's reply to
/// the assignee (if any). Nobody is told of their own reply.
pub fn public_reply(
    conn: &mut PgConnection,
    author: &Viewer,
    t: &TicketRow,
    body: &str,
    public_url: &str,
) -> Result<(), ApiError> {
    let recipient = if author.staff { Some(t.requester_id) } else { t.assignee_id };
    let Some(to) = recipient.filter(|r| *r != author.user_id) else { return Ok(()) };
    let Some(person) = accounts::find(conn, to)? else { return Ok(()) };
    // A contact without an account answers through a private link (P14).
    let private_link =
        if person.password_hash.is_none() { Some(super::repo::create_request_link(conn, t.id)?) } else { None };
    let message = Message::TicketReply {
        name: person.full_name.clone(),
        number: t.number,
        subject: t.subject.clone(),
        author: author.name.clone(),
        body: body.to_owned(),
        private_link,
    };
    if author.staff {
        email::enqueue(conn, &person.email, person.locale, &message, public_url)?;
    } else {
        notifications::customer_reply(conn, &person, t, &message, public_url)?;
    }
    Ok(())
}
