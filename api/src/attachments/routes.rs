//! `POST/GET /api/v1/tickets/{id}/attachments`, `GET/DELETE /api/v1/attachments/{id}`.

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, post, web};
use bytes::BytesMut;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use futures_util::TryStreamExt;
use helpdesk_types::{
    Problem,
    tickets::{Attachment, TicketStatus},
};
use sha2::{Digest, Sha256};
use utoipa_actix_web::service_config::ServiceConfig;

use super::validate;
use crate::{
    app::AppState,
    auth::{AuthUser, tokens},
    db::{
        self,
        schema::{attachments, comments, tickets},
    },
    error::ApiError,
    tickets::{
        access::{Viewer, find_visible},
        events::{self, Change},
        model::TicketRow,
    },
};

/// Files per upload request.
const MAX_FILES: usize = 10;
/// How long uploaders may delete their own attachment.
const OWN_DELETE_MINUTES: i64 = 15;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(upload).service(list_attachments).service(download).service(delete_attachment);
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments, check_for_backend(diesel::pg::Pg))]
pub struct AttachmentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub comment_id: Option<i64>,
    pub internal: bool,
    pub object_key: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<AttachmentRow> for Attachment {
    fn from(r: AttachmentRow) -> Self {
        Self {
            id: r.id,
            filename: r.filename,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            uploaded_by: r.uploaded_by,
            created_at: r.created_at,
            comment_id: r.comment_id,
        }
    }
}

/// A file stored in the object store whose row is not committed yet.
struct Received {
    key: String,
    filename: String,
    content_type: &'static str,
    size: i64,
    sha256: String,
}

fn multipart_error(err: MultipartError) -> ApiError {
    match err {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => {
            ApiError::UnsupportedMediaType("Send the files as multipart/form-data in the field `file`.".into())
        }
        other => ApiError::bad_request(format!("The multipart body could not be read: {other}")),
    }
}

/// A failure of the multipart stream itself; after one, the stream must not be polled again.
fn stream_error(err: MultipartError, broken: &mut bool) -> ApiError {
    *broken = true;
    multipart_error(err)
}

fn unsupported_type() -> ApiError {
    ApiError::UnsupportedMediaType(format!(
        "Only these file types are accepted, and the content must match the extension: {}.",
        validate::allowed_list()
    ))
}

/// Reads one file field, keeping at most `limit` bytes, and checks its type by content.
async fn receive(field: &mut Field, limit: u64, broken: &mut bool) -> Result<(Received, bytes::Bytes), ApiError> {
    let raw_name = field.content_disposition().and_then(|cd| cd.get_filename()).unwrap_or_default().to_owned();
    let ext =
        validate::extension(&raw_name).filter(|e| validate::content_type(e).is_some()).ok_or_else(unsupported_type)?;
    let mut buf = BytesMut::new();
    while let Some(chunk) = field.try_next().await.map_err(|e| stream_error(e, broken))? {
        if (buf.len() + chunk.len()) as u64 > limit {
            return Err(ApiError::PayloadTooLarge(format!(
                "Each file may be at most {limit} bytes ({} MiB).",
                limit / (1024 * 1024)
            )));
        }
        buf.extend_from_slice(&chunk);
    }
    if buf.is_empty() {
        return Err(ApiError::field("file", "is empty"));
    }
    if !validate::content_matches(&ext, &buf) {
        return Err(unsupported_type());
    }
    let bytes = buf.freeze();
    let received = Received {
        key: hex::encode(tokens::hash(&tokens::generate())),
        filename: validate::sanitize_filename(&raw_name, &ext),
        content_type: validate::content_type(&ext).unwrap_or("application/octet-stream"),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(&bytes)),
    };
    Ok((received, bytes))
}

/// Reads the rest of a rejected upload without keeping it, so the client can read the answer
/// (a server that stops reading mid-body makes many clients see a reset instead).
async fn drain(payload: &mut Multipart) {
    let mut budget: usize = 64 * 1024 * 1024;
    while let Ok(Some(mut field)) = payload.try_next().await {
        while let Ok(Some(chunk)) = field.try_next().await {
            budget = budget.saturating_sub(chunk.len());
            if budget == 0 {
                return;
            }
        }
    }
}

