//! Email (P7): templates, the transactional outbox, the sending worker and the admin email log.
//!
//! A change that causes an email calls [`outbox::enqueue`] inside its own transaction, so the
//! email exists exactly when the change does. The worker ([`worker`]) sends it later and retries.

pub mod outbox;
pub mod routes;
pub mod smtp;
pub mod templates;
pub mod transport;
pub mod worker;

pub use outbox::enqueue;
pub use templates::Message;
