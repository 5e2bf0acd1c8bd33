//! `helpdesk create-admin`: the first administrator, created from the command line.

use diesel::{Connection, PgConnection};
use helpdesk_types::{Locale, Role, accounts::CreateUser, validation};
use validator::Validate;

use super::{
    model::{NewUser, User},
    repo,
};
use crate::{auth::password, error::field_errors};

/// Why an admin could not be created; printed as one line, exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum CreateAdminError {
    #[error("invalid {field}: {message}")]
    Invalid { field: String, message: String },
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

/// Checks the input with exactly the rules of `POST /api/v1/users` (the command line names the
/// full name `name`).
fn validated(input: &CreateAdmin<'_>) -> Result<CreateUser, CreateAdminError> {
    let request = CreateUser {
        full_name: input.full_name.trim().to_owned(),
        email: input.email.trim().to_lowercase(),
        username: input.username.map_or_else(|| validation::suggest_username(input.email), |u| u.trim().to_lowercase()),
        role: Role::Admin,
        organization_id: None,
        password: Some(input.password.to_owned()),
        locale: Some(Locale::En),
    };
    request.validate().map_err(|errors| {
        let (field, messages) = field_errors(&errors).into_iter().next().unwrap_or_default();
        let field = if field == "full_name" { "name".to_owned() } else { field };
        CreateAdminError::Invalid { field, message: messages.join("; ") }
    })?;
    Ok(request)
}

pub fn create_admin(conn: &mut PgConnection, input: &CreateAdmin<'_>) -> Result<User, CreateAdminError> {
    let request = validated(input)?;
    let hash = password::hash(input.password, input.bcrypt_cost)?;
    let (email, username) = (request.email.as_str(), request.username.as_str());
    conn.transaction(|conn| {
        if repo::email_taken(conn, email)? {
            return Err(CreateAdminError::EmailTaken(email.to_owned()));
        }
        if repo::username_taken(conn, username)? {
            return Err(CreateAdminError::UsernameTaken(username.to_owned()));
        }
        let user = repo::insert(
            conn,
            &NewUser {
                email,
                username,
                full_name: &request.full_name,
                company: None,
                phone: None,
                password_hash: Some(&hash),
                role: Role::Admin,
                locale: Locale::En,
                organization_id: None,
                email_verified_at: Some(chrono::Utc::now()),
            },
        )?;
        Ok(user)
    })
}

/// Whether an active admin exists (used by `create-admin --if-none`).
pub fn admin_exists(conn: &mut PgConnection) -> anyhow::Result<bool> {
    Ok(repo::count_active_with_role(conn, Role::Admin)? > 0)
}
