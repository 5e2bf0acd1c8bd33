//! Turns ticket rows into API tickets, loading the people, organizations and categories they
//! reference with one query per page (never one per row). Customers see the assigned
//! agent's name only, never the agent's email address or phone number.

use std::collections::HashMap;

use chrono::Utc;
use diesel::{
    prelude::*,
    sql_types::{Bool, Nullable, Text},
};
use helpdesk_types::{
    organizations::ContractTier,
    tickets::{CategoryRef, OrganizationRef, PersonRef, Ticket, TicketLink, TicketStatus},
};

use super::{model::TicketRow, policy::Viewer};
use crate::{
    db::schema::{categories, organizations, ticket_reads, tickets as tickets_table, users},
    sla,
};

pub fn tickets(conn: &mut PgConnection, viewer: &Viewer, rows: Vec<TicketRow>) -> QueryResult<Vec<Ticket>> {
    let person_ids: Vec<i64> = rows.iter().flat_map(|t| [Some(t.requester_id), t.assignee_id]).flatten().collect();
    let org_ids: Vec<i64> = rows.iter().filter_map(|t| t.organization_id).collect();
    let category_ids: Vec<i64> = rows.iter().filter_map(|t| t.category_id).collect();

    let Refs { people, orgs, cats } = Refs::load(conn, &person_ids, &org_ids, &category_ids)?;

    let links = FollowUps::load(conn, viewer, &rows)?;
    let unread = unread(conn, viewer, &rows)?;
    let policies = sla::clock::Policies::cached(conn)?;
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
                unread: unread.contains(&t.id),
            }
        })
        .collect())
}

pub fn ticket(conn: &mut PgConnection, viewer: &Viewer, row: TicketRow) -> QueryResult<Ticket> {
    Ok(tickets(conn, viewer, vec![row])?.remove(0))
}

/// The people, organizations and categories a page of tickets names, read in one round trip.
struct Refs {
    people: HashMap<i64, PersonRef>,
    orgs: HashMap<i64, OrganizationRef>,
    cats: HashMap<i64, CategoryRef>,
}

/// One row of [`Refs::load`]: kind (`p` person, `o` organization, `c` category), id, name,
/// email, phone, restricted, contract tier.
type RefRow = (String, i64, String, Option<String>, Option<String>, bool, Option<ContractTier>);

impl Refs {
    /// Written with Diesel's expressions (constants as bind parameters), so PostgreSQL plans the
    /// statement once per connection rather than on every request.
    fn load(conn: &mut PgConnection, people: &[i64], orgs: &[i64], cats: &[i64]) -> QueryResult<Self> {
        let none = || None::<String>.into_sql::<Nullable<Text>>();
        let rows: Vec<RefRow> = users::table
            .filter(users::id.eq_any(people))
            .select((
                "p".into_sql::<Text>(),
                users::id,
                users::full_name,
                users::email.nullable(),
                users::phone,
                users::restricted_at.is_not_null(),
                none(),
            ))
            .union_all(organizations::table.filter(organizations::id.eq_any(orgs)).select((
                "o".into_sql::<Text>(),
                organizations::id,
                organizations::name,
                none(),
                none(),
                false.into_sql::<Bool>(),
                organizations::contract_tier.nullable(),
            )))
            .union_all(categories::table.filter(categories::id.eq_any(cats)).select((
                "c".into_sql::<Text>(),
                categories::id,
                categories::name,
                none(),
                none(),
                false.into_sql::<Bool>(),
                none(),
            )))
            .load(conn)?;
        let mut refs = Self { people: HashMap::new(), orgs: HashMap::new(), cats: HashMap::new() };
        for (kind, id, name, email, phone, restricted, contract_tier) in rows {
            match (kind.as_str(), contract_tier) {
                ("p", _) => {
                    let person = PersonRef { id, full_name: name, email: email.unwrap_or_default(), phone, restricted };
                    refs.people.insert(id, person);
                }
                ("o", Some(contract_tier)) => {
                    refs.orgs.insert(id, OrganizationRef { id, name, contract_tier });
                }
                ("c", _) => {
                    refs.cats.insert(id, CategoryRef { id, name });
                }
                _ => {}
            }
        }
        Ok(refs)
    }
}

/// When the other side last wrote publicly, as far as it is news for `viewer`: the customer's
/// words for staff, the team's for the customer.
fn news_at(viewer: &Viewer, t: &TicketRow) -> Option<chrono::DateTime<Utc>> {
    if viewer.staff { t.customer_said_at } else { t.team_said_at }
}

/// The tickets of a page with news the viewer has not seen since last opening them: one query,
/// and none when no ticket has news at all.
fn unread(conn: &mut PgConnection, viewer: &Viewer, rows: &[TicketRow]) -> QueryResult<std::collections::HashSet<i64>> {
    let candidates: Vec<i64> = rows.iter().filter(|t| news_at(viewer, t).is_some()).map(|t| t.id).collect();
    if candidates.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let reads: HashMap<i64, chrono::DateTime<Utc>> = ticket_reads::table
        .filter(ticket_reads::user_id.eq(viewer.user_id))
        .filter(ticket_reads::ticket_id.eq_any(&candidates))
        .select((ticket_reads::ticket_id, ticket_reads::read_at))
        .load(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .iter()
        .filter(|t| news_at(viewer, t).is_some_and(|at| reads.get(&t.id).is_none_or(|read| *read < at)))
        .map(|t| t.id)
        .collect())
}

/// Notes that `viewer` has seen the ticket as it is now (only when it had news for them, so a
/// read writes nothing otherwise).
pub fn mark_read(conn: &mut PgConnection, viewer: &Viewer, ticket: &Ticket) -> QueryResult<()> {
    if !ticket.unread {
        return Ok(());
    }
    let now = Utc::now();
    diesel::insert_into(ticket_reads::table)
        .values((
            ticket_reads::user_id.eq(viewer.user_id),
            ticket_reads::ticket_id.eq(ticket.id),
            ticket_reads::read_at.eq(now),
        ))
        .on_conflict((ticket_reads::user_id, ticket_reads::ticket_id))
        .do_update()
        .set(ticket_reads::read_at.eq(now))
        .execute(conn)?;
    Ok(())
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
        let mut query = tickets_table::table
            .filter(tickets_table::id.eq_any(&originals).or(tickets_table::follow_up_of.eq_any(&finished)))
            .select((tickets_table::id, tickets_table::number, tickets_table::subject, tickets_table::follow_up_of))
            .order(tickets_table::id)
            .into_boxed();
        if let Some(visible) = viewer.filter() {
            query = query.filter(visible);
        }
        let found: Vec<(i64, i64, String, Option<i64>)> = query.load(conn)?;
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
