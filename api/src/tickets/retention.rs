//! Per-category retention (P4, P15; issue 11): closed tickets are deleted with their comments,
//! events and files once their category's `retention_days` after closing have passed, unless
//! staff put them on legal hold. Run by the clean-up job; each pass is audited with its count.

use diesel::prelude::*;

use crate::{
    audit,
    db::schema::{attachments, categories, tickets},
};

/// Tickets deleted per pass (the job runs every minute).
const BATCH: i64 = 500;

/// Deletes the tickets past their retention; returns how many and the object keys of their
/// files, to delete from storage after the commit.
pub fn purge_expired(conn: &mut PgConnection) -> QueryResult<(usize, Vec<String>)> {
    let due: Vec<i64> = tickets::table
        .inner_join(categories::table)
        .filter(tickets::status.eq(helpdesk_types::tickets::TicketStatus::Closed))
        .filter(tickets::legal_hold.eq(false))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "categories.retention_days IS NOT NULL AND tickets.closed_at < now() - make_interval(days => categories.retention_days)",
        ))
        .select(tickets::id)
        .limit(BATCH)
        .load(conn)?;
    if due.is_empty() {
        return Ok((0, Vec::new()));
    }
    let keys: Vec<String> =
        attachments::table.filter(attachments::ticket_id.eq_any(&due)).select(attachments::object_key).load(conn)?;
    let deleted = diesel::delete(tickets::table.filter(tickets::id.eq_any(&due))).execute(conn)?;
    audit::record(
        conn,
        &audit::Entry {
            actor_id: None,
            actor_name: "Helpdesk",
            action: "retention_deletion",
            subject_id: None,
            details: serde_json::json!({"tickets_deleted": deleted, "files_deleted": keys.len()}),
            client_ip: None,
        },
    )?;
    Ok((deleted, keys))
}
