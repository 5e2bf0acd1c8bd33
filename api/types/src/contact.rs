//! The contact form (P14) and the private link a contact reads and answers a request through.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "validate")]
use validator::Validate;

#[cfg(feature = "validate")]
use crate::validation::rules;
use crate::{Locale, tickets::TicketStatus};

/// What a guest agrees to by sending the form; stored with the request, in the language shown.
pub fn consent_wording(locale: Locale) -> &'static str {
    match locale {
        Locale::En => {
            "I agree that my details and my message are stored to answer my request, and deleted when it is done (see the privacy page)."
        }
        Locale::De => {
            "Ich bin einverstanden, dass meine Angaben und meine Nachricht zur Bearbeitung meiner Anfrage gespeichert und nach ihrem Abschluss gelöscht werden (siehe Datenschutzseite)."
        }
    }
}

/// `POST /api/v1/contact` (guests, always with a captcha).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "validate", derive(Validate))]
pub struct ContactRequest {
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::full_name")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    #[cfg_attr(
        feature = "validate",
        validate(
            email(message = "must be a valid email address"),
            length(max = 254, message = "must be at most 254 characters")
        )
    )]
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    pub email: String,
    #[serde(default)]
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::company")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub company: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::optional_phone")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 40, pattern = r"^\s*\+?[0-9 ./()-]*\s*$"))]
    pub phone: Option<String>,
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::subject")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub subject: String,
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::description")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20000))]
    pub message: String,
    /// The guest agreed to the consent wording of `locale` (required).
    pub consent: bool,
    #[serde(default)]
    pub locale: Option<Locale>,
    /// The hCaptcha response (always required).
    #[serde(default)]
    #[cfg_attr(feature = "validate", validate(length(max = 8192, message = "must be at most 8192 characters")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 8192))]
    pub captcha_token: Option<String>,
}

/// A reply in a request's public conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestReply {
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A request as its private link shows it (public replies only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestView {
    pub number: i64,
    pub subject: String,
    pub description: String,
    pub status: TicketStatus,
    pub created_at: DateTime<Utc>,
    pub replies: Vec<RequestReply>,
}
