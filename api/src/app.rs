//! Builds the HTTP application: shared state, extractor error handlers, middleware, the API
//! routes of every feature, the OpenAPI document and docs page, and the SPA.

use std::{net::TcpListener, sync::Arc};

use actix_web::{App, HttpRequest, HttpServer, dev::Server, error::JsonPayloadError, middleware::from_fn, web};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope, service_config::ServiceConfig};
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    accounts, attachments, auth, categories, email,
    error::ApiError,
    health, jobs,
    middleware::{budget, caches, headers, idempotency, input, request_id},
    notifications,
    openapi::ApiDoc,
    organizations, sla, spa,
    state::AppState,
    tickets,
};

/// Largest JSON body accepted (attachments use multipart with their own limit).
pub const JSON_LIMIT_BYTES: usize = 256 * 1024;

/// Every documented route. The server and `helpdesk openapi` both use this, so the spec is
/// exactly what is served.
fn api_routes(cfg: &mut ServiceConfig) {
    health::routes(cfg);
    cfg.service(
        scope::scope("/api/v1")
            .configure(auth::routes)
            .configure(auth::api_tokens::routes)
            .configure(accounts::routes)
            .configure(email::routes::routes)
            .configure(organizations::routes)
            .configure(categories::routes)
            .configure(crate::canned::routes)
            .configure(sla::routes)
            .configure(notifications::routes::routes)
            .configure(jobs::routes::routes)
            .configure(crate::webhooks::routes::routes)
            .configure(crate::inbound::routes::routes)
            .configure(sla::reports::routes)
            .configure(tickets::routes)
            .configure(attachments::routes)
            .configure(crate::privacy::routes)
            .configure(crate::audit::routes)
            .configure(crate::contact::routes)
            .default_service(web::to(no_route)),
    );
}

/// The OpenAPI document of this build.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(api_routes).split_for_parts();
    crate::openapi::camel_case_operation_ids(&mut doc);
    crate::openapi::add_token_scopes(&mut doc);
    crate::openapi::add_idempotency_header(&mut doc);
    crate::openapi::reference_page_items(&mut doc);
    crate::openapi::add_problem_responses(&mut doc);
    doc
}

/// Which methods each documented path answers, for the `Allow` header of a 405.
pub struct AllowTable(Vec<(Vec<String>, String)>);

impl AllowTable {
    pub fn new(doc: &utoipa::openapi::OpenApi) -> Self {
        let rows = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, has)| has.then_some(m))
                .collect();
                (path.split('/').map(str::to_owned).collect(), methods.join(", "))
            })
            .collect();
        Self(rows)
    }

    /// The methods of the documented path that `path` matches (`{param}` matches any segment).
    pub fn allow(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        let matches = |template: &[String]| {
            template.len() == segments.len()
                && template.iter().zip(&segments).all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
        };
        // A literal segment beats a parameter (`/tickets/stats` before `/tickets/{id}`).
        self.0
            .iter()
            .filter(|(t, _)| matches(t))
            .max_by_key(|(t, _)| t.iter().filter(|s| !s.starts_with('{')).count())
            .map(|(_, m)| m.clone())
    }
}

async fn no_route(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::unmatched(&req))
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api_error = match &err {
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType("Send the body as application/json.".into()),
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::PayloadTooLarge(format!("The JSON body must be at most {JSON_LIMIT_BYTES} bytes."))
        }
        JsonPayloadError::Deserialize(e) => match missing_field(&e.to_string()) {
            Some(field) => ApiError::field(field, "is required"),
            None => ApiError::bad_request(format!("The JSON body is invalid: {e}")),
        },
        other => ApiError::bad_request(format!("The JSON body could not be read: {other}")),
    };
    api_error.into()
}

/// The field serde reports as missing ("missing field `password` at line 1 column 20").
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

fn query_error(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("The query string is invalid: {err}")).into()
}

fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    // A path that does not parse (e.g. a non-numeric id) names nothing that exists.
    tracing::debug!(error = %err, "unparsable path parameter");
    ApiError::NoRoute.into()
}

/// Starts the HTTP server on `listener`. Signals are the caller's ([`crate::cli`] drains, then
/// stops the server gracefully: it stops accepting, lets in-flight requests finish (up to
/// 30 s), then the returned future resolves).
pub fn server(listener: TcpListener, state: web::Data<AppState>) -> std::io::Result<Server> {
    let config = Arc::clone(&state.config);
    let doc = openapi();
    let header_policy = web::Data::new(headers::HeaderPolicy::new(config.is_https(), config.captcha.secret.is_some()));
    let trust_proxy = web::Data::new(request_id::TrustProxy(config.trusted_proxies.clone()));
    let spa = web::Data::new(spa::Spa::new(config.web_dir.clone()));
    let allow = web::Data::new(AllowTable::new(&doc));
    let server = HttpServer::new(move || {
        App::new()
            .into_utoipa_app()
            .app_data(state.clone())
            .app_data(header_policy.clone())
            .app_data(trust_proxy.clone())
            .app_data(spa.clone())
            .app_data(allow.clone())
            .app_data(web::JsonConfig::default().limit(JSON_LIMIT_BYTES).error_handler(json_error))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::PayloadConfig::default().limit(JSON_LIMIT_BYTES))
            .configure(api_routes)
            .into_app()
            .route("/metrics", web::get().to(crate::metrics::serve))
            .service(web::redirect("/api/docs", "/api/docs/"))
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", doc.clone()))
            .default_service(web::to(spa::serve))
            .wrap(from_fn(caches::middleware))
            .wrap(from_fn(idempotency::middleware))
            .wrap(from_fn(budget::middleware))
            .wrap(from_fn(input::middleware))
            .wrap(from_fn(headers::middleware))
            .wrap(from_fn(request_id::middleware))
    })
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}
