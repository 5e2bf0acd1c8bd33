//! `/api/v1/notifications` (the bell) and `/api/v1/me/notification-settings`.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use helpdesk_types::{
    Page, Problem,
    notifications::{MarkRead, Notification, NotificationQuery, NotificationSettings, Topic, UnreadCount},
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::parse_channels;
use crate::{
    auth::AuthUser,
    db::{
        self,
        schema::{categories, notifications, tickets, users},
    },
    error::ApiError,
    pagination,
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(unread_count)
        .service(mark_read)
        .service(get_settings)
        .service(put_settings)
        .service(super::stream::stream_events)
        .service(super::unsubscribe::unsubscribe);
}

type Row = (i64, Option<i64>, Option<i64>, String, String, Option<DateTime<Utc>>, DateTime<Utc>);

/// The signed-in person's notifications, newest first.
#[utoipa::path(
    operation_id = "listNotifications",
    tag = "notifications",
    params(NotificationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of notifications.", body = Page<Notification>),
        (status = 422, description = "Bad limit or cursor.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/notifications")]
pub async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<NotificationQuery>,
) -> Result<web::Json<Page<Notification>>, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let before: Option<i64> = pagination::decode(query.cursor.as_deref())?;
    let (me, unread) = (user.id(), query.unread.unwrap_or(false));
    let rows: Vec<Row> = db::run(&state.pool, move |conn| {
        let mut q = notifications::table
            .left_join(tickets::table)
            .filter(notifications::user_id.eq(me))
            .select((
                notifications::id,
                notifications::ticket_id,
                tickets::number.nullable(),
                notifications::kind,
                notifications::title,
                notifications::read_at,
                notifications::created_at,
            ))
            .order(notifications::id.desc())
            .limit(limit + 1)
            .into_boxed();
        if unread {
            q = q.filter(notifications::read_at.is_null());
        }
        if let Some(b) = before {
            q = q.filter(notifications::id.lt(b));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    let (rows, next_cursor) = pagination::page(rows, limit, |r| r.0);
    let items = rows
        .into_iter()
        .map(|(id, ticket_id, number, kind, title, read_at, created_at)| Notification {
            id,
            topic: kind.parse().unwrap_or(Topic::NewTicket),
            title,
            ticket_id,
            link: number.map_or_else(|| "/admin#jobs".to_owned(), |n| format!("/tickets/{n}")),
            read: read_at.is_some(),
            created_at,
        })
        .collect();
    Ok(web::Json(Page { items, next_cursor }))
}

/// How many notifications are unread (the number on the bell).
#[utoipa::path(
    operation_id = "countUnreadNotifications",
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, description = "The count.", body = UnreadCount)),
)]
#[get("/notifications/unread-count")]
pub async fn unread_count(user: AuthUser, state: web::Data<AppState>) -> Result<web::Json<UnreadCount>, ApiError> {
    let me = user.id();
    let unread = db::run(&state.pool, move |conn| Ok(unread(conn, me)?)).await?;
    Ok(web::Json(UnreadCount { unread }))
}

/// Mark notifications read: the listed ids (others' ids are ignored), or all.
#[utoipa::path(
    operation_id = "markNotificationsRead",
    tag = "notifications",
    request_body = MarkRead,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The unread count after.", body = UnreadCount),
        (status = 422, description = "Neither ids nor all, or more than 1000 ids.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/notifications/read")]
pub async fn mark_read(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<MarkRead>,
) -> Result<web::Json<UnreadCount>, ApiError> {
    let body = body.into_inner();
    if !body.all && body.ids.is_empty() {
        return Err(ApiError::field("ids", "must list notifications, or set all to true"));
    }
    if body.ids.len() > 1000 {
        return Err(ApiError::field("ids", "must list at most 1000 notifications"));
    }
    let me = user.id();
    let unread = db::run(&state.pool, move |conn| {
        let mine = notifications::table.filter(notifications::user_id.eq(me)).filter(notifications::read_at.is_null());
        if body.all {
            diesel::update(mine).set(notifications::read_at.eq(Utc::now())).execute(conn)?;
        } else {
            diesel::update(mine.filter(notifications::id.eq_any(&body.ids)))
                .set(notifications::read_at.eq(Utc::now()))
                .execute(conn)?;
        }
        Ok(unread(conn, me)?)
    })
    .await?;
    Ok(web::Json(UnreadCount { unread }))
}

fn unread(conn: &mut PgConnection, me: i64) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::user_id.eq(me))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)
}

fn settings(conn: &mut PgConnection, me: i64) -> QueryResult<NotificationSettings> {
    let (prefs, followed): (serde_json::Value, Vec<Option<i64>>) =
        users::table.find(me).select((users::notification_channels, users::followed_category_ids)).first(conn)?;
    let chosen = parse_channels(&prefs);
    Ok(NotificationSettings {
        channels: Topic::ALL
            .iter()
            .map(|t| (t.as_str().to_owned(), chosen.get(t.as_str()).copied().unwrap_or(t.default_channel())))
            .collect(),
        followed_category_ids: followed.into_iter().flatten().collect(),
    })
}

/// The signed-in person's channel per topic (`email`, `in_app`, `both`, `none`) and the
/// categories they follow for new tickets (empty: all). Customers' emails are governed by
/// `refused_notifications` on their account.
#[utoipa::path(
    operation_id = "getNotificationSettings",
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, description = "The settings, every topic listed.", body = NotificationSettings)),
)]
#[get("/me/notification-settings")]
pub async fn get_settings(
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<web::Json<NotificationSettings>, ApiError> {
    let me = user.id();
    Ok(web::Json(db::run(&state.pool, move |conn| Ok(settings(conn, me)?)).await?))
}

/// Replace the settings; topics left out keep their default.
#[utoipa::path(
    operation_id = "updateNotificationSettings",
    tag = "notifications",
    request_body = NotificationSettings,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings now.", body = NotificationSettings),
        (status = 422, description = "An unknown topic or category.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/notification-settings")]
pub async fn put_settings(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<NotificationSettings>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if let Some(bad) = body.channels.keys().find(|k| k.parse::<Topic>().is_err()) {
        return Err(ApiError::field(&format!("channels.{bad}"), "is not a notification topic"));
    }
    if body.followed_category_ids.len() > 200 {
        return Err(ApiError::field("followed_category_ids", "must list at most 200 categories"));
    }
    let me = user.id();
    let saved = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let known: i64 = categories::table
                .filter(categories::id.eq_any(&body.followed_category_ids))
                .count()
                .get_result(conn)?;
            let mut ids = body.followed_category_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            if usize::try_from(known).unwrap_or(0) != ids.len() {
                return Err(ApiError::field("followed_category_ids", "lists a category that does not exist"));
            }
            diesel::update(users::table.find(me))
                .set((
                    users::notification_channels.eq(serde_json::json!(body.channels)),
                    users::followed_category_ids.eq(ids.into_iter().map(Some).collect::<Vec<_>>()),
                ))
                .execute(conn)?;
            Ok(settings(conn, me)?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(saved))
}
