//! Organizations: client companies with service contracts (admins write, staff read).

pub mod repo;
pub mod routes;

pub use routes::routes;
