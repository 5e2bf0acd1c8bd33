//! Middleware wrapped around every request, outermost first:
//! [`request_id`] (id, tracing span, access log), then [`headers`] (security headers,
//! cache policy, and a problem body for any error response that has none), then [`input`]
//! (NUL characters in the query or a JSON body are a 422 naming the field), then
//! [`budget`] (requests per credential and minute, with `RateLimit-*` headers), then
//! [`idempotency`] (a POST with an `Idempotency-Key` runs once), then [`caches`] (a write
//! makes the instance forget its short-lived caches).

pub mod budget;
pub mod caches;
pub mod headers;
pub mod idempotency;
pub mod input;
pub mod request_id;

pub mod client_ip;

pub use client_ip::{TrustedProxies, client_ip};
