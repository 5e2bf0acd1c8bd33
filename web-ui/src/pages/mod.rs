//! One module per page.

pub mod admin;
pub mod auth;
pub mod canned;
pub mod contact;
pub mod privacy;
pub mod profile;
pub mod queue;
pub mod reports;
pub mod tickets;
