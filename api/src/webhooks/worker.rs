//! Delivers queued webhook events. A pass claims due deliveries (`FOR UPDATE SKIP LOCKED`,
//! never one whose ticket has an earlier delivery still pending for the same webhook) by leasing
//! them for a minute, POSTs each with the Standard Webhooks headers, and records the outcome:
//! delivered on 2xx; retried with exponential backoff and jitter on network errors, timeouts,
//! 5xx and 429 (honouring `Retry-After`) for 24 hours; failed at once on other statuses. A
//! webhook failing for 24 hours is switched off and its owner told.

use std::{net::IpAddr, sync::Arc, time::Duration};

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rand::Rng;
use tokio::sync::Notify;

use crate::{
    db::{
        self, DbPool,
        schema::{webhook_deliveries, webhooks},
    },
    error::ApiError,
};

const BATCH: i64 = 50;
const POLL: Duration = Duration::from_secs(1);
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery is reserved for the instance that claimed it.
const LEASE_SECS: i64 = 60;
/// Retries stop (and a failing webhook is switched off) after this long.
pub const GIVE_UP_HOURS: i64 = 24;
const EXCERPT: usize = 1024;

/// A claimed delivery.
#[derive(Debug, Clone, Queryable)]
struct Due {
    id: i64,
    webhook_id: i64,
    event_id: String,
    payload: serde_json::Value,
    attempts: i32,
    created_at: DateTime<Utc>,
    url: String,
    secret: String,
}

/// The Standard Webhooks signature of a message: `v1,` + base64(HMAC-SHA256(key, id.ts.body)).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    let key = STANDARD.decode(secret.trim_start_matches("whsec_")).unwrap_or_default();
    let mac = crate::auth::tokens::hmac_sha256(&key, format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac))
}

/// Addresses a webhook must not reach unless private targets are allowed: loopback, private,
/// link-local (cloud metadata), carrier-grade NAT, unique-local, unspecified, multicast.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] == 0
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| forbidden(IpAddr::V4(v4)))
        }
    }
}

/// What happened to one attempt.
enum Outcome {
    Delivered {
        status: u16,
        excerpt: String,
    },
    /// Try again (after at least `after` when the receiver said so).
    Retry {
        error: String,
        status: Option<u16>,
        excerpt: Option<String>,
        after: Option<Duration>,
    },
    Fail {
        error: String,
        status: Option<u16>,
        excerpt: Option<String>,
    },
}

/// An error with its causes ("error sending request: client error (Connect): Connection
/// refused"), for the delivery log: reqwest's own message names none of them.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

async fn attempt(d: &Due, allow_private: bool) -> Outcome {
    let url = match reqwest::Url::parse(&d.url) {
        Ok(u) => u,
        Err(e) => return Outcome::Fail { error: format!("invalid URL: {e}"), status: None, excerpt: None },
    };
    let Some(host) = url.host_str().map(str::to_owned) else {
        return Outcome::Fail { error: "the URL has no host".into(), status: None, excerpt: None };
    };
    let port = url.port_or_known_default().unwrap_or(443);
    // Resolve now and connect to exactly what was checked (no DNS rebinding in between).
    let addrs: Vec<std::net::SocketAddr> = match tokio::net::lookup_host((host.as_str(), port)).await {
        Ok(a) => a.collect(),
        Err(e) => {
            return Outcome::Retry {
                error: format!("cannot resolve {host}: {e}"),
                status: None,
                excerpt: None,
                after: None,
            };
        }
    };
    let Some(addr) = addrs.iter().copied().find(|a| allow_private || !forbidden(a.ip())) else {
        return Outcome::Fail {
            error: format!("{host} resolves to a private or local address (HELPDESK_WEBHOOK_ALLOW_PRIVATE is off)"),
            status: None,
            excerpt: None,
        };
    };
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .resolve(&host, addr)
        .build()
    {
        Ok(c) => c,
        Err(e) => return Outcome::Retry { error: chain(&e), status: None, excerpt: None, after: None },
    };
    let body = d.payload.to_string();
    let timestamp = Utc::now().timestamp();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "Helpdesk-Webhooks/1")
        .header("webhook-id", &d.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", sign(&d.secret, &d.event_id, timestamp, &body))
        .body(body)
        .send()
        .await;
    let response = match response {
        Ok(r) => r,
        Err(e) => return Outcome::Retry { error: chain(&e), status: None, excerpt: None, after: None },
    };
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    // Read at most 1 KiB of what the receiver says.
    let mut excerpt = Vec::new();
    let mut response = response;
    while excerpt.len() < EXCERPT {
        match response.chunk().await {
            Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
            _ => break,
        }
    }
    excerpt.truncate(EXCERPT);
    let excerpt = String::from_utf8_lossy(&excerpt).into_owned();
    let code = status.as_u16();
    if status.is_success() {
        Outcome::Delivered { status: code, excerpt }
    } else if status.is_server_error() || code == 429 {
        Outcome::Retry { error: format!("HTTP {code}"), status: Some(code), excerpt: Some(excerpt), after: retry_after }
    } else {
        Outcome::Fail { error: format!("HTTP {code} (not retried)"), status: Some(code), excerpt: Some(excerpt) }
    }
}

