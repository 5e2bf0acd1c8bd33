//! Request budgets (#13): every authenticated request counts against its credential's budget
//! per minute (`HELPDESK_RATE_LIMIT_PER_MINUTE`, per API token or per person), shared by all
//! server instances (the anonymous auth endpoints count per client IP here too,
//! `auth::rate_limit`). Responses carry `RateLimit-Limit`, `RateLimit-Remaining` and
//! `RateLimit-Reset` (IETF draft); an exhausted budget is `429` with `Retry-After`.
//!
//! Each instance counts in memory and adds its counts to `request_budgets` every second, taking
//! back the total of all instances; so N instances can overshoot a budget by at most what they
//! receive within one second, and no request waits for the database.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{
    Error, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
    web,
};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use diesel::prelude::*;

use crate::{
    auth::{extract::bearer, tokens},
    db::{self, DbPool, schema::request_budgets},
    error::ApiError,
    state::AppState,
};

const SYNC_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Default, Clone, Copy)]
struct Count {
    /// The total of all instances at the last sync.
    shared: i32,
    /// Counted here since the last sync.
    local: i32,
}

/// A credential and the start of a minute.
type Window = (String, DateTime<Utc>);

/// This instance's counts per credential and minute.
#[derive(Default, Clone)]
pub struct Budgets(Arc<Mutex<HashMap<Window, Count>>>);

fn window(now: DateTime<Utc>) -> DateTime<Utc> {
    now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now)
}

impl Budgets {
    /// Counts a request; the used total of the window (all instances, as far as known).
    pub fn take(&self, credential: &str, now: DateTime<Utc>) -> i32 {
        let Ok(mut map) = self.0.lock() else { return 0 };
        let count = map.entry((credential.to_owned(), window(now))).or_default();
        count.local += 1;
        count.shared + count.local
    }

    /// Adds the local counts to the database and takes back the totals; forgets old windows.
    pub fn sync(&self, conn: &mut PgConnection) -> QueryResult<()> {
        let now = Utc::now();
        let pending: Vec<(Window, i32)> = match self.0.lock() {
            Ok(mut map) => {
                map.retain(|(_, start), _| *start >= window(now) - TimeDelta::minutes(1));
                map.iter_mut()
                    .filter(|(_, c)| c.local > 0)
                    .map(|(k, c)| {
                        let local = c.local;
                        c.shared += local;
                        c.local = 0;
                        (k.clone(), local)
                    })
                    .collect()
            }
            Err(_) => return Ok(()),
        };
        for ((credential, start), delta) in pending {
            diesel::insert_into(request_budgets::table)
                .values((
                    request_budgets::credential.eq(&credential),
                    request_budgets::window_start.eq(start),
                    request_budgets::used.eq(delta),
                ))
                .on_conflict((request_budgets::credential, request_budgets::window_start))
                .do_update()
                .set(request_budgets::used.eq(request_budgets::used + delta))
                .execute(conn)?;
        }
        // Take back the totals of this minute, including credentials other instances counted.
        let current = window(now);
        let totals: Vec<(String, i32)> = request_budgets::table
            .filter(request_budgets::window_start.eq(current))
            .select((request_budgets::credential, request_budgets::used))
            .load(conn)?;
        if let Ok(mut map) = self.0.lock() {
            for (credential, used) in totals {
                let c = map.entry((credential, current)).or_default();
                c.shared = c.shared.max(used);
            }
        }
        diesel::delete(
            request_budgets::table.filter(request_budgets::window_start.lt(window(now) - TimeDelta::minutes(2))),
        )
        .execute(conn)?;
        Ok(())
    }

    /// Syncs every second until the process ends.
    pub async fn run(self, pool: DbPool) {
        let mut ticker = tokio::time::interval(SYNC_EVERY);
        loop {
            ticker.tick().await;
            let budgets = self.clone();
            if let Err(err) = db::run(&pool, move |conn| Ok(budgets.sync(conn)?)).await {
                tracing::debug!(error = %format!("{err:#}"), "request budgets not synced");
            }
        }
    }
}

/// The key a request counts under: the API token, or the person behind the access token.
fn credential(req: &ServiceRequest, state: &AppState) -> Option<String> {
    let token = bearer(req.request())?;
    if token.starts_with("hd_") {
        return Some(format!("token:{}", hex::encode(&tokens::hash(&token)[..12])));
    }
    state.jwt.verify(&token).map(|c| format!("user:{}", c.sub))
}

fn set(headers: &mut actix_web::http::header::HeaderMap, name: &'static str, value: i64) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        headers.insert(HeaderName::from_static(name), v);
    }
}

pub async fn middleware<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let Some(key) = credential(&req, &state) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let now = Utc::now();
    let limit = i64::from(state.config.rate_limit_per_minute);
    let used = i64::from(state.budgets.take(&key, now));
    let reset = (window(now) + TimeDelta::minutes(1) - now).num_seconds().max(1);
    let remaining = (limit - used).max(0);
    if used > limit {
        let mut response = req.into_response(
            ApiError::TooManyRequests { retry_after_secs: u64::try_from(reset).unwrap_or(60) }.error_response(),
        );
        let headers = response.headers_mut();
        set(headers, "ratelimit-limit", limit);
        set(headers, "ratelimit-remaining", 0);
        set(headers, "ratelimit-reset", reset);
        return Ok(response.map_into_right_body());
    }
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    set(headers, "ratelimit-limit", limit);
    set(headers, "ratelimit-remaining", remaining);
    set(headers, "ratelimit-reset", reset);
    Ok(response.map_into_left_body())
}
