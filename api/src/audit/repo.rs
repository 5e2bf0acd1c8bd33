//! Writing and reading the audit log.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::audit_log;

/// One privacy action.
pub struct Entry<'a> {
    /// The account that acted (`None`: the helpdesk itself, e.g. a retention job).
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    /// e.g. `erasure`, `inactivity_warning`.
    pub action: &'a str,
    /// The account whose data it concerns.
    pub subject_id: Option<i64>,
    /// Counts and other facts; never the person's data.
    pub details: serde_json::Value,
    pub client_ip: Option<&'a str>,
}

pub fn record(conn: &mut PgConnection, e: &Entry<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_id.eq(e.actor_id),
            audit_log::actor_name.eq(e.actor_name),
            audit_log::action.eq(e.action),
            audit_log::subject_id.eq(e.subject_id),
            audit_log::details.eq(&e.details),
            audit_log::client_ip.eq(e.client_ip),
        ))
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
pub struct Row {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub subject_id: Option<i64>,
    pub details: serde_json::Value,
    pub client_ip: Option<String>,
}

/// Newest first, before id `before`, optionally about one account and of one action.
pub fn list(
    conn: &mut PgConnection,
    subject_id: Option<i64>,
    action: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Row>> {
    let mut q = audit_log::table.select(Row::as_select()).order(audit_log::id.desc()).limit(limit + 1).into_boxed();
    if let Some(s) = subject_id {
        q = q.filter(audit_log::subject_id.eq(s));
    }
    if let Some(a) = action {
        q = q.filter(audit_log::action.eq(a.to_owned()));
    }
    if let Some(b) = before {
        q = q.filter(audit_log::id.lt(b));
    }
    q.load(conn)
}

/// The clean-up job.
pub fn delete_older_than(conn: &mut PgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(audit_log::table.filter(audit_log::at.lt(cutoff))).execute(conn)
}
