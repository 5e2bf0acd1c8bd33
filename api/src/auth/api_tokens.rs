//! API tokens for integrations (#13): `hd_` + 32 random bytes in base62 + a CRC-32 checksum in
//! base62 (so secret scanners recognise leaked ones and typos are refused without a database
//! lookup); only the SHA-256 is stored. A token acts as its owner, never beyond the owner's
//! role, and only within its scopes. Which scope a route needs is decided in one place,
//! [`need`], from the matched route pattern; the OpenAPI document is annotated from the same
//! function, so the spec and the server cannot disagree.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use helpdesk_types::{
    Problem, Role,
    integrations::{ApiToken, CreateApiToken, CreatedApiToken, Scope},
    validation::line_problem,
};
use rand::RngCore;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{AuthUser, tokens};
use crate::{
    accounts::model::User,
    db::{self, schema::api_tokens},
    error::{ApiError, ProblemCode},
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_tokens).service(create_token).service(revoke_token);
}

const PREFIX: &str = "hd_";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const MAX_TOKENS_PER_USER: i64 = 50;

fn base62(bytes: &[u8], width: usize) -> String {
    let mut digits: Vec<u8> = Vec::new();
    let mut number: Vec<u8> = bytes.to_vec();
    while number.iter().any(|b| *b != 0) {
        let mut remainder = 0u32;
        for byte in &mut number {
            let value = (remainder << 8) | u32::from(*byte);
            *byte = u8::try_from(value / 62).unwrap_or(0);
            remainder = value % 62;
        }
        digits.push(BASE62[remainder as usize]);
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

fn checksum(body: &str) -> String {
    base62(&crc32fast::hash(body.as_bytes()).to_be_bytes(), 6)
}

/// A new secret: `hd_`, 43 base62 characters, a 6-character checksum.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let body = base62(&bytes, 43);
    format!("{PREFIX}{body}{}", checksum(&body))
}

/// Whether `secret` looks like one of ours (prefix, length, checksum).
pub fn well_formed(secret: &str) -> bool {
    let Some(rest) = secret.strip_prefix(PREFIX) else { return false };
    rest.len() == 49 && rest.is_ascii() && checksum(&rest[..43]) == rest[43..]
}

/// What a request needs of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Only a signed-in person (passwords, two factors, tokens, erasure, export).
    Session,
    /// Any valid token.
    Any,
    Scope(Scope),
}

/// The scope a route needs, from its method and matched pattern (`/api/v1/tickets/{id}`).
pub fn need(method: &str, pattern: &str) -> Need {
    let read = matches!(method, "GET" | "HEAD");
    let path = pattern.strip_prefix("/api/v1").unwrap_or(pattern);
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    let rw = |r: Scope, w: Scope| Need::Scope(if read { r } else { w });
    if under("/auth")
        || under("/api-tokens")
        || under("/me/password")
        || under("/me/2fa")
        || under("/me/export")
        || under("/me/restriction")
    {
        Need::Session
    } else if under("/me") {
        if read { Need::Any } else { Need::Session }
    } else if path.ends_with("/comments") && !read {
        Need::Scope(Scope::CommentsWrite)
    } else if under("/tickets")
        || under("/attachments")
        || under("/customers")
        || under("/canned-replies")
        || under("/agents")
    {
        rw(Scope::TicketsRead, Scope::TicketsWrite)
    } else if under("/categories") || under("/sla-policies") || under("/calendars") {
        rw(Scope::TicketsRead, Scope::Admin)
    } else if under("/notifications") || under("/stream") || under("/reports") {
        rw(Scope::TicketsRead, Scope::TicketsRead)
    } else if under("/users") {
        rw(Scope::UsersRead, Scope::UsersWrite)
    } else if under("/organizations") {
        rw(Scope::OrganizationsRead, Scope::OrganizationsWrite)
    } else if under("/webhooks") {
        Need::Scope(Scope::WebhooksManage)
    } else {
        Need::Scope(Scope::Admin)
    }
}

