//! Who may see which ticket: one rule, used by every query that reads tickets.
//! Staff see all tickets; customers see their own, plus their organization's when it shares
//! tickets. A ticket the caller may not see is "not found", exactly like a missing one.

use diesel::{
    dsl::sql,
    pg::Pg,
    prelude::*,
    sql_types::{BigInt, Bool},
};

use super::model::TicketRow;
use crate::{
    auth::AuthUser,
    db::schema::{organizations, tickets},
    error::ApiError,
};

/// The caller, as far as ticket visibility goes.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub staff: bool,
    /// The organization whose tickets a customer may see (when it shares tickets).
    pub shared_organization: Option<i64>,
}

impl Viewer {
    pub fn load(conn: &mut PgConnection, user: &AuthUser) -> QueryResult<Self> {
        let shared_organization = match (user.is_staff(), user.user.organization_id) {
            (false, Some(org)) => organizations::table
                .find(org)
                .select(organizations::shares_tickets)
                .first::<bool>(conn)
                .optional()?
                .filter(|shares| *shares)
                .map(|_| org),
            _ => None,
        };
        Ok(Self {
            user_id: user.id(),
            name: user.user.full_name.clone(),
            email: user.user.email.clone(),
            staff: user.is_staff(),
            shared_organization,
        })
    }

    pub fn can_see(&self, t: &TicketRow) -> bool {
        self.staff
            || t.requester_id == self.user_id
            || (self.shared_organization.is_some() && t.organization_id == self.shared_organization)
    }

    /// The visibility rule as an SQL condition on `tickets`.
    pub fn filter(&self) -> Box<dyn BoxableExpression<tickets::table, Pg, SqlType = Bool>> {
        if self.staff {
            return Box::new(sql::<Bool>("TRUE"));
        }
        match self.shared_organization {
            Some(org) => Box::new(
                sql::<Bool>("(tickets.requester_id = ")
                    .bind::<BigInt, _>(self.user_id)
                    .sql(" OR tickets.organization_id = ")
                    .bind::<BigInt, _>(org)
                    .sql(")"),
            ),
            None => Box::new(sql::<Bool>("tickets.requester_id = ").bind::<BigInt, _>(self.user_id)),
        }
    }
}

/// The problem for any change to a closed ticket.
pub fn ticket_closed() -> ApiError {
    ApiError::conflict("ticket_closed", "Closed tickets are read-only; open a new ticket.")
}

/// The ticket, if it exists and the viewer may see it; otherwise 404. `lock` takes a row lock
/// for an update (concurrent updates of one ticket are serialised, none is lost).
pub fn find_visible(conn: &mut PgConnection, viewer: &Viewer, id: i64, lock: bool) -> Result<TicketRow, ApiError> {
    let query = tickets::table.find(id).select(TicketRow::as_select());
    let ticket = if lock { query.for_update().first(conn).optional()? } else { query.first(conn).optional()? };
    ticket.filter(|t| viewer.can_see(t)).ok_or(ApiError::NotFound)
}
