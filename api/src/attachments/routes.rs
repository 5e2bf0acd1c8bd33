//! `POST/GET /api/v1/tickets/{id}/attachments`, `GET/DELETE /api/v1/attachments/{id}`.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, post, web};
use chrono::Utc;
use diesel::Connection;
use helpdesk_types::{Page, Problem, tickets::Attachment};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    model::NewAttachment,
    receive::{self, Received},
    repo,
};
use crate::{
    auth::AuthUser,
    db,
    error::ApiError,
    pagination::{self, PageQuery},
    state::AppState,
    tickets::{
        events::{self, Change},
        model::TicketRow,
        policy::{self, Viewer},
        repo as tickets,
    },
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(upload).service(list_attachments).service(download).service(delete_attachment);
}

/// The ticket and the caller, checked before the body is read: visible, not closed, and the
/// uploader's daily quota not used up; with the bytes still allowed today.
async fn open_ticket(state: &AppState, user: AuthUser, id: i64) -> Result<(Viewer, TicketRow, u64), ApiError> {
    let quota = state.config.upload_quota_bytes_per_day;
    db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        let ticket = tickets::find_visible(conn, &viewer, id, false)?;
        policy::ensure_open(&ticket)?;
        policy::ensure_not_restricted(&viewer)?;
        policy::ensure_requester_not_restricted(tickets::requester_restricted(conn, &ticket)?)?;
        let used = repo::bytes_uploaded_since(conn, viewer.user_id, Utc::now() - chrono::Duration::hours(24))?;
        let left = quota.saturating_sub(u64::try_from(used).unwrap_or(0));
        if left == 0 {
            return Err(receive::quota_exceeded(quota));
        }
        Ok((viewer, ticket, left))
    })
    .await
}

/// The multipart body of an upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "describes the multipart form for the OpenAPI document only")]
pub struct AttachmentUpload {
    /// One or more files (at most 10).
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
    /// Attach the files to this comment of the ticket.
    comment_id: Option<i64>,
}

/// A file's bytes, as the OpenAPI document describes them.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code, reason = "describes a binary body for the OpenAPI document only")]
pub struct Binary(Vec<u8>);

/// Upload one or more files (field `file`), optionally to a comment (field `comment_id`). Only
/// JPG, JPEG, PNG, GIF, PDF, DOC, DOCX, TXT, ZIP and RAR, each at most 5 MiB, with content that
/// matches the extension. Files on an internal note are staff-only like the note.
#[utoipa::path(
    operation_id = "uploadAttachments",
    tag = "attachments",
    params(("id" = i64, Path, description = "Ticket id")),
    request_body(content_type = "multipart/form-data", content = AttachmentUpload, description = "Fields `file` (one or more) and optionally `comment_id`."),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The stored attachments.", body = Vec<Attachment>),
        (status = 404, description = "No such ticket (or comment), or not visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`ticket_closed`.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "A file is larger than the limit.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A file type is not allowed or its content does not match its extension.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, an empty file, or a bad `comment_id`.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`upload_quota_exceeded`: more than the daily upload quota.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/tickets/{id}/attachments")]
pub async fn upload(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    mut payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let (viewer, ticket, quota_left) = match open_ticket(&state, user, id.into_inner()).await {
        Ok(found) => found,
        Err(err) => {
            receive::drain(&mut payload).await;
            return Err(err);
        }
    };
    let mut stored = Vec::new();
    let mut broken = false;
    let result = async {
        let comment_id = receive::receive_all(&state, &mut payload, &mut stored, &mut broken, quota_left).await?;
        if stored.is_empty() {
            return Err(ApiError::field("file", "at least one file is required"));
        }
        let files: Vec<Received> = stored.iter().map(Received::clone).collect();
        db::run(&state.pool, move |conn| conn.transaction(|conn| record(conn, &viewer, &ticket, comment_id, &files)))
            .await
    }
    .await;
    match result {
        Ok(created) => Ok(HttpResponse::Created().json(created)),
        Err(err) => {
            // Nothing stays behind: objects stored for this request are removed again.
            state.storage.delete_all(&stored.iter().map(|r| r.key.clone()).collect::<Vec<_>>()).await;
            if !broken {
                receive::drain(&mut payload).await;
            }
            Err(err)
        }
    }
}

/// The rows and events of stored files. Files on a comment share its visibility; a comment the
/// uploader may not read is "not found". Used by uploads and by mail (`inbound`).
pub fn record(
    conn: &mut diesel::PgConnection,
    viewer: &Viewer,
    ticket: &TicketRow,
    comment_id: Option<i64>,
    files: &[Received],
) -> Result<Vec<Attachment>, ApiError> {
    let internal = match comment_id {
        Some(cid) => tickets::comment_internal(conn, viewer, ticket.id, cid)?.ok_or(ApiError::NotFound)?,
        None => false,
    };
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let row = repo::insert(
            conn,
            &NewAttachment {
                ticket_id: ticket.id,
                comment_id,
                internal,
                object_key: &file.key,
                filename: &file.filename,
                content_type: file.content_type,
                size: file.size,
                sha256: &file.sha256,
                uploaded_by: Some(viewer.user_id),
                expires_at: None,
            },
        )?;
        events::record(
            conn,
            ticket.id,
            &viewer.actor(),
            Change::AttachmentAdded { filename: &file.filename, internal },
        )?;
        let data = serde_json::json!({"ticket_id": ticket.id, "attachment": &Attachment::from(row.clone())});
        crate::webhooks::emit(
            conn,
            helpdesk_types::integrations::EventType::AttachmentCreated,
            Some(ticket.id),
            internal,
            data,
        )?;
        out.push(Attachment::from(row));
    }
    // Files on an internal note change nothing a customer sees, `updated_at` included.
    if !internal {
        tickets::touch(conn, ticket.id)?;
    }
    Ok(out)
}

