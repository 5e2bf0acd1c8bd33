//! Attachments (P6): validated uploads, private storage under random keys, downloads only for
//! people who may see the ticket (and, on internal notes, only for staff), deletion with the
//! ticket, and a sweep that keeps rows and objects consistent.

pub mod model;
pub mod receive;
pub mod repo;
pub mod routes;
pub mod sweep;
pub mod validate;

pub use routes::routes;
