//! Request and response bodies of the Helpdesk REST API.
//!
//! The server (`helpdesk-api`) and the web UI (`helpdesk-web-ui`) both use these types, so the
//! SPA never hand-copies a JSON shape. This crate must keep compiling for `wasm32-unknown-unknown`:
//! no actix, no I/O. The `openapi` feature derives the utoipa schemas the server publishes in
//! `openapi/openapi.json`; the `diesel` feature maps the enums to TEXT columns.

pub mod accounts;
pub mod contact;
pub mod email;
pub mod enums;
pub mod health;
pub mod integrations;
pub mod jobs;
pub mod notifications;
pub mod organizations;
pub mod privacy;
pub mod problem;
pub mod sla;
pub mod tickets;
pub mod validation;

pub use accounts::{Account, Locale, Page, Role};
pub use health::{Health, HealthStatus};
pub use problem::Problem;
