//! `/api/v1/auth/*`: signing in and out, registration, password reset.

use helpdesk_types::accounts::{
    LoginRequest, LoginResponse, LoginTwoFactor, Notice, PasswordResetConfirm, PasswordResetRequest, RegisterRequest,
    TokenResponse,
};

use super::{ApiError, Method, anonymous, post};
use crate::session::Session;

/// Tokens, or the challenge for the second step of an account with two factors.
pub async fn login(body: &LoginRequest) -> Result<LoginResponse, ApiError> {
    anonymous(Method::Post, "/api/v1/auth/login", body).await
}

/// The second sign-in step: a code from the authenticator app or a recovery code.
pub async fn login_second_step(body: &LoginTwoFactor) -> Result<TokenResponse, ApiError> {
    anonymous(Method::Post, "/api/v1/auth/login/2fa", body).await
}

/// The answer says only "check your inbox", whether or not the address had an account.
pub async fn register(body: &RegisterRequest) -> Result<Notice, ApiError> {
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

/// Confirms an address with the token from the emailed link.
pub async fn verify_email(body: &helpdesk_types::accounts::VerifyEmailRequest) -> Result<(), ApiError> {
    anonymous(Method::Post, "/api/v1/auth/verify-email", body).await
}

/// Mails the verification link again.
pub async fn resend_verification(session: Session) -> Result<helpdesk_types::accounts::Notice, ApiError> {
    post(session, "/api/v1/auth/verify-email/resend", &serde_json::json!({})).await
}
