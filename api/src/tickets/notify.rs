//! The emails a ticket's life sends (P7), queued in the caller's transaction: a confirmation
//! when it is opened, the new status when it changes, and each public reply to the other side.
//! Internal notes are never emailed.

use diesel::PgConnection;

use super::{model::TicketRow, policy::Viewer};
use crate::{
    accounts::{model::User, repo as accounts},
    email::{self, Message},
    error::ApiError,
};

pub fn created(conn: &mut PgConnection, requester: &User, t: &TicketRow, public_url: &str) -> Result<(), ApiError> {
    let message =
        Message::TicketCreated { name: requester.full_name.clone(), number: t.number, subject: t.subject.clone() };
    email::enqueue(conn, &requester.email, requester.locale, &message, public_url)?;
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
    email::enqueue(conn, &person.email, person.locale, &message, public_url)?;
    Ok(())
}
