//! The SLA clock of a ticket: deadlines in business time, pause and resume, met and breached,
//! and the thresholds the SLA monitor watches.
//!
//! A target's deadline is `calendar.add(created_at, target + paused)`, where `paused` is the
//! business time the ticket spent `pending`; its warning time is the same with the policy's
//! at-risk share of the target. Every ticket write goes through [`settle`], which compares the
//! ticket before and after the change and records what happened to the clock as events.
//!
//! The status rules exist twice on purpose, in Rust ([`status`], for responses) and in SQL
//! ([`status_sql`], for filters and counts); `api/tests/api/sla.rs` checks that they agree.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use helpdesk_types::{
    organizations::ContractTier,
    sla::SlaTarget,
    tickets::{Priority, Sla, SlaStatus, TicketStatus},
};
use serde_json::json;

use super::{calendar::Calendar, calendars};
use crate::{
    db::schema::{calendars as calendars_table, sla_facts, sla_policies},
    error::ApiError,
    tickets::{
        events::{self, Actor, Change},
        model::TicketRow,
    },
};

/// Far enough to never come: the deadline of a calendar that never opens.
pub fn never() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_214_400, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// One SLA policy with its calendar, ready for arithmetic.
#[derive(Debug, Clone)]
pub struct Policy {
    pub first_response_minutes: i32,
    pub resolution_minutes: i32,
    pub at_risk_percent: i16,
    pub calendar: Calendar,
    /// False for an around-the-clock calendar.
    pub business_hours: bool,
}

/// Deadlines and warning times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub first_response_due_at: DateTime<Utc>,
    pub first_response_warn_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    pub resolution_warn_at: DateTime<Utc>,
}

impl Policy {
    pub fn load(conn: &mut PgConnection, tier: ContractTier, priority: Priority) -> QueryResult<Self> {
        let (first, resolution, percent, row): (i32, i32, i16, calendars::CalendarRow) = sla_policies::table
            .inner_join(calendars_table::table)
            .filter(sla_policies::contract_tier.eq(tier).and(sla_policies::priority.eq(priority)))
            .select((
                sla_policies::first_response_minutes,
                sla_policies::resolution_minutes,
                sla_policies::at_risk_percent,
                calendars::CalendarRow::as_select(),
            ))
            .first(conn)?;
        Ok(Self::new(first, resolution, percent, &row))
    }

    fn new(first: i32, resolution: i32, percent: i16, row: &calendars::CalendarRow) -> Self {
        let business_hours = row.id != calendars::ALWAYS_OPEN;
        Self {
            first_response_minutes: first,
            resolution_minutes: resolution,
            at_risk_percent: percent,
            calendar: row.calendar(),
            business_hours,
        }
    }

    /// The deadlines of a ticket created at `created_at` whose clock stood still for
    /// `paused_seconds` of business time.
    pub fn deadlines(&self, created_at: DateTime<Utc>, paused_seconds: i64) -> Deadlines {
        let at = |minutes: i32, percent: i64| {
            let seconds = i64::from(minutes) * 60 * percent / 100 + paused_seconds;
            self.calendar.add(created_at, seconds).unwrap_or_else(never)
        };
        let warn = i64::from(self.at_risk_percent);
        Deadlines {
            first_response_due_at: at(self.first_response_minutes, 100),
            first_response_warn_at: at(self.first_response_minutes, warn),
            resolution_due_at: at(self.resolution_minutes, 100),
            resolution_warn_at: at(self.resolution_minutes, warn),
        }
    }

    /// Business time a target took: from creation to `done`, without the paused time.
    pub fn used_seconds(&self, t: &TicketRow, done: DateTime<Utc>) -> i64 {
        (self.calendar.elapsed(t.created_at, done) - t.sla_paused_seconds).max(0)
    }
}

/// Every policy, for presenting many tickets.
pub struct Policies(HashMap<(ContractTier, Priority), Policy>);

