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

macro_rules! problem_codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)+) => {
        /// Every problem kind the API answers with: the stable `code` of a problem body (its
        /// `type` is `/problems/<code with dashes>`). Clients switch on these; `docs/api.md`
        /// lists them (a test keeps the list complete).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ProblemCode { $($(#[$doc])* $variant,)+ }

        impl ProblemCode {
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant,)+];

            pub const fn as_str(self) -> &'static str {
                match self { $(ProblemCode::$variant => $text,)+ }
            }
        }
    };
}

problem_codes! {
    BadRequest = "bad_request",
    ValidationFailed = "validation_failed",
    Unauthenticated = "unauthenticated",
    Forbidden = "forbidden",
    NotFound = "not_found",
    MethodNotAllowed = "method_not_allowed",
    PayloadTooLarge = "payload_too_large",
    UnsupportedMediaType = "unsupported_media_type",
    TooManyRequests = "too_many_requests",
    ServiceUnavailable = "service_unavailable",
    InternalError = "internal_error",
    /// Too many failed sign-ins: solve the captcha (`sitekey` names the widget's key).
    CaptchaRequired = "captcha_required",
    /// A password-reset or invitation link is unknown, used or expired.
    InvalidToken = "invalid_token",
    EmailTaken = "email_taken",
    UsernameTaken = "username_taken",
    /// An organization or category name is already in use.
    NameTaken = "name_taken",
    /// Admins cannot demote or deactivate themselves.
    OwnAccount = "own_account",
    /// The ticket cannot move to that status (`allowed` lists where it can).
    InvalidTransition = "invalid_transition",
    /// Closed tickets are read-only.
    TicketClosed = "ticket_closed",
    /// The `Idempotency-Key` was used before with a different request.
    IdempotencyKeyReused = "idempotency_key_reused",
    /// A request with this `Idempotency-Key` is still running.
    IdempotencyKeyInUse = "idempotency_key_in_use",
    /// `If-Match` names an older version of the resource.
    PreconditionFailed = "precondition_failed",
    /// The API token lacks the scope the request needs (`required_scope` names it).
    InsufficientScope = "insufficient_scope",
    /// Something built in (the around-the-clock calendar) cannot be changed or deleted.
    BuiltIn = "built_in",
    /// Still used by something else (a calendar by SLA policies).
    InUse = "in_use",
    /// The uploader stored more than the daily quota allows.
    UploadQuotaExceeded = "upload_quota_exceeded",
    /// Staff must set up two-factor sign-in before anything else (`HELPDESK_REQUIRE_2FA_FOR_STAFF`).
    TwoFactorSetupRequired = "two_factor_setup_required",
    /// The code from the authenticator app (or the recovery code) is wrong or was used.
    InvalidCode = "invalid_code",
    /// Two-factor sign-in is already on (turn it off first to set up a new app).
    TwoFactorEnabled = "two_factor_enabled",
    /// The caller's account is restricted (P12): no new tickets, comments or files.
    AccountRestricted = "account_restricted",
    /// The ticket's requester restricted processing of their data (P12): it cannot be changed.
    RequesterRestricted = "requester_restricted",
    /// A concurrent transaction changed the same data; retry.
    ConcurrentUpdate = "concurrent_update",
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    /// The methods the path does answer, for the `Allow` header (`GET, POST`).
    MethodNotAllowed(String),
    /// The request conflicts with the current state; `code` names the conflict, `errors` the
    /// fields involved, if any.
    #[error("{detail}")]
    Conflict { code: ProblemCode, detail: String, errors: FieldErrors, extensions: Map<String, Value> },
    #[error("payload too large")]
    PayloadTooLarge(String),
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    /// A domain-specific 4xx with its own code (e.g. `captcha_required`).
    #[error("{detail}")]
    Client {
        status: StatusCode,
        code: ProblemCode,
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

    pub fn conflict(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into(), errors: FieldErrors::new(), extensions: Map::new() }
    }

    /// Maps a unique violation to a 409 on `field`; any other database error stays what it is.
    pub fn unique_violation(err: diesel::result::Error, code: ProblemCode, field: &str, message: &str) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::conflict_field(code, field, message),
            other => other.into(),
        }
    }

    /// A conflict caused by one field's value (e.g. an email that is already registered).
    pub fn conflict_field(code: ProblemCode, field: &str, message: &str) -> Self {
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

    /// The error for a request no route took: 405 if the path exists for another method, else 404.
    pub fn unmatched(req: &actix_web::HttpRequest) -> Self {
        let allow = req.app_data::<actix_web::web::Data<crate::app::AllowTable>>().and_then(|t| t.allow(req.path()));
        match allow {
            Some(methods) => Self::MethodNotAllowed(methods),
            None if req.resource_map().has_resource(req.path()) => Self::MethodNotAllowed(String::new()),
            None => Self::NoRoute,
        }
    }

    pub fn internal(context: impl Into<String>) -> Self {
        Self::Internal(anyhow::anyhow!(context.into()))
    }

    /// Stable machine-readable kind, title, and the human detail of this error.
    fn describe(&self) -> (ProblemCode, &'static str, String) {
        use ProblemCode as C;
        match self {
            Self::BadRequest(d) => (C::BadRequest, "Bad request", d.clone()),
            Self::Validation(_) => (C::ValidationFailed, "Validation failed", "One or more fields are invalid.".into()),
            Self::Unauthenticated(d) => (C::Unauthenticated, "Authentication required", d.clone()),
            Self::Forbidden(d) => (C::Forbidden, "Forbidden", d.clone()),
            Self::NotFound => {
                (C::NotFound, "Not found", "The resource does not exist or is not visible to you.".into())
            }
            Self::NoRoute => (C::NotFound, "Not found", "No resource exists at this path.".into()),
            Self::MethodNotAllowed(_) => {
                (C::MethodNotAllowed, "Method not allowed", "This resource does not support this HTTP method.".into())
            }
            Self::Conflict { code, detail, .. } => (*code, "Conflict", detail.clone()),
            Self::PayloadTooLarge(d) => (C::PayloadTooLarge, "Payload too large", d.clone()),
            Self::UnsupportedMediaType(d) => (C::UnsupportedMediaType, "Unsupported media type", d.clone()),
            Self::Client { code, title, detail, .. } => (*code, title, detail.clone()),
            Self::TooManyRequests { retry_after_secs } => (
                C::TooManyRequests,
                "Too many requests",
                format!("Too many requests; try again in {retry_after_secs} seconds."),
            ),
            Self::Unavailable(_) => (
                C::ServiceUnavailable,
                "Service unavailable",
                "A service this request needs is unavailable; try again shortly.".into(),
            ),
            Self::Internal(_) => (
                C::InternalError,
                "Internal server error",
                "An unexpected error occurred; quote the request id.".into(),
            ),
        }
    }
}

