//! The test harness shared by the black-box tests in `tests/e2e` and the api crate's own
//! integration tests.
//!
//! - [`db`]: one migrated template database per run, cloned per test (`CREATE DATABASE ... TEMPLATE`).
//! - [`app`]: the real `helpdesk` binary started on a random port against such a clone.
//! - [`domain`]: requests that read like the spec (`app.open_ticket(..)`).
//! - [`smtp`]: a real SMTP server (python aiosmtpd) on loopback, and helpers to read what it received.
//! - [`imap`]: a real IMAP server (Dovecot) on loopback, and mail fixtures.
//!
//! `make test` starts a throwaway PostgreSQL cluster and exports `DATABASE_URL` (an admin
//! connection to it) and `HELPDESK_BIN`; see `scripts/test.sh`.
#![expect(clippy::expect_used, reason = "test harness: a failed set-up must abort the test with its message")]

pub mod app;
pub mod captcha;
pub mod db;
pub mod domain;
pub mod imap;
pub mod mailbox;
pub mod paths;
pub mod postgres;
pub mod smtp;
pub mod storage;
pub mod totp;

pub use app::{Session, TestApp, TestAppBuilder};
pub use captcha::CaptchaStandIn;
pub use db::TestDb;
pub use smtp::{Mail, SmtpServer};
