//! Integration tests of the library below the HTTP surface (one test binary, see style.md).

#![expect(clippy::unwrap_used, reason = "a test fails by panicking, helpers included")]

mod jobs;
mod migrations;
mod schema;
mod sla;
