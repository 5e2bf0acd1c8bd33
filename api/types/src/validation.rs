//! Every field rule of the API, in one place. The server checks request bodies with `validator`
//! derives whose custom functions ([`rules`]) call the plain functions below; the web UI calls
//! the same plain functions before it submits, so a person sees the same message before and
//! after a round trip. A function returns the problem with a value, or `None` when it is fine.

/// Limits of the text fields, in characters.
pub mod limits {
    pub const FULL_NAME: usize = 200;
    pub const EMAIL: usize = 254;
    pub const COMPANY: usize = 200;
    pub const PHONE: usize = 40;
    pub const SUBJECT: usize = 200;
    pub const DESCRIPTION: usize = 20_000;
    pub const COMMENT: usize = 20_000;
    pub const SEARCH: usize = 200;
    pub const CAPTCHA_TOKEN: usize = 8192;
    pub const ORGANIZATION_NAME: usize = 200;
    pub const DOMAINS: usize = 50;
    pub const CATEGORY_NAME: usize = 100;
    pub const CATEGORY_DESCRIPTION: usize = 1000;
    pub const CANNED_TITLE: usize = 100;
    pub const CANNED_BODY: usize = 20_000;
    /// SLA targets: 1 minute to 365 days.
    pub const SLA_MINUTES: std::ops::RangeInclusive<i32> = 1..=525_600;
}

/// A required single-line text (a name, a subject): not blank, at most `max` characters, no
/// control characters.
pub fn line_problem(value: &str, max: usize) -> Option<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() { Some("must not be empty".into()) } else { optional_line_problem(value, max) }
}

/// An optional single-line text: empty is fine, otherwise as [`line_problem`].
pub fn optional_line_problem(value: &str, max: usize) -> Option<String> {
    // The limit counts what was sent: surrounding blanks are trimmed only when stored.
    if value.chars().count() > max {
        Some(format!("must be at most {max} characters"))
    } else if value.chars().any(char::is_control) {
        Some("must not contain control characters".into())
    } else {
        None
    }
}

/// A required multi-line text (a description, a comment): not blank, at most `max`
/// characters; line breaks and tabs are fine, other control characters (NUL) are not.
pub fn text_problem(value: &str, max: usize) -> Option<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Some("must not be empty".into())
    } else if value.chars().count() > max {
        Some(format!("must be at most {max} characters"))
    } else if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        Some("must not contain control characters".into())
    } else {
        None
    }
}

/// A full-text search: at most 200 characters, no control characters.
pub fn search_problem(value: &str) -> Option<String> {
    optional_line_problem(value, limits::SEARCH)
}

/// An optional multi-line text: empty is fine, otherwise as [`text_problem`].
pub fn optional_text_problem(value: &str, max: usize) -> Option<String> {
    if value.trim().is_empty() { None } else { text_problem(value, max) }
}

/// Usernames: 3-32 characters of `a-z 0-9 . _ -` (compared lower-case).
pub fn username_problem(raw: &str) -> Option<&'static str> {
    let name = raw.trim().to_lowercase();
    if !(3..=32).contains(&name.chars().count()) {
        Some("must be 3 to 32 characters long")
    } else if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)) {
        Some("may contain only letters a-z, digits and . _ -")
    } else {
        None
    }
}

/// A username derived from an email's local part (`Jane.Doe+x@..` -> `jane.doe_x`); always
/// passes [`username_problem`].
pub fn suggest_username(email: &str) -> String {
    let local = email.trim().split('@').next().unwrap_or_default();
    let mut name: String = local
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c.to_ascii_lowercase() } else { '_' })
        .take(32)
        .collect();
    while name.chars().count() < 3 {
        name.push('_');
    }
    name
}

