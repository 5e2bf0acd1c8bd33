//! Middleware wrapped around every request, outermost first:
//! [`request_id`] (id, tracing span, access log), then [`headers`] (security headers,
//! cache policy, and a problem body for any error response that has none).

pub mod headers;
pub mod request_id;

pub mod client_ip;

pub use client_ip::{TrustedProxies, client_ip};
