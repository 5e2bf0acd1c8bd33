//! `/api/v1/agents`: the colleagues a ticket can be assigned to (support staff only).

use actix_web::{get, web};
use diesel::prelude::*;
use helpdesk_types::{Problem, Role, tickets::PersonRef};

use crate::{
    auth::Staff,
    db::{self, schema::users},
    error::ApiError,
    state::AppState,
};

/// The active agents and admins by name: whom a ticket can be assigned to.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Active agents and admins, by name.", body = Vec<PersonRef>),
        (status = 403, description = "Not support staff.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/agents")]
pub async fn list_agents(_staff: Staff, state: web::Data<AppState>) -> Result<web::Json<Vec<PersonRef>>, ApiError> {
    let rows = db::run(&state.pool, move |conn| {
        Ok(users::table
            .filter(users::role.eq_any([Role::Agent, Role::Admin]))
            .filter(users::active.eq(true))
            .order((users::full_name, users::id))
            .select((users::id, users::full_name, users::email, users::phone))
            .load::<(i64, String, String, Option<String>)>(conn)?)
    })
    .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(id, full_name, email, phone)| PersonRef { id, full_name, email, phone, restricted: false })
            .collect(),
    ))
}
