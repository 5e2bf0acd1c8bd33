//! `GET /api/v1/tickets` (filters, full-text search, keyset pagination) and `GET /tickets/stats`.

use actix_web::{HttpRequest, get, web};
use chrono::{DateTime, Utc};
use diesel::{
    dsl::sql,
    prelude::*,
    sql_types::{BigInt, Bool, SmallInt, Text, Timestamptz},
};
use helpdesk_types::{
    Page, Problem,
    tickets::{Priority, SlaStatus, Ticket, TicketStats, TicketStatus},
};
use serde::{Deserialize, Serialize};

use super::{access::Viewer, model::TicketRow, present};
use crate::{app::AppState, auth::AuthUser, auth::Staff, db, db::schema::tickets, error::ApiError, pagination, sla};

/// Orders of the ticket list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Newest first (default).
    CreatedAt,
    /// Most recently changed first.
    UpdatedAt,
    /// Urgent first.
    Priority,
    /// Nearest pending deadline first.
    SlaDue,
    /// The agents' work order: premium contracts, then standard, then the rest; within each,
    /// the nearest pending deadline first.
    Queue,
}

/// Filters of `GET /api/v1/tickets`. `status` may repeat (`status=new&status=open`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    #[param(style = Form, explode)]
    status: Option<Vec<TicketStatus>>,
    priority: Option<Priority>,
    category_id: Option<i64>,
    /// An agent id, `me` or `none`.
    #[param(value_type = Option<String>)]
    assignee_id: Option<String>,
    requester_id: Option<i64>,
    organization_id: Option<i64>,
    sla_status: Option<SlaStatus>,
    created_after: Option<DateTime<Utc>>,
    created_before: Option<DateTime<Utc>>,
    /// Full-text search over subject, description and the comments you may see (German and English).
    q: Option<String>,
    /// `true`: only archived tickets; default: only tickets that are not archived.
    archived: Option<bool>,
    sort: Option<Sort>,
    /// 1-100, default 25.
    limit: Option<i64>,
    cursor: Option<String>,
}

fn parse_value<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, ApiError> {
    value.parse().map_err(|_| ApiError::field(field, format!("{value:?} is not a valid value")))
}

/// Parses the query string by hand, since `status` repeats.
fn parse_query(raw: &str) -> Result<TicketQuery, ApiError> {
    let mut q = TicketQuery::default();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        let v = value.trim();
        match key.as_ref() {
            "status" => {
                for part in v.split(',').filter(|p| !p.is_empty()) {
                    q.status.get_or_insert_with(Vec::new).push(parse_value("status", part)?);
                }
            }
            "priority" => q.priority = Some(parse_value("priority", v)?),
            "category_id" => q.category_id = Some(parse_value("category_id", v)?),
            "assignee_id" => q.assignee_id = Some(v.to_owned()),
            "requester_id" => q.requester_id = Some(parse_value("requester_id", v)?),
            "organization_id" => q.organization_id = Some(parse_value("organization_id", v)?),
            "sla_status" => q.sla_status = Some(parse_value("sla_status", v)?),
            "created_after" => q.created_after = Some(parse_value("created_after", v)?),
            "created_before" => q.created_before = Some(parse_value("created_before", v)?),
            "q" => q.q = Some(v.to_owned()).filter(|s| !s.is_empty()),
            "archived" => q.archived = Some(parse_value("archived", v)?),
            "sort" => {
                q.sort = Some(serde_json::from_value(serde_json::Value::String(v.to_owned())).map_err(|_| {
                    ApiError::field("sort", "must be created_at, updated_at, priority, sla_due or queue")
                })?);
            }
            "limit" => q.limit = Some(parse_value("limit", v)?),
            "cursor" => q.cursor = Some(v.to_owned()),
            _ => {}
        }
    }
    if q.q.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::field("q", "must be at most 200 characters"));
    }
    Ok(q)
}

/// The position after the last row of a page.
#[derive(Debug, Serialize, Deserialize)]
struct Key {
    sort: Sort,
    ts: Option<DateTime<Utc>>,
    rank: Option<i16>,
    id: i64,
}

fn key_of(sort: Sort, t: &TicketRow) -> Key {
    let (ts, rank) = match sort {
        Sort::CreatedAt => (Some(t.created_at), None),
        Sort::UpdatedAt => (Some(t.updated_at), None),
        Sort::Priority => (None, t.priority_rank),
        Sort::SlaDue => (t.next_due_at, None),
        Sort::Queue => (t.next_due_at, t.queue_rank),
    };
    Key { sort, ts, rank, id: t.id }
}