async fn small_text(field: &mut Field, broken: &mut bool) -> Result<String, ApiError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.try_next().await.map_err(|e| stream_error(e, broken))? {
        buf.extend_from_slice(&chunk);
        if buf.len() > 64 {
            return Err(ApiError::field("comment_id", "must be a comment id"));
        }
    }
    String::from_utf8(buf).map_err(|_| ApiError::field("comment_id", "must be a comment id"))
}

/// Reads every part: stores each file as soon as it is validated, remembers `comment_id`.
async fn receive_all(
    state: &AppState,
    payload: &mut Multipart,
    stored: &mut Vec<Received>,
    broken: &mut bool,
) -> Result<Option<i64>, ApiError> {
    let mut comment_id = None;
    while let Some(mut field) = payload.try_next().await.map_err(|e| stream_error(e, broken))? {
        match field.name() {
            Some("file") => {
                if stored.len() == MAX_FILES {
                    return Err(ApiError::field("file", format!("at most {MAX_FILES} files per request")));
                }
                let (received, bytes) = receive(&mut field, state.config.max_upload_bytes, broken).await?;
                state.storage.put(&received.key, bytes).await?;
                stored.push(received);
            }
            Some("comment_id") => {
                let text = small_text(&mut field, broken).await?;
                comment_id =
                    Some(text.trim().parse().map_err(|_| ApiError::field("comment_id", "must be a comment id"))?);
            }
            _ => while field.try_next().await.map_err(|e| stream_error(e, broken))?.is_some() {},
        }
    }
    Ok(comment_id)
}

/// The ticket and the caller, checked before the body is read: visible, not closed.
async fn open_ticket(state: &AppState, user: AuthUser, id: i64) -> Result<(Viewer, TicketRow), ApiError> {
    db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        let ticket = find_visible(conn, &viewer, id, false)?;
        if ticket.status == TicketStatus::Closed {
            return Err(crate::tickets::access::ticket_closed());
        }
        Ok((viewer, ticket))
    })
    .await
}

