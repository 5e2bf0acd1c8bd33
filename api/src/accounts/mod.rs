//! Accounts: registration, profiles, administration of users (P1, P7, P12).

pub mod admin_cli;
pub mod domain;
pub mod model;
pub mod repo;
