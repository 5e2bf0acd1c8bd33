//! The one error type of the crate, [`ApiError`], and its RFC 9457 problem+json rendering.
//!
//! Handlers return `Result<_, ApiError>` and use `?`. Conversions from Diesel, r2d2 and the
//! blocking pool live here, in one place. A 5xx body is opaque: it carries only the request id,
//! while the full cause chain is logged once, here, with that id.

use std::collections::BTreeMap;

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use helpdesk_types::Problem;
use serde_json::{Map, Value};

use crate::middleware::request_id::current_request_id;

/// Field name -> messages.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is syntactically wrong (malformed JSON, bad query string...).
    #[error("{0}")]
    BadRequest(String),
    /// One or more fields failed validation.
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("authentication required")]
    Unauthenticated(String),
    #[error("forbidden")]
    Forbidden(String),
    /// The resource does not exist or the caller may not see it (deliberately indistinguishable).
    #[error("not found")]
    NotFound,
    #[error("no route for this path")]
    NoRoute,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request conflicts with the current state; `code` names the conflict, `errors` the
    /// fields involved, if any.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String, errors: FieldErrors, extensions: Map<String, Value> },
    #[error("payload too large")]
    PayloadTooLarge(String),
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    /// A domain-specific 4xx with its own code (e.g. `captcha_required`).
    #[error("{detail}")]
    Client {
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: String,
        extensions: Map<String, Value>,
    },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// A dependency (database pool, captcha verifier) is unavailable.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest(detail.into())
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into(), errors: FieldErrors::new(), extensions: Map::new() }
    }

    /// Maps a unique violation to a 409 on `field`; any other database error stays what it is.
    pub fn unique_violation(err: diesel::result::Error, code: &'static str, field: &str, message: &str) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::conflict_field(code, field, message),
            other => other.into(),
        }
    }

    /// A conflict caused by one field's value (e.g. an email that is already registered).
    pub fn conflict_field(code: &'static str, field: &str, message: &str) -> Self {
        Self::Conflict {
            code,
            detail: format!("{field} {message}"),
            errors: BTreeMap::from([(field.to_owned(), vec![message.to_owned()])]),
            extensions: Map::new(),
        }
    }

    /// A validation failure of a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(BTreeMap::from([(field.to_owned(), vec![message.into()])]))
    }

    pub fn internal(context: impl Into<String>) -> Self {
        Self::Internal(anyhow::anyhow!(context.into()))
    }

    /// Stable machine-readable kind, title, and the human detail of this error.
    fn describe(&self) -> (&'static str, &'static str, String) {
        match self {
            Self::BadRequest(d) => ("bad_request", "Bad request", d.clone()),
            Self::Validation(_) => ("validation_failed", "Validation failed", "One or more fields are invalid.".into()),
            Self::Unauthenticated(d) => ("unauthenticated", "Authentication required", d.clone()),
            Self::Forbidden(d) => ("forbidden", "Forbidden", d.clone()),
            Self::NotFound => {
                ("not_found", "Not found", "The resource does not exist or is not visible to you.".into())
            }
            Self::NoRoute => ("not_found", "Not found", "No resource exists at this path.".into()),
            Self::MethodNotAllowed => {
                ("method_not_allowed", "Method not allowed", "This resource does not support this HTTP method.".into())
            }
            Self::Conflict { code, detail, .. } => (code, "Conflict", detail.clone()),
            Self::PayloadTooLarge(d) => ("payload_too_large", "Payload too large", d.clone()),
            Self::UnsupportedMediaType(d) => ("unsupported_media_type", "Unsupported media type", d.clone()),
            Self::Client { code, title, detail, .. } => (code, title, detail.clone()),
            Self::TooManyRequests { retry_after_secs } => (
                "too_many_requests",
                "Too many requests",
                format!("Too many requests; try again in {retry_after_secs} seconds."),
            ),
            Self::Unavailable(_) => (
                "service_unavailable",
                "Service unavailable",
                "A service this request needs is unavailable; try again shortly.".into(),
            ),
            Self::Internal(_) => (
                "internal_error",
                "Internal server error",
                "An unexpected error occurred; quote the request id.".into(),
            ),
        }
    }
}

/// The `type` URI of a problem kind: `/problems/captcha-required` for `captcha_required`.
pub fn problem_type(code: &str) -> String {
    format!("/problems/{}", code.replace('_', "-"))
}

/// Builds a problem body for the current request.
pub fn problem(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Problem {
    Problem {
        type_: problem_type(code),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: Some(detail.into()),
        code: code.to_owned(),
        errors: BTreeMap::new(),
        request_id: current_request_id(),
        extensions: Map::new(),
    }
}

/// Renders a problem body with the `application/problem+json` content type.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/problem+json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(serde_json::to_string(problem).unwrap_or_default())
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound | Self::NoRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Client { status, .. } => *status,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            Self::Unavailable(cause) => tracing::warn!(cause = %cause, "dependency unavailable"),
            _ => {}
        }
        let (code, title, detail) = self.describe();
        let mut body = problem(status, code, title, detail);
        match self {
            Self::Validation(errors) => body.errors = errors.clone(),
            Self::Conflict { extensions, errors, .. } => {
                body.errors = errors.clone();
                body.extensions = extensions.clone();
            }
            Self::Client { extensions, .. } => body.extensions = extensions.clone(),
            _ => {}
        }
        let mut response = problem_response(&body);
        let headers = response.headers_mut();
        match self {
            Self::Unauthenticated(_) => {
                headers.insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            }
            Self::TooManyRequests { retry_after_secs } => {
                if let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            Self::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            }
            _ => {}
        }
        response
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Self::conflict("concurrent_update", "The resource was changed concurrently; retry the request.")
            }
            other => Self::Internal(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(format!("database pool: {err}"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::Error::new(err).context("blocking task failed"))
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields = FieldErrors::new();
        collect_validation_errors(&errors, "", &mut fields);
        Self::Validation(fields)
    }
}

fn collect_validation_errors(errors: &validator::ValidationErrors, prefix: &str, out: &mut FieldErrors) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let name = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(list) => {
                let messages =
                    list.iter().map(|e| e.message.as_ref().map_or_else(|| e.code.to_string(), |m| m.to_string()));
                out.entry(name).or_default().extend(messages);
            }
            ValidationErrorsKind::Struct(inner) => collect_validation_errors(inner, &name, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect_validation_errors(inner, &format!("{name}[{index}]"), out);
                }
            }
        }
    }
}
