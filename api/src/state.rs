//! The application state every handler and job reaches (behind `web::Data`). It lives apart
//! from the route table (`app.rs`), so features import the state and only `app.rs` imports the
//! features.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::{
    auth::{captcha::CaptchaVerifier, jwt::JwtKeys, password, rate_limit::RateLimiter, tokens},
    config::Config,
    db::DbPool,
    storage::Storage,
};

/// What every handler can reach, behind `web::Data`.
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub jwt: JwtKeys,
    pub captcha: CaptchaVerifier,
    /// Request budget per client IP for the unauthenticated auth endpoints.
    pub auth_limiter: RateLimiter,
    /// Wakes the email worker after a commit that queued mail.
    pub mail_wake: Arc<Notify>,
    /// Attachment storage (local directory or S3-compatible bucket).
    pub storage: Storage,
    /// bcrypt, bounded (see `auth::password::Hasher`).
    pub hasher: password::Hasher,
    /// A bcrypt hash that matches nothing, verified when a login names no account, so both
    /// cases take the same time.
    pub dummy_hash: String,
    /// This instance's request counts per credential (`middleware::budget`).
    pub budgets: crate::middleware::budget::Budgets,
    /// Wakes the webhook worker after a commit that queued deliveries.
    pub webhook_wake: Arc<Notify>,
    /// Live updates for `GET /api/v1/stream`.
    pub hub: crate::notifications::stream::Hub,
    /// Set on SIGTERM: readiness answers 503 while the instance drains.
    pub draining: std::sync::atomic::AtomicBool,
    /// Sessions checked in the last seconds (`auth::session_cache`).
    pub sessions: Arc<crate::auth::session_cache::SessionCache>,
}

impl AppState {
    pub fn new(pool: DbPool, config: Config) -> anyhow::Result<Self> {
        let jwt = JwtKeys::new(&config.jwt_secret, &config.jwt_previous_secrets, config.policies.access_token_ttl);
        let dummy_hash = password::hash(&tokens::generate(), config.bcrypt_cost)?;
        let budgets = crate::middleware::budget::Budgets::default();
        Ok(Self {
            pool,
            jwt,
            captcha: CaptchaVerifier::new(config.captcha.clone())?,
            auth_limiter: RateLimiter::new(config.policies.auth_requests_per_minute, budgets.clone()),
            mail_wake: Arc::new(Notify::new()),
            storage: Storage::open(&config.storage)?,
            dummy_hash,
            hub: Default::default(),
            webhook_wake: Arc::new(Notify::new()),
            budgets,
            draining: Default::default(),
            sessions: Default::default(),
            hasher: password::Hasher::new(
                config.bcrypt_cost,
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
                config.bcrypt_queue,
            ),
            config: Arc::new(config),
        })
    }
}
