//! Parsed account fields: once a value has one of these types, it is valid.

use validator::ValidateEmail;

/// A syntactically valid email address, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        if email.len() > 254 {
            return Err("must be at most 254 characters".into());
        }
        if !email.validate_email() {
            return Err("must be a valid email address".into());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`, used to match organizations by domain.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// 3-32 characters of `a-z 0-9 . _ -`, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim().to_lowercase();
        if !(3..=32).contains(&name.chars().count()) {
            return Err("must be 3 to 32 characters long".into());
        }
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)) {
            return Err("may contain only letters a-z, digits and . _ -".into());
        }
        Ok(Self(name))
    }

    /// A username derived from an email's local part (`Jane.Doe+x@..` -> `jane.doe_x`).
    pub fn suggest_from(email: &Email) -> Self {
        let local = email.as_str().split('@').next().unwrap_or_default();
        let mut name: String = local
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c.to_ascii_lowercase() } else { '_' })
            .take(32)
            .collect();
        while name.chars().count() < 3 {
            name.push('_');
        }
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A person's full name: 1-200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullName(String);

impl FullName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("must not be empty".into());
        }
        if name.chars().count() > 200 {
            return Err("must be at most 200 characters".into());
        }
        if name.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(Email::parse(" Jane@Example.COM ").unwrap().as_str(), "jane@example.com");
        assert_eq!(Email::parse("jane@example.com").unwrap().domain(), "example.com");
        for bad in ["", "jane", "jane@", "@example.com", "ja ne@example.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn usernames_follow_the_character_rules() {
        assert_eq!(Username::parse("Jane.Doe_1-x").unwrap().as_str(), "jane.doe_1-x");
        for bad in ["ab", "a".repeat(33).as_str(), "jane doe", "jäne", "jane@doe"] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn suggested_usernames_are_valid() {
        let long = format!("{}@example.com", "x".repeat(60));
        for email in ["jane.doe+x@example.com", "a@b.de", long.as_str()] {
            let name = Username::suggest_from(&Email::parse(email).unwrap());
            assert!(Username::parse(name.as_str()).is_ok(), "{name:?}");
        }
    }

    #[test]
    fn full_names_are_bounded() {
        assert!(FullName::parse("  ").is_err());
        assert!(FullName::parse(&"x".repeat(201)).is_err());
        assert!(FullName::parse("a\u{7}b").is_err());
        assert_eq!(FullName::parse(" Jane Doe ").unwrap().into_inner(), "Jane Doe");
    }
}
