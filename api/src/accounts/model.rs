//! Diesel rows of the `users` table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use helpdesk_types::{Locale, Role};

use crate::db::schema::users;

/// An account as stored.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub full_name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub password_hash: Option<String>,
    pub role: Role,
    pub locale: Locale,
    pub active: bool,
    pub last_active_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub organization_id: Option<i64>,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub pending_email: Option<String>,
    pub requested_organization_id: Option<i64>,
    pub two_factor_enabled_at: Option<DateTime<Utc>>,
    pub restricted_at: Option<DateTime<Utc>>,
    pub refused_notifications: Vec<Option<String>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub username: &'a str,
    pub full_name: &'a str,
    pub company: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub role: Role,
    pub locale: Locale,
    pub organization_id: Option<i64>,
    /// Set when the address is known to be the person's (accounts made by an admin).
    pub email_verified_at: Option<DateTime<Utc>>,
}

impl From<User> for helpdesk_types::Account {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            username: u.username,
            full_name: u.full_name,
            company: u.company,
            phone: u.phone,
            role: u.role,
            locale: u.locale,
            active: u.active,
            created_at: u.created_at,
            updated_at: u.updated_at,
            last_active_at: u.last_active_at,
            organization_id: u.organization_id,
            email_verified: u.email_verified_at.is_some(),
            pending_email: u.pending_email,
            two_factor_enabled: u.two_factor_enabled_at.is_some(),
            restricted: u.restricted_at.is_some(),
            refused_notifications: u.refused_notifications.iter().flatten().filter_map(|k| k.parse().ok()).collect(),
        }
    }
}
