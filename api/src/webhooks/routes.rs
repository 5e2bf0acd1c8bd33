//! `/api/v1/webhooks`: subscriptions (admins, or staff API tokens with `webhooks:manage`), their
//! delivery log, redelivery and ping.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use helpdesk_types::{
    Page, Problem, Role,
    integrations::{CreatedWebhook, Delivery, EventType, Webhook, WebhookInput, WebhookPatch},
};
use rand::RngCore;
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::AuthUser,
    config::Environment,
    db::{
        self,
        schema::{webhook_deliveries, webhooks},
    },
    error::ApiError,
    pagination::{self, PageQuery},
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_deliveries)
        .service(redeliver)
        .service(ping);
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks, check_for_backend(diesel::pg::Pg))]
struct WebhookRow {
    id: i64,
    url: String,
    event_types: Vec<Option<String>>,
    active: bool,
    include_internal: bool,
    disabled_reason: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Self {
        Self {
            id: r.id,
            url: r.url,
            event_types: r.event_types.iter().flatten().filter_map(|e| e.parse().ok()).collect(),
            active: r.active,
            include_internal: r.include_internal,
            disabled_reason: r.disabled_reason,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
struct DeliveryRow {
    id: i64,
    event_id: String,
    event_type: String,
    status: String,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    response_status: Option<i16>,
    response_excerpt: Option<String>,
    duration_ms: Option<i32>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        Self {
            next_attempt_at: (r.status == "pending").then_some(r.next_attempt_at),
            id: r.id,
            event_id: r.event_id,
            event_type: r.event_type,
            status: r.status,
            attempts: r.attempts,
            response_status: r.response_status,
            response_excerpt: r.response_excerpt,
            duration_ms: r.duration_ms,
            last_error: r.last_error,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
        }
    }
}

/// Admins, or staff calling with an API token that has `webhooks:manage`.
fn manager(user: &AuthUser) -> Result<bool, ApiError> {
    let admin = user.role() == Role::Admin;
    if admin || (user.token.is_some() && user.is_staff()) {
        Ok(admin)
    } else {
        Err(ApiError::Forbidden("Only admins (or staff API tokens with webhooks:manage) manage webhooks.".into()))
    }
}

fn check_url(url: &str, production: bool) -> Result<(), ApiError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| ApiError::field("url", "must be an absolute URL"))?;
    let scheme_ok = parsed.scheme() == "https" || (!production && parsed.scheme() == "http");
    if url.len() > 2000 {
        Err(ApiError::field("url", "must be at most 2000 characters"))
    } else if !scheme_ok {
        Err(ApiError::field("url", if production { "must use https" } else { "must use https or http" }))
    } else if parsed.host_str().is_none() || !parsed.username().is_empty() || parsed.password().is_some() {
        Err(ApiError::field("url", "must name a host and carry no credentials"))
    } else {
        Ok(())
    }
}

fn check_events(events: &[EventType]) -> Result<Vec<Option<String>>, ApiError> {
    if events.is_empty() {
        return Err(ApiError::field("event_types", "must name at least one event type"));
    }
    let mut names: Vec<String> = events.iter().map(|e| e.as_str().to_owned()).collect();
    names.sort();
    names.dedup();
    Ok(names.into_iter().map(Some).collect())
}

fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

fn find(conn: &mut PgConnection, id: i64) -> Result<WebhookRow, ApiError> {
    webhooks::table.find(id).select(WebhookRow::as_select()).first(conn).optional()?.ok_or(ApiError::NotFound)
}

/// Every webhook.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), responses((status = 200, description = "The webhooks.", body = Vec<Webhook>)))]
#[get("/webhooks")]
pub async fn list_webhooks(user: AuthUser, state: web::Data<AppState>) -> Result<web::Json<Vec<Webhook>>, ApiError> {
    manager(&user)?;
    let rows: Vec<WebhookRow> = db::run(&state.pool, |conn| {
        Ok(webhooks::table.select(WebhookRow::as_select()).order(webhooks::id).load(conn)?)
    })
    .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Subscribe a URL to events; the signing secret is in this response only.
#[utoipa::path(
    tag = "webhooks",
    request_body = WebhookInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The webhook and its signing secret.", body = CreatedWebhook),
        (status = 403, description = "Not an admin; `include_internal` by a non-admin.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad URL (https in production) or no event types.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/webhooks")]
pub async fn create_webhook(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<WebhookInput>,
) -> Result<HttpResponse, ApiError> {
    let admin = manager(&user)?;
    let body = body.into_inner();
    if body.include_internal && !admin {
        return Err(ApiError::Forbidden("Only admins let a webhook receive internal notes.".into()));
    }
    check_url(&body.url, state.config.environment == Environment::Production)?;
    let events = check_events(&body.event_types)?;
    let secret = new_secret();
    let (owner, stored) = (user.id(), secret.clone());
    let row: WebhookRow = db::run(&state.pool, move |conn| {
        Ok(diesel::insert_into(webhooks::table)
            .values((
                webhooks::owner_id.eq(owner),
                webhooks::url.eq(body.url.trim()),
                webhooks::event_types.eq(events),
                webhooks::active.eq(body.active),
                webhooks::include_internal.eq(body.include_internal),
                webhooks::secret.eq(stored),
            ))
            .returning(WebhookRow::as_returning())
            .get_result(conn)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(CreatedWebhook { webhook: row.into(), secret }))
}

/// One webhook.
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path, description = "Webhook id")), security(("bearer" = [])),
    responses((status = 200, description = "The webhook.", body = Webhook), (status = 404, description = "No such webhook.", body = Problem, content_type = "application/problem+json")))]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<Webhook>, ApiError> {
    manager(&user)?;
    let id = id.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| find(conn, id)).await?.into()))
}

