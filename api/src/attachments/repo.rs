//! Queries on attachments. No HTTP here. What a customer may read is decided by
//! `tickets::policy::visible_internal`, inside the queries.

use diesel::prelude::*;

use super::model::{AttachmentRow, NewAttachment};
use crate::{
    db::schema::attachments,
    error::ApiError,
    tickets::{
        model::TicketRow,
        policy::{self, Viewer},
        repo as tickets,
    },
};

pub fn insert(conn: &mut PgConnection, new: &NewAttachment<'_>) -> QueryResult<AttachmentRow> {
    diesel::insert_into(attachments::table).values(new).returning(AttachmentRow::as_returning()).get_result(conn)
}

/// A page of the attachments of a ticket that `viewer` may see, oldest first (after `after`,
/// `limit + 1` rows).
pub fn of_ticket(
    conn: &mut PgConnection,
    viewer: &Viewer,
    ticket_id: i64,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::ticket_id.eq(ticket_id))
        .filter(attachments::internal.eq_any(policy::visible_internal(viewer)))
        .filter(attachments::id.gt(after.unwrap_or(0)))
        .select(AttachmentRow::as_select())
        .order(attachments::id)
        .limit(limit + 1)
        .load(conn)
}

/// The attachment and its ticket, if `viewer` may see both; otherwise 404.
pub fn find_visible(conn: &mut PgConnection, viewer: &Viewer, id: i64) -> Result<(AttachmentRow, TicketRow), ApiError> {
    let row: AttachmentRow = attachments::table
        .find(id)
        .filter(attachments::internal.eq_any(policy::visible_internal(viewer)))
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)?;
    let ticket = tickets::find_visible(conn, viewer, row.ticket_id, false)?;
    Ok((row, ticket))
}

/// Bytes `user_id` uploaded since `since` (for the daily quota).
pub fn bytes_uploaded_since(
    conn: &mut PgConnection,
    user_id: i64,
    since: chrono::DateTime<chrono::Utc>,
) -> QueryResult<i64> {
    attachments::table
        .filter(attachments::uploaded_by.eq(user_id))
        .filter(attachments::created_at.gt(since))
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>("coalesce(sum(attachments.size), 0)::bigint"))
        .first(conn)
}

pub fn delete(conn: &mut PgConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(attachments::table.find(id)).execute(conn)
}

/// Object keys of a ticket's attachments (collected before the ticket is deleted).
pub fn keys_of_ticket(conn: &mut PgConnection, ticket_id: i64) -> QueryResult<Vec<String>> {
    attachments::table.filter(attachments::ticket_id.eq(ticket_id)).select(attachments::object_key).load(conn)
}

/// Every object key a row points to (for the sweep).
pub fn all_keys(conn: &mut PgConnection) -> QueryResult<Vec<String>> {
    attachments::table.select(attachments::object_key).load(conn)
}

/// Erasure (P12): the files a person uploaded, and every file on the tickets they requested,
/// are deleted; returns the object keys to delete from storage after the commit.
pub fn delete_of_person(conn: &mut PgConnection, user_id: i64) -> QueryResult<Vec<String>> {
    use crate::db::schema::tickets;
    let their_tickets = tickets::table.filter(tickets::requester_id.eq(user_id)).select(tickets::id);
    diesel::delete(
        attachments::table
            .filter(attachments::uploaded_by.eq(user_id).or(attachments::ticket_id.eq_any(their_tickets))),
    )
    .returning(attachments::object_key)
    .get_results(conn)
}

/// Deletes the files past their expiry (original messages of mails); their object keys.
pub fn delete_expired(conn: &mut PgConnection, now: chrono::DateTime<chrono::Utc>) -> QueryResult<Vec<String>> {
    diesel::delete(attachments::table.filter(attachments::expires_at.lt(now)))
        .returning(attachments::object_key)
        .get_results(conn)
}
