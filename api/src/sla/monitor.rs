//! The SLA monitor (every minute): finds tickets whose next SLA threshold has come
//! (`sla_alert_at`, an indexed column), records the at-risk or breach event once per target and
//! tells the people responsible.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use helpdesk_types::integrations::EventType;
use serde_json::json;

use super::clock::{self, Level, Target};
use crate::{
    db::schema::{sla_facts, tickets},
    error::ApiError,
    notifications::{self, Topic},
    tickets::{
        events::{self, Actor, Change},
        model::TicketRow,
    },
};

/// Tickets handled per transaction.
const BATCH: i64 = 200;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Checked {
    pub warnings: usize,
    pub breaches: usize,
}

/// Handles every ticket whose threshold has come, in batches of [`BATCH`] per transaction.
pub fn run(conn: &mut PgConnection, public_url: &str) -> Result<Checked, ApiError> {
    let mut total = Checked::default();
    loop {
        let (checked, n) = conn.transaction(|conn| batch(conn, public_url, Utc::now()))?;
        total.warnings += checked.warnings;
        total.breaches += checked.breaches;
        if n < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(total);
        }
    }
}

fn batch(conn: &mut PgConnection, public_url: &str, now: DateTime<Utc>) -> Result<(Checked, usize), ApiError> {
    let due: Vec<TicketRow> = tickets::table
        .filter(tickets::sla_alert_at.le(now))
        .order(tickets::sla_alert_at)
        .limit(BATCH)
        .for_update()
        .skip_locked()
        .select(TicketRow::as_select())
        .load(conn)?;
    let mut checked = Checked::default();
    let policies = clock::Policies::load(conn)?;
    for mut t in due.iter().cloned() {
        let Some(policy) = policies.get(t.contract_tier, t.priority) else { continue };
        for (target, level) in clock::due_alerts(&t, now) {
            // Record every level reached, notify the highest only.
            let levels: &[Level] = match level {
                Level::Breached => &[Level::AtRisk, Level::Breached],
                Level::AtRisk => &[Level::AtRisk],
            };
            for &l in levels {
                let key = clock::alert_key(target, l);
                if t.sla_alerted.iter().flatten().any(|a| *a == key) {
                    continue;
                }
                let used = policy.calendar.elapsed(t.created_at, now) / 60 - t.sla_paused_seconds / 60;
                let figures = json!({"due_at": target.due(&t), "business_minutes_used": used.max(0)}).to_string();
                let kind = match l {
                    Level::AtRisk => "sla_at_risk",
                    Level::Breached => "sla_breached",
                };
                events::record(
                    conn,
                    t.id,
                    &Actor::HELPDESK,
                    Change::Sla { kind, target: Some(target.as_str()), figures: &figures },
                )?;
                t.sla_alerted.push(Some(key));
            }
            if level == Level::Breached {
                checked.breaches += 1;
                let facts = diesel::update(sla_facts::table.find(t.id));
                match target {
                    Target::FirstResponse => facts.set(sla_facts::first_response_breached.eq(true)).execute(conn)?,
                    Target::Resolution => facts.set(sla_facts::resolution_breached.eq(true)).execute(conn)?,
                };
            } else {
                checked.warnings += 1;
            }
            let topic = if level == Level::Breached { Topic::SlaBreach } else { Topic::SlaWarning };
            notifications::sla_alert(conn, &t, topic, target, public_url)?;
            let event = if level == Level::Breached { EventType::SlaBreached } else { EventType::SlaWarning };
            let mut data = crate::webhooks::ticket_data(&t);
            data["target"] = json!(target.as_str());
            data["due_at"] = json!(target.due(&t));
            crate::webhooks::emit(conn, event, Some(t.id), false, data)?;
        }
        clock::plan_alerts(&mut t, now);
        diesel::update(tickets::table.find(t.id))
            .set((tickets::sla_alerted.eq(&t.sla_alerted), tickets::sla_alert_at.eq(t.sla_alert_at)))
            .execute(conn)?;
    }
    Ok((checked, due.len()))
}
