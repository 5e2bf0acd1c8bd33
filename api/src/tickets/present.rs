//! Turns ticket rows into API tickets, loading the people, organizations and categories they
//! reference with one query each per page (never one per row). Customers see the assigned
//! agent's name only, never the agent's email address or phone number.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use helpdesk_types::tickets::{CategoryRef, OrganizationRef, PersonRef, Ticket};

use super::{model::TicketRow, policy::Viewer};
use crate::{
    db::schema::{categories, organizations, users},
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
            }
        })
        .collect())
}

pub fn ticket(conn: &mut PgConnection, viewer: &Viewer, row: TicketRow) -> QueryResult<Ticket> {
    Ok(tickets(conn, viewer, vec![row])?.remove(0))
}