pub const PASSWORD_MIN_CHARS: usize = 10;
/// bcrypt reads at most 72 bytes including a terminating NUL; longer passwords are refused.
pub const PASSWORD_MAX_BYTES: usize = 71;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Whether `password` (case-insensitively) is one of the 1,000 most common passwords.
pub fn is_common_password(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.lines().filter(|l| !l.starts_with('#')).any(|l| l == lower)
}

pub fn password_problem(password: &str) -> Option<&'static str> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        Some("must be at least 10 characters long")
    } else if password.len() > PASSWORD_MAX_BYTES {
        Some("must be at most 71 bytes long")
    } else if is_common_password(password) {
        Some("is one of the most common passwords; choose another")
    } else {
        None
    }
}

/// Phone numbers: digits with an optional leading `+`; spaces, dashes, dots, slashes and
/// parentheses are accepted as separators (as people type them) and ignored for lookups.
pub fn phone_problem(raw: &str) -> Option<&'static str> {
    let trimmed = raw.trim();
    let rest = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    if trimmed.chars().count() > limits::PHONE {
        Some("must be at most 40 characters")
    } else if rest.chars().any(|c| !(c.is_ascii_digit() || " -./()".contains(c))) {
        Some("may contain only digits, an optional leading + and the separators space - . / ( )")
    } else if !(4..=20).contains(&digits) {
        Some("must have 4 to 20 digits")
    } else {
        None
    }
}

/// An optional phone number: empty clears it.
pub fn optional_phone_problem(raw: &str) -> Option<&'static str> {
    if raw.trim().is_empty() { None } else { phone_problem(raw) }
}

/// The digits of a phone number, with a leading `+` kept: `+49 (30) 123-45` -> `+493012345`.
pub fn normalize_phone(raw: &str) -> String {
    let trimmed = raw.trim();
    let plus = if trimmed.starts_with('+') { "+" } else { "" };
    format!("{plus}{}", trimmed.chars().filter(char::is_ascii_digit).collect::<String>())
}

/// An email domain as stored: trimmed, without a leading `@`, lower-case.
pub fn normalize_domain(raw: &str) -> String {
    raw.trim().trim_start_matches('@').to_lowercase()
}

/// Organization domains: at most 50, each a domain name like `example.com`.
pub fn domains_problem(domains: &[String]) -> Option<String> {
    if domains.len() > limits::DOMAINS {
        return Some(format!("may list at most {} domains", limits::DOMAINS));
    }
    domains.iter().map(|d| normalize_domain(d)).find_map(|d| {
        let valid = d.len() <= 253
            && d.contains('.')
            && d.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        (!valid).then(|| format!("{d:?} is not a domain name like example.com"))
    })
}

/// SLA targets in minutes.
pub fn sla_minutes_problem(minutes: i32) -> Option<String> {
    let range = limits::SLA_MINUTES;
    (!range.contains(&minutes)).then(|| format!("must be between {} and {} minutes", range.start(), range.end()))
}

/// Retention after closing: 1 day to 100 years, or none (kept).
pub fn retention_days_problem(days: Option<i32>) -> Option<&'static str> {
    days.filter(|d| !(1..=36_500).contains(d)).map(|_| "must be between 1 and 36500 days, or null to keep tickets")
}

/// A resolution target must not be shorter than the first-response target.
pub fn sla_order_problem(first_response_minutes: i32, resolution_minutes: i32) -> Option<&'static str> {
    (resolution_minutes < first_response_minutes).then_some("must not be shorter than first_response_minutes")
}

#[cfg(feature = "validate")]
pub(crate) mod rules {
    //! `validator` custom functions: each wraps one plain rule above, so the message is the same
    //! on the server and in the web UI.
    use std::borrow::Cow;

    use validator::ValidationError;

    use super::limits;

    fn check(code: &'static str, problem: Option<impl Into<Cow<'static, str>>>) -> Result<(), ValidationError> {
        match problem {
            Some(message) => Err(ValidationError::new(code).with_message(message.into())),
            None => Ok(()),
        }
    }

