//! The OpenAPI 3.1 document: metadata and security schemes here; paths and schemas are
//! collected from the routes by utoipa-actix-web (see `app::api_routes`).

use utoipa::{
    Modify, OpenApi,
    openapi::{
        self, ContentBuilder, RefOr, ResponseBuilder,
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Helpdesk API",
        description = "REST API of Helpdesk, a self-hosted support-ticket system. Conventions (authentication, \
errors as RFC 9457 problem details, cursor pagination, versioning) are described in docs/api.md.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "health", description = "Liveness and readiness probes"),
        (name = "auth", description = "Registration, sign-in, sessions, password reset"),
        (name = "me", description = "Your own account"),
        (name = "users", description = "Account administration (admins)"),
        (name = "admin", description = "Administration: email log, scheduled jobs"),
        (name = "organizations", description = "Client companies and their service contracts"),
        (name = "categories", description = "Ticket categories"),
        (name = "canned replies", description = "Texts the support team inserts into replies"),
        (name = "sla", description = "SLA policies: response and resolution targets in business time"),
        (name = "calendars", description = "Business hours and holidays the SLA deadlines count in"),
        (name = "notifications", description = "In-app notifications, their settings and live updates"),
        (name = "reports", description = "SLA performance and ticket volume"),
        (name = "tickets", description = "Tickets, comments, internal notes, events, search"),
        (name = "attachments", description = "Files on tickets and comments"),
        (name = "privacy", description = "The live privacy settings"),
        (name = "webhooks", description = "Signed event deliveries to your URLs, with retries and a delivery log"),
        (name = "api-tokens", description = "API tokens for integrations: scoped, revocable, shown once"),
    ),
    components(schemas(helpdesk_types::Problem, helpdesk_types::tickets::Sort)),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

/// `bearer`: a short-lived access token (JWT) or an integration's API token.
/// `refresh_cookie`: the browser's HttpOnly session cookie, accepted only by the auth endpoints.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/login, or an API token."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("hd_…")
                    .description(Some(
                        "An API token from POST /api/v1/api-tokens, sent as `Authorization: Bearer hd_…`. \
                         Each operation lists the scope it needs; `admin` covers all; operations without \
                         `api_token` need a signed-in session.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "refresh_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "helpdesk_refresh",
                "HttpOnly session cookie set by login; used by refresh and logout only.",
            ))),
        );
    }
}

/// Calls `f` with the path, method and operation of every operation of the document.
fn each_operation(doc: &mut openapi::OpenApi, mut f: impl FnMut(&str, &str, &mut openapi::path::Operation)) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [
            ("GET", &mut item.get),
            ("POST", &mut item.post),
            ("PUT", &mut item.put),
            ("PATCH", &mut item.patch),
            ("DELETE", &mut item.delete),
        ] {
            if let Some(op) = op.as_mut() {
                f(path, method, op);
            }
        }
    }
}

/// Adds to every operation that takes a bearer token the API-token scope it needs, from the same
/// function the server enforces ([`crate::auth::api_tokens::need`]).
pub fn add_token_scopes(doc: &mut openapi::OpenApi) {
    use crate::auth::api_tokens::{Need, need};
    each_operation(doc, |path, method, op| {
        let bearer = op
            .security
            .as_ref()
            .is_some_and(|s| serde_json::to_value(s).is_ok_and(|v| v.to_string().contains("\"bearer\"")));
        if !bearer {
            return;
        }
        let scopes: Option<Vec<String>> = match need(method, path) {
            Need::Session => None,
            Need::Any => Some(Vec::new()),
            Need::Scope(scope) => Some(vec![scope.as_str().to_owned()]),
        };
        if let Some(scopes) = scopes {
            op.security
                .get_or_insert_with(Vec::new)
                .push(openapi::security::SecurityRequirement::new("api_token", scopes));
        }
    });
}

/// Documents the optional `Idempotency-Key` header on every POST that takes a bearer token.
pub fn add_idempotency_header(doc: &mut openapi::OpenApi) {
    use openapi::path::{ParameterBuilder, ParameterIn};
    let parameter = ParameterBuilder::new()
        .name(crate::middleware::idempotency::HEADER)
        .parameter_in(ParameterIn::Header)
        .required(openapi::Required::False)
        .description(Some(
            "Makes the POST safe to retry: the first response is kept 24 hours per account and key and \
             returned again (`Idempotent-Replayed: true`) for the same request; another request with the \
             same key is 422 `idempotency_key_reused`. 1 to 255 visible ASCII characters.",
        ))
        .schema(Some(openapi::ObjectBuilder::new().schema_type(openapi::schema::Type::String).max_length(Some(255))))
        .build();
    for item in doc.paths.paths.values_mut() {
        if let Some(op) = item.post.as_mut()
            && op.security.is_some()
        {
            op.parameters.get_or_insert_with(Vec::new).push(RefOr::T(parameter.clone()));
        }
    }
}

