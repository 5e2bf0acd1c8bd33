//! Computes authenticator-app codes (RFC 6238) from a base32 secret, as a phone would.

use hmac::{Hmac, Mac};
use sha1::Sha1;

fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0_u64, 0, Vec::new());
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|a| *a == c).expect("a base32 secret") as u64;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

/// The 6-digit code of `secret` for the 30-second step `offset` steps from now.
pub fn code(secret: &str, offset: i64) -> String {
    let step = chrono::Utc::now().timestamp().div_euclid(30) + offset;
    let mut mac = Hmac::<Sha1>::new_from_slice(&base32_decode(secret)).expect("any key length");
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let o = usize::from(hash[19] & 0x0f);
    let binary = u32::from_be_bytes([hash[o] & 0x7f, hash[o + 1], hash[o + 2], hash[o + 3]]);
    format!("{:06}", binary % 1_000_000)
}