    /// A problem that belongs to another field than the one the rule is declared on (a
    /// struct-level rule); the server reports it under `field`.
    fn check_field(
        field: &'static str,
        code: &'static str,
        problem: Option<&'static str>,
    ) -> Result<(), ValidationError> {
        check(code, problem).map_err(|mut e| {
            e.add_param(Cow::Borrowed("field"), &field);
            e
        })
    }

    macro_rules! rules {
        ($($name:ident($value:ident: $ty:ty) => $problem:expr;)+) => {
            $(pub fn $name($value: $ty) -> Result<(), ValidationError> { check(stringify!($name), $problem) })+
        };
    }

    rules! {
        username(v: &str) => super::username_problem(v);
        password(v: &str) => super::password_problem(v);
        optional_phone(v: &str) => super::optional_phone_problem(v);
        full_name(v: &str) => super::line_problem(v, limits::FULL_NAME);
        company(v: &str) => super::optional_line_problem(v, limits::COMPANY);
        subject(v: &str) => super::line_problem(v, limits::SUBJECT);
        description(v: &str) => super::text_problem(v, limits::DESCRIPTION);
        comment(v: &str) => super::text_problem(v, limits::COMMENT);
        organization_name(v: &str) => super::line_problem(v, limits::ORGANIZATION_NAME);
        domains(v: &[String]) => super::domains_problem(v);
        category_name(v: &str) => super::line_problem(v, limits::CATEGORY_NAME);
        category_description(v: &str) => super::optional_text_problem(v, limits::CATEGORY_DESCRIPTION);
        canned_title(v: &str) => super::line_problem(v, limits::CANNED_TITLE);
        canned_body(v: &str) => super::canned_body_problem(v);
        sla_minutes(v: i32) => super::sla_minutes_problem(v);
    }

    pub fn retention_days(v: i32) -> Result<(), ValidationError> {
        check("retention_days", super::retention_days_problem(Some(v)))
    }

    pub fn sla_policy(input: &crate::organizations::SlaPolicyInput) -> Result<(), ValidationError> {
        check_field(
            "resolution_minutes",
            "sla_order",
            super::sla_order_problem(input.first_response_minutes, input.resolution_minutes),
        )
    }
}

/// The placeholders a canned reply may use, filled in when an agent inserts it.
pub const CANNED_PLACEHOLDERS: &[&str] =
    &["customer.first_name", "customer.name", "ticket.number", "ticket.subject", "agent.name", "agent.first_name"];

/// A canned reply's body: a required text whose `{{…}}` placeholders are all known.
pub fn canned_body_problem(value: &str) -> Option<String> {
    if let Some(problem) = text_problem(value, limits::CANNED_BODY) {
        return Some(problem);
    }
    let mut rest = value;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Some("has a {{ without a closing }}".into());
        };
        let name = after[..end].trim();
        if !CANNED_PLACEHOLDERS.contains(&name) {
            return Some(format!(
                "has the unknown placeholder {{{{{name}}}}}; known are {}",
                CANNED_PLACEHOLDERS.iter().map(|p| format!("{{{{{p}}}}}")).collect::<Vec<_>>().join(", ")
            ));
        }
        rest = &after[end + 2..];
    }
    None
}

/// Fills the placeholders of a canned reply (`values`: placeholder name, text).
pub fn fill_placeholders(body: &str, values: &[(&str, String)]) -> String {
    let mut out = body.to_owned();
    for (name, value) in values {
        for spelled in [format!("{{{{{name}}}}}"), format!("{{{{ {name} }}}}")] {
            out = out.replace(&spelled, value);
        }
    }
    out
}

