//! `/api/v1/me`: the signed-in person's own account.

use helpdesk_types::{
    Account,
    accounts::{ChangePassword, DisableTwoFactor, RecoveryCodes, TwoFactorCode, TwoFactorSetup, UpdateMe},
};

use super::{ApiError, Method, call, patch, post, put};
use crate::session::Session;

pub async fn update(session: Session, body: &UpdateMe) -> Result<Account, ApiError> {
    patch(session, "/api/v1/me", body).await
}

pub async fn change_password(session: Session, body: &ChangePassword) -> Result<(), ApiError> {
    put(session, "/api/v1/me/password", body).await
}

/// A new secret for the authenticator app (nothing changes until a first code confirms it).
pub async fn start_two_factor(session: Session) -> Result<TwoFactorSetup, ApiError> {
    post(session, "/api/v1/me/2fa", &serde_json::json!({})).await
}

pub async fn confirm_two_factor(session: Session, body: &TwoFactorCode) -> Result<RecoveryCodes, ApiError> {
    post(session, "/api/v1/me/2fa/confirm", body).await
}

pub async fn disable_two_factor(session: Session, body: &DisableTwoFactor) -> Result<(), ApiError> {
    call(session, Method::Delete, "/api/v1/me/2fa", Some(body)).await
}

/// Erases the account (P12); the session ends.
pub async fn erase(session: Session, body: &helpdesk_types::privacy::EraseMe) -> Result<(), ApiError> {
    call(session, Method::Delete, "/api/v1/me", Some(body)).await
}

/// Restricts processing of the signed-in person's data (P12); only an admin lifts it.
pub async fn restrict(session: Session) -> Result<(), ApiError> {
    post(session, "/api/v1/me/restriction", &serde_json::json!({})).await
}

/// The path of the personal-data export (fetched with the access token, saved as a file).
pub const EXPORT_PATH: &str = "/api/v1/me/export";
