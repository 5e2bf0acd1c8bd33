//! Security headers and cache policy on every response, and a problem body for every error
//! response that lacks one (actix's own 404/405, static file errors, errors bubbling up from
//! extractors); a problem in German for a client whose `Accept-Language` prefers it.

use actix_web::{
    Error, HttpResponse,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        StatusCode,
        header::{self, HeaderMap, HeaderName, HeaderValue},
    },
    middleware::Next,
};

use crate::error::ApiError;

/// What the headers depend on, decided once from the configuration.
#[derive(Debug, Clone)]
pub struct HeaderPolicy {
    /// Send `Strict-Transport-Security` (the public URL is https).
    pub hsts: bool,
    /// Extra origins the SPA may load the captcha widget from (only when a captcha is configured).
    pub captcha_origins: Option<&'static str>,
}

const HCAPTCHA_ORIGINS: &str = "https://hcaptcha.com https://*.hcaptcha.com";

impl HeaderPolicy {
    pub fn new(hsts: bool, captcha_enabled: bool) -> Self {
        Self { hsts, captcha_origins: captcha_enabled.then_some(HCAPTCHA_ORIGINS) }
    }

    fn spa_csp(&self) -> String {
        let extra = self.captcha_origins.map(|o| format!(" {o}")).unwrap_or_default();
        format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{extra}; style-src 'self'{extra}; \
             img-src 'self' data: blob:; connect-src 'self'{extra}; frame-src{frames}; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            frames = if extra.is_empty() { " 'none'".to_owned() } else { extra.clone() },
        )
    }
}

/// Which kind of resource a path is, for CSP and caching.
enum Area {
    Api,
    Docs,
    Spa,
}

fn area(path: &str) -> Area {
    if path.starts_with("/api/docs") {
        Area::Docs
    } else if path.starts_with("/api/") || path == "/api" || path.starts_with("/health/") {
        Area::Api
    } else {
        Area::Spa
    }
}

/// Built SPA assets carry a content hash in their name (`app-0123456789abcdef.wasm`) and never change.
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn set_if_absent(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if !headers.contains_key(&name)
        && let Ok(v) = HeaderValue::from_str(value)
    {
        headers.insert(name, v);
    }
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/problem+json"))
}

/// Whether the request's `Accept-Language` ranks German above English (and any other language).
fn prefers_german(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else { return false };
    let mut best: Option<(f32, bool)> = None;
    for part in value.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
        if tag.is_empty() || q <= 0.0 {
            continue;
        }
        let is_german = tag == "de" || tag.starts_with("de-");
        if best.is_none_or(|(b, _)| q > b) {
            best = Some((q, is_german));
        }
    }
    best.is_some_and(|(_, german)| german)
}

/// The same problem in German (`Problem::into_german`), with `Content-Language: de`.
async fn into_german(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let (req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    // Problem bodies are small; one past 1 MiB cannot be ours and goes out empty.
    let Ok(Ok(bytes)) = actix_web::body::to_bytes_limited(body, 1 << 20).await else {
        return ServiceResponse::new(req, head.set_body(BoxBody::new(())));
    };
    let body = match serde_json::from_slice::<helpdesk_types::Problem>(&bytes) {
        Ok(problem) => serde_json::to_vec(&problem.into_german()).unwrap_or_else(|_| bytes.to_vec()),
        Err(_) => bytes.to_vec(),
    };
    let mut response = head.set_body(BoxBody::new(body));
    response.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("de"));
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-language"));
    ServiceResponse::new(req, response)
}

/// The problem a bare error status stands for.
fn problem_for(status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::NoRoute,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed(String::new()),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge("The request body is too large.".into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType("This content type is not accepted here.".into())
        }
        s if s.is_server_error() => ApiError::internal(format!("unhandled {s} response")),
        s => ApiError::Client {
            status: s,
            code: crate::error::ProblemCode::BadRequest,
            title: "Bad request",
            detail: s.canonical_reason().unwrap_or("The request was not accepted.").to_owned(),
            extensions: Default::default(),
        },
    }
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let policy = req.app_data::<actix_web::web::Data<HeaderPolicy>>().map(|p| p.get_ref().clone());
    let path = req.path().to_owned();
    let german = prefers_german(req.headers());
    // Handlers and extractors turn their errors into responses; only a middleware's own
    // failure arrives as Err, and actix renders that itself.
    let mut res = next.call(req).await?.map_into_boxed_body();

    if (res.status().is_client_error() || res.status().is_server_error()) && !is_problem(res.headers()) {
        let status = res.status();
        let allow = res.headers().get(header::ALLOW).cloned();
        let mut replacement: HttpResponse = actix_web::ResponseError::error_response(&problem_for(status));
        if let Some(allow) = allow {
            replacement.headers_mut().insert(header::ALLOW, allow);
        }
        res = res.into_response(replacement);
    }

    if german && is_problem(res.headers()) {
        res = into_german(res).await;
    }

    let area = area(&path);
    let headers = res.headers_mut();
    set_if_absent(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_if_absent(headers, header::REFERRER_POLICY, "no-referrer");
    set_if_absent(headers, header::X_FRAME_OPTIONS, "DENY");
    set_if_absent(headers, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set_if_absent(headers, HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()");
    let csp = match area {
        Area::Api => "default-src 'none'; frame-ancestors 'none'".to_owned(),
        // Swagger UI styles itself inline; everything is still served from this origin.
        Area::Docs => {
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
                .to_owned()
        }
        Area::Spa => policy.as_ref().map_or_else(|| HeaderPolicy::new(false, false).spa_csp(), HeaderPolicy::spa_csp),
    };
    set_if_absent(headers, header::CONTENT_SECURITY_POLICY, &csp);
    if policy.as_ref().is_some_and(|p| p.hsts) {
        set_if_absent(headers, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    let cache = match area {
        Area::Api => "no-store",
        Area::Docs => "no-cache",
        Area::Spa if is_hashed_asset(&path) && res.status().is_success() => "public, max-age=31536000, immutable",
        Area::Spa => "no-cache",
    };
    set_if_absent(res.headers_mut(), header::CACHE_CONTROL, cache);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_is_chosen_only_when_it_ranks_first() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(value).unwrap());
            prefers_german(&headers)
        };
        assert!(with("de"));
        assert!(with("de-DE,de;q=0.9,en;q=0.8"));
        assert!(with("en;q=0.5, de-AT"));
        assert!(!with("en-US,de;q=0.5"));
        assert!(!with("de;q=0"));
        assert!(!with("fr, de;q=0.9"));
        assert!(!with(";;,,q="));
        assert!(!prefers_german(&HeaderMap::new()));
    }

    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(is_hashed_asset("/app-0123456789abcdef.js"));
        assert!(!is_hashed_asset("/assets/app-0123456789abcdef_bg.wasm"));
        assert!(is_hashed_asset("/app_bg-0123456789abcdef.wasm"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/tickets/123"));
    }
}