/// Whether `bytes` really are a file of type `ext` (lower-case), judged by magic bytes: the
/// server's rule for uploads (P6), which the web UI also applies before creating anything.
pub fn content_matches(ext: &str, bytes: &[u8]) -> bool {
    const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    match ext {
        "jpg" | "jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "pdf" => bytes.starts_with(b"%PDF-"),
        "doc" => bytes.starts_with(OLE2),
        // A DOCX is a ZIP package with a content-types part and a word/ folder.
        "docx" => is_zip && contains(b"[Content_Types].xml") && contains(b"word/"),
        "zip" => is_zip || bytes.starts_with(b"PK\x05\x06"),
        "rar" => bytes.starts_with(b"Rar!\x1A\x07"),
        "txt" => !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn canned_replies_name_only_known_placeholders() {
        use super::{canned_body_problem, fill_placeholders};
        assert_eq!(canned_body_problem("Hallo {{customer.first_name}}, Ticket #{{ ticket.number }}."), None);
        assert!(canned_body_problem("Hallo {{kunde}}").unwrap().contains("unknown placeholder {{kunde}}"));
        assert!(canned_body_problem("Hallo {{customer.name").unwrap().contains("without a closing"));
        assert!(canned_body_problem("a\0b").is_some());
        let filled = fill_placeholders(
            "Hallo {{customer.first_name}}, {{ agent.name }}",
            &[("customer.first_name", "Clara".into()), ("agent.name", "Alex Agent".into())],
        );
        assert_eq!(filled, "Hallo Clara, Alex Agent");
    }

    use super::*;

    #[test]
    fn the_common_password_list_has_a_thousand_entries() {
        assert_eq!(COMMON_PASSWORDS.lines().filter(|l| !l.starts_with('#')).count(), 1000);
        assert!(is_common_password("Password123"));
        assert!(!is_common_password("tangerine-lamp-4711"));
    }

    #[test]
    fn passwords_need_length_and_rarity() {
        assert!(password_problem("short").is_some());
        assert!(password_problem("qwertyuiop").is_some());
        assert!(password_problem(&"x".repeat(72)).is_some());
        assert!(password_problem("tangerine-lamp-4711").is_none());
    }

    #[test]
    fn phones_are_digits_with_an_optional_plus() {
        assert!(phone_problem("+49 (30) 123-456").is_none());
        assert!(phone_problem("0301234567").is_none());
        assert!(phone_problem("call me").is_some());
        assert!(phone_problem("+49+30").is_some());
        assert!(phone_problem("12").is_some());
        assert!(optional_phone_problem("").is_none());
        assert_eq!(normalize_phone("+49 (30) 123-456"), "+4930123456");
    }

    #[test]
    fn usernames_follow_the_character_rules() {
        assert!(username_problem("Jane.Doe_1-x").is_none());
        for bad in ["ab", "a".repeat(33).as_str(), "jane doe", "jäne", "jane@doe"] {
            assert!(username_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn suggested_usernames_are_valid() {
        let long = format!("{}@example.com", "x".repeat(60));
        for email in ["jane.doe+x@example.com", "a@b.de", long.as_str()] {
            let name = suggest_username(email);
            assert!(username_problem(&name).is_none(), "{name:?}");
        }
        assert_eq!(suggest_username("Jane.Doe+x@example.com"), "jane.doe_x");
    }

    #[test]
    fn texts_are_bounded_and_free_of_control_characters() {
        assert!(line_problem("  ", 10).is_some());
        assert!(line_problem(&"x".repeat(11), 10).is_some());
        assert!(line_problem("a\u{7}b", 10).is_some());
        assert!(line_problem(" Jane Doe ", 10).is_none());
        assert!(text_problem("line one\nline two\ttab", 100).is_none());
        assert!(text_problem("nul\0byte", 100).is_some());
        assert!(optional_line_problem("", 10).is_none());
    }

    #[test]
    fn domains_must_look_like_domains() {
        assert!(domains_problem(&["@Example.COM".into()]).is_none());
        assert!(domains_problem(&["not a domain".into()]).is_some());
        assert!(domains_problem(&vec!["a.de".to_owned(); 51]).is_some());
    }
}