/// The policies for presenting tickets (see [`Policies::cached`]).
static CACHED: crate::fresh::Fresh<std::sync::Arc<Policies>> =
    crate::fresh::Fresh::new(std::time::Duration::from_secs(2));

impl Policies {
    /// The policies for presenting tickets, read at most every 2 s: every ticket a response
    /// shows needs them, and building twelve calendars per request cost more than the ticket
    /// itself. A change on this instance is seen at once ([`Policies::forget`], after every
    /// write); one made on another instance within two seconds (the SLA status shown, never a
    /// stored deadline).
    pub fn cached(conn: &mut PgConnection) -> QueryResult<std::sync::Arc<Self>> {
        CACHED.get_or_read(|| Self::load(conn).map(std::sync::Arc::new))
    }

    /// Drops the cached policies (`middleware::caches`, after every write).
    pub fn forget() {
        CACHED.forget();
    }

    pub fn load(conn: &mut PgConnection) -> QueryResult<Self> {
        let rows: Vec<(ContractTier, Priority, i32, i32, i16, calendars::CalendarRow)> = sla_policies::table
            .inner_join(calendars_table::table)
            .select((
                sla_policies::contract_tier,
                sla_policies::priority,
                sla_policies::first_response_minutes,
                sla_policies::resolution_minutes,
                sla_policies::at_risk_percent,
                calendars::CalendarRow::as_select(),
            ))
            .load(conn)?;
        Ok(Self(rows.into_iter().map(|(t, p, f, r, pct, row)| ((t, p), Policy::new(f, r, pct, &row))).collect()))
    }

    pub fn get(&self, tier: ContractTier, priority: Priority) -> Option<&Policy> {
        self.0.get(&(tier, priority))
    }
}

/// The two targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    FirstResponse,
    Resolution,
}

impl Target {
    pub const BOTH: [Target; 2] = [Target::FirstResponse, Target::Resolution];

    pub const fn as_str(self) -> &'static str {
        match self {
            Target::FirstResponse => "first_response",
            Target::Resolution => "resolution",
        }
    }

    /// When the target was met: the first response (a resolution answers too), or the resolution.
    pub fn done(self, t: &TicketRow) -> Option<DateTime<Utc>> {
        match self {
            Target::FirstResponse => t.first_response_at.or(t.resolved_at),
            Target::Resolution => t.resolved_at,
        }
    }

    pub fn due(self, t: &TicketRow) -> DateTime<Utc> {
        match self {
            Target::FirstResponse => t.first_response_due_at,
            Target::Resolution => t.resolution_due_at,
        }
    }

    pub fn warn(self, t: &TicketRow) -> DateTime<Utc> {
        match self {
            Target::FirstResponse => t.first_response_warn_at,
            Target::Resolution => t.resolution_warn_at,
        }
    }

    fn minutes(self, p: &Policy) -> i32 {
        match self {
            Target::FirstResponse => p.first_response_minutes,
            Target::Resolution => p.resolution_minutes,
        }
    }
}

/// The status of one target at `now`.
pub fn target_status(t: &TicketRow, target: Target, now: DateTime<Utc>) -> SlaStatus {
    let due = target.due(t);
    match target.done(t) {
        Some(done) if done > due => SlaStatus::Breached,
        Some(_) => SlaStatus::Met,
        None if t.sla_paused_at.unwrap_or(now) > due => SlaStatus::Breached,
        None if t.sla_paused_at.is_some() => SlaStatus::Paused,
        None if now > target.warn(t) => SlaStatus::AtRisk,
        None => SlaStatus::OnTrack,
    }
}

/// The ticket's SLA status: the worst of its targets; `met` only when both are.
pub fn status(t: &TicketRow, now: DateTime<Utc>) -> SlaStatus {
    let both = Target::BOTH.map(|target| target_status(t, target, now));
    [SlaStatus::Breached, SlaStatus::Paused, SlaStatus::AtRisk, SlaStatus::OnTrack]
        .into_iter()
        .find(|s| both.contains(s))
        .unwrap_or(SlaStatus::Met)
}