/// Upload one or more files (field `file`), optionally to a comment (field `comment_id`). Only
/// JPG, JPEG, PNG, GIF, PDF, DOC, DOCX, TXT, ZIP and RAR, each at most 5 MiB, with content that
/// matches the extension. Files on an internal note are staff-only like the note.
#[utoipa::path(
    tag = "attachments",
    params(("id" = i64, Path, description = "Ticket id")),
    request_body(content_type = "multipart/form-data", content = String, description = "Fields `file` (one or more) and optionally `comment_id`."),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The stored attachments.", body = Vec<Attachment>),
        (status = 404, description = "No such ticket (or comment), or not visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`ticket_closed`.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "A file is larger than the limit.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A file type is not allowed or its content does not match its extension.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, an empty file, or a bad `comment_id`.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/tickets/{id}/attachments")]
pub async fn upload(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    mut payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let (viewer, ticket) = match open_ticket(&state, user, id.into_inner()).await {
        Ok(found) => found,
        Err(err) => {
            drain(&mut payload).await;
            return Err(err);
        }
    };
    let mut stored = Vec::new();
    let mut broken = false;
    let result = async {
        let comment_id = receive_all(&state, &mut payload, &mut stored, &mut broken).await?;
        if stored.is_empty() {
            return Err(ApiError::field("file", "at least one file is required"));
        }
        let rows: Vec<(String, String, &'static str, i64, String)> = stored
            .iter()
            .map(|r| (r.key.clone(), r.filename.clone(), r.content_type, r.size, r.sha256.clone()))
            .collect();
        let ticket_id = ticket.id;
        db::run(&state.pool, move |conn| {
            conn.transaction(|conn| {
                let internal = match comment_id {
                    None => false,
                    Some(cid) => {
                        let found: Option<bool> = comments::table
                            .filter(comments::id.eq(cid))
                            .filter(comments::ticket_id.eq(ticket_id))
                            .select(comments::internal)
                            .first(conn)
                            .optional()?;
                        match found {
                            Some(internal) if !internal || viewer.staff => internal,
                            _ => return Err(ApiError::NotFound),
                        }
                    }
                };
                let mut out = Vec::new();
                for (key, filename, content_type, size, sha256) in rows {
                    let row: AttachmentRow = diesel::insert_into(attachments::table)
                        .values((
                            attachments::ticket_id.eq(ticket_id),
                            attachments::comment_id.eq(comment_id),
                            attachments::internal.eq(internal),
                            attachments::object_key.eq(key),
                            attachments::filename.eq(&filename),
                            attachments::content_type.eq(content_type),
                            attachments::size.eq(size),
                            attachments::sha256.eq(sha256),
                            attachments::uploaded_by.eq(viewer.user_id),
                        ))
                        .returning(AttachmentRow::as_returning())
                        .get_result(conn)?;
                    events::record(
                        conn,
                        ticket_id,
                        &viewer,
                        Change::AttachmentAdded { filename: &filename, internal },
                    )?;
                    out.push(Attachment::from(row));
                }
                diesel::update(tickets::table.find(ticket_id)).set(tickets::updated_at.eq(Utc::now())).execute(conn)?;
                Ok(out)
            })
        })
        .await
    }
    .await;
    match result {
        Ok(created) => Ok(HttpResponse::Created().json(created)),
        Err(err) => {
            // Nothing stays behind: objects stored for this request are removed again.
            state.storage.delete_all(&stored.iter().map(|r| r.key.clone()).collect::<Vec<_>>()).await;
            if !broken {
                drain(&mut payload).await;
            }
            Err(err)
        }
    }
}

/// The attachments of a ticket you may see (customers: none from internal notes).
#[utoipa::path(
    tag = "attachments",
    params(("id" = i64, Path, description = "Ticket id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The attachments.", body = Vec<Attachment>),
        (status = 404, description = "No such ticket, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/{id}/attachments")]
pub async fn list_attachments(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<Attachment>>, ApiError> {
    let id = id.into_inner();
    let rows = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        find_visible(conn, &viewer, id, false)?;
        let mut q = attachments::table
            .filter(attachments::ticket_id.eq(id))
            .select(AttachmentRow::as_select())
            .order(attachments::id)
            .into_boxed();
        if !viewer.staff {
            q = q.filter(attachments::internal.eq(false));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// The attachment, if the caller may see it.
fn find_visible_attachment(
    conn: &mut PgConnection,
    viewer: &Viewer,
    id: i64,
) -> Result<(AttachmentRow, TicketRow), ApiError> {
    let row: AttachmentRow = attachments::table
        .find(id)
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)?;
    if row.internal && !viewer.staff {
        return Err(ApiError::NotFound);
    }
    let ticket = find_visible(conn, viewer, row.ticket_id, false)?;
    Ok((row, ticket))
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
    tag = "attachments",
    params(("id" = i64, Path, description = "Attachment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file.", content_type = "application/octet-stream", body = Vec<u8>,
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
        find_visible_attachment(conn, &viewer, id)
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
            let (row, ticket) = find_visible_attachment(conn, &viewer, id)?;
            let own_and_recent = row.uploaded_by == Some(viewer.user_id)
                && (Utc::now() - row.created_at).num_minutes() < OWN_DELETE_MINUTES;
            if !(viewer.staff || own_and_recent) {
                return Err(ApiError::Forbidden(format!(
                    "Only support staff, or the uploader within {OWN_DELETE_MINUTES} minutes, may delete an attachment."
                )));
            }
            if ticket.status == TicketStatus::Closed && !viewer.staff {
                return Err(crate::tickets::access::ticket_closed());
            }
            diesel::delete(attachments::table.find(id)).execute(conn)?;
            events::record(
                conn,
                row.ticket_id,
                &viewer,
                Change::AttachmentRemoved { filename: &row.filename, internal: row.internal },
            )?;
            Ok(row.object_key)
        })
    })
    .await?;
    // The object goes after the commit; if that fails, the sweep removes it later.
    state.storage.delete_all(&[key]).await;
    Ok(HttpResponse::NoContent().finish())
}

/// Object keys of a ticket's attachments (collected before the ticket is deleted).
pub fn keys_of_ticket(conn: &mut PgConnection, ticket_id: i64) -> QueryResult<Vec<String>> {
    attachments::table.filter(attachments::ticket_id.eq(ticket_id)).select(attachments::object_key).load(conn)
}
