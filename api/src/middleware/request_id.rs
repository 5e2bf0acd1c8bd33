//! `X-Request-Id`: accepted from the client when well-formed, generated otherwise, echoed on
//! every response, attached to every log line of the request (a tracing span) and available to
//! the error renderer through a task-local.

use std::time::Instant;

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};
use tracing::Instrument;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if called while handling one.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// A client-supplied id is kept only if it is short and made of safe characters, so it cannot
/// forge log lines or headers.
fn accepted(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| s.to_owned())
}

/// The proxies whose forwarding headers name the client (config `HELPDESK_TRUSTED_PROXIES`).
#[derive(Clone)]
pub struct TrustProxy(pub super::TrustedProxies);

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req.headers().get(&HEADER).and_then(accepted).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let client_ip = match req.app_data::<actix_web::web::Data<TrustProxy>>() {
        Some(proxies) => super::client_ip(req.request(), &proxies.0).unwrap_or_default(),
        None => super::client_ip(req.request(), &super::TrustedProxies::default()).unwrap_or_default(),
    };
    // Only the path: query strings can carry tokens.
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let started = Instant::now();
    let header_value = HeaderValue::from_str(&id).ok();
    let method = req.method().to_string();
    let result = REQUEST_ID.scope(id, next.call(req)).instrument(span.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    let latency_ms = seconds * 1000.0;
    let (route, status) = match &result {
        Ok(res) => (res.request().match_pattern(), res.status().as_u16()),
        Err(err) => (None, err.as_response_error().status_code().as_u16()),
    };
    crate::metrics::request(&method, route.unwrap_or_else(|| "unmatched".into()), status, seconds);
    let _entered = span.enter();
    match result {
        Ok(mut res) => {
            tracing::info!(status = res.status().as_u16(), latency_ms, client_ip, "request handled");
            if let Some(value) = header_value {
                res.headers_mut().insert(HEADER, value);
            }
            Ok(res)
        }
        Err(err) => {
            tracing::info!(
                status = err.as_response_error().status_code().as_u16(),
                latency_ms,
                client_ip,
                "request failed"
            );
            Err(err)
        }
    }
}
