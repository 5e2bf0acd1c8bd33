//! A per-client-IP request budget for the unauthenticated auth endpoints (one-minute windows),
//! shared by all server instances: the counts live in the same [`Budgets`] as the budgets of
//! authenticated requests, which add them up in the database every second. So N instances
//! allow one budget, overshot by at most what they receive within a second.

use chrono::{DurationRound, TimeDelta, Utc};

use crate::{error::ApiError, middleware::budget::Budgets};

pub struct RateLimiter {
    per_window: u32,
    budgets: Budgets,
}

impl RateLimiter {
    pub fn new(per_minute: u32, budgets: Budgets) -> Self {
        Self { per_window: per_minute, budgets }
    }

    /// Counts a request from `client`; a 429 problem once the budget is spent.
    pub fn check(&self, client: &str) -> Result<(), ApiError> {
        let now = Utc::now();
        let used = self.budgets.take(&format!("ip:{client}"), now);
        if u32::try_from(used).unwrap_or(0) > self.per_window {
            let next = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now) + TimeDelta::minutes(1);
            let retry = u64::try_from((next - now).num_seconds()).unwrap_or(60).max(1);
            return Err(ApiError::TooManyRequests { retry_after_secs: retry });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_per_client() {
        let limiter = RateLimiter::new(2, Budgets::default());
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        assert!(matches!(limiter.check("a"), Err(ApiError::TooManyRequests { .. })));
        assert!(limiter.check("b").is_ok());
    }
}
