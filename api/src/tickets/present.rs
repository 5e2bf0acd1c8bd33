//! Turns ticket rows into API tickets, loading the people, organizations and categories they
//! reference with one query each per page (never one per row). Customers see the assigned
//! agent's name only, never the agent's email address or phone number.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::tickets::{CategoryRef, OrganizationRef, PersonRef, Ticket, TicketLink, TicketStatus};

use super::{model::TicketRow, policy::Viewer};
use crate::{
    db::schema::{categories, organizations, tickets as tickets_table, users},
    sla,
};

pub fn tickets(conn: &mut PgConnection, viewer: &Viewer, rows: Vec<TicketRow>) -> QueryResult<Vec<Ticket>> {
    let person_ids: Vec<i64> = rows.iter().flat_map(|t| [Some(t.requester_id), t.assignee_id]).flatten().collect();
    let org_ids: Vec<i64> = rows.iter().filter_map(|t| t.organization_id).collect();
    let category_ids: Vec<i64> = rows.iter().filter_map(|t| t.category_id).collect();

    let people: HashMap<i64, PersonRef> = users::table
        .filter(users::id.eq_any(&person_ids))
        .select((users::id, users::full_name, users::email, users::phone, users::restricted_at.is_not_null()))
        .load::<(i64, String, String, Option<String>, bool)>(conn)?
        .into_iter()
        .map(|(id, full_name, email, phone, restricted)| (id, PersonRef { id, full_name, email, phone, restricted }))
        .collect();
    let orgs: HashMap<i64, OrganizationRef> = organizations::table
        .filter(organizations::id.eq_any(&org_ids))
        .select((organizations::id, organizations::name, organizations::contract_tier))
        .load::<(i64, String, _)>(conn)?
        .into_iter()
        .map(|(id, name, contract_tier)| (id, OrganizationRef { id, name, contract_tier }))
        .collect();
    let cats: HashMap<i64, CategoryRef> = categories::table
        .filter(categories::id.eq_any(&category_ids))
        .select((categories::id, categories::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(id, name)| (id, CategoryRef { id, name }))
        .collect();

    let links = FollowUps::load(conn, viewer, &rows)?;
    let policies = sla::clock::Policies::load(conn)?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(|t| {
            let sla = sla::clock::present(&t, policies.get(t.contract_tier, t.priority), now);
            let requester = people.get(&t.requester_id).cloned().unwrap_or_else(|| PersonRef {
                id: t.requester_id,
                full_name: String::new(),
                email: String::new(),
                phone: None,
                restricted: false,
            });
            Ticket {
                id: t.id,
                number: t.number,
                subject: t.subject,
                description: t.description,
                status: t.status,
                priority: t.priority,
                channel: t.channel,
                category: t.category_id.and_then(|id| cats.get(&id).cloned()),
                requester,
                organization: t.organization_id.and_then(|id| orgs.get(&id).cloned()),
                assignee: t.assignee_id.and_then(|id| people.get(&id).cloned()).map(|agent| {
                    if viewer.staff { agent } else { PersonRef { email: String::new(), phone: None, ..agent } }
                }),
                created_at: t.created_at,
                updated_at: t.updated_at,
                first_response_at: t.first_response_at,
                resolved_at: t.resolved_at,
                closed_at: t.closed_at,
                archived: t.archived,
                legal_hold: t.legal_hold,
                sla,
                follow_up_of: t.follow_up_of.and_then(|id| links.tickets.get(&id).cloned()),
                follow_ups: links.of.get(&t.id).cloned().unwrap_or_default(),
            }
        })
        .collect())
}

pub fn ticket(conn: &mut PgConnection, viewer: &Viewer, row: TicketRow) -> QueryResult<Ticket> {
    Ok(tickets(conn, viewer, vec![row])?.remove(0))
}

/// The follow-up links of a page of tickets, as far as the viewer may see the other ticket:
/// the ticket each one continues, and the follow-ups of the resolved and closed ones. One
/// query, and none when no ticket of the page has a link to show.
#[derive(Default)]
struct FollowUps {
    tickets: HashMap<i64, TicketLink>,
    of: HashMap<i64, Vec<TicketLink>>,
}

impl FollowUps {
    fn load(conn: &mut PgConnection, viewer: &Viewer, rows: &[TicketRow]) -> QueryResult<Self> {
        let originals: Vec<i64> = rows.iter().filter_map(|t| t.follow_up_of).collect();
        let finished: Vec<i64> = rows
            .iter()
            .filter(|t| matches!(t.status, TicketStatus::Resolved | TicketStatus::Closed))
            .map(|t| t.id)
            .collect();
        let mut links = Self::default();
        if originals.is_empty() && finished.is_empty() {
            return Ok(links);
        }
        let found: Vec<(i64, i64, String, Option<i64>)> = tickets_table::table
            .filter(viewer.filter())
            .filter(tickets_table::id.eq_any(&originals).or(tickets_table::follow_up_of.eq_any(&finished)))
            .select((tickets_table::id, tickets_table::number, tickets_table::subject, tickets_table::follow_up_of))
            .order(tickets_table::id)
            .load(conn)?;
        for (id, number, subject, follow_up_of) in found {
            let link = TicketLink { id, number, subject };
            if let Some(original) = follow_up_of.filter(|o| finished.contains(o)) {
                links.of.entry(original).or_default().push(link.clone());
            }
            if originals.contains(&id) {
                links.tickets.insert(id, link);
            }
        }
        Ok(links)
    }
}
