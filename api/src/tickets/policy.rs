//! Every rule about who may do what with a ticket, each in one named function. Handlers call
//! them in sequence; queries use the same rules as SQL filters, so no path can forget one.
//!
//! - Who sees a ticket: staff see all tickets; customers see their own, plus their
//!   organization's when it shares tickets. A ticket the caller may not see is "not found",
//!   exactly like a missing one ([`Viewer::can_see`], [`Viewer::filter`]).
//! - Internal notes, and the events and attachments that belong to them, are for staff only
//!   (P5): [`sees_internal`], used by every comment, event, attachment and search query through
//!   [`visible_internal`].
//! - Closed tickets are read-only ([`ensure_open`]); staff may still remove an attachment.
//! - Customers may only change a ticket's status ([`ensure_may_update`]), open tickets for
//!   themselves on the web or API channels ([`ensure_may_open`]), and delete their own upload
//!   within 15 minutes ([`ensure_may_remove_attachment`]).

use chrono::{DateTime, Utc};
use diesel::{pg::Pg, prelude::*, sql_types::Bool};
use helpdesk_types::{
    Role,
    organizations::ContractTier,
    tickets::{Channel, Comment, Priority, TicketStatus, UpdateTicket},
};

use super::{
    events::Actor,
    model::{CommentRow, TicketRow},
};
use crate::{
    accounts::model::User,
    auth::AuthUser,
    db::schema::{organizations, tickets},
    error::{ApiError, ProblemCode},
};

/// How long uploaders may delete their own attachment.
pub const OWN_DELETE_MINUTES: i64 = 15;

/// The caller, as far as ticket rules go.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub staff: bool,
    /// The organization whose tickets a customer may see (when it shares tickets).
    pub shared_organization: Option<i64>,
    /// The viewer's own account is restricted (P12).
    pub restricted: bool,
}

impl Viewer {
    pub fn load(conn: &mut PgConnection, user: &AuthUser) -> QueryResult<Self> {
        let mut viewer = Self::person(conn, &user.user)?;
        if let Some(grant) = &user.token {
            viewer.name = format!("{} via token {}", user.user.full_name, grant.name);
        }
        Ok(viewer)
    }

    /// A person acting without a session: a reply by mail, or through a request's private link.
    pub fn person(conn: &mut PgConnection, user: &User) -> QueryResult<Self> {
        let staff = user.role != Role::Customer;
        let shared_organization = match (staff, user.organization_id) {
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
            user_id: user.id,
            name: user.full_name.clone(),
            email: user.email.clone(),
            staff,
            shared_organization,
            restricted: user.restricted_at.is_some(),
        })
    }

    pub fn comment(&self, row: CommentRow) -> Comment {
        let mut comment = Comment::from(row);
        if !self.staff && comment.author_id != Some(self.user_id) {
            comment.author_email.clear();
        }
        comment
    }

    /// The visibility rule.
    pub fn can_see(&self, t: &TicketRow) -> bool {
        self.staff
            || t.requester_id == self.user_id
            || (self.shared_organization.is_some() && t.organization_id == self.shared_organization)
    }

    /// The visibility rule as an SQL condition on `tickets`; `None` for staff, who see every
    /// ticket. Built from Diesel's expressions, never SQL text, so the statements using it stay
    /// cacheable as prepared statements (an SQL fragment makes Diesel parse and plan anew).
    pub fn filter(&self) -> Option<Box<dyn BoxableExpression<tickets::table, Pg, SqlType = Bool>>> {
        if self.staff {
            return None;
        }
        let own = tickets::requester_id.eq(self.user_id);
        Some(match self.shared_organization {
            Some(org) => Box::new(own.or(tickets::organization_id.eq(org).assume_not_null())),
            None => Box::new(own),
        })
    }

    /// The viewer as the author of ticket events.
    pub fn actor(&self) -> Actor<'_> {
        Actor { id: Some(self.user_id), name: &self.name }
    }
}

/// The internal-note rule (P5): only support staff read and write internal notes, and the
/// events and attachments that belong to them.
pub fn sees_internal(viewer: &Viewer) -> bool {
    viewer.staff
}

/// The values of an `internal` column the viewer may read: every query on comments, events and
/// attachments filters with `internal = ANY(visible_internal(..))`.
pub fn visible_internal(viewer: &Viewer) -> &'static [bool] {
    if sees_internal(viewer) { &[false, true] } else { &[false] }
}

