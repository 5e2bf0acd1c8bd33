//! Keeps the object store and the `attachments` rows consistent: removes objects that no row
//! points to (left by a crash between storing and committing, or by a failed delete) and
//! reports rows whose object is missing.

use std::collections::HashSet;

use chrono::{Duration, Utc};

use super::repo;
use crate::{
    db::{self, DbPool},
    error::ApiError,
    storage::Storage,
};

/// Objects younger than this may belong to an upload whose row is not committed yet.
const GRACE: Duration = Duration::hours(1);

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub orphans_removed: usize,
    /// Keys of rows without an object (reported, not changed).
    pub missing_objects: Vec<String>,
}

/// Whether `key` has the shape of an attachment key: 64 lower-case hex characters (the SHA-256
/// of a random token, see `receive.rs`).
pub fn is_attachment_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Runs one sweep. `grace`: ignore objects modified more recently than this. The object store
/// is listed before the rows are read, so an upload committed in between is never an orphan.
pub async fn sweep(storage: &Storage, pool: &DbPool, grace: Option<Duration>) -> Result<SweepReport, ApiError> {
    let objects = storage.list().await?;
    let known: HashSet<String> = db::run(pool, |conn| Ok(repo::all_keys(conn)?)).await?.into_iter().collect();
    let listed: HashSet<&str> = objects.iter().map(|o| o.key.as_str()).collect();
    let cutoff = Utc::now() - grace.unwrap_or(GRACE);
    let mut report = SweepReport::default();
    // Only keys of the shape the helpdesk gives its objects: a foreign file that shares the
    // directory or bucket survives.
    for object in objects.iter().filter(|o| is_attachment_key(&o.key)) {
        if !known.contains(&object.key) && object.last_modified < cutoff {
            storage.delete(&object.key).await?;
            report.orphans_removed += 1;
            tracing::info!(key = %object.key, "orphaned attachment object removed");
        }
    }
    for key in &known {
        if !listed.contains(key.as_str()) {
            tracing::error!(key = %key, "attachment row without an object");
            report.missing_objects.push(key.clone());
        }
    }
    Ok(report)
}
