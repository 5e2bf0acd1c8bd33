//! `/api/v1/contact` and `/api/v1/requests/{token}`: the contact form and the private link.

use helpdesk_types::{
    accounts::Notice,
    contact::{ContactRequest, RequestView},
    tickets::CreateComment,
};

use super::{ApiError, Method, anonymous, enc, public_get};

pub async fn send(body: &ContactRequest) -> Result<Notice, ApiError> {
    anonymous(Method::Post, "/api/v1/contact", body).await
}

pub async fn view(token: &str) -> Result<RequestView, ApiError> {
    public_get(&format!("/api/v1/requests/{}", enc(token))).await
}

pub async fn reply(token: &str, body: &CreateComment) -> Result<(), ApiError> {
    anonymous(Method::Post, &format!("/api/v1/requests/{}/comments", enc(token)), body).await
}