/// A token that authenticated a request.
#[derive(Debug, Clone)]
pub struct Grant {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl Grant {
    /// Ok when the token may make this request.
    pub fn allows(&self, need: Need) -> Result<(), ApiError> {
        match need {
            Need::Any => Ok(()),
            Need::Scope(scope) if self.scopes.contains(&scope) || self.scopes.contains(&Scope::Admin) => Ok(()),
            Need::Scope(scope) => Err(insufficient_scope(scope.as_str())),
            Need::Session => Err(insufficient_scope("a signed-in session")),
        }
    }
}

fn insufficient_scope(what: &str) -> ApiError {
    let mut extensions = serde_json::Map::new();
    extensions.insert("required_scope".into(), what.into());
    ApiError::Client {
        status: actix_web::http::StatusCode::FORBIDDEN,
        code: ProblemCode::InsufficientScope,
        title: "Insufficient scope",
        detail: format!("This API token lacks the scope this needs: {what}."),
        extensions,
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::pg::Pg))]
struct TokenRow {
    id: i64,
    user_id: i64,
    name: String,
    prefix: String,
    scopes: Vec<Option<String>>,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

impl TokenRow {
    fn scopes(&self) -> Vec<Scope> {
        self.scopes.iter().flatten().filter_map(|s| s.parse().ok()).collect()
    }

    fn view(self) -> ApiToken {
        ApiToken {
            scopes: self.scopes(),
            id: self.id,
            name: self.name,
            prefix: self.prefix,
            user_id: self.user_id,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            expires_at: self.expires_at,
        }
    }
}

/// The owner and grant of a live token (not revoked, not expired, owner active); marks it used
/// (at most one write a minute).
pub fn authenticate(conn: &mut PgConnection, secret: &str) -> Result<(User, Grant), ApiError> {
    let refused = || ApiError::Unauthenticated("The API token is unknown, revoked or expired.".into());
    if !well_formed(secret) {
        return Err(refused());
    }
    let now = Utc::now();
    let row: TokenRow = api_tokens::table
        .filter(api_tokens::token_hash.eq(tokens::hash(secret)))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.is_null().or(api_tokens::expires_at.gt(now)))
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(refused)?;
    let user = crate::accounts::repo::find(conn, row.user_id)?.filter(|u| u.active).ok_or_else(refused)?;
    if row.last_used_at.is_none_or(|t| now - t >= chrono::Duration::minutes(1)) {
        diesel::update(api_tokens::table.find(row.id)).set(api_tokens::last_used_at.eq(now)).execute(conn)?;
    }
    let grant = Grant { id: row.id, scopes: row.scopes(), name: row.name };
    Ok((user, grant))
}

fn may_create(user: &AuthUser, state: &AppState) -> Result<(), ApiError> {
    if user.role() == Role::Admin || state.config.user_api_tokens {
        Ok(())
    } else {
        Err(ApiError::Forbidden("Only admins create API tokens here (HELPDESK_USER_API_TOKENS is off).".into()))
    }
}