/// Exponential backoff from 5 s, at most an hour, with ±20 % jitter.
fn backoff(attempts: i32) -> Duration {
    let base = 5f64 * 2f64.powi(attempts.clamp(0, 20));
    let jitter = rand::rng().random_range(0.8..1.2);
    Duration::from_secs_f64((base.min(3600.0)) * jitter)
}

fn claim(conn: &mut PgConnection) -> QueryResult<Vec<Due>> {
    conn.transaction(|conn| {
        let rows: Vec<Due> = diesel::sql_query(
            "SELECT d.id, d.webhook_id, d.event_id, d.payload, d.attempts, d.created_at, w.url, w.secret
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.status = 'pending' AND d.next_attempt_at <= now()
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                               WHERE e.webhook_id = d.webhook_id AND e.ticket_id = d.ticket_id
                                 AND e.status = 'pending' AND e.id < d.id)
             ORDER BY d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED",
        )
        .bind::<diesel::sql_types::BigInt, _>(BATCH)
        .load::<DueRow>(conn)?
        .into_iter()
        .map(DueRow::into)
        .collect();
        let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
            .set(webhook_deliveries::next_attempt_at.eq(Utc::now() + chrono::Duration::seconds(LEASE_SECS)))
            .execute(conn)?;
        Ok(rows)
    })
}

#[derive(QueryableByName)]
struct DueRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    webhook_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    event_id: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    url: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    secret: String,
}

impl From<DueRow> for Due {
    fn from(r: DueRow) -> Self {
        Self {
            id: r.id,
            webhook_id: r.webhook_id,
            event_id: r.event_id,
            payload: r.payload,
            attempts: r.attempts,
            created_at: r.created_at,
            url: r.url,
            secret: r.secret,
        }
    }
}

fn record(
    conn: &mut PgConnection,
    d: &Due,
    outcome: Outcome,
    took: Duration,
    public_url: &str,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let row = webhook_deliveries::table.find(d.id);
    let ms = i32::try_from(took.as_millis()).unwrap_or(i32::MAX);
    let attempts = d.attempts + 1;
    let code = |s: Option<u16>| s.and_then(|s| i16::try_from(s).ok());
    let label = match &outcome {
        Outcome::Delivered { .. } => "delivered",
        Outcome::Retry { .. } => "retry",
        Outcome::Fail { .. } => "failed",
    };
    metrics::counter!("helpdesk_webhook_deliveries_total", "outcome" => label).increment(1);
    conn.transaction(|conn| {
        // A retry waits its backoff (or the receiver's `Retry-After`) until 24 h have passed;
        // a failure is final.
        let (error, status, excerpt, next) = match outcome {
            Outcome::Delivered { status, excerpt } => {
                diesel::update(row)
                    .set((
                        webhook_deliveries::status.eq("delivered"),
                        webhook_deliveries::attempts.eq(attempts),
                        webhook_deliveries::response_status.eq(code(Some(status))),
                        webhook_deliveries::response_excerpt.eq(excerpt),
                        webhook_deliveries::duration_ms.eq(ms),
                        webhook_deliveries::last_error.eq(None::<String>),
                        webhook_deliveries::delivered_at.eq(now),
                    ))
                    .execute(conn)?;
                diesel::update(webhooks::table.find(d.webhook_id))
                    .set(webhooks::failing_since.eq(None::<DateTime<Utc>>))
                    .execute(conn)?;
                return Ok(());
            }
            Outcome::Retry { error, status, excerpt, after } => {
                let given_up = now - d.created_at > chrono::Duration::hours(GIVE_UP_HOURS);
                let wait = after.unwrap_or_default().max(backoff(d.attempts));
                let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
                (error, status, excerpt, (!given_up).then_some(next))
            }
            Outcome::Fail { error, status, excerpt } => (error, status, excerpt, None),
        };
        diesel::update(row)
            .set((
                webhook_deliveries::status.eq(if next.is_some() { "pending" } else { "failed" }),
                webhook_deliveries::attempts.eq(attempts),
                // A failed row is never claimed again, so its next attempt is only a record.
                webhook_deliveries::next_attempt_at.eq(next.unwrap_or(now)),
                webhook_deliveries::response_status.eq(code(status)),
                webhook_deliveries::response_excerpt.eq(excerpt),
                webhook_deliveries::duration_ms.eq(ms),
                webhook_deliveries::last_error.eq(error),
            ))
            .execute(conn)?;
        failing(conn, d.webhook_id, now, public_url)?;
        Ok(())
    })
}

