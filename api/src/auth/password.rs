//! Password hashing with bcrypt (P1, P11). Hashing is slow on purpose, so handlers go through
//! the [`Hasher`]: the work runs on the blocking pool without holding a database connection, at
//! most one per core at a time, and only a bounded number wait; beyond that the request gets a
//! 503 with `Retry-After` instead of an unbounded queue (so bcrypt cannot be used to exhaust the
//! CPU). The rules a new password must meet live in `helpdesk_types::validation` (shared with
//! the web UI).

use std::sync::atomic::{AtomicUsize, Ordering};

use rand::{Rng, distr::Alphanumeric};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::{db, error::ApiError};

pub struct Hasher {
    cost: u32,
    running: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Hasher {
    /// At most `parallel` hashes at once, `max_waiting` more in line.
    pub fn new(cost: u32, parallel: usize, max_waiting: usize) -> Self {
        Self { cost, running: Semaphore::new(parallel.max(1)), waiting: AtomicUsize::new(0), max_waiting }
    }

    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        let _turn = self.turn().await?;
        let cost = self.cost;
        db::blocking(move || Ok(hash(&password, cost)?)).await
    }

    pub async fn verify(&self, password: String, hash: String) -> Result<bool, ApiError> {
        let _turn = self.turn().await?;
        db::blocking(move || Ok(verify(&password, &hash))).await
    }

    async fn turn(&self) -> Result<SemaphorePermit<'_>, ApiError> {
        if let Ok(permit) = self.running.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::Unavailable("too many password checks at once".into()));
        }
        let permit = self.running.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        permit.map_err(|_| ApiError::internal("the password hasher is closed"))
    }
}

/// bcrypt reads at most 72 bytes including a terminating NUL; longer input is refused rather
/// than silently truncated.
pub fn hash(password: &str, cost: u32) -> anyhow::Result<String> {
    Ok(bcrypt::non_truncating_hash(password, cost)?)
}

/// Whether `password` matches `hash`; a malformed hash never matches.
pub fn verify(password: &str, hash: &str) -> bool {
    bcrypt::non_truncating_verify(password, hash).unwrap_or(false)
}

/// A random password of 20 letters and digits (about 119 bits).
pub fn generate() -> String {
    rand::rng().sample_iter(&Alphanumeric).take(20).map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_same_password() {
        let h = hash("correct horse battery", 4).unwrap();
        assert!(h.starts_with("$2b$04$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterz", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn overlong_passwords_are_refused_not_truncated() {
        assert!(hash(&"x".repeat(72), 4).is_err());
        assert!(hash(&"x".repeat(helpdesk_types::validation::PASSWORD_MAX_BYTES), 4).is_ok());
    }
}