/// Change a webhook; re-activating it clears its failure state.
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path, description = "Webhook id")), request_body = WebhookPatch, security(("bearer" = [])),
    responses((status = 200, description = "The webhook.", body = Webhook), (status = 404, description = "No such webhook.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad URL or no event types.", body = Problem, content_type = "application/problem+json")))]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<WebhookPatch>,
) -> Result<web::Json<Webhook>, ApiError> {
    let admin = manager(&user)?;
    let (id, patch) = (id.into_inner(), body.into_inner());
    if patch.include_internal == Some(true) && !admin {
        return Err(ApiError::Forbidden("Only admins let a webhook receive internal notes.".into()));
    }
    if let Some(url) = &patch.url {
        check_url(url, state.config.environment == Environment::Production)?;
    }
    let events = patch.event_types.as_deref().map(check_events).transpose()?;
    let row = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = find(conn, id)?;
            let reactivated = patch.active == Some(true) && !current.active;
            Ok(diesel::update(webhooks::table.find(id))
                .set((
                    webhooks::url.eq(patch.url.map_or(current.url, |u| u.trim().to_owned())),
                    webhooks::event_types.eq(events.unwrap_or(current.event_types)),
                    webhooks::active.eq(patch.active.unwrap_or(current.active)),
                    webhooks::include_internal.eq(patch.include_internal.unwrap_or(current.include_internal)),
                    webhooks::disabled_reason.eq(if reactivated { None } else { current.disabled_reason }),
                    webhooks::updated_at.eq(Utc::now()),
                ))
                .returning(WebhookRow::as_returning())
                .get_result(conn)?)
        })
    })
    .await?;
    Ok(web::Json(row.into()))
}

/// Delete a webhook and its delivery log.
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path, description = "Webhook id")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted."), (status = 404, description = "No such webhook.", body = Problem, content_type = "application/problem+json")))]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    manager(&user)?;
    let id = id.into_inner();
    db::run(&state.pool, move |conn| match diesel::delete(webhooks::table.find(id)).execute(conn)? {
        0 => Err(ApiError::NotFound),
        _ => Ok(()),
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery log of a webhook, newest first (kept 30 days).
#[utoipa::path(operation_id = "listWebhookDeliveries", tag = "webhooks", params(("id" = i64, Path, description = "Webhook id"), PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of deliveries.", body = Page<Delivery>), (status = 404, description = "No such webhook.", body = Problem, content_type = "application/problem+json")))]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Delivery>>, ApiError> {
    manager(&user)?;
    let (id, (limit, before)) = (id.into_inner(), page.parse()?);
    let rows: Vec<DeliveryRow> = db::run(&state.pool, move |conn| {
        find(conn, id)?;
        let mut q = webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(id))
            .select(DeliveryRow::as_select())
            .order(webhook_deliveries::id.desc())
            .limit(limit + 1)
            .into_boxed();
        if let Some(b) = before {
            q = q.filter(webhook_deliveries::id.lt(b));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    let (rows, next_cursor) = pagination::page(rows, limit, |d| d.id);
    Ok(web::Json(Page { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Deliver an event again (as a new attempt series with the same `Webhook-Id`).
#[utoipa::path(operation_id = "redeliverWebhookDelivery", tag = "webhooks", params(("id" = i64, Path, description = "Webhook id"), ("delivery_id" = i64, Path, description = "Delivery id")), security(("bearer" = [])),
    responses((status = 202, description = "Queued.", body = Delivery), (status = 404, description = "No such delivery of this webhook.", body = Problem, content_type = "application/problem+json")))]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    manager(&user)?;
    let (id, delivery) = path.into_inner();
    let row: DeliveryRow = db::run(&state.pool, move |conn| {
        diesel::update(webhook_deliveries::table.find(delivery).filter(webhook_deliveries::webhook_id.eq(id)))
            .set((
                webhook_deliveries::status.eq("pending"),
                webhook_deliveries::next_attempt_at.eq(Utc::now()),
                webhook_deliveries::created_at.eq(Utc::now()),
            ))
            .returning(DeliveryRow::as_returning())
            .get_result(conn)
            .optional()?
            .ok_or(ApiError::NotFound)
    })
    .await?;
    state.webhook_wake.notify_one();
    Ok(HttpResponse::Accepted().json(Delivery::from(row)))
}

/// Send a `webhook.ping` event now, to test the receiver.
#[utoipa::path(operation_id = "pingWebhook", tag = "webhooks", params(("id" = i64, Path, description = "Webhook id")), security(("bearer" = [])),
    responses((status = 202, description = "Queued; see the delivery log.", body = Delivery), (status = 404, description = "No such webhook.", body = Problem, content_type = "application/problem+json")))]
#[post("/webhooks/{id}/ping")]
pub async fn ping(user: AuthUser, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    manager(&user)?;
    let id = id.into_inner();
    let row: DeliveryRow = db::run(&state.pool, move |conn| {
        find(conn, id)?;
        let event_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        let payload = json!({"id": event_id, "type": EventType::Ping.as_str(), "created_at": Utc::now(), "data": {"webhook_id": id}});
        Ok(diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::webhook_id.eq(id),
                webhook_deliveries::event_id.eq(&event_id),
                webhook_deliveries::event_type.eq(EventType::Ping.as_str()),
                webhook_deliveries::payload.eq(payload),
            ))
            .returning(DeliveryRow::as_returning())
            .get_result(conn)?)
    })
    .await?;
    state.webhook_wake.notify_one();
    Ok(HttpResponse::Accepted().json(Delivery::from(row)))
}