const FR_DONE: &str = "coalesce(tickets.first_response_at, tickets.resolved_at)";

fn breached_sql() -> String {
    format!(
        "(({FR_DONE} IS NOT NULL AND {FR_DONE} > tickets.first_response_due_at) \
         OR ({FR_DONE} IS NULL AND coalesce(tickets.sla_paused_at, now()) > tickets.first_response_due_at) \
         OR (tickets.resolved_at IS NOT NULL AND tickets.resolved_at > tickets.resolution_due_at) \
         OR (tickets.resolved_at IS NULL AND coalesce(tickets.sla_paused_at, now()) > tickets.resolution_due_at))"
    )
}

fn close_sql() -> String {
    format!(
        "(({FR_DONE} IS NULL AND now() > tickets.first_response_warn_at) \
         OR (tickets.resolved_at IS NULL AND now() > tickets.resolution_warn_at))"
    )
}

/// The SQL condition "a ticket of `tickets` has this SLA status". Every term is TRUE or FALSE,
/// never NULL.
pub fn status_sql(status: SlaStatus) -> String {
    let (breached, close) = (breached_sql(), close_sql());
    let running = "tickets.sla_paused_at IS NULL";
    // Implied terms on `next_due_at` (a running ticket in time is due ahead; a resolved one sorts
    // last) let the deadline indexes answer the filter with a range scan.
    let ahead = "tickets.next_due_at > now()";
    let done = "tickets.next_due_at = '9999-12-31 00:00:00+00'::timestamptz";
    match status {
        SlaStatus::Breached => breached,
        SlaStatus::Paused => format!("(NOT {breached} AND tickets.sla_paused_at IS NOT NULL)"),
        SlaStatus::AtRisk => format!("({ahead} AND NOT {breached} AND {running} AND {close})"),
        SlaStatus::Met => {
            format!("({done} AND NOT {breached} AND {FR_DONE} IS NOT NULL AND tickets.resolved_at IS NOT NULL)")
        }
        SlaStatus::OnTrack => {
            format!("({ahead} AND NOT {breached} AND {running} AND NOT {close} AND tickets.resolved_at IS NULL)")
        }
    }
}

/// The SLA block of a ticket response.
pub fn present(t: &TicketRow, policy: Option<&Policy>, now: DateTime<Utc>) -> Sla {
    let target = |target: Target| {
        let status = target_status(t, target, now);
        let left = match policy {
            Some(p) if target.done(t).is_none() => {
                let at = t.sla_paused_at.unwrap_or(now);
                let due = target.due(t);
                Some(if at <= due { p.calendar.elapsed(at, due) / 60 } else { -(p.calendar.elapsed(due, at) / 60) })
            }
            _ => None,
        };
        SlaTarget { due_at: target.due(t), status, business_minutes_left: left }
    };
    Sla {
        first_response_due_at: t.first_response_due_at,
        resolution_due_at: t.resolution_due_at,
        status: status(t, now),
        first_response: target(Target::FirstResponse),
        resolution: target(Target::Resolution),
        paused_since: t.sla_paused_at,
        business_hours: policy.is_some_and(|p| p.business_hours),
    }
}

/// Alert levels the monitor sends once per target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    AtRisk,
    Breached,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::AtRisk => "at_risk",
            Level::Breached => "breached",
        }
    }
}

pub fn alert_key(target: Target, level: Level) -> String {
    format!("{}:{}", target.as_str(), level.as_str())
}

fn threshold(t: &TicketRow, target: Target, level: Level) -> DateTime<Utc> {
    match level {
        Level::AtRisk => target.warn(t),
        Level::Breached => target.due(t),
    }
}

/// Whether the SLA clock of `t` is running: an active ticket that is not pending.
fn running(t: &TicketRow) -> bool {
    matches!(t.status, TicketStatus::New | TicketStatus::Open) && t.sla_paused_at.is_none()
}