/// Notes that a webhook fails; after 24 hours of failures it is switched off and its owner told.
fn failing(conn: &mut PgConnection, webhook_id: i64, now: DateTime<Utc>, public_url: &str) -> Result<(), ApiError> {
    let (since, owner, url, active): (Option<DateTime<Utc>>, i64, String, bool) = webhooks::table
        .find(webhook_id)
        .select((webhooks::failing_since, webhooks::owner_id, webhooks::url, webhooks::active))
        .first(conn)?;
    match since {
        None => {
            diesel::update(webhooks::table.find(webhook_id)).set(webhooks::failing_since.eq(now)).execute(conn)?;
        }
        Some(since) if active && now - since > chrono::Duration::hours(GIVE_UP_HOURS) => {
            diesel::update(webhooks::table.find(webhook_id))
                .set((
                    webhooks::active.eq(false),
                    webhooks::disabled_reason.eq("every delivery failed for 24 hours"),
                    webhooks::updated_at.eq(now),
                ))
                .execute(conn)?;
            if let Some(person) = crate::accounts::repo::find(conn, owner)? {
                let message = crate::email::Message::AgentNotice {
                    name: person.full_name.clone(),
                    topic: helpdesk_types::notifications::Topic::JobFailed,
                    title: format!("Webhook switched off after failing for 24 hours: {url}"),
                    link: "/admin#webhooks".to_owned(),
                };
                crate::email::enqueue(conn, &person.email, person.locale, &message, public_url)?;
            }
        }
        Some(_) => {}
    }
    Ok(())
}

/// One pass: claims up to a batch and delivers it at once; returns how many it handled. A batch
/// never holds two deliveries for one ticket (only the oldest pending one of each ticket is due),
/// so sending them together keeps the order per ticket.
pub async fn pass(pool: &DbPool, allow_private: bool, public_url: &str) -> Result<usize, ApiError> {
    let due = db::run(pool, |conn| Ok(claim(conn)?)).await?;
    let n = due.len();
    let outcomes = futures_util::future::join_all(due.iter().map(|d| async move {
        let started = std::time::Instant::now();
        let outcome = attempt(d, allow_private).await;
        (outcome, started.elapsed())
    }))
    .await;
    let public_url = public_url.to_owned();
    db::run(pool, move |conn| {
        for (d, (outcome, took)) in due.iter().zip(outcomes) {
            record(conn, d, outcome, took, &public_url)?;
        }
        Ok(())
    })
    .await?;
    Ok(n)
}

/// Runs until the process ends; `wake` after a commit that queued deliveries.
pub async fn run(pool: DbPool, allow_private: bool, public_url: String, wake: Arc<Notify>, mail_wake: Arc<Notify>) {
    loop {
        let handled = match pass(&pool, allow_private, &public_url).await {
            Ok(n) => n,
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "webhook pass failed");
                0
            }
        };
        if handled > 0 {
            mail_wake.notify_one();
        }
        if handled < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            let _ = tokio::time::timeout(POLL, wake.notified()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_follows_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn private_and_metadata_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "0.0.0.0",
            "::ffff:127.0.0.1",
        ] {
            assert!(forbidden(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(!forbidden(ip.parse().unwrap()), "{ip}");
        }
    }
}
