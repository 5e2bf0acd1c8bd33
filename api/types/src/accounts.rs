//! Accounts, sign-in and profiles.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "validate")]
use validator::Validate;

#[cfg(feature = "validate")]
use crate::validation::rules;

crate::text_enum! {
    /// What a person may do. Admins are agents who also manage the system.
    pub enum Role {
        /// A registered customer: sees their own (and shared organization) tickets.
        Customer = "customer",
        /// Support staff: sees all tickets, writes internal notes.
        Agent = "agent",
        /// An agent who also manages users, organizations, categories, SLA policies and settings.
        Admin = "admin",
    }
}

impl Role {
    /// Agents and admins are support staff.
    pub const fn is_staff(self) -> bool {
        matches!(self, Role::Agent | Role::Admin)
    }
}

crate::text_enum! {
    /// Kinds of non-essential email a person may refuse (P12, objection). Account and security
    /// mails (sign-up, address and password links, changed data, erasure) are essential and
    /// always sent.
    pub enum NotificationKind {
        /// "We received your ticket".
        TicketConfirmations = "ticket_confirmations",
        /// A ticket's status changed.
        StatusUpdates = "status_updates",
        /// A public reply on a ticket.
        Replies = "replies",
        /// Reminders that a pending ticket waits for the person's answer.
        Reminders = "reminders",
    }
}

crate::text_enum! {
    /// Language of emails and of the web UI.
    pub enum Locale {
        En = "en",
        De = "de",
    }
}

/// An account as the API shows it (never the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": 42, "email": "jane@example.com", "username": "jane", "full_name": "Jane Doe",
    "company": "Example GmbH", "phone": "+49 30 123456", "role": "customer", "locale": "de",
    "active": true, "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:00:00Z",
    "last_active_at": "2026-11-22T10:00:00Z", "organization_id": 3, "email_verified": true,
    "pending_email": null, "two_factor_enabled": false, "restricted": false, "refused_notifications": []
})))]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub full_name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub locale: Locale,
    /// False once an admin deactivated the account; it can no longer sign in.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_active_at: DateTime<Utc>,
    /// The client company the person belongs to. Joining by email domain happens only once the
    /// address is verified (and, where the organization asks for it, an admin approved).
    pub organization_id: Option<i64>,
    /// Whether the person proved they own `email` by using the emailed link.
    pub email_verified: bool,
    /// A new address that takes effect once its emailed link is used.
    pub pending_email: Option<String>,
    /// Whether signing in needs a code from an authenticator app (TOTP).
    pub two_factor_enabled: bool,
    /// Processing is restricted (P12): data kept, but no mail, no new tickets or comments, and
    /// staff cannot change the person's tickets, until an admin lifts it.
    pub restricted: bool,
    /// The non-essential emails the person refused (P12, objection).
    pub refused_notifications: Vec<NotificationKind>,
}

/// `POST /api/v1/me/2fa`: a new secret for the authenticator app; two-factor sign-in starts once
/// a first code confirms it (`POST /api/v1/me/2fa/confirm`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorSetup {
    /// Base32, for typing into the app.
    pub secret: String,
    /// `otpauth://totp/...`, what the QR code carries.
    pub otpauth_uri: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
}

/// A code from the authenticator app (6 digits) or, where allowed, a recovery code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorCode {
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub code: String,
}

/// Shown once: each code signs in once when the app is lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// `DELETE /api/v1/me/2fa`: turning two-factor sign-in off needs the password and a code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisableTwoFactor {
    #[cfg_attr(feature = "openapi", schema(max_length = 1024, format = "password"))]
    pub password: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub code: String,
}

/// The first sign-in step of an account with two factors: send a code with the challenge to
/// `POST /api/v1/auth/login/2fa`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorChallenge {
    /// Always `true`.
    pub two_factor_required: bool,
    /// Valid for 5 minutes.
    pub challenge: String,
}

/// `POST /api/v1/auth/login/2fa`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginTwoFactor {
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub challenge: String,
    /// 6 digits from the app, or a recovery code.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub code: String,
    #[serde(default)]
    pub client: Option<ClientKind>,
}

/// The answer to `POST /api/v1/auth/login`: tokens, or, for an account with two factors, the
/// challenge for the second step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum LoginResponse {
    Tokens(Box<TokenResponse>),
    TwoFactor(TwoFactorChallenge),
}

/// `POST /api/v1/auth/register`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "validate", derive(Validate))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "full_name": "Jane Doe", "email": "jane@example.com", "username": "jane",
    "password": "tangerine-lamp-4711", "company": "Example GmbH", "phone": "+49 30 123456", "locale": "de"
})))]
pub struct RegisterRequest {
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::full_name")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub full_name: String,
    #[cfg_attr(
        feature = "validate",
        validate(
            email(message = "must be a valid email address"),
            length(max = 254, message = "must be at most 254 characters")
        )
    )]
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    pub email: String,
    /// 3-32 characters of `a-z 0-9 . _ -`; stored lower-case.
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::username")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9._-]{3,32}$"))]
    pub username: String,
    /// At least 10 characters, at most 71 bytes, not one of the 1,000 most common passwords.
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::password")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 71, format = "password"))]
    pub password: String,
    #[serde(default)]
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::company")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub company: Option<String>,
    /// Digits with an optional leading `+`; spaces, `-`, `.`, `/`, `(` and `)` are allowed as separators.
    #[serde(default)]
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::optional_phone")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 40, pattern = r"^\s*\+?[0-9 ./()-]*\s*$"))]
    pub phone: Option<String>,
    #[serde(default)]
    pub locale: Option<Locale>,
    /// The hCaptcha response, required once the `captcha_required` problem was returned
    /// (many registrations from one address).
    #[serde(default)]
    #[cfg_attr(feature = "validate", validate(length(max = 8192, message = "must be at most 8192 characters")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 8192))]
    pub captcha_token: Option<String>,
}

