//! Erasure (P12 "right to be forgotten", and P2 for inactive accounts): the account's personal
//! data is removed, what must stay is anonymized.
//!
//! - The account keeps its id and role, with "Deleted user" (staff: "Former agent") as its name
//!   and nothing else: no email, username, phone, company, password, second factor or sessions.
//! - Tickets the person requested stay (counts, categories, priorities, timestamps and SLA
//!   figures do not change) with subject and description replaced; the person's comments lose
//!   text and author; every file on those tickets and every file they uploaded is deleted.
//!   Staff comments stay under "Former agent" for an erased agent.
//! - The email log of the address is deleted; the confirmation mail goes out first and its own
//!   log row is deleted once it was sent.
//! - The action is one row in the audit log (counts only).

use diesel::PgConnection;
use serde_json::json;

use super::{model::User, repo};
use crate::{
    attachments, audit,
    auth::{limits, login_failures, password_tokens, sessions, two_factor},
    email::{Message, outbox},
    error::ApiError,
    tickets,
};

/// Who erases: the person, an admin, or the helpdesk (inactive accounts).
pub struct Eraser<'a> {
    pub id: Option<i64>,
    pub name: &'a str,
    pub client_ip: Option<&'a str>,
    /// Why (`request`, `admin`, `inactivity`), for the audit log.
    pub reason: &'a str,
}

/// Erases `user` in the caller's transaction; returns the object keys to delete from storage
/// once it committed.
pub fn erase(conn: &mut PgConnection, user: &User, by: &Eraser<'_>, public_url: &str) -> Result<Vec<String>, ApiError> {
    let staff = user.role.is_staff();
    let label = if staff { "Former agent" } else { "Deleted user" };
    let goodbye = Message::AccountErased { name: user.full_name.clone() };
    let last_mail = outbox::enqueue_and_forget(conn, &user.email, user.locale, &goodbye, public_url)?;
    let emails = outbox::forget_recipient(conn, &user.email, last_mail)?;
    // The inbound mail log names the sender; the unread markers say when the person read what.
    {
        use crate::db::schema::{inbound_emails, ticket_reads};
        use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
        diesel::delete(inbound_emails::table.filter(inbound_emails::sender.eq(&user.email))).execute(conn)?;
        diesel::delete(ticket_reads::table.filter(ticket_reads::user_id.eq(user.id))).execute(conn)?;
    }
    let keys = if staff { Vec::new() } else { attachments::repo::delete_of_person(conn, user.id)? };
    let (tickets, comments) = tickets::repo::anonymize_person(conn, user.id, staff, label)?;
    tickets::events::anonymize_person(conn, user.id, label)?;
    sessions::revoke_all(conn, user.id, None, "account erased")?;
    login_failures::clear_for_account(conn, user.id)?;
    password_tokens::delete_of(conn, user.id)?;
    two_factor::remove(conn, user.id)?;
    limits::forget_keys(conn, &[user.id.to_string(), user.email.clone()])?;
    repo::anonymize(conn, user.id, label)?;
    audit::record(
        conn,
        &audit::Entry {
            actor_id: by.id,
            actor_name: by.name,
            action: "erasure",
            subject_id: Some(user.id),
            details: json!({"reason": by.reason, "tickets_anonymized": tickets, "comments_anonymized": comments,
                            "files_deleted": keys.len(), "emails_forgotten": emails}),
            client_ip: by.client_ip,
        },
    )?;
    tracing::info!(user.id = user.id, reason = by.reason, "account erased");
    Ok(keys)
}