/// `Page_X` schemas list their items as a reference to `X` instead of a copy of it, so generated
/// clients get one model per type.
pub fn reference_page_items(doc: &mut openapi::OpenApi) {
    use openapi::schema::{ArrayItems, Schema};
    let Some(components) = doc.components.as_mut() else { return };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for name in &names {
        let Some(item) = name.strip_prefix("Page_").filter(|i| names.iter().any(|n| n == i)) else { continue };
        let Some(RefOr::T(Schema::Object(page))) = components.schemas.get_mut(name) else { continue };
        if let Some(RefOr::T(Schema::Array(array))) = page.properties.get_mut("items") {
            array.items = ArrayItems::RefOrSchema(Box::new(RefOr::Ref(openapi::Ref::from_schema_name(item))));
        }
    }
}

/// The problem responses operations share, referenced from each operation that can answer them.
const PROBLEMS: &[(&str, &str, &str)] = &[
    ("400", "BadRequest", "The body or query string cannot be read (malformed JSON, a value of the wrong type)."),
    ("401", "Unauthenticated", "No valid credential: the access token or API token is missing, expired or revoked."),
    (
        "403",
        "Forbidden",
        "Your role does not allow this, or your API token lacks the scope (`insufficient_scope` names it).",
    ),
    ("404", "NotFound", "Nothing with this id exists, or you may not see it."),
    (
        "409",
        "Conflict",
        "Conflicts with the current state, or a request with the same `Idempotency-Key` is still running.",
    ),
    ("413", "PayloadTooLarge", "The body is larger than allowed."),
    ("415", "UnsupportedMediaType", "The body is not sent as `application/json`."),
    (
        "422",
        "UnprocessableContent",
        "A value breaks a rule (the problem's `errors` name each field), or an `Idempotency-Key` was reused \
         for another request.",
    ),
    (
        "429",
        "TooManyRequests",
        "The request budget of this credential is used up; `Retry-After` says when to try again.",
    ),
    ("503", "Unavailable", "The database or another dependency is unavailable; try again shortly."),
];

fn problem_response(description: &str) -> openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new().schema(Some(RefOr::Ref(openapi::Ref::from_schema_name("Problem")))).build(),
        )
        .build()
}

/// Lists on every operation each error status it can answer, from what the operation takes: a JSON
/// body (400, 413, 415, 422), a query (400, 422), path parameters (404), a credential (401, 403,
/// 429), a POST with an `Idempotency-Key` (409, 422), the database (503). Statuses an operation
/// documents itself keep its own description; `default` is left for unexpected 500s.
pub fn add_problem_responses(doc: &mut openapi::OpenApi) {
    use openapi::path::ParameterIn;
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description) in PROBLEMS {
        let mut response = problem_response(description);
        if *name == "TooManyRequests" {
            let seconds = openapi::ObjectBuilder::new().schema_type(openapi::schema::Type::Integer).build();
            response.headers.insert(
                "Retry-After".into(),
                RefOr::T(
                    openapi::HeaderBuilder::new()
                        .schema(Some(seconds))
                        .description(Some("Seconds until the budget is renewed."))
                        .build(),
                ),
            );
        }
        components.responses.insert((*name).to_owned(), RefOr::T(response));
    }
    let unexpected = problem_response("An unexpected server error (500), as a problem details object.");
    each_operation(doc, |path, method, op| {
        let security = op.security.as_ref().map(|s| serde_json::to_value(s).unwrap_or_default());
        let authenticated = security.as_ref().and_then(|s| s.as_array()).is_some_and(|requirements| {
            !requirements.is_empty() && !requirements.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty()))
        });
        let json_body = op.request_body.as_ref().is_some_and(|body| match body {
            RefOr::T(body) => body.content.keys().any(|k| k == "application/json"),
            RefOr::Ref(_) => false,
        });
        let query = op
            .parameters
            .iter()
            .flatten()
            .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)));
        let mut statuses = Vec::new();
        if json_body {
            statuses.extend(["400", "413", "415", "422"]);
        }
        if query {
            statuses.extend(["400", "422"]);
        }
        if op.request_body.is_some() {
            statuses.push("422");
        }
        if path.contains('{') {
            statuses.push("404");
        }
        if authenticated {
            statuses.extend(["401", "403", "429"]);
            if method == "POST" {
                statuses.extend(["409", "422"]);
            }
        }
        if path.starts_with("/api/") {
            statuses.extend(["429", "503"]);
        }
        for status in statuses {
            let Some((_, name, _)) = PROBLEMS.iter().find(|(s, _, _)| *s == status) else { continue };
            op.responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| RefOr::Ref(openapi::Ref::new(format!("#/components/responses/{name}"))));
        }
        op.responses.responses.entry("default".into()).or_insert_with(|| RefOr::T(unexpected.clone()));
    });
}

/// Operation ids in lowerCamelCase (`listTickets`, `createTicket`): they become the method names
/// of generated clients. Handlers are snake_case; a few name their id explicitly.
pub fn camel_case_operation_ids(doc: &mut openapi::OpenApi) {
    each_operation(doc, |_, _, op| {
        if let Some(id) = op.operation_id.as_mut() {
            let mut camel = String::with_capacity(id.len());
            let mut upper = false;
            for c in id.chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    camel.extend(c.to_uppercase());
                    upper = false;
                } else {
                    camel.push(c);
                }
            }
            *id = camel;
        }
    });
}