/// The answer to a request whose outcome is told by email (registration, resending a link):
/// the same whether or not an account exists, so it reveals nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    /// What happens next, in plain language.
    pub message: String,
}

/// `POST /api/v1/auth/verify-email`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyEmailRequest {
    /// The token from the emailed link.
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub token: String,
}

/// `POST /api/v1/auth/login`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"login": "jane", "password": "tangerine-lamp-4711"})))]
pub struct LoginRequest {
    /// Email address or username.
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub login: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 1024, format = "password"))]
    pub password: String,
    /// The hCaptcha response, required once the `captcha_required` problem was returned.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 8192))]
    pub captcha_token: Option<String>,
    /// `api` for non-browser clients: the refresh token is returned in the body instead of
    /// only in the cookie.
    #[serde(default)]
    pub client: Option<ClientKind>,
}

crate::text_enum! {
    /// Who is signing in: a browser (refresh credential in a cookie only) or a program.
    pub enum ClientKind {
        Browser = "browser",
        Api = "api",
    }
}

/// A successful sign-in or refresh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// Bearer token for `Authorization` (a JWT).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until `access_token` expires.
    pub expires_in: u64,
    /// Only for `client: api`; browsers get it in the HttpOnly cookie only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub user: Account,
}

/// `POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout`. Browsers send `{}` (the cookie
/// carries the credential); other clients send the refresh token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "validate", derive(Validate))]
pub struct RefreshRequest {
    #[serde(default)]
    #[cfg_attr(feature = "validate", validate(length(max = 256, message = "must be at most 256 characters")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub refresh_token: Option<String>,
}

/// `POST /api/v1/auth/password-reset`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "validate", derive(Validate))]
pub struct PasswordResetRequest {
    #[cfg_attr(
        feature = "validate",
        validate(
            email(message = "must be a valid email address"),
            length(max = 254, message = "must be at most 254 characters")
        )
    )]
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    pub email: String,
}

/// `POST /api/v1/auth/password-reset/confirm`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "validate", derive(Validate))]
pub struct PasswordResetConfirm {
    /// The token from the emailed link.
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub token: String,
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::password")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 71, format = "password"))]
    pub new_password: String,
}

/// `PATCH /api/v1/me`: only the fields present change. Changing `email` or `username` needs
/// `current_password`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "validate", derive(Validate))]
pub struct UpdateMe {
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::full_name")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub full_name: Option<String>,
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::username")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 32))]
    pub username: Option<String>,
    #[cfg_attr(
        feature = "validate",
        validate(
            email(message = "must be a valid email address"),
            length(max = 254, message = "must be at most 254 characters")
        )
    )]
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    pub email: Option<String>,
    /// Empty string clears it.
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::company")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub company: Option<String>,
    /// Empty string clears it.
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::optional_phone")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 40, pattern = r"^\s*\+?[0-9 ./()-]*\s*$"))]
    pub phone: Option<String>,
    pub locale: Option<Locale>,
    #[cfg_attr(feature = "validate", validate(length(max = 1024, message = "must be at most 1024 characters")))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1024, format = "password"))]
    pub current_password: Option<String>,
    /// Replaces the set of refused non-essential emails (P12, objection).
    #[serde(default)]
    pub refused_notifications: Option<Vec<NotificationKind>>,
}

/// `PUT /api/v1/me/password`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "validate", derive(Validate))]
pub struct ChangePassword {
    #[cfg_attr(feature = "openapi", schema(max_length = 1024, format = "password"))]
    pub current_password: String,
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::password")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 71, format = "password"))]
    pub new_password: String,
}

/// `POST /api/v1/users` (admin). Without `password` the person is emailed a link to set one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "validate", derive(Validate))]
pub struct CreateUser {
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::full_name")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub full_name: String,
    #[cfg_attr(
        feature = "validate",
        validate(
            email(message = "must be a valid email address"),
            length(max = 254, message = "must be at most 254 characters")
        )
    )]
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    pub email: String,
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::username")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 32))]
    pub username: String,
    pub role: Role,
    #[serde(default)]
    pub organization_id: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "validate", validate(custom(function = "rules::password")))]
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 71, format = "password"))]
    pub password: Option<String>,
    #[serde(default)]
    pub locale: Option<Locale>,
}

/// `PATCH /api/v1/users/{id}` (admin).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateUser {
    pub role: Option<Role>,
    /// `false` deactivates the account and ends its sessions.
    pub active: Option<bool>,
    /// `null` removes the person from their organization.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::organizations::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub organization_id: Option<Option<i64>>,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Filters of `GET /api/v1/users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct UserQuery {
    pub role: Option<Role>,
    /// Searches full name, email and username.
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub q: Option<String>,
    pub organization_id: Option<i64>,
    /// 1-100, default 25.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
