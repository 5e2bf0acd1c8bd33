//! `helpdesk create-admin`: the first administrator, created from the command line.

use diesel::{Connection, PgConnection};
use helpdesk_types::{Locale, Role};

use super::{
    domain::{Email, FullName, Username},
    model::{NewUser, User},
    repo,
};
use crate::auth::password;

/// Why an admin could not be created; printed as one line, exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum CreateAdminError {
    #[error("invalid {field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("an account with the email {0} already exists")]
    EmailTaken(String),
    #[error("the username {0} is taken; choose another with --username")]
    UsernameTaken(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub struct CreateAdmin<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
    pub username: Option<&'a str>,
    pub password: &'a str,
    pub bcrypt_cost: u32,
}

fn invalid(field: &'static str) -> impl FnOnce(String) -> CreateAdminError {
    move |message| CreateAdminError::Invalid { field, message }
}

pub fn create_admin(conn: &mut PgConnection, input: &CreateAdmin<'_>) -> Result<User, CreateAdminError> {
    let email = Email::parse(input.email).map_err(invalid("email"))?;
    let full_name = FullName::parse(input.full_name).map_err(invalid("name"))?;
    let username = match input.username {
        Some(u) => Username::parse(u).map_err(invalid("username"))?,
        None => Username::suggest_from(&email),
    };
    if input.password.chars().count() < password::MIN_PASSWORD_CHARS {
        return Err(CreateAdminError::Invalid {
            field: "password",
            message: format!("must be at least {} characters", password::MIN_PASSWORD_CHARS),
        });
    }
    let hash = password::hash(input.password, input.bcrypt_cost)
        .map_err(|_| invalid("password")(format!("must be at most {} bytes", password::MAX_PASSWORD_BYTES)))?;
    conn.transaction(|conn| {
        if repo::email_taken(conn, email.as_str())? {
            return Err(CreateAdminError::EmailTaken(email.as_str().to_owned()));
        }
        if repo::username_taken(conn, username.as_str())? {
            return Err(CreateAdminError::UsernameTaken(username.as_str().to_owned()));
        }
        let user = repo::insert(
            conn,
            &NewUser {
                email: email.as_str(),
                username: username.as_str(),
                full_name: &full_name.into_inner(),
                company: None,
                phone: None,
                password_hash: Some(&hash),
                role: Role::Admin,
                locale: Locale::En,
                organization_id: None,
            },
        )?;
        Ok(user)
    })
}

/// Whether an active admin exists (used by `create-admin --if-none`).
pub fn admin_exists(conn: &mut PgConnection) -> anyhow::Result<bool> {
    Ok(repo::count_active_with_role(conn, Role::Admin)? > 0)
}
