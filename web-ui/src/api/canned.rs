//! `/api/v1/canned-replies`: the team's texts for the composer.

use helpdesk_types::tickets::{CannedReply, CannedReplyInput};

use super::{ApiError, Method, call, get, patch, post};
use crate::session::Session;

pub async fn list(session: Session) -> Result<Vec<CannedReply>, ApiError> {
    get(session, "/api/v1/canned-replies").await
}

pub async fn create(session: Session, body: &CannedReplyInput) -> Result<CannedReply, ApiError> {
    post(session, "/api/v1/canned-replies", body).await
}

pub async fn update(session: Session, id: i64, body: &CannedReplyInput) -> Result<CannedReply, ApiError> {
    patch(session, &format!("/api/v1/canned-replies/{id}"), body).await
}

pub async fn delete(session: Session, id: i64) -> Result<(), ApiError> {
    call(session, Method::Delete, &format!("/api/v1/canned-replies/{id}"), None::<&()>).await
}
