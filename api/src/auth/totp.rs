//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the base32
//! secret authenticator apps read, and the QR code that carries it, drawn as SVG on the server
//! (no third-party request).

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP: i64 = 30;

/// The code of `secret` for a step.
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else { return 0 };
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let binary = u32::from_be_bytes([hash[offset] & 0x7f, hash[offset + 1], hash[offset + 2], hash[offset + 3]]);
    binary % 1_000_000
}

/// The step a code entered at `unix_seconds` matches, allowing one step of clock drift either
/// way, and only steps after `after` (a code works once).
pub fn matching_step(secret: &[u8], code: &str, unix_seconds: i64, after: i64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = code.parse().ok()?;
    let now = unix_seconds.div_euclid(STEP);
    [now - 1, now, now + 1].into_iter().filter(|s| *s > after).find(|s| code_at(secret, *s) == wanted)
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps expect.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(char::from(ALPHABET[((buffer >> (bits - 5)) & 31) as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let (mut buffer, mut bits, mut out) = (0_u32, 0_u32, Vec::new());
    for c in text.bytes().filter(|c| *c != b'=') {
        let value = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | u32::try_from(value).ok()?;
        bits += 5;
        if bits >= 8 {
            out.push(u8::try_from((buffer >> (bits - 8)) & 0xff).ok()?);
            bits -= 8;
        }
    }
    Some(out)
}

/// The `otpauth://` URI authenticator apps import.
pub fn otpauth_uri(issuer: &str, account: &str, secret_base32: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20");
    format!(
        "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// The QR code of `text` as an SVG document.
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890", 8 digits there; 6 here.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59 / STEP), 287_082);
        assert_eq!(code_at(secret, 1_111_111_109 / STEP), 81_804);
        assert_eq!(code_at(secret, 1_234_567_890 / STEP), 5_924);
        assert_eq!(code_at(secret, 2_000_000_000 / STEP), 279_037);
    }

    #[test]
    fn a_code_works_within_one_step_of_drift_and_only_once() {
        let secret = b"12345678901234567890";
        let now = 1_234_567_890;
        let code = format!("{:06}", code_at(secret, now / STEP));
        let step = matching_step(secret, &code, now, 0);
        assert_eq!(step, Some(now / STEP));
        assert_eq!(matching_step(secret, &code, now + STEP, 0), Some(now / STEP), "one step late");
        assert_eq!(matching_step(secret, &code, now + 3 * STEP, 0), None, "too late");
        assert_eq!(matching_step(secret, &code, now, now / STEP), None, "replayed");
        assert_eq!(matching_step(secret, "12a456", now, 0), None);
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").as_deref(), Some(&b"foobar"[..]));
        assert!(qr_svg("otpauth://totp/x").starts_with("<?xml"));
    }
}
