//! Queries on accounts. No HTTP here; every function takes the connection so calls compose
//! inside one transaction.

use diesel::prelude::*;
use helpdesk_types::Role;

use super::model::{NewUser, User};
use crate::db::schema::users;

pub fn insert(conn: &mut PgConnection, new: &NewUser<'_>) -> QueryResult<User> {
    diesel::insert_into(users::table).values(new).returning(User::as_returning()).get_result(conn)
}

pub fn email_taken(conn: &mut PgConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::email.eq(email)))).get_result(conn)
}

pub fn username_taken(conn: &mut PgConnection, username: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::username.eq(username)))).get_result(conn)
}

pub fn count_active_with_role(conn: &mut PgConnection, role: Role) -> QueryResult<i64> {
    users::table.filter(users::role.eq(role)).filter(users::active.eq(true)).count().get_result(conn)
}
