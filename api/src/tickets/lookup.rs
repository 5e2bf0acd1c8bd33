//! `GET /api/v1/customers/lookup?phone=...`: who is calling? (agents, for phone support)

use actix_web::{get, web};
use helpdesk_types::{
    Problem,
    organizations::ContractTier,
    tickets::{CustomerMatch, OrganizationRef, PersonRef},
};
use serde::Deserialize;

use super::repo;
use crate::{accounts::repo as accounts, auth::Staff, db, error::ApiError, organizations, state::AppState};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LookupQuery {
    /// The caller's number as shown by the phone; only its digits count.
    phone: String,
}

/// Customers whose phone number matches: the same digits, or the same last nine digits (so
/// `+49 30 1234567` finds `030 1234567`).
#[utoipa::path(
    operation_id = "lookupCustomers",
    tag = "tickets",
    params(LookupQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Matching customers (at most 20).", body = Vec<CustomerMatch>),
        (status = 403, description = "Staff only.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fewer than 4 digits.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/customers/lookup")]
pub async fn lookup(
    _staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<LookupQuery>,
) -> Result<web::Json<Vec<CustomerMatch>>, ApiError> {
    let digits: String = query.phone.chars().filter(char::is_ascii_digit).collect();
    if !(4..=20).contains(&digits.len()) {
        return Err(ApiError::field("phone", "must contain 4 to 20 digits"));
    }
    let matches = db::run(&state.pool, move |conn| {
        let people = accounts::customers_by_phone(conn, &digits, 20)?;
        let mut out = Vec::with_capacity(people.len());
        for person in people {
            let organization = match person.organization_id {
                Some(id) => organizations::repo::find(conn, id)?,
                None => None,
            };
            let open_tickets = repo::active_count_of_requester(conn, person.id)?;
            out.push(CustomerMatch {
                person: PersonRef {
                    restricted: person.restricted_at.is_some(),
                    id: person.id,
                    full_name: person.full_name,
                    email: person.email,
                    phone: person.phone,
                },
                contract_tier: organization.as_ref().map_or(ContractTier::None, |o| o.contract_tier),
                organization: organization.map(|o| OrganizationRef {
                    id: o.id,
                    name: o.name,
                    contract_tier: o.contract_tier,
                }),
                open_tickets,
            });
        }
        Ok(out)
    })
    .await?;
    Ok(web::Json(matches))
}
