//! Live updates: `GET /api/v1/stream` (Server-Sent Events). Changes are published with
//! PostgreSQL `NOTIFY` inside the transaction that makes them, so they reach every server
//! instance, and only once committed. One listener thread per instance holds a dedicated
//! connection with `LISTEN` and fans the events out to the open streams.

use std::{sync::Arc, time::Duration};

use actix_web::{HttpResponse, get, http::header, web};
use bytes::Bytes;
use diesel::{Connection, PgConnection, RunQueryDsl, sql_types::Text};
use futures_util::stream;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::{
    auth::{AuthUser, session_cache::SessionCache},
    error::ApiError,
    state::AppState,
};

const CHANNEL: &str = "helpdesk_events";
/// The event kind the account and session triggers send (never forwarded to streams).
const AUTH_CHANGED: &str = "auth";
const KEEPALIVE: Duration = Duration::from_secs(15);

/// One live event. `user_id`: only for that person; none: for all staff.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<i64>,
}

/// Publishes `kind` to `user_id` when the caller's transaction commits.
pub fn publish(conn: &mut PgConnection, user_id: i64, kind: &str) -> diesel::QueryResult<()> {
    send(conn, &Event { kind: kind.to_owned(), user_id: Some(user_id), ticket_id: None })
}

/// Publishes `kind` to each of `user_ids` when the caller's transaction commits (one statement).
pub fn publish_to(conn: &mut PgConnection, user_ids: &[i64], kind: &str) -> diesel::QueryResult<()> {
    let events: Vec<String> = user_ids
        .iter()
        .map(|&id| {
            serde_json::to_string(&Event { kind: kind.to_owned(), user_id: Some(id), ticket_id: None })
                .unwrap_or_default()
        })
        .collect();
    diesel::sql_query("SELECT pg_notify($1, e) FROM unnest($2) e")
        .bind::<Text, _>(CHANNEL)
        .bind::<diesel::sql_types::Array<Text>, _>(events)
        .execute(conn)
        .map(|_| ())
}

/// Tells every agent's open views that ticket `ticket_id` changed.
pub fn ticket_changed(conn: &mut PgConnection, ticket_id: i64) -> diesel::QueryResult<()> {
    send(conn, &Event { kind: "ticket".to_owned(), user_id: None, ticket_id: Some(ticket_id) })
}

fn send(conn: &mut PgConnection, event: &Event) -> diesel::QueryResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(serde_json::to_string(event).unwrap_or_default())
        .execute(conn)
        .map(|_| ())
}

/// The fan-out of one server instance.
#[derive(Clone)]
pub struct Hub(broadcast::Sender<Arc<Event>>);

impl Default for Hub {
    fn default() -> Self {
        Self(broadcast::channel(1024).0)
    }
}

impl Hub {
    /// Starts the listener thread: it reconnects after a database outage. Besides live updates
    /// it hears that sessions or accounts changed (`{"kind":"auth"}`, sent by the triggers of
    /// migration 025) and makes `sessions` forget what it cached.
    pub fn listen(&self, database_url: String, sessions: Arc<SessionCache>) {
        let tx = self.0.clone();
        let spawned = std::thread::Builder::new().name("helpdesk-listen".into()).spawn(move || {
            loop {
                if let Err(err) = listen_once(&database_url, &tx, &sessions) {
                    tracing::warn!(error = %err, "live-update listener lost its connection; reconnecting");
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "live updates are off: the listener thread did not start");
        }
    }
}

fn listen_once(url: &str, tx: &broadcast::Sender<Arc<Event>>, sessions: &SessionCache) -> anyhow::Result<()> {
    let mut conn = PgConnection::establish(url)?;
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn)?;
    // Changes made while no listener was connected went unheard.
    sessions.forget_all();
    loop {
        for n in conn.notifications_iter() {
            match serde_json::from_str::<Event>(&n?.payload) {
                Ok(event) if event.kind == AUTH_CHANGED => sessions.forget_all(),
                Ok(event) => {
                    let _ = tx.send(Arc::new(event));
                }
                Err(_) => {}
            }
        }
        // Notices arrive on the socket; checking twenty times a second keeps updates prompt
        // and a revoked session's cache entry short-lived (a dropped connection shows up as an
        // error here).
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Events for the signed-in person: `notification` (a new in-app notification; fetch the
/// list or the count) and, for staff, `ticket` with `ticket_id` (a ticket changed; refresh the
/// queue or the ticket). A comment line every 15 s keeps proxies from closing the stream.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, description = "A `text/event-stream`; each event's data is JSON `{kind, ticket_id?}`.", content_type = "text/event-stream", body = String)),
)]
#[get("/stream")]
pub async fn stream_events(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (me, staff) = (user.id(), user.is_staff());
    let rx = state.hub.0.subscribe();
    let events = stream::unfold((rx, true), move |(mut rx, first)| async move {
        if first {
            let hello = Bytes::from_static(b"retry: 3000\n: connected\n\n");
            return Some((Ok::<_, actix_web::Error>(hello), (rx, false)));
        }
        loop {
            match tokio::time::timeout(KEEPALIVE, rx.recv()).await {
                Err(_) => return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), (rx, false))),
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    return Some((Ok(Bytes::from_static(b"event: resync\ndata: {}\n\n")), (rx, false)));
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                Ok(Ok(event)) => {
                    let mine = match event.user_id {
                        Some(u) => u == me,
                        None => staff,
                    };
                    if mine {
                        let data = serde_json::json!({"kind": event.kind, "ticket_id": event.ticket_id});
                        let frame = format!("event: {}\ndata: {data}\n\n", event.kind);
                        return Some((Ok(Bytes::from(frame)), (rx, false)));
                    }
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(events))
}
