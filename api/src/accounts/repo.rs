//! Queries on accounts. No HTTP here; every function takes the connection so calls compose
//! inside one transaction.

use chrono::Utc;
use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
};
use helpdesk_types::Role;

use super::model::{NewUser, User};
use crate::{
    db::schema::users,
    error::{ApiError, ProblemCode},
};

pub fn insert(conn: &mut PgConnection, new: &NewUser<'_>) -> QueryResult<User> {
    diesel::insert_into(users::table).values(new).returning(User::as_returning()).get_result(conn)
}

/// Creates an account: the one path for registration, administration and the contact form.
/// Email and username are normalised (trimmed, lower-case) and checked for availability (409
/// problems); names are trimmed and a blank company or phone is none.
pub fn create(conn: &mut PgConnection, new: NewUser<'_>) -> Result<User, ApiError> {
    let (email, username) = (new.email.trim().to_lowercase(), new.username.trim().to_lowercase());
    ensure_available(conn, Some(&email), Some(&username))?;
    let new = NewUser {
        email: &email,
        username: &username,
        full_name: new.full_name.trim(),
        company: blank_is_none(new.company),
        phone: blank_is_none(new.phone),
        ..new
    };
    let user = insert(conn, &new).map_err(map_unique_violation)?;
    let data = serde_json::json!({"user": {
        "id": user.id, "username": user.username, "full_name": user.full_name, "email": user.email,
        "role": user.role, "organization_id": user.organization_id, "created_at": user.created_at,
    }});
    crate::webhooks::emit(conn, helpdesk_types::integrations::EventType::UserCreated, None, false, data)?;
    Ok(user)
}

fn blank_is_none(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<Option<User>> {
    users::table.find(id).select(User::as_select()).first(conn).optional()
}

/// By email address or username (both stored lower-case).
pub fn find_by_login(conn: &mut PgConnection, login: &str) -> QueryResult<Option<User>> {
    let login = login.trim().to_lowercase();
    users::table
        .filter(users::email.eq(&login).or(users::username.eq(&login)))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<User>> {
    users::table.filter(users::email.eq(email.trim().to_lowercase())).select(User::as_select()).first(conn).optional()
}

pub fn email_taken(conn: &mut PgConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::email.eq(email)))).get_result(conn)
}

pub fn username_taken(conn: &mut PgConnection, username: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::username.eq(username)))).get_result(conn)
}

/// 409 problems for an email or username that is already registered.
pub fn ensure_available(conn: &mut PgConnection, email: Option<&str>, username: Option<&str>) -> Result<(), ApiError> {
    if let Some(email) = email
        && email_taken(conn, email)?
    {
        return Err(ApiError::conflict_field(ProblemCode::EmailTaken, "email", "is already registered"));
    }
    if let Some(username) = username
        && username_taken(conn, username)?
    {
        return Err(ApiError::conflict_field(ProblemCode::UsernameTaken, "username", "is already taken"));
    }
    Ok(())
}

/// Maps a unique violation that slipped past [`ensure_available`] (a concurrent insert) to the
/// same 409 problem.
pub fn map_unique_violation(err: DieselError) -> ApiError {
    if let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &err {
        match info.constraint_name() {
            Some("users_email_key") => {
                return ApiError::conflict_field(ProblemCode::EmailTaken, "email", "is already registered");
            }
            Some("users_username_key") => {
                return ApiError::conflict_field(ProblemCode::UsernameTaken, "username", "is already taken");
            }
            _ => {}
        }
    }
    err.into()
}

pub fn count_active_with_role(conn: &mut PgConnection, role: Role) -> QueryResult<i64> {
    users::table.filter(users::role.eq(role)).filter(users::active.eq(true)).count().get_result(conn)
}

pub fn set_password(conn: &mut PgConnection, user_id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(Utc::now())))
        .execute(conn)
}

