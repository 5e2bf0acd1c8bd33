//! Password hashing with bcrypt (P1, P11). Hashing is slow on purpose: handlers use
//! [`hash_off_thread`] and [`verify_off_thread`], which run on the blocking pool without holding
//! a database connection. The rules a new password must meet live in
//! `helpdesk_types::validation` (shared with the web UI).

use rand::{Rng, distr::Alphanumeric};

use crate::{db, error::ApiError};

/// Hashes on the blocking pool; call it before or after `db::run`, never inside.
pub async fn hash_off_thread(password: String, cost: u32) -> Result<String, ApiError> {
    db::blocking(move || Ok(hash(&password, cost)?)).await
}

/// Verifies on the blocking pool; call it before or after `db::run`, never inside.
pub async fn verify_off_thread(password: String, hash: String) -> Result<bool, ApiError> {
    db::blocking(move || Ok(verify(&password, &hash))).await
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
