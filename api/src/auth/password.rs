//! Password hashing with bcrypt (P1, P11). Hashing is slow on purpose: call it on a blocking
//! thread (inside `db::run` or `web::block`), never on an async worker.

use rand::{Rng, distr::Alphanumeric};

/// bcrypt reads at most 72 bytes including a terminating NUL; longer input is refused rather
/// than silently truncated.
pub const MAX_PASSWORD_BYTES: usize = 71;
pub const MIN_PASSWORD_CHARS: usize = 10;

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
        assert!(hash(&"x".repeat(MAX_PASSWORD_BYTES), 4).is_ok());
    }
}
