//! P12 access and portability: `GET /api/v1/me/export` (and, for a person who asked by phone or
//! letter, `GET /api/v1/users/{id}/export` for admins) streams a ZIP: `data.json` (documented by
//! `docs/export-schema.json`) and the files of the person's tickets under `files/`. Internal
//! notes, their events and their files are never in it. Streamed, so no export is held in
//! memory or on disk; every export is audited.

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use bytes::Bytes;
use diesel::prelude::*;
use helpdesk_types::{Account, Problem};
use serde_json::{Value, json};

use super::{model::User, repo};
use crate::{
    audit,
    auth::{Admin, AuthUser, routes::client_address},
    db::{
        self,
        schema::{
            attachments, comments, emails, inbound_emails, organizations, sessions, ticket_events, ticket_reads,
            tickets,
        },
    },
    error::ApiError,
    state::AppState,
    zipstream::ZipStream,
};

type At = chrono::DateTime<chrono::Utc>;
type TicketRow = (i64, i64, String, String, String, String, String, At);
type CommentRow = (i64, String, String, At);
type EventRow = (i64, String, String, Option<String>, Option<String>, At);
type FileRow = (i64, i64, String, String, i64, String, String);
type MailRow = (String, String, String, At, Option<At>);
type SessionRow = (At, At, At, Option<At>);

/// A file to put into the archive.
struct File {
    path: String,
    key: String,
}

/// Everything the export holds about `user`, and the files to add.
fn collect(conn: &mut PgConnection, user: &User) -> QueryResult<(Value, Vec<File>)> {
    let their: Vec<TicketRow> = tickets::table
        .filter(tickets::requester_id.eq(user.id))
        .select((
            tickets::id,
            tickets::number,
            tickets::subject,
            tickets::description,
            diesel::dsl::sql::<diesel::sql_types::Text>("tickets.status"),
            diesel::dsl::sql::<diesel::sql_types::Text>("tickets.priority"),
            diesel::dsl::sql::<diesel::sql_types::Text>("tickets.channel"),
            tickets::created_at,
        ))
        .order(tickets::id)
        .load(conn)?;
    let ids: Vec<i64> = their.iter().map(|t| t.0).collect();
    let public_comments: Vec<CommentRow> = comments::table
        .filter(comments::ticket_id.eq_any(&ids))
        .filter(comments::internal.eq(false))
        .select((comments::ticket_id, comments::author_name, comments::body, comments::created_at))
        .order(comments::id)
        .load(conn)?;
    let events: Vec<EventRow> = ticket_events::table
        .filter(ticket_events::ticket_id.eq_any(&ids))
        .filter(ticket_events::internal.eq(false))
        .select((
            ticket_events::ticket_id,
            ticket_events::kind,
            ticket_events::actor_name,
            ticket_events::from_value,
            ticket_events::to_value,
            ticket_events::created_at,
        ))
        .order(ticket_events::id)
        .load(conn)?;
    let files: Vec<FileRow> = attachments::table
        .filter(attachments::ticket_id.eq_any(&ids))
        .filter(attachments::internal.eq(false))
        .select((
            attachments::id,
            attachments::ticket_id,
            attachments::filename,
            attachments::content_type,
            attachments::size,
            attachments::sha256,
            attachments::object_key,
        ))
        .order(attachments::id)
        .load(conn)?;
    // Grouped by ticket once, so building the document is linear in the rows.
    let mut public_comments = by_ticket(public_comments, |c| c.0);
    let mut events = by_ticket(events, |e| e.0);
    let mut files = by_ticket(files, |f| f.1);
    let mut to_add = Vec::new();
    let tickets_json: Vec<Value> = their
        .into_iter()
        .map(|(id, number, subject, description, status, priority, channel, created_at)| {
            let ticket_files: Vec<Value> = files
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .map(|(fid, _, name, content_type, size, sha256, key)| {
                    let path = format!("files/{number}/{fid}-{name}");
                    let entry = json!({"filename": name, "content_type": content_type, "size": size, "sha256": sha256, "path": path});
                    to_add.push(File { path, key });
                    entry
                })
                .collect();
            json!({
                "number": number, "subject": subject, "description": description, "status": status,
                "priority": priority, "channel": channel, "created_at": created_at,
                "comments": public_comments.remove(&id).unwrap_or_default().into_iter()
                    .map(|c| json!({"author": c.1, "body": c.2, "created_at": c.3})).collect::<Vec<_>>(),
                "events": events.remove(&id).unwrap_or_default().into_iter()
                    .map(|e| json!({"kind": e.1, "actor": e.2, "from": e.3, "to": e.4, "at": e.5})).collect::<Vec<_>>(),
                "attachments": ticket_files,
            })
        })
        .collect();
    let elsewhere: Vec<(i64, String, At)> = comments::table
        .inner_join(tickets::table)
        .filter(comments::author_id.eq(user.id))
        .filter(comments::internal.eq(false))
        .filter(diesel::dsl::not(comments::ticket_id.eq_any(&ids)))
        .select((tickets::number, comments::body, comments::created_at))
        .order(comments::id)
        .load(conn)?;
    let mails: Vec<MailRow> = emails::table
        .filter(emails::recipient.eq(&user.email))
        .select((
            emails::subject,
            emails::template,
            diesel::dsl::sql::<diesel::sql_types::Text>("emails.status"),
            emails::created_at,
            emails::sent_at,
        ))
        .order(emails::id)
        .load(conn)?;
    let received: Vec<(String, String, String, At)> = inbound_emails::table
        .filter(inbound_emails::sender.eq(&user.email))
        .select((inbound_emails::subject, inbound_emails::mailbox, inbound_emails::outcome, inbound_emails::created_at))
        .order(inbound_emails::id)
        .load(conn)?;
    let sessions: Vec<SessionRow> = sessions::table
        .filter(sessions::user_id.eq(user.id))
        .select((sessions::created_at, sessions::last_seen_at, sessions::expires_at, sessions::revoked_at))
        .order(sessions::id)
        .load(conn)?;
    let reads: Vec<(i64, At)> = ticket_reads::table
        .inner_join(tickets::table)
        .filter(ticket_reads::user_id.eq(user.id))
        .select((tickets::number, ticket_reads::read_at))
        .order(tickets::number)
        .load(conn)?;
    let organization: Option<(i64, String)> = match user.organization_id {
        Some(id) => {
            organizations::table.find(id).select((organizations::id, organizations::name)).first(conn).optional()?
        }
        None => None,
    };
    let account = Account::from(user.clone());
    let data = json!({
        "format": "helpdesk-export/1",
        "exported_at": chrono::Utc::now(),
        "account": account,
        "organization": organization.map(|(id, name)| json!({"id": id, "name": name})),
        "tickets": tickets_json,
        "comments_on_other_tickets": elsewhere.iter()
            .map(|c| json!({"ticket_number": c.0, "body": c.1, "created_at": c.2})).collect::<Vec<_>>(),
        "emails": mails.iter()
            .map(|m| json!({"subject": m.0, "template": m.1, "status": m.2, "created_at": m.3, "sent_at": m.4})).collect::<Vec<_>>(),
        "emails_received": received.iter()
            .map(|m| json!({"subject": m.0, "mailbox": m.1, "outcome": m.2, "received_at": m.3})).collect::<Vec<_>>(),
        "sessions": sessions.iter()
            .map(|s| json!({"started_at": s.0, "last_seen_at": s.1, "expires_at": s.2, "ended_at": s.3})).collect::<Vec<_>>(),
        "tickets_read": reads.iter().map(|r| json!({"ticket_number": r.0, "read_at": r.1})).collect::<Vec<_>>(),
        "preferences": {"locale": account.locale, "refused_notifications": account.refused_notifications},
    });
    Ok((data, to_add))
}