/// The `type` URI of a problem kind: `/problems/captcha-required` for `captcha_required`.
pub fn problem_type(code: ProblemCode) -> String {
    format!("/problems/{}", code.as_str().replace('_', "-"))
}

/// Builds a problem body for the current request.
pub fn problem(status: StatusCode, code: ProblemCode, title: &str, detail: impl Into<String>) -> Problem {
    Problem {
        type_: problem_type(code),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: Some(detail.into()),
        code: code.as_str().to_owned(),
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
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
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
            Self::MethodNotAllowed(allow) if !allow.is_empty() => {
                if let Ok(v) = header::HeaderValue::from_str(allow) {
                    headers.insert(header::ALLOW, v);
                }
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
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Self::conflict(
                ProblemCode::ConcurrentUpdate,
                "The resource was changed concurrently; retry the request.",
            ),
            // A referenced row vanished between the check and the write (deleted concurrently),
            // or a row still referenced is being deleted.
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                if info.message().starts_with("update or delete") {
                    Self::conflict(ProblemCode::InUse, "Other records still refer to this one.")
                } else {
                    let table = info.table_name().unwrap_or_default();
                    let field = info
                        .constraint_name()
                        .and_then(|c| c.strip_prefix(table)?.strip_prefix('_')?.strip_suffix("_fkey"))
                        .unwrap_or("body")
                        .to_owned();
                    Self::field(&field, "refers to something that does not exist (any more)")
                }
            }
            // The connection broke or the server is stopping, starting or unreachable: the
            // client may retry (503 with Retry-After); the pool replaces the connection.
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => Self::Unavailable(format!("database connection lost: {}", info.message())),
            Error::DatabaseError(DatabaseErrorKind::Unknown, info) if connection_lost(info.message()) => {
                Self::Unavailable(format!("database unavailable: {}", info.message()))
            }
            other => Self::Internal(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

/// libpq's and PostgreSQL's words for a connection that is gone or a server that is not
/// serving (SQLSTATE classes 08 and 57P0x are not exposed by Diesel).
fn connection_lost(message: &str) -> bool {
    const SIGNS: [&str; 7] = [
        "server closed the connection",
        "terminating connection",
        "no connection to the server",
        "connection to server",
        "the database system is shutting down",
        "the database system is starting up",
        "could not receive data from server",
    ];
    SIGNS.iter().any(|sign| message.contains(sign))
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
        Self::Validation(field_errors(&errors))
    }
}

/// Field name -> messages of a failed `validate()`, nested fields as `a.b` and `a[0]`.
pub fn field_errors(errors: &validator::ValidationErrors) -> FieldErrors {
    let mut fields = FieldErrors::new();
    collect_validation_errors(errors, "", &mut fields);
    fields
}

fn collect_validation_errors(errors: &validator::ValidationErrors, prefix: &str, out: &mut FieldErrors) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let name = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e.message.as_ref().map_or_else(|| e.code.to_string(), ToString::to_string);
                    // A struct-level rule names the field it is about (see `validation::rules`).
                    let field =
                        e.params.get("field").and_then(|f| f.as_str()).map_or_else(|| name.clone(), str::to_owned);
                    out.entry(field).or_default().push(message);
                }
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

#[cfg(test)]
mod tests {
    use super::ProblemCode;

    #[test]
    fn every_problem_code_is_documented_in_the_api_guide() {
        let guide = include_str!("../../docs/api.md");
        for code in ProblemCode::ALL {
            assert!(guide.contains(&format!("`{code}`")), "docs/api.md does not list `{code}`");
        }
    }
}
