//! `/api/v1/webhooks`: subscriptions and their delivery log.

use helpdesk_types::{
    Page,
    integrations::{CreatedWebhook, Delivery, Webhook, WebhookInput},
};

use super::{ApiError, Method, call, get, post};
use crate::session::Session;

pub async fn list(session: Session) -> Result<Vec<Webhook>, ApiError> {
    get(session, "/api/v1/webhooks").await
}

pub async fn create(session: Session, body: &WebhookInput) -> Result<CreatedWebhook, ApiError> {
    post(session, "/api/v1/webhooks", body).await
}

pub async fn delete(session: Session, id: i64) -> Result<(), ApiError> {
    call(session, Method::Delete, &format!("/api/v1/webhooks/{id}"), None::<&()>).await
}

pub async fn deliveries(session: Session, id: i64) -> Result<Page<Delivery>, ApiError> {
    get(session, &format!("/api/v1/webhooks/{id}/deliveries?limit=20")).await
}

pub async fn ping(session: Session, id: i64) -> Result<Delivery, ApiError> {
    post(session, &format!("/api/v1/webhooks/{id}/ping"), &serde_json::json!({})).await
}

pub async fn redeliver(session: Session, id: i64, delivery: i64) -> Result<Delivery, ApiError> {
    post(session, &format!("/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver"), &serde_json::json!({})).await
}
