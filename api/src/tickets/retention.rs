//! Retention of closed tickets (P4, P14, P15; issue 11): they are deleted with their comments,
//! events, files and private links once their category's `retention_days` after closing have
//! passed, and contact-form tickets `HELPDESK_CONTACT_RETENTION_DAYS` after closing, unless
//! staff put them on legal hold. Run by the clean-up job; each pass is audited with its count.

use diesel::prelude::*;

use crate::{
    audit,
    db::schema::{attachments, tickets},
};

/// Tickets deleted per pass (the job runs every minute).
const BATCH: i64 = 500;

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// Deletes the tickets past their retention (their category's, or for contact-form tickets
/// `contact_days` after closing, whichever ends first); returns how many and the object keys of
/// their files, to delete from storage after the commit.
pub fn purge_expired(conn: &mut PgConnection, contact_days: u32) -> QueryResult<(usize, Vec<String>)> {
    // Each category with a retention period, and the contact form, read from their own range
    // of the retention indexes (migration 024), longest closed first.
    let due: Vec<i64> = diesel::sql_query(
        "SELECT id FROM (
             SELECT t.id FROM categories c CROSS JOIN LATERAL (
                 SELECT t.id FROM tickets t
                 WHERE t.category_id = c.id AND t.status = 'closed' AND NOT t.legal_hold
                   AND t.closed_at < now() - make_interval(days => c.retention_days)
                 ORDER BY t.closed_at LIMIT $2) t
             WHERE c.retention_days IS NOT NULL
             UNION
             (SELECT t.id FROM tickets t
              WHERE t.channel = 'contact_form' AND t.status = 'closed' AND NOT t.legal_hold
                AND t.closed_at < now() - make_interval(days => $1)
              ORDER BY t.closed_at LIMIT $2)
         ) due ORDER BY id LIMIT $2",
    )
    .bind::<diesel::sql_types::Integer, _>(i32::try_from(contact_days).unwrap_or(i32::MAX))
    .bind::<diesel::sql_types::BigInt, _>(BATCH)
    .load::<Due>(conn)?
    .into_iter()
    .map(|d| d.id)
    .collect();
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
