//! `/api/v1/notifications`, the notification settings and the live-update stream.

use helpdesk_types::{
    Page,
    notifications::{MarkRead, Notification, NotificationSettings, UnreadCount},
};

use super::{ApiError, get, post, put};
use crate::session::Session;

pub async fn unread_count(session: Session) -> Result<UnreadCount, ApiError> {
    get(session, "/api/v1/notifications/unread-count").await
}

pub async fn list(session: Session) -> Result<Page<Notification>, ApiError> {
    get(session, "/api/v1/notifications?limit=20").await
}

pub async fn mark_read(session: Session, body: &MarkRead) -> Result<UnreadCount, ApiError> {
    post(session, "/api/v1/notifications/read", body).await
}

pub async fn settings(session: Session) -> Result<NotificationSettings, ApiError> {
    get(session, "/api/v1/me/notification-settings").await
}

pub async fn save_settings(session: Session, body: &NotificationSettings) -> Result<NotificationSettings, ApiError> {
    put(session, "/api/v1/me/notification-settings", body).await
}
