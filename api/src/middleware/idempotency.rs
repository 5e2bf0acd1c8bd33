//! Idempotent POSTs (#13): a POST with an `Idempotency-Key` header runs once per account and
//! key. The first response (status and body, unless a 5xx) is kept 24 hours; a retry with the
//! same key and the same request gets it again with `Idempotent-Replayed: true` and writes
//! nothing; the same key with another request is `422 idempotency_key_reused`; a retry while the
//! first still runs is `409 idempotency_key_in_use`. The key row is taken in its own committed
//! transaction before the handler runs, so two instances cannot both run the request.

use actix_web::{
    Error, HttpMessage, HttpResponse, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{StatusCode, header::CONTENT_TYPE},
    middleware::Next,
    web,
};
use bytes::BytesMut;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::{
    auth::{extract::bearer, tokens},
    db::{
        self,
        schema::{api_tokens, idempotency_keys},
    },
    error::{ApiError, ProblemCode},
    state::AppState,
};

pub const HEADER: &str = "Idempotency-Key";
/// How long a key and its response are kept.
pub const KEEP_HOURS: i64 = 24;
/// The largest request body a key covers (uploads included).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// What the key row says about a request.
enum Claim {
    /// This request is the first: run it.
    First,
    Replay {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    Reused,
    InUse,
}

fn conflict(status: StatusCode, code: ProblemCode, title: &'static str, detail: &str) -> ApiError {
    ApiError::Client { status, code, title, detail: detail.to_owned(), extensions: Default::default() }
}

/// The account the bearer credential belongs to (without checking it: the handler does).
fn owner(conn: &mut PgConnection, state: &AppState, credential: &str) -> QueryResult<Option<i64>> {
    if credential.starts_with("hd_") {
        return api_tokens::table
            .filter(api_tokens::token_hash.eq(tokens::hash(credential)))
            .select(api_tokens::user_id)
            .first(conn)
            .optional();
    }
    Ok(state.jwt.verify(credential).and_then(|c| c.sub.parse().ok()))
}

fn claim(conn: &mut PgConnection, user_id: i64, key: &str, hash: &[u8]) -> QueryResult<Claim> {
    conn.transaction(|conn| {
        diesel::delete(
            idempotency_keys::table
                .filter(idempotency_keys::user_id.eq(user_id))
                .filter(idempotency_keys::key.eq(key))
                .filter(idempotency_keys::created_at.lt(Utc::now() - Duration::hours(KEEP_HOURS))),
        )
        .execute(conn)?;
        let inserted = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::user_id.eq(user_id),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(hash),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if inserted == 1 {
            return Ok(Claim::First);
        }
        let (stored_hash, status, content_type, body): (Vec<u8>, Option<i16>, Option<String>, Option<Vec<u8>>) =
            idempotency_keys::table
                .find((user_id, key))
                .select((
                    idempotency_keys::request_hash,
                    idempotency_keys::status,
                    idempotency_keys::content_type,
                    idempotency_keys::body,
                ))
                .first(conn)?;
        Ok(match status {
            _ if stored_hash != hash => Claim::Reused,
            None => Claim::InUse,
            Some(status) => Claim::Replay {
                status: u16::try_from(status).unwrap_or(200),
                content_type,
                body: body.unwrap_or_default(),
            },
        })
    })
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let key = req.headers().get(HEADER).map(|v| v.to_str().map(str::to_owned));
    let (Some(key), Some(credential), true) =
        (key, bearer(req.request()), req.method() == actix_web::http::Method::POST)
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let refuse = |req: ServiceRequest, err: ApiError| Ok(req.into_response(err.error_response()));
    let key = match key {
        Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => k,
        _ => return refuse(req, ApiError::field(HEADER, "must be 1 to 255 visible ASCII characters")),
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // The request as sent: method, path, query, type and body.
    let mut body = BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        body.extend_from_slice(&chunk?);
        if body.len() > MAX_BODY {
            return refuse(req, ApiError::PayloadTooLarge("The request is too large for an Idempotency-Key.".into()));
        }
    }
    let body = body.freeze();
    let mut digest = Sha256::new();
    for part in [req.method().as_str(), req.path(), req.query_string(), req.content_type()] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    digest.update(&body);
    let hash = digest.finalize().to_vec();
    req.set_payload(Payload::from(body));

    let st = state.clone();
    let (k, h) = (key.clone(), hash.clone());
    let found = db::run(&state.pool, move |conn| match owner(conn, &st, &credential)? {
        Some(user_id) => Ok(Some((user_id, claim(conn, user_id, &k, &h)?))),
        None => Ok(None),
    })
    .await;
    let (user_id, claim) = match found {
        Ok(Some(found)) => found,
        // No account behind the credential: the handler answers 401.
        Ok(None) => return Ok(next.call(req).await?.map_into_boxed_body()),
        Err(err) => return refuse(req, err),
    };
    match claim {
        Claim::Reused => refuse(
            req,
            conflict(
                StatusCode::UNPROCESSABLE_ENTITY,
                ProblemCode::IdempotencyKeyReused,
                "Idempotency key reused",
                "This Idempotency-Key was used with a different request; use a new key.",
            ),
        ),
        Claim::InUse => refuse(
            req,
            conflict(
                StatusCode::CONFLICT,
                ProblemCode::IdempotencyKeyInUse,
                "Request in progress",
                "A request with this Idempotency-Key is still running; retry in a moment.",
            ),
        ),
        Claim::Replay { status, content_type, body } => {
            let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
            if let Some(ct) = content_type {
                response.insert_header((CONTENT_TYPE, ct));
            }
            response.insert_header(("Idempotent-Replayed", "true"));
            Ok(req.into_response(response.body(body)))
        }
        Claim::First => {
            let response = next.call(req).await?;
            let (request, response) = response.into_parts();
            let status = response.status();
            let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let (head, body) = response.into_parts();
            let bytes =
                actix_web::body::to_bytes(body).await.map_err(|_| ApiError::internal("response body unreadable"))?;
            let stored = bytes.to_vec();
            let recorded = db::run(&state.pool, move |conn| {
                let row = idempotency_keys::table.find((user_id, key));
                if status.is_server_error() {
                    // A failure may be retried for real.
                    diesel::delete(row).execute(conn)?;
                } else {
                    diesel::update(row)
                        .set((
                            idempotency_keys::status.eq(i16::try_from(status.as_u16()).unwrap_or(0)),
                            idempotency_keys::content_type.eq(content_type),
                            idempotency_keys::body.eq(stored),
                        ))
                        .execute(conn)?;
                }
                Ok(())
            })
            .await;
            if let Err(err) = recorded {
                tracing::warn!(error = %format!("{err:#}"), "idempotent response not recorded");
            }
            Ok(ServiceResponse::new(request, head.set_body(BoxBody::new(bytes))))
        }
    }
}

/// Deletes keys older than [`KEEP_HOURS`] (the clean-up job).
pub fn delete_expired(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.lt(Utc::now() - Duration::hours(KEEP_HOURS))),
    )
    .execute(conn)
}