/// The alerts `t` has reached by `now` and not yet sent, per target the highest level only.
pub fn due_alerts(t: &TicketRow, now: DateTime<Utc>) -> Vec<(Target, Level)> {
    if !running(t) {
        return Vec::new();
    }
    Target::BOTH
        .into_iter()
        .filter(|target| target.done(t).is_none())
        .filter_map(|target| {
            [Level::Breached, Level::AtRisk]
                .into_iter()
                .find(|&level| threshold(t, target, level) <= now)
                .filter(|&level| !t.sla_alerted.iter().flatten().any(|a| *a == alert_key(target, level)))
                .map(|level| (target, level))
        })
        .collect()
}

/// Forgets alerts whose threshold moved into the future (a longer deadline after a pause or a
/// new priority) and sets when the monitor must look next.
pub fn plan_alerts(t: &mut TicketRow, now: DateTime<Utc>) {
    let keep: Vec<Option<String>> = t
        .sla_alerted
        .iter()
        .flatten()
        .filter(|a| {
            Target::BOTH.into_iter().any(|target| {
                [Level::AtRisk, Level::Breached]
                    .into_iter()
                    .any(|level| **a == alert_key(target, level) && threshold(t, target, level) <= now)
            })
        })
        .cloned()
        .map(Some)
        .collect();
    t.sla_alerted = keep;
    t.sla_alert_at = if running(t) {
        Target::BOTH
            .into_iter()
            .filter(|target| target.done(t).is_none())
            .flat_map(|target| [Level::AtRisk, Level::Breached].map(|level| (target, level)))
            .filter(|&(target, level)| !t.sla_alerted.iter().flatten().any(|a| *a == alert_key(target, level)))
            .map(|(target, level)| threshold(t, target, level))
            .min()
    } else {
        None
    };
}