/// Records activity (sign-in, refresh) for the inactivity rules of P2; a warning no longer holds.
pub fn mark_active(conn: &mut PgConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((users::last_active_at.eq(Utc::now()), users::inactivity_warned_at.eq(None::<chrono::DateTime<Utc>>)))
        .execute(conn)
}

/// Customers whose phone number has the same digits, or the same last nine digits (so
/// `+49 30 1234567` finds `030 1234567`), oldest first.
pub fn customers_by_phone(conn: &mut PgConnection, digits: &str, limit: i64) -> QueryResult<Vec<User>> {
    use diesel::{dsl::sql, sql_types::Bool};
    users::table
        .filter(users::role.eq(Role::Customer))
        .filter(
            sql::<Bool>("(users.phone_digits = ")
                .bind::<diesel::sql_types::Text, _>(digits.to_owned())
                .sql(" OR (length(users.phone_digits) >= 9 AND length(")
                .bind::<diesel::sql_types::Text, _>(digits.to_owned())
                .sql(") >= 9 AND right(users.phone_digits, 9) = right(")
                .bind::<diesel::sql_types::Text, _>(digits.to_owned())
                .sql(", 9)))"),
        )
        .select(User::as_select())
        .order(users::id)
        .limit(limit)
        .load(conn)
}

/// The organization is deleted: its members stay, without an organization.
pub fn leave_organization(conn: &mut PgConnection, organization_id: i64) -> QueryResult<usize> {
    diesel::update(users::table.filter(users::organization_id.eq(organization_id)))
        .set(users::organization_id.eq(None::<i64>))
        .execute(conn)
}

/// The address is proven: it becomes the account's email (an email change takes effect here).
pub fn set_verified_email(conn: &mut PgConnection, user_id: i64, email: &str) -> QueryResult<User> {
    let now = Utc::now();
    diesel::update(users::table.find(user_id))
        .set((
            users::email.eq(email),
            users::pending_email.eq(None::<String>),
            users::email_verified_at.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(User::as_returning())
        .get_result(conn)
}

/// A new address waits for its link.
pub fn set_pending_email(conn: &mut PgConnection, user_id: i64, email: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((users::pending_email.eq(email), users::updated_at.eq(Utc::now())))
        .execute(conn)
}

/// Puts the person into an organization (or none), clearing any open request.
pub fn set_organization(conn: &mut PgConnection, user_id: i64, organization_id: Option<i64>) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::organization_id.eq(organization_id),
            users::requested_organization_id.eq(None::<i64>),
            users::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
}

/// Asks to join an organization that wants an admin's approval.
pub fn request_organization(conn: &mut PgConnection, user_id: i64, organization_id: Option<i64>) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id)).set(users::requested_organization_id.eq(organization_id)).execute(conn)
}

/// People waiting for an admin to let them into the organization, oldest request first.
pub fn pending_members(conn: &mut PgConnection, organization_id: i64) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::requested_organization_id.eq(organization_id))
        .select(User::as_select())
        .order(users::id)
        .load(conn)
}

/// Erasure (P12): the account keeps its id (tickets and events point to it) and its role, and
/// loses everything personal.
pub fn anonymize(conn: &mut PgConnection, user_id: i64, label: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::full_name.eq(label),
            users::email.eq(format!("deleted-{user_id}@erased.invalid")),
            users::username.eq(format!("deleted-{user_id}")),
            users::company.eq(None::<String>),
            users::phone.eq(None::<String>),
            users::password_hash.eq(None::<String>),
            users::active.eq(false),
            users::organization_id.eq(None::<i64>),
            users::requested_organization_id.eq(None::<i64>),
            users::pending_email.eq(None::<String>),
            users::email_verified_at.eq(None::<chrono::DateTime<Utc>>),
            users::two_factor_enabled_at.eq(None::<chrono::DateTime<Utc>>),
            users::inactivity_warned_at.eq(None::<chrono::DateTime<Utc>>),
            users::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
}
