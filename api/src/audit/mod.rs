//! The audit trail of privacy actions (P12, issue 11): exports, erasures, restrictions,
//! automatic deletions. Append-only (a trigger refuses changes), readable by admins, deleted
//! after `HELPDESK_AUDIT_LOG_RETENTION_DAYS`.

pub mod repo;
pub mod routes;

pub use repo::{Entry, record};
pub use routes::routes;
