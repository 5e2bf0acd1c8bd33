//! Serves the built single-page app from `HELPDESK_WEB_DIR`: files by name, `index.html` for
//! client-side routes. Pre-compressed `.gz` siblings are sent to clients that accept gzip, so
//! the server never compresses at run time (and never compresses API responses, which could
//! leak secrets through compression side channels).

use std::path::PathBuf;

use actix_files::NamedFile;
use actix_web::{
    HttpRequest, HttpResponse,
    http::{
        Method,
        header::{self, ContentEncoding},
    },
    web,
};

use crate::error::ApiError;

pub struct Spa {
    dir: PathBuf,
}

impl Spa {
    pub fn new(dir: PathBuf) -> Self {
        if !dir.join("index.html").is_file() {
            tracing::warn!(dir = %dir.display(), "the web UI is not built; only the API is served");
        }
        Self { dir }
    }
}

/// A request path that may name a file in the web directory: plain segments only, none hidden.
fn safe_relative_path(path: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let plain = segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !plain || segment.starts_with('.') {
            return None;
        }
        out.push(segment);
    }
    Some(out)
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("gzip"))
}

async fn file(req: &HttpRequest, path: PathBuf) -> Option<HttpResponse> {
    if !path.is_file() {
        return None;
    }
    let gz = PathBuf::from(format!("{}.gz", path.display()));
    let (file, encoding) = if accepts_gzip(req) && gz.is_file() {
        (NamedFile::open_async(&gz).await.ok()?, Some(ContentEncoding::Gzip))
    } else {
        (NamedFile::open_async(&path).await.ok()?, None)
    };
    let content_type = actix_files::file_extension_to_mime(path.extension()?.to_str()?);
    let mut file = file.set_content_type(content_type).disable_content_disposition();
    if let Some(encoding) = encoding {
        file = file.set_content_encoding(encoding);
    }
    let mut response = file.into_response(req);
    response.headers_mut().insert(header::VARY, header::HeaderValue::from_static("accept-encoding"));
    Some(response)
}

/// The app's default service: static files and client routes; a problem for everything else.
pub async fn serve(req: HttpRequest, spa: web::Data<Spa>) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if path == "/api" || path.starts_with("/api/") || path.starts_with("/health") {
        return Err(crate::error::ApiError::unmatched(&req));
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(ApiError::MethodNotAllowed("GET, HEAD".to_owned()));
    }
    let relative = safe_relative_path(path).ok_or(ApiError::NoRoute)?;
    if !relative.as_os_str().is_empty()
        && let Some(response) = file(&req, spa.dir.join(&relative)).await
    {
        return Ok(response);
    }
    // A missing asset is a 404; any other path is a client-side route.
    if relative.extension().is_some() {
        return Err(ApiError::NoRoute);
    }
    file(&req, spa.dir.join("index.html")).await.ok_or(ApiError::NoRoute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_visible_paths_map_to_files() {
        assert_eq!(safe_relative_path("/app-1.js"), Some(PathBuf::from("app-1.js")));
        assert_eq!(safe_relative_path("/tickets/42"), Some(PathBuf::from("tickets/42")));
        for bad in ["/../etc/passwd", "/.env", "/a/%2e%2e/b", "/a\\b"] {
            assert_eq!(safe_relative_path(bad), None, "{bad}");
        }
    }
}
