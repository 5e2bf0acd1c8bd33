//! Middleware wrapped around every request, outermost first:
//! [`request_id`] (id, tracing span, access log), then [`headers`] (security headers,
//! cache policy, and a problem body for any error response that has none).

pub mod headers;
pub mod request_id;

use std::net::SocketAddr;

use actix_web::HttpRequest;

/// The client's IP address: the TCP peer, or the first `X-Forwarded-For` hop when the
/// operator declared that a reverse proxy sets it (`HELPDESK_TRUST_PROXY=true`).
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> Option<String> {
    if trust_proxy && let Some(addr) = req.connection_info().realip_remote_addr() {
        return Some(
            addr.parse::<SocketAddr>()
                .map_or_else(|_| addr.trim_matches(['[', ']']).to_owned(), |a| a.ip().to_string()),
        );
    }
    req.peer_addr().map(|addr| addr.ip().to_string())
}