/// The attachments of a ticket you may see (customers: none from internal notes), oldest first.
#[utoipa::path(
    operation_id = "listTicketAttachments",
    tag = "attachments",
    params(("id" = i64, Path, description = "Ticket id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the attachments.", body = Page<Attachment>),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/{id}/attachments")]
pub async fn list_attachments(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Attachment>>, ApiError> {
    let (id, (limit, after)) = (id.into_inner(), page.parse()?);
    let rows = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        tickets::find_visible(conn, &viewer, id, false)?;
        Ok(repo::of_ticket(conn, &viewer, id, after, limit)?)
    })
    .await?;
    let (rows, next_cursor) = pagination::page(rows, limit, |a| a.id);
    Ok(web::Json(Page { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// `filename*=UTF-8''...` (RFC 6266/8187) with an ASCII fallback.
fn content_disposition(filename: &str) -> String {
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let fallback: String =
        filename.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' { c } else { '_' }).collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Download the bytes. Always as a download (`Content-Disposition: attachment`), with the
/// validated type and `nosniff`, never cached by shared caches.
#[utoipa::path(
    operation_id = "downloadAttachment",
    tag = "attachments",
    params(("id" = i64, Path, description = "Attachment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file, with its validated type.",
         content(
             (Binary = "image/jpeg"), (Binary = "image/png"), (Binary = "image/gif"), (Binary = "application/pdf"),
             (Binary = "application/msword"), (Binary = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
             (Binary = "text/plain"), (Binary = "application/zip"), (Binary = "application/vnd.rar"),
             (Binary = "message/rfc822"),
         ),
         headers(("ETag" = String, description = "The SHA-256 of the content"), ("Content-Disposition" = String, description = "attachment; filename*=UTF-8''..."))),
        (status = 304, description = "Not modified (If-None-Match)."),
        (status = 404, description = "No such attachment, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/attachments/{id}")]
pub async fn download(
    user: AuthUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (row, _) = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        repo::find_visible(conn, &viewer, id)
    })
    .await?;
    let etag = format!("\"{}\"", row.sha256);
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    let stream = state
        .storage
        .get(&row.object_key)
        .await
        .map_err(|e| e.context(format!("attachment {} has no object", row.id)))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, row.content_type.clone()))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(&row.filename)))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .no_chunking(u64::try_from(row.size).unwrap_or_default())
        .streaming(stream))
}

/// Delete an attachment: its uploader within 15 minutes, or staff. Recorded as a ticket event.
#[utoipa::path(
    tag = "attachments",
    params(("id" = i64, Path, description = "Attachment id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "Only the uploader (within 15 minutes) or staff may delete it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such attachment, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/attachments/{id}")]
pub async fn delete_attachment(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let key = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let viewer = Viewer::load(conn, &user)?;
            let (row, ticket) = repo::find_visible(conn, &viewer, id)?;
            policy::ensure_may_remove_attachment(&viewer, &ticket, row.uploaded_by, row.created_at, Utc::now())?;
            repo::delete(conn, id)?;
            let removed = Change::AttachmentRemoved { filename: &row.filename, internal: row.internal };
            events::record(conn, row.ticket_id, &viewer.actor(), removed)?;
            Ok(row.object_key)
        })
    })
    .await?;
    // The object goes after the commit; if that fails, the sweep removes it later.
    state.storage.delete_all(&[key]).await;
    Ok(HttpResponse::NoContent().finish())
}
