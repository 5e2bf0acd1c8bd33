//! `/api/v1/tickets`, their comments, events and attachments, the dashboard counts and the
//! phone lookup.

use helpdesk_types::{
    Page,
    organizations::Category,
    tickets::{
        Attachment, Comment, CreateComment, CreateTicket, CustomerMatch, PersonRef, Ticket, TicketEvent, TicketQuery,
        TicketStats, UpdateTicket,
    },
};

use super::{ApiError, enc, get, patch, post};
use crate::session::Session;

/// A page of the tickets the person may see; the query is the server's documented one.
pub async fn list(session: Session, query: &TicketQuery) -> Result<Page<Ticket>, ApiError> {
    get(session, &format!("/api/v1/tickets?{}", query.to_query_string())).await
}

pub async fn by_number(session: Session, number: &str) -> Result<Ticket, ApiError> {
    get(session, &format!("/api/v1/tickets/by-number/{}", enc(number))).await
}

/// Opens a ticket; a retry with the same `key` (after a lost answer) returns the same ticket.
pub async fn create(session: Session, body: &CreateTicket, key: &str) -> Result<Ticket, ApiError> {
    super::call_with(session, super::Method::Post, "/api/v1/tickets", Some(body), &[("Idempotency-Key", key)]).await
}

/// The colleagues a ticket can be assigned to.
pub async fn agents(session: Session) -> Result<Vec<PersonRef>, ApiError> {
    get(session, "/api/v1/agents").await
}

pub async fn update(session: Session, id: i64, body: &UpdateTicket) -> Result<Ticket, ApiError> {
    patch(session, &format!("/api/v1/tickets/{id}"), body).await
}

/// Every page of a per-ticket list (comments, events, attachments), in order.
async fn all_pages<T: serde::de::DeserializeOwned>(session: Session, path: &str) -> Result<Vec<T>, ApiError> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit=100&cursor={}", enc(c)),
            None => format!("{path}?limit=100"),
        };
        let page: Page<T> = get(session, &url).await?;
        items.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
}

pub async fn comments(session: Session, id: i64) -> Result<Vec<Comment>, ApiError> {
    all_pages(session, &format!("/api/v1/tickets/{id}/comments")).await
}

pub async fn add_comment(session: Session, id: i64, body: &CreateComment) -> Result<Comment, ApiError> {
    post(session, &format!("/api/v1/tickets/{id}/comments"), body).await
}

pub async fn events(session: Session, id: i64) -> Result<Vec<TicketEvent>, ApiError> {
    all_pages(session, &format!("/api/v1/tickets/{id}/events")).await
}

pub async fn attachments(session: Session, id: i64) -> Result<Vec<Attachment>, ApiError> {
    all_pages(session, &format!("/api/v1/tickets/{id}/attachments")).await
}

/// The path a file is downloaded from (with the access token).
pub fn attachment_path(attachment_id: i64) -> String {
    format!("/api/v1/attachments/{attachment_id}")
}

pub async fn stats(session: Session) -> Result<TicketStats, ApiError> {
    get(session, "/api/v1/tickets/stats").await
}

/// Customers whose phone number matches the caller's.
pub async fn lookup_caller(session: Session, phone: &str) -> Result<Vec<CustomerMatch>, ApiError> {
    get(session, &format!("/api/v1/customers/lookup?phone={}", enc(phone))).await
}

/// The categories a ticket can be filed under (staff also see inactive ones).
pub async fn categories(session: Session) -> Result<Vec<Category>, ApiError> {
    get(session, "/api/v1/categories").await
}
