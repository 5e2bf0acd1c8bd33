//! Field rules shared by the server's validation and the web UI's early checks.

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
    if rest.chars().any(|c| !(c.is_ascii_digit() || " -./()".contains(c))) {
        Some("may contain only digits, an optional leading + and the separators space - . / ( )")
    } else if !(4..=20).contains(&digits) {
        Some("must have 4 to 20 digits")
    } else {
        None
    }
}

/// The digits of a phone number, with a leading `+` kept: `+49 (30) 123-45` -> `+493012345`.
pub fn normalize_phone(raw: &str) -> String {
    let trimmed = raw.trim();
    let plus = if trimmed.starts_with('+') { "+" } else { "" };
    format!("{plus}{}", trimmed.chars().filter(char::is_ascii_digit).collect::<String>())
}

#[cfg(feature = "validate")]
pub(crate) mod rules {
    //! `validator` custom functions.
    use std::borrow::Cow;

    use validator::ValidationError;

    fn error(code: &'static str, message: &'static str) -> ValidationError {
        ValidationError::new(code).with_message(Cow::Borrowed(message))
    }

    pub fn username(value: &str) -> Result<(), ValidationError> {
        super::username_problem(value).map_or(Ok(()), |m| Err(error("username", m)))
    }

    pub fn password(value: &str) -> Result<(), ValidationError> {
        super::password_problem(value).map_or(Ok(()), |m| Err(error("password", m)))
    }

    pub fn phone(value: &str) -> Result<(), ValidationError> {
        super::phone_problem(value).map_or(Ok(()), |m| Err(error("phone", m)))
    }

    pub fn not_blank(value: &str) -> Result<(), ValidationError> {
        if value.trim().is_empty() {
            Err(error("blank", "must not be empty"))
        } else if value.chars().any(char::is_control) {
            Err(error("control_characters", "must not contain control characters"))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(normalize_phone("+49 (30) 123-456"), "+4930123456");
    }
}
