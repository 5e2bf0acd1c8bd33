//! `/api/v1/auth/*`: signing in and out, registration, password reset.

use helpdesk_types::{
    Account,
    accounts::{LoginRequest, PasswordResetConfirm, PasswordResetRequest, RegisterRequest, TokenResponse},
};

use super::{ApiError, Method, anonymous, post};
use crate::session::Session;

pub async fn login(body: &LoginRequest) -> Result<TokenResponse, ApiError> {
    anonymous(Method::Post, "/api/v1/auth/login", body).await
}

pub async fn register(body: &RegisterRequest) -> Result<Account, ApiError> {
    anonymous(Method::Post, "/api/v1/auth/register", body).await
}

pub async fn request_password_reset(body: &PasswordResetRequest) -> Result<(), ApiError> {
    anonymous(Method::Post, "/api/v1/auth/password-reset", body).await
}

pub async fn confirm_password_reset(body: &PasswordResetConfirm) -> Result<(), ApiError> {
    anonymous(Method::Post, "/api/v1/auth/password-reset/confirm", body).await
}

/// Ends the session on the server (the cookie goes with it).
pub async fn logout(session: Session) -> Result<(), ApiError> {
    post(session, "/api/v1/auth/logout", &serde_json::json!({})).await
}
