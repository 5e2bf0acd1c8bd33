//! `/api/v1/api-tokens`: tokens for integrations.

use helpdesk_types::integrations::{ApiToken, CreateApiToken, CreatedApiToken};

use super::{ApiError, Method, call, get, post};
use crate::session::Session;

pub async fn list(session: Session) -> Result<Vec<ApiToken>, ApiError> {
    get(session, "/api/v1/api-tokens").await
}

pub async fn create(session: Session, body: &CreateApiToken) -> Result<CreatedApiToken, ApiError> {
    post(session, "/api/v1/api-tokens", body).await
}

pub async fn revoke(session: Session, id: i64) -> Result<(), ApiError> {
    call(session, Method::Delete, &format!("/api/v1/api-tokens/{id}"), None::<&()>).await
}
