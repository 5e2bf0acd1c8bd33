//! Authentication: sign-in with login protection, sessions with rotating refresh tokens, access
//! tokens (JWT), password resets, and the extractors that check who is calling.

pub mod api_tokens;
pub mod captcha;
pub mod credentials;
pub mod extract;
pub mod jwt;
pub mod limits;
pub mod login_failures;
pub mod password;
pub mod password_tokens;
pub mod rate_limit;
pub mod registration;
pub mod reset;
pub mod routes;
pub mod session_cache;
pub mod sessions;
pub mod tokens;
pub mod totp;
pub mod two_factor;

pub use extract::{Admin, AuthUser, Staff};
pub use routes::routes;