/// Your API tokens (admins: everyone's), newest first.
#[utoipa::path(
    operation_id = "listApiTokens",
    tag = "api-tokens",
    security(("bearer" = [])),
    responses((status = 200, description = "The tokens, without their secrets.", body = Vec<ApiToken>)),
)]
#[get("/api-tokens")]
pub async fn list_tokens(user: AuthUser, state: web::Data<AppState>) -> Result<web::Json<Vec<ApiToken>>, ApiError> {
    let (me, admin) = (user.id(), user.role() == Role::Admin);
    let rows: Vec<TokenRow> = db::run(&state.pool, move |conn| {
        let mut q = api_tokens::table
            .filter(api_tokens::revoked_at.is_null())
            .select(TokenRow::as_select())
            .order(api_tokens::id.desc())
            .into_boxed();
        if !admin {
            q = q.filter(api_tokens::user_id.eq(me));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    Ok(web::Json(rows.into_iter().map(TokenRow::view).collect()))
}

/// Create an API token for yourself; the secret is in this response only. Scopes beyond your
/// role give you nothing more (a customer's token sees what the customer sees).
#[utoipa::path(
    operation_id = "createApiToken",
    tag = "api-tokens",
    request_body = CreateApiToken,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The token and its secret.", body = CreatedApiToken),
        (status = 403, description = "Only admins, unless `HELPDESK_USER_API_TOKENS=true`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Blank name, no scopes, an expiry in the past, or 50 live tokens already.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/api-tokens")]
pub async fn create_token(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateApiToken>,
) -> Result<HttpResponse, ApiError> {
    may_create(&user, &state)?;
    let body = body.into_inner();
    if let Some(p) = line_problem(&body.name, 100) {
        return Err(ApiError::field("name", p));
    }
    if body.scopes.is_empty() {
        return Err(ApiError::field("scopes", "must name at least one scope"));
    }
    if body.expires_at.is_some_and(|t| t <= Utc::now()) {
        return Err(ApiError::field("expires_at", "must be in the future"));
    }
    let secret = generate();
    let (me, hash, prefix) = (user.id(), tokens::hash(&secret), secret.chars().take(7).collect::<String>());
    let mut scopes: Vec<Scope> = body.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let row: TokenRow = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let live: i64 = api_tokens::table
                .filter(api_tokens::user_id.eq(me))
                .filter(api_tokens::revoked_at.is_null())
                .count()
                .get_result(conn)?;
            if live >= MAX_TOKENS_PER_USER {
                return Err(ApiError::field(
                    "name",
                    format!("you have {MAX_TOKENS_PER_USER} tokens; revoke one first"),
                ));
            }
            Ok(diesel::insert_into(api_tokens::table)
                .values((
                    api_tokens::user_id.eq(me),
                    api_tokens::name.eq(body.name.trim()),
                    api_tokens::prefix.eq(&prefix),
                    api_tokens::token_hash.eq(hash),
                    api_tokens::scopes.eq(scopes.iter().map(|s| Some(s.as_str().to_owned())).collect::<Vec<_>>()),
                    api_tokens::expires_at.eq(body.expires_at),
                ))
                .returning(TokenRow::as_returning())
                .get_result(conn)?)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(CreatedApiToken { token: row.view(), secret }))
}

/// Revoke a token at once (your own; admins any).
#[utoipa::path(
    operation_id = "revokeApiToken",
    tag = "api-tokens",
    params(("id" = i64, Path, description = "Token id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked."),
        (status = 404, description = "No such live token of yours.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/api-tokens/{id}")]
pub async fn revoke_token(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (id, me, admin) = (id.into_inner(), user.id(), user.role() == Role::Admin);
    db::run(&state.pool, move |conn| {
        let mut q = diesel::update(api_tokens::table)
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::revoked_at.is_null())
            .into_boxed();
        if !admin {
            q = q.filter(api_tokens::user_id.eq(me));
        }
        match q.set(api_tokens::revoked_at.eq(Utc::now())).execute(conn)? {
            0 => Err(ApiError::NotFound),
            _ => Ok(()),
        }
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_recognisable_and_carry_a_checksum() {
        let secret = generate();
        assert!(secret.starts_with("hd_") && secret.len() == 52, "{secret}");
        assert!(well_formed(&secret));
        let mut typo = secret.clone().into_bytes();
        typo[10] = if typo[10] == b'a' { b'b' } else { b'a' };
        assert!(!well_formed(&String::from_utf8(typo).unwrap()));
        assert_ne!(generate(), secret);
        assert_eq!(base62(&[0, 61], 2), "0z");
    }

    #[test]
    fn routes_need_the_scope_of_what_they_touch() {
        assert_eq!(need("GET", "/api/v1/tickets/{id}"), Need::Scope(Scope::TicketsRead));
        assert_eq!(need("PATCH", "/api/v1/tickets/{id}"), Need::Scope(Scope::TicketsWrite));
        assert_eq!(need("POST", "/api/v1/tickets/{id}/comments"), Need::Scope(Scope::CommentsWrite));
        assert_eq!(need("POST", "/api/v1/users"), Need::Scope(Scope::UsersWrite));
        assert_eq!(need("GET", "/api/v1/admin/email-log"), Need::Scope(Scope::Admin));
        assert_eq!(need("PUT", "/api/v1/me/password"), Need::Session);
        assert_eq!(need("POST", "/api/v1/api-tokens"), Need::Session);
        assert_eq!(need("GET", "/api/v1/me"), Need::Any);
        let grant = Grant { id: 1, name: "t".into(), scopes: vec![Scope::TicketsRead] };
        assert!(grant.allows(need("GET", "/api/v1/tickets")).is_ok());
        assert!(grant.allows(need("POST", "/api/v1/tickets")).is_err());
    }
}
