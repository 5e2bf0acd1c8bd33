//! Helpdesk API server: a support-ticket system over PostgreSQL.
//!
//! Infrastructure lives at the root (`app`, `config`, `error`, `db`, `middleware`, `telemetry`);
//! each feature has its own folder with routes, domain types and queries. See
//! `docs/architecture.md` for the path of a request.

pub mod accounts;
pub mod app;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod canned;
pub mod categories;
pub mod cli;
pub mod config;
pub mod contact;
pub mod db;
pub mod email;
pub mod error;
pub mod fresh;
pub mod health;
pub mod inbound;
pub mod jobs;
pub mod metrics;
pub mod middleware;
pub mod net;
pub mod notifications;
pub mod openapi;
pub mod organizations;
pub mod pagination;
pub mod privacy;
pub mod request_logs;
pub mod seed;
pub mod sla;
pub mod spa;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod tickets;
pub mod webhooks;
pub mod zipstream;
