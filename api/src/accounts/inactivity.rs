//! P2: accounts unused for `HELPDESK_INACTIVE_ACCOUNT_DAYS` (730) are erased, after a warning
//! mail `HELPDESK_INACTIVE_ACCOUNT_WARNING_DAYS` (30) before. Signing in (or a session refresh)
//! resets the clock. Staff accounts are never erased automatically: they are reported to the
//! admins in the audit log instead. Run by the clean-up job.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use helpdesk_types::Role;
use serde_json::json;

use super::{erasure, model::User};
use crate::{audit, config::Policies, db::schema::users, email, error::ApiError};

/// Accounts handled per pass (the job runs every minute).
const BATCH: i64 = 100;

#[derive(Debug, Default)]
pub struct Outcome {
    pub warned: usize,
    pub erased: usize,
    pub staff_reported: usize,
    /// Object keys of erased accounts' files, to delete after the commit.
    pub object_keys: Vec<String>,
}

/// Not yet erased (an erased account keeps only its id and role).
fn not_erased() -> diesel::dsl::NotLike<users::email, &'static str> {
    users::email.not_like("%@erased.invalid")
}

pub fn enforce(conn: &mut PgConnection, policies: &Policies, public_url: &str) -> Result<Outcome, ApiError> {
    let now = Utc::now();
    let delete_after = Duration::days(policies.inactive_account_deletion_days.into());
    let warn_before = Duration::days(policies.inactive_account_warning_days.into());
    let mut out = Outcome::default();

    let to_warn: Vec<User> = users::table
        .filter(users::role.eq(Role::Customer))
        .filter(not_erased())
        .filter(users::inactivity_warned_at.is_null())
        .filter(users::last_active_at.lt(now - (delete_after - warn_before)))
        .select(User::as_select())
        .limit(BATCH)
        .load(conn)?;
    for user in to_warn {
        let message = email::Message::InactivityWarning {
            name: user.full_name.clone(),
            days_left: policies.inactive_account_warning_days,
        };
        email::enqueue(conn, &user.email, user.locale, &message, public_url)?;
        diesel::update(users::table.find(user.id)).set(users::inactivity_warned_at.eq(now)).execute(conn)?;
        log(conn, "inactivity_warning", user.id)?;
        out.warned += 1;
    }

    let to_erase: Vec<User> = users::table
        .filter(users::role.eq(Role::Customer))
        .filter(not_erased())
        .filter(users::last_active_at.lt(now - delete_after))
        .filter(users::inactivity_warned_at.le(now - warn_before))
        .select(User::as_select())
        .limit(BATCH)
        .load(conn)?;
    let by = erasure::Eraser { id: None, name: "Helpdesk", client_ip: None, reason: "inactivity" };
    for user in to_erase {
        out.object_keys.extend(erasure::erase(conn, &user, &by, public_url)?);
        out.erased += 1;
    }

    let staff: Vec<i64> = users::table
        .filter(users::role.ne(Role::Customer))
        .filter(not_erased())
        .filter(users::inactivity_warned_at.is_null())
        .filter(users::last_active_at.lt(now - delete_after))
        .select(users::id)
        .limit(BATCH)
        .load(conn)?;
    for id in staff {
        diesel::update(users::table.find(id)).set(users::inactivity_warned_at.eq(now)).execute(conn)?;
        log(conn, "inactive_staff_reported", id)?;
        out.staff_reported += 1;
    }
    Ok(out)
}

fn log(conn: &mut PgConnection, action: &str, user_id: i64) -> QueryResult<()> {
    audit::record(
        conn,
        &audit::Entry {
            actor_id: None,
            actor_name: "Helpdesk",
            action,
            subject_id: Some(user_id),
            details: json!({}),
            client_ip: None,
        },
    )
}