/// Writing an internal note (or attaching a file to one) needs staff.
pub fn ensure_may_write(viewer: &Viewer, internal: bool) -> Result<(), ApiError> {
    if internal && !sees_internal(viewer) {
        return Err(ApiError::Forbidden("Only support staff can write internal notes.".into()));
    }
    Ok(())
}

/// A restricted account (P12) adds nothing: no tickets, comments or files.
pub fn ensure_not_restricted(viewer: &Viewer) -> Result<(), ApiError> {
    if viewer.restricted {
        return Err(ApiError::Client {
            status: actix_web::http::StatusCode::FORBIDDEN,
            code: ProblemCode::AccountRestricted,
            title: "Account restricted",
            detail: "Processing of your data is restricted; new tickets, replies and files are not possible until an administrator lifts it.".into(),
            extensions: Default::default(),
        });
    }
    Ok(())
}

/// The tickets of a person who restricted processing (P12) are frozen for everyone.
pub fn ensure_requester_not_restricted(requester_restricted: bool) -> Result<(), ApiError> {
    if requester_restricted {
        return Err(ApiError::conflict(
            ProblemCode::RequesterRestricted,
            "The requester restricted processing of their data; the ticket cannot be changed.",
        ));
    }
    Ok(())
}

/// The problem for any change to a closed ticket.
pub fn ticket_closed() -> ApiError {
    ApiError::conflict(ProblemCode::TicketClosed, "Closed tickets are read-only; open a new ticket.")
}

/// The closed rule: a closed ticket takes no change (no update, reply or upload).
pub fn ensure_open(ticket: &TicketRow) -> Result<(), ApiError> {
    if ticket.status == TicketStatus::Closed { Err(ticket_closed()) } else { Ok(()) }
}

/// Customers may only close or reopen their tickets; every other field is staff-only.
pub fn ensure_may_update(viewer: &Viewer, update: &UpdateTicket) -> Result<(), ApiError> {
    if !viewer.staff && update.changes_staff_fields() {
        return Err(ApiError::Forbidden("Customers may only close or reopen their tickets.".into()));
    }
    Ok(())
}

/// Customers open their own tickets on the web or API channels; staff may also log phone calls
/// and emails, and open tickets for a customer. Nobody opens contact-form tickets here.
pub fn ensure_may_open(staff: bool, channel: Channel, for_someone_else: bool) -> Result<(), ApiError> {
    let channel_ok = match channel {
        Channel::Web | Channel::Api => true,
        Channel::Phone | Channel::Email => staff,
        Channel::ContactForm => false,
    };
    if !channel_ok {
        let allowed = if staff { "must be web, api, phone or email" } else { "must be web or api" };
        return Err(ApiError::field("channel", allowed));
    }
    if for_someone_else && !staff {
        return Err(ApiError::field("requester_id", "only support staff may open tickets for others"));
    }
    Ok(())
}

/// The highest priority a customer may choose, per contract tier
/// (`HELPDESK_CUSTOMER_MAX_PRIORITY_<TIER>`); staff set any priority.
pub fn ensure_priority_allowed(
    staff: bool,
    tier: ContractTier,
    priority: Priority,
    caps: &crate::config::PriorityCaps,
) -> Result<(), ApiError> {
    let cap = caps.for_tier(tier);
    if staff || priority <= cap {
        return Ok(());
    }
    Err(ApiError::field("priority", format!("your service contract allows at most {cap}")))
}

/// An attachment may be removed by staff, or by its uploader within 15 minutes; on a closed
/// ticket only by staff.
pub fn ensure_may_remove_attachment(
    viewer: &Viewer,
    ticket: &TicketRow,
    uploaded_by: Option<i64>,
    uploaded_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let own_and_recent = uploaded_by == Some(viewer.user_id) && (now - uploaded_at).num_minutes() < OWN_DELETE_MINUTES;
    if !(viewer.staff || own_and_recent) {
        return Err(ApiError::Forbidden(format!(
            "Only support staff, or the uploader within {OWN_DELETE_MINUTES} minutes, may delete an attachment."
        )));
    }
    if viewer.staff { Ok(()) } else { ensure_open(ticket) }
}
