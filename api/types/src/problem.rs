//! RFC 9457 problem details, the body of every error response.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An error response (`application/problem+json`, RFC 9457).
///
/// Clients switch on `code` (or the equivalent `type`); `detail` is for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "/problems/validation-failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "One or more fields are invalid.",
    "code": "validation_failed",
    "errors": {"email": ["must be a valid email address"]},
    "request_id": "5f0c6d8e-2f1b-4c4e-9b1a-2f6f1f1c9a10"
})))]
pub struct Problem {
    /// URI reference identifying the problem type: `/problems/<kind>`, stable across versions.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the problem type; the same for every occurrence.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence, in plain language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable kind (snake_case), e.g. `captcha_required`.
    pub code: String,
    /// Field name -> messages, for validation failures.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, Vec<String>>,
    /// The request id (also in the `X-Request-Id` header); quote it when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Further members specific to the problem type (e.g. `sitekey`, `allowed`).
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(additional_properties))]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    /// The problem in German, for a client that asked for it (`Accept-Language: de`) and for
    /// the web UI: `detail` becomes the German text of its `code` (the English `detail` is
    /// specific, the German one general), field messages of the shared rules are translated.
    /// `title`, `code` and `type` stay, so clients keep switching on them.
    pub fn into_german(mut self) -> Self {
        if let Some(text) = german_detail(&self.code) {
            self.detail = Some(text.to_owned());
        }
        for messages in self.errors.values_mut() {
            for message in messages.iter_mut() {
                *message = german_field_message(message);
            }
        }
        self
    }
}

/// The German text of a problem `code` (the web UI's `network` for an unreachable server too).
pub fn german_detail(code: &str) -> Option<&'static str> {
    Some(match code {
        "network" => "Der Server ist nicht erreichbar.",
        "bad_request" => "Die Anfrage konnte nicht gelesen werden.",
        "validation_failed" => "Bitte prüfen Sie die markierten Felder.",
        "unauthenticated" => "Bitte melden Sie sich an.",
        "forbidden" => "Dazu sind Sie nicht berechtigt.",
        "payload_too_large" => "Die Datei oder der Text ist zu groß.",
        "internal_error" => "Bei uns ist etwas schiefgegangen.",
        "invalid_token" => "Dieser Link ist ungültig oder abgelaufen.",
        "username_taken" => "Dieser Benutzername ist vergeben.",
        "name_taken" => "Dieser Name wird bereits verwendet.",
        "invalid_transition" => "Dieser Statuswechsel ist nicht möglich.",
        "ticket_closed" => "Dieses Ticket ist geschlossen.",
        "invalid_code" => "Der Code ist ungültig.",
        "in_use" => "Das wird noch verwendet.",
        "not_found" => "Das gibt es nicht, oder es ist für Sie nicht sichtbar.",
        "unsupported_media_type" => "Dieser Dateityp ist nicht erlaubt, oder der Inhalt passt nicht dazu.",
        "too_many_requests" => "Zu viele Versuche; bitte warten Sie einen Moment.",
        "service_unavailable" => "Der Dienst ist kurz nicht verfügbar; bitte versuchen Sie es erneut.",
        "captcha_required" => "Bitte bestätigen Sie, dass Sie ein Mensch sind.",
        "email_taken" => "Diese E-Mail-Adresse ist bereits registriert.",
        "own_account" => {
            "Sie können Ihr eigenes Konto nicht herabstufen oder deaktivieren; bitten Sie einen anderen Admin."
        }
        "precondition_failed" => "Jemand hat das inzwischen geändert; bitte neu laden.",
        "upload_quota_exceeded" => "Sie haben heute zu viel hochgeladen; bitte versuchen Sie es morgen wieder.",
        "account_restricted" => "Die Verarbeitung Ihrer Daten ist eingeschränkt; Änderungen sind nicht möglich.",
        "requester_restricted" => {
            "Die Daten der anfragenden Person sind eingeschränkt; das Ticket kann nicht geändert werden."
        }
        "concurrent_update" => "Jemand hat das gleichzeitig geändert; bitte erneut versuchen.",
        _ => return None,
    })
}

/// A field rule's message (`crate::validation`) in German; unknown messages stay as they are.
pub fn german_field_message(message: &str) -> String {
    let number = |s: &str| s.split_whitespace().find_map(|w| w.parse::<u64>().ok()).unwrap_or_default();
    match message {
        "must not be empty" | "is required" => "darf nicht leer sein".to_owned(),
        "must not contain control characters" => "darf keine Steuerzeichen enthalten".to_owned(),
        "must be at least 10 characters long" => "muss mindestens 10 Zeichen lang sein".to_owned(),
        "is one of the most common passwords; choose another" => {
            "gehört zu den häufigsten Passwörtern; bitte ein anderes wählen".to_owned()
        }
        m if m.starts_with("must be at most") && m.ends_with("characters") => {
            format!("darf höchstens {} Zeichen lang sein", number(m))
        }
        m if m.starts_with("must be at most") && m.ends_with("bytes long") => {
            format!("darf höchstens {} Bytes lang sein", number(m))
        }
        m if m.starts_with("is already") => "ist bereits vergeben".to_owned(),
        other => other.to_owned(),
    }
}
