//! Black-box tests of the `helpdesk` binary: it is started per test on a random port against a
//! cloned database and driven over HTTP (and SMTP, and a browser). One test binary keeps link
//! time down; each module covers one area of the product.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "a test fails by panicking, helpers included")]

mod accounts;
mod attachments;
mod auth;
mod browser;
mod canned;
mod cli;
mod clients;
mod contract;
mod foundation;
mod inbound;
mod integrations;
mod openapi;
mod privacy;
mod scale;
mod sla;
mod spa;
mod tickets;
mod two_factor;
mod webhooks;
