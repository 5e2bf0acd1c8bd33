//! `/api/v1/users`: account administration (admins only).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::{
    Account, Locale, Page, Problem,
    accounts::{CreateUser, UpdateUser, UserQuery},
};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::{
    model::{NewUser, User},
    repo,
};
use crate::{
    auth::{Admin, password_tokens, sessions},
    db::{self, schema::users},
    email::{self, Message},
    error::{ApiError, ProblemCode},
    organizations, pagination,
    state::AppState,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(deactivate_user)
        .service(erase_user);
}

/// Accounts, oldest first; `q` searches name, email and username.
#[utoipa::path(
    tag = "users",
    params(UserQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of accounts.", body = Page<Account>),
        (status = 403, description = "Not an admin.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/users")]
async fn list_users(
    _admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<UserQuery>,
) -> Result<web::Json<Page<Account>>, ApiError> {
    let mut query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let after: Option<i64> = pagination::decode(query.cursor.as_deref())?;
    query.q = pagination::search_term(query.q)?;
    let rows = db::run(&state.pool, move |conn| {
        let mut q = users::table.select(User::as_select()).order(users::id).limit(limit + 1).into_boxed();
        if let Some(role) = query.role {
            q = q.filter(users::role.eq(role));
        }
        if let Some(text) = query.q.as_deref() {
            let pattern = db::like_pattern(text);
            q = q.filter(
                users::full_name
                    .ilike(pattern.clone())
                    .or(users::email.ilike(pattern.clone()))
                    .or(users::username.ilike(pattern)),
            );
        }
        if let Some(org) = query.organization_id {
            q = q.filter(users::organization_id.eq(org));
        }
        if let Some(after) = after {
            q = q.filter(users::id.gt(after));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    let (rows, next_cursor) = pagination::page(rows, limit, |u| u.id);
    Ok(web::Json(Page { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Create an account of any role. Without `password`, the person is emailed a link to choose one.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The account was created.", body = Account),
        (status = 403, description = "Not an admin.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email or username is already registered.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/users")]
async fn create_user(
    _admin: Admin,
    state: web::Data<AppState>,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    body.validate()?;
    let hash = match body.password.clone() {
        Some(p) => Some(state.hasher.hash(p).await?),
        None => None,
    };
    let st = state.clone();
    let user = db::run(&state.pool, move |conn| {
        let locale = body.locale.unwrap_or(Locale::En);
        conn.transaction(|conn| {
            if let Some(org) = body.organization_id
                && organizations::repo::find(conn, org)?.is_none()
            {
                return Err(ApiError::field("organization_id", "is not an existing organization"));
            }
            let user = repo::create(
                conn,
                NewUser {
                    email: &body.email,
                    username: &body.username,
                    full_name: &body.full_name,
                    company: None,
                    phone: None,
                    password_hash: hash.as_deref(),
                    role: body.role,
                    locale,
                    organization_id: body.organization_id,
                    // An admin vouches for an address given with a password; an invited
                    // person proves theirs by using the invitation.
                    email_verified_at: hash.is_some().then(Utc::now),
                },
            )?;
            let message = if hash.is_some() {
                Message::Welcome { name: user.full_name.clone(), username: user.username.clone(), verify_token: None }
            } else {
                let ttl = st.config.policies.invitation_ttl;
                let token = password_tokens::create(conn, user.id, password_tokens::INVITE, ttl)?;
                Message::Invitation {
                    name: user.full_name.clone(),
                    username: user.username.clone(),
                    token,
                    valid_days: (ttl.as_secs() / 86_400).max(1),
                }
            };
            email::enqueue(conn, &user.email, locale, &message, &st.config.public_url)?;
            Ok(user)
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Created().json(Account::from(user)))
}

/// One account.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account.", body = Account),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/users/{id}")]
async fn get_user(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<Account>, ApiError> {
    let id = id.into_inner();
    let user = db::run(&state.pool, move |conn| repo::find(conn, id)?.ok_or(ApiError::NotFound)).await?;
    Ok(web::Json(user.into()))
}

fn own_account() -> ApiError {
    ApiError::conflict(ProblemCode::OwnAccount, "You cannot demote or deactivate your own account; ask another admin.")
}

/// Change an account's role or active flag. Deactivating ends all its sessions at once.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "Account id")),
    request_body = UpdateUser,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated account.", body = Account),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`own_account`: admins cannot demote or deactivate themselves.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/users/{id}")]
async fn update_user(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<UpdateUser>,
) -> Result<web::Json<Account>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    if id == admin.0.id() && (body.active == Some(false) || body.role.is_some_and(|r| r != helpdesk_types::Role::Admin))
    {
        return Err(own_account());
    }
    let user = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = repo::find(conn, id)?.ok_or(ApiError::NotFound)?;
            if let Some(Some(org)) = body.organization_id
                && organizations::repo::find(conn, org)?.is_none()
            {
                return Err(ApiError::field("organization_id", "is not an existing organization"));
            }
            let user: User = diesel::update(users::table.find(id))
                .set((
                    users::role.eq(body.role.unwrap_or(current.role)),
                    users::active.eq(body.active.unwrap_or(current.active)),
                    users::organization_id.eq(body.organization_id.unwrap_or(current.organization_id)),
                    users::updated_at.eq(Utc::now()),
                ))
                .returning(User::as_returning())
                .get_result(conn)?;
            if !user.active || user.role != current.role {
                sessions::revoke_all(conn, id, None, if user.active { "role changed" } else { "account deactivated" })?;
            }
            Ok(user)
        })
    })
    .await?;
    Ok(web::Json(user.into()))
}

/// Deactivate an account (it is kept; see the erasure endpoints for deletion). Ends its sessions.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The account was deactivated."),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`own_account`: admins cannot deactivate themselves.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/users/{id}")]
async fn deactivate_user(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if id == admin.0.id() {
        return Err(own_account());
    }
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let updated = diesel::update(users::table.find(id))
                .set((users::active.eq(false), users::updated_at.eq(Utc::now())))
                .execute(conn)?;
            if updated == 0 {
                return Err(ApiError::NotFound);
            }
            sessions::revoke_all(conn, id, None, "account deactivated")?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Erase a person's account on their behalf (they asked by phone or letter), as `DELETE /me`
/// would (P12). Recorded in the audit log with the admin's name.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Erased."),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`own_account`: erase your own account with `DELETE /me`.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/users/{id}/erase")]
async fn erase_user(
    admin: Admin,
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if id == admin.0.id() {
        return Err(ApiError::conflict(ProblemCode::OwnAccount, "Erase your own account with DELETE /api/v1/me."));
    }
    let (public_url, client) = (state.config.public_url.clone(), crate::auth::routes::client_address(&req, &state));
    let keys = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let user = repo::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let by = super::erasure::Eraser {
                id: Some(admin.0.id()),
                name: &admin.0.user.full_name,
                client_ip: Some(&client),
                reason: "admin",
            };
            super::erasure::erase(conn, &user, &by, &public_url)
        })
    })
    .await?;
    state.storage.delete_all(&keys).await;
    state.mail_wake.notify_one();
    Ok(HttpResponse::NoContent().finish())
}