/// Applies the SLA consequences of a change from `before` to `t`: pause when the ticket became
/// pending, resume (moving the deadlines by the paused business time) when it left pending, new
/// deadlines for a new priority, met or late targets; records each as an event and keeps the
/// report facts current. Call before saving the ticket, in the same transaction.
pub fn settle(
    conn: &mut PgConnection,
    before: &TicketRow,
    t: &mut TicketRow,
    actor: &Actor<'_>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let policy = Policy::load(conn, t.contract_tier, t.priority)?;
    let mut changes: Vec<(&'static str, Option<&'static str>, String)> = Vec::new();
    let pending = t.status == TicketStatus::Pending;
    let mut recompute = t.priority != before.priority;
    match t.sla_paused_at {
        None if pending => {
            t.sla_paused_at = Some(now);
            t.pending_reminders = 0;
            changes.push(("sla_paused", None, json!({"since": now}).to_string()));
        }
        Some(since) if !pending => {
            let paused = policy.calendar.elapsed(since, now);
            t.sla_paused_seconds += paused;
            t.sla_paused_at = None;
            recompute = true;
            changes.push(("sla_resumed", None, json!({"paused_business_minutes": paused / 60}).to_string()));
        }
        _ => {}
    }
    if recompute {
        let d = policy.deadlines(t.created_at, t.sla_paused_seconds);
        for target in Target::BOTH {
            if target.done(t).is_some() {
                continue;
            }
            match target {
                Target::FirstResponse => {
                    (t.first_response_due_at, t.first_response_warn_at) =
                        (d.first_response_due_at, d.first_response_warn_at);
                }
                Target::Resolution => {
                    (t.resolution_due_at, t.resolution_warn_at) = (d.resolution_due_at, d.resolution_warn_at);
                }
            }
        }
    }
    for target in Target::BOTH {
        let (Some(done), None) = (target.done(t), target.done(before)) else { continue };
        let used = policy.used_seconds(t, done) / 60;
        let figures =
            json!({"due_at": target.due(t), "business_minutes_used": used, "target_minutes": target.minutes(&policy)});
        if done <= target.due(t) {
            changes.push(("sla_met", Some(target.as_str()), figures.to_string()));
        } else if !t.sla_alerted.iter().flatten().any(|a| *a == alert_key(target, Level::Breached)) {
            // Met late before the monitor saw the breach: the breach is history all the same.
            changes.push(("sla_breached", Some(target.as_str()), figures.to_string()));
            t.sla_alerted.push(Some(alert_key(target, Level::Breached)));
        }
    }
    plan_alerts(t, now);
    let recorded: Vec<(i64, Change<'_>)> =
        changes.iter().map(|(kind, target, figures)| (t.id, Change::Sla { kind, target: *target, figures })).collect();
    events::record_all(conn, actor, &recorded)?;
    record_facts(conn, t, Some(&policy), now)?;
    Ok(())
}

/// Writes the report facts of a ticket (insert or update).
pub fn record_facts(
    conn: &mut PgConnection,
    t: &TicketRow,
    policy: Option<&Policy>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let used = |done: Option<DateTime<Utc>>| done.zip(policy).map(|(d, p)| p.used_seconds(t, d));
    let fr_done = Target::FirstResponse.done(t);
    let breached = |target: Target| matches!(target_status(t, target, now), SlaStatus::Breached);
    let values = (
        sla_facts::ticket_id.eq(t.id),
        sla_facts::created_at.eq(t.created_at),
        sla_facts::contract_tier.eq(t.contract_tier),
        sla_facts::priority.eq(t.priority),
        sla_facts::category_id.eq(t.category_id),
        sla_facts::assignee_id.eq(t.assignee_id),
        sla_facts::first_response_seconds.eq(used(fr_done)),
        sla_facts::first_response_breached.eq(breached(Target::FirstResponse)),
        sla_facts::resolved_at.eq(t.resolved_at),
        sla_facts::resolution_seconds.eq(used(t.resolved_at)),
        sla_facts::resolution_breached.eq(breached(Target::Resolution)),
    );
    diesel::insert_into(sla_facts::table)
        .values(values)
        .on_conflict(sla_facts::ticket_id)
        .do_update()
        .set(values)
        .execute(conn)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Europe::Berlin;

    use super::*;
    use crate::sla::{calendar::Calendar, holidays::Region};

    fn premium_office_hours() -> Policy {
        let day = vec![(8 * 60, 18 * 60)];
        Policy {
            first_response_minutes: 4 * 60,
            resolution_minutes: 40 * 60,
            at_risk_percent: 75,
            calendar: Calendar::new(
                Berlin,
                [day.clone(), day.clone(), day.clone(), day.clone(), day, vec![], vec![]],
                [],
                [],
                Some(Region::Germany),
            ),
            business_hours: true,
        }
    }

    fn berlin(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Berlin.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_friday_afternoon_premium_ticket_is_due_monday_morning() {
        let d = premium_office_hours().deadlines(berlin(2026, 12, 4, 16, 30), 0);
        assert_eq!(d.first_response_due_at, berlin(2026, 12, 7, 10, 30));
        // At risk after 75 % of 4 business hours: Friday 16:30 + 3 h = Monday 09:30.
        assert_eq!(d.first_response_warn_at, berlin(2026, 12, 7, 9, 30));
        // 40 business hours: 1.5 h on Friday, 30 h Monday to Wednesday, 8.5 h on Thursday.
        assert_eq!(d.resolution_due_at, berlin(2026, 12, 10, 16, 30));
    }

    #[test]
    fn two_paused_business_days_move_both_deadlines_by_exactly_two_business_days() {
        let policy = premium_office_hours();
        let created = berlin(2026, 12, 4, 16, 30);
        let before = policy.deadlines(created, 0);
        let paused = 2 * 10 * 3600;
        let after = policy.deadlines(created, paused);
        for (old, new) in [
            (before.first_response_due_at, after.first_response_due_at),
            (before.resolution_due_at, after.resolution_due_at),
            (before.first_response_warn_at, after.first_response_warn_at),
        ] {
            assert_eq!(policy.calendar.elapsed(old, new), paused, "{old} -> {new}");
        }
        assert_eq!(after.first_response_due_at, berlin(2026, 12, 9, 10, 30));
    }
}