/// The text-search condition: the ticket's own text, or a comment the viewer may see.
fn search_condition(
    text: &str,
    staff: bool,
) -> Box<dyn BoxableExpression<tickets::table, diesel::pg::Pg, SqlType = Bool>> {
    const QUERY: &str = "(websearch_to_tsquery('german', ";
    let comments = if staff { "" } else { " AND NOT c.internal" };
    Box::new(
        sql::<Bool>(&format!("(tickets.search @@ {QUERY}"))
            .bind::<Text, _>(text.to_owned())
            .sql(") || websearch_to_tsquery('english', ")
            .bind::<Text, _>(text.to_owned())
            .sql(&format!(")) OR EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = tickets.id{comments} AND c.search @@ {QUERY}"))
            .bind::<Text, _>(text.to_owned())
            .sql(") || websearch_to_tsquery('english', ")
            .bind::<Text, _>(text.to_owned())
            .sql("))))"),
    )
}

/// Tickets you may see. Keyset pagination: deep pages cost what the first costs, and tickets
/// created while you page are neither skipped nor repeated.
#[utoipa::path(
    tag = "tickets",
    params(TicketQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tickets.", body = Page<Ticket>),
        (status = 422, description = "A filter is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets")]
pub async fn list_tickets(
    user: AuthUser,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<web::Json<Page<Ticket>>, ApiError> {
    let query = parse_query(req.query_string())?;
    let limit = pagination::limit(query.limit)?;
    let sort = query.sort.unwrap_or(Sort::CreatedAt);
    let after: Option<Key> = pagination::decode(query.cursor.as_deref())?;
    if after.as_ref().is_some_and(|k| k.sort != sort) {
        return Err(ApiError::field("cursor", "belongs to another sort order"));
    }
    let assignee = match query.assignee_id.as_deref() {
        None => None,
        Some("me") => Some(Some(user.id())),
        Some("none") => Some(None),
        Some(other) => Some(Some(parse_value::<i64>("assignee_id", other)?)),
    };
    let (page, next_cursor) = db::run(&state.pool, move |conn| {
        let viewer = Viewer::load(conn, &user)?;
        let mut q = tickets::table.select(TicketRow::as_select()).filter(viewer.filter()).limit(limit + 1).into_boxed();
        q = q.filter(tickets::archived.eq(query.archived.unwrap_or(false)));
        if let Some(statuses) = query.status {
            q = q.filter(tickets::status.eq_any(statuses));
        }
        if let Some(p) = query.priority {
            q = q.filter(tickets::priority.eq(p));
        }
        if let Some(c) = query.category_id {
            q = q.filter(tickets::category_id.eq(c));
        }
        match assignee {
            Some(Some(a)) => q = q.filter(tickets::assignee_id.eq(a)),
            Some(None) => q = q.filter(tickets::assignee_id.is_null()),
            None => {}
        }
        if let Some(r) = query.requester_id {
            q = q.filter(tickets::requester_id.eq(r));
        }
        if let Some(o) = query.organization_id {
            q = q.filter(tickets::organization_id.eq(o));
        }
        if let Some(s) = query.sla_status {
            q = q.filter(sql::<Bool>(&sla::status_sql(s)));
        }
        if let Some(t) = query.created_after {
            q = q.filter(tickets::created_at.gt(t));
        }
        if let Some(t) = query.created_before {
            q = q.filter(tickets::created_at.lt(t));
        }
        if let Some(text) = &query.q {
            q = q.filter(search_condition(text, viewer.staff));
        }
        q = match sort {
            Sort::CreatedAt => q.order((tickets::created_at.desc(), tickets::id.desc())),
            Sort::UpdatedAt => q.order((tickets::updated_at.desc(), tickets::id.desc())),
            Sort::Priority => q.order((tickets::priority_rank.desc(), tickets::id.desc())),
            Sort::SlaDue => q.order((tickets::next_due_at.asc(), tickets::id.asc())),
            Sort::Queue => q.order((tickets::queue_rank.asc(), tickets::next_due_at.asc(), tickets::id.asc())),
        };
        if let Some(k) = after {
            let ts = k.ts.unwrap_or_default();
            let rank = k.rank.unwrap_or_default();
            q = match sort {
                Sort::CreatedAt => q.filter(
                    sql::<Bool>("(tickets.created_at, tickets.id) < (")
                        .bind::<Timestamptz, _>(ts)
                        .sql(", ")
                        .bind::<BigInt, _>(k.id)
                        .sql(")"),
                ),
                Sort::UpdatedAt => q.filter(
                    sql::<Bool>("(tickets.updated_at, tickets.id) < (")
                        .bind::<Timestamptz, _>(ts)
                        .sql(", ")
                        .bind::<BigInt, _>(k.id)
                        .sql(")"),
                ),
                Sort::Priority => q.filter(
                    sql::<Bool>("(tickets.priority_rank, tickets.id) < (")
                        .bind::<SmallInt, _>(rank)
                        .sql(", ")
                        .bind::<BigInt, _>(k.id)
                        .sql(")"),
                ),
                Sort::SlaDue => q.filter(
                    sql::<Bool>("(tickets.next_due_at, tickets.id) > (")
                        .bind::<Timestamptz, _>(ts)
                        .sql(", ")
                        .bind::<BigInt, _>(k.id)
                        .sql(")"),
                ),
                Sort::Queue => q.filter(
                    sql::<Bool>("(tickets.queue_rank, tickets.next_due_at, tickets.id) > (")
                        .bind::<SmallInt, _>(rank)
                        .sql(", ")
                        .bind::<Timestamptz, _>(ts)
                        .sql(", ")
                        .bind::<BigInt, _>(k.id)
                        .sql(")"),
                ),
            };
        }
        let rows: Vec<TicketRow> = q.load(conn)?;
        let (rows, next) = pagination::page(rows, limit, |t| key_of(sort, t));
        Ok((present::tickets(conn, rows)?, next))
    })
    .await?;
    Ok(web::Json(Page { items: page, next_cursor }))
}

#[derive(QueryableByName)]
struct ActiveCounts {
    #[diesel(sql_type = BigInt)]
    on_track: i64,
    #[diesel(sql_type = BigInt)]
    at_risk: i64,
    #[diesel(sql_type = BigInt)]
    breached: i64,
    #[diesel(sql_type = BigInt)]
    unassigned: i64,
    #[diesel(sql_type = BigInt)]
    mine: i64,
}

/// Counts for the agents' dashboard (archived tickets excluded).
#[utoipa::path(
    tag = "tickets",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The counts.", body = TicketStats),
        (status = 403, description = "Customers have no dashboard.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/tickets/stats")]
