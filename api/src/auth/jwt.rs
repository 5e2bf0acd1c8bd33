//! Access tokens: HS256 JWTs with a `kid`, so the key can rotate. The current key signs; the
//! current and any previous keys (`HELPDESK_JWT_PREVIOUS_SECRETS`) verify.

use std::time::Duration;

use helpdesk_types::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Secret;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    pub role: Role,
    /// The session id; revoking the session invalidates the token.
    pub sid: i64,
    pub iat: u64,
    pub exp: u64,
}

pub struct JwtKeys {
    kid: String,
    encoding: EncodingKey,
    decoding: Vec<(String, DecodingKey)>,
    ttl: Duration,
}

fn kid(secret: &str) -> String {
    hex::encode(&Sha256::digest(secret.as_bytes())[..6])
}

impl JwtKeys {
    pub fn new(current: &Secret, previous: &[Secret], ttl: Duration) -> Self {
        let decoding = std::iter::once(current)
            .chain(previous)
            .map(|s| (kid(s.expose()), DecodingKey::from_secret(s.expose().as_bytes())))
            .collect();
        Self {
            kid: kid(current.expose()),
            encoding: EncodingKey::from_secret(current.expose().as_bytes()),
            decoding,
            ttl,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issue(&self, user_id: i64, role: Role, session_id: i64) -> anyhow::Result<String> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims =
            Claims { sub: user_id.to_string(), role, sid: session_id, iat: now, exp: now + self.ttl.as_secs() };
        let header = Header { kid: Some(self.kid.clone()), ..Header::new(Algorithm::HS256) };
        Ok(jsonwebtoken::encode(&header, &claims, &self.encoding)?)
    }

    /// The claims of a valid token: HS256 only, a known `kid`, a good signature, not expired.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let kid = header.kid?;
        let (_, key) = self.decoding.iter().find(|(k, _)| *k == kid)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Claims>(token, key, &validation).ok().map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

    use super::*;

    fn keys(secret: &str) -> JwtKeys {
        JwtKeys::new(&Secret::new(secret), &[], Duration::from_secs(900))
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_claims() {
        let k = keys("a-secret-of-at-least-thirty-two-characters");
        let claims = k.verify(&k.issue(7, Role::Agent, 99).unwrap()).unwrap();
        assert_eq!((claims.sub.as_str(), claims.role, claims.sid), ("7", Role::Agent, 99));
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn tokens_of_another_key_are_rejected_unless_it_is_a_previous_key() {
        let old = keys("the-old-secret-of-at-least-thirty-two-chars");
        let token = old.issue(1, Role::Customer, 1).unwrap();
        assert!(keys("the-new-secret-of-at-least-thirty-two-chars").verify(&token).is_none());
        let rotated = JwtKeys::new(
            &Secret::new("the-new-secret-of-at-least-thirty-two-chars"),
            &[Secret::new("the-old-secret-of-at-least-thirty-two-chars")],
            Duration::from_secs(900),
        );
        assert!(rotated.verify(&token).is_some());
    }

    #[test]
    fn alg_none_and_tampered_tokens_are_rejected() {
        let k = keys("a-secret-of-at-least-thirty-two-characters");
        let token = k.issue(1, Role::Customer, 1).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"x"}"#);
        assert!(k.verify(&format!("{none_header}.{}.", parts[1])).is_none());
        let admin_claims = URL_SAFE_NO_PAD.encode(br#"{"sub":"1","role":"admin","sid":1,"iat":1,"exp":99999999999}"#);
        assert!(k.verify(&format!("{}.{admin_claims}.{}", parts[0], parts[2])).is_none());
    }
}
