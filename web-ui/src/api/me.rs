//! `/api/v1/me`: the signed-in person's own account.

use helpdesk_types::{
    Account,
    accounts::{ChangePassword, UpdateMe},
};

use super::{ApiError, patch, put};
use crate::session::Session;

pub async fn update(session: Session, body: &UpdateMe) -> Result<Account, ApiError> {
    patch(session, "/api/v1/me", body).await
}

pub async fn change_password(session: Session, body: &ChangePassword) -> Result<(), ApiError> {
    put(session, "/api/v1/me/password", body).await
}