pub async fn stats(staff: Staff, state: web::Data<AppState>) -> Result<web::Json<TicketStats>, ApiError> {
    let me = staff.0.id();
    let stats = db::run(&state.pool, move |conn| {
        let mut stats = TicketStats::default();
        for s in TicketStatus::ALL {
            stats.by_status.insert(s.as_str().to_owned(), 0);
        }
        let by_status: Vec<(TicketStatus, i64)> = tickets::table
            .filter(tickets::archived.eq(false))
            .group_by(tickets::status)
            .select((tickets::status, diesel::dsl::count_star()))
            .load(conn)?;
        for (s, n) in by_status {
            stats.by_status.insert(s.as_str().to_owned(), n);
        }
        // One scan of the active tickets for the SLA and assignment counts.
        let counts: ActiveCounts = diesel::sql_query(format!(
            "SELECT count(*) FILTER (WHERE {on_track}) AS on_track, count(*) FILTER (WHERE {at_risk}) AS at_risk,
                    count(*) FILTER (WHERE {breached}) AS breached, count(*) FILTER (WHERE assignee_id IS NULL) AS unassigned,
                    count(*) FILTER (WHERE assignee_id = $1) AS mine
             FROM tickets WHERE NOT archived AND status IN ('new', 'open', 'pending')",
            on_track = sla::status_sql(SlaStatus::OnTrack),
            at_risk = sla::status_sql(SlaStatus::AtRisk),
            breached = sla::status_sql(SlaStatus::Breached),
        ))
        .bind::<BigInt, _>(me)
        .get_result(conn)?;
        stats.by_sla_status = [
            (SlaStatus::OnTrack, counts.on_track),
            (SlaStatus::AtRisk, counts.at_risk),
            (SlaStatus::Breached, counts.breached),
        ]
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), n))
        .collect();
        stats.unassigned = counts.unassigned;
        stats.mine = counts.mine;
        Ok(stats)
    })
    .await?;
    Ok(web::Json(stats))
}