/// Rows grouped by their ticket id, each group in the rows' order.
fn by_ticket<T>(rows: Vec<T>, ticket_id: impl Fn(&T) -> i64) -> std::collections::HashMap<i64, Vec<T>> {
    let mut groups = std::collections::HashMap::<i64, Vec<T>>::new();
    for row in rows {
        groups.entry(ticket_id(&row)).or_default().push(row);
    }
    groups
}

/// Collects the export of `user_id` and audits it.
async fn prepare(
    state: &AppState,
    user_id: i64,
    actor: (i64, String),
    action: &'static str,
    client: String,
) -> Result<(Value, Vec<File>), ApiError> {
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let user = repo::find(conn, user_id)?.ok_or(ApiError::NotFound)?;
            let (data, files) = collect(conn, &user)?;
            audit::record(
                conn,
                &audit::Entry {
                    actor_id: Some(actor.0),
                    actor_name: &actor.1,
                    action,
                    subject_id: Some(user_id),
                    details: json!({"tickets": data["tickets"].as_array().map_or(0, Vec::len), "files": files.len()}),
                    client_ip: Some(&client),
                },
            )?;
            Ok((data, files))
        })
    })
    .await
}

/// The ZIP, written while it is sent: `data.json`, then every file, then the directory.
fn stream(state: web::Data<AppState>, data: Value, files: Vec<File>) -> HttpResponse {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    actix_web::rt::spawn(async move {
        let result = async {
            let mut zip = ZipStream::default();
            let send = |b: Bytes| tx.send(Ok(b));
            send(zip.start_file("data.json")?).await.ok();
            let json = serde_json::to_vec_pretty(&data).map_err(std::io::Error::other)?;
            send(zip.data(Bytes::from(json))).await.ok();
            send(zip.end_file()?).await.ok();
            for file in files {
                send(zip.start_file(&file.path)?).await.ok();
                let mut body = state.storage.get(&file.key).await.map_err(std::io::Error::other)?;
                while let Some(chunk) = futures_util::StreamExt::next(&mut body).await {
                    if send(zip.data(chunk?)).await.is_err() {
                        return Ok(()); // The client went away.
                    }
                }
                send(zip.end_file()?).await.ok();
            }
            send(zip.finish()?).await.ok();
            Ok::<(), std::io::Error>(())
        }
        .await;
        if let Err(err) = result {
            tracing::error!(error = %err, "export stream failed");
            let _ = tx.send(Err(err)).await;
        }
    });
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/zip"))
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"helpdesk-export.zip\""))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .streaming(body)
}

/// Download a copy of your data (P12, access and portability): a ZIP with `data.json`
/// (described by `docs/export-schema.json`) and the files of your tickets. Internal notes are
/// never in it.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "The archive.", content_type = "application/zip", body = crate::attachments::routes::Binary)),
)]
#[get("/me/export")]
pub async fn export_me(me: AuthUser, req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let client = client_address(&req, &state);
    let (data, files) = prepare(&state, me.id(), (me.id(), "Account holder".into()), "export", client).await?;
    Ok(stream(state, data, files))
}

/// Export a person's data on their behalf (admins; audited with the admin's name).
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The archive.", content_type = "application/zip", body = crate::attachments::routes::Binary),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/users/{id}/export")]
pub async fn export_user(
    admin: Admin,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let client = client_address(&req, &state);
    let actor = (admin.0.id(), admin.0.user.full_name.clone());
    let (data, files) = prepare(&state, id.into_inner(), actor, "export_by_admin", client).await?;
    Ok(stream(state, data, files))
}
