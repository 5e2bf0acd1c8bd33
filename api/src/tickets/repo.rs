//! Queries on tickets, comments and events. No HTTP here: functions over `&mut PgConnection`
//! that compose inside one transaction. Only this feature writes `tickets`, `comments` and
//! `ticket_events`; other features (organizations, jobs) call these functions.

use chrono::{DateTime, Utc};
use diesel::{
    dsl::sql,
    pg::Pg,
    prelude::*,
    sql_types::{Array, Bool, Text},
};
use helpdesk_types::{
    organizations::ContractTier,
    tickets::{AssigneeFilter, SlaStatus, Sort, TicketQuery, TicketStatus},
};

use super::{
    model::{CommentRow, EventRow, NewComment, NewTicket, TicketRow},
    policy::{self, Viewer},
    seek::{Key, Seek},
};
use crate::{
    db::schema::{categories, comments, organizations, ticket_events, tickets},
    error::ApiError,
    sla,
};

/// Statuses in which a ticket still needs work.
pub const ACTIVE: [TicketStatus; 3] = [TicketStatus::New, TicketStatus::Open, TicketStatus::Pending];

/// The ticket; `lock` takes a row lock for an update (concurrent updates of one ticket are
/// serialised, none is lost).
pub fn find(conn: &mut PgConnection, id: i64, lock: bool) -> QueryResult<Option<TicketRow>> {
    let query = tickets::table.find(id).select(TicketRow::as_select());
    if lock { query.for_update().first(conn).optional() } else { query.first(conn).optional() }
}

/// The ticket, if it exists and the viewer may see it; otherwise 404.
pub fn find_visible(conn: &mut PgConnection, viewer: &Viewer, id: i64, lock: bool) -> Result<TicketRow, ApiError> {
    find(conn, id, lock)?.filter(|t| viewer.can_see(t)).ok_or(ApiError::NotFound)
}

pub fn id_by_number(conn: &mut PgConnection, number: i64) -> QueryResult<Option<i64>> {
    tickets::table.filter(tickets::number.eq(number)).select(tickets::id).first(conn).optional()
}

/// Inserts a ticket and its row of report facts.
pub fn insert(conn: &mut PgConnection, new: &NewTicket) -> QueryResult<TicketRow> {
    let row = diesel::insert_into(tickets::table).values(new).returning(TicketRow::as_returning()).get_result(conn)?;
    sla::clock::record_facts(conn, &row, None, row.created_at)?;
    Ok(row)
}

/// Writes every field a ticket's life changes, and marks it updated now.
pub fn save(conn: &mut PgConnection, t: &TicketRow) -> QueryResult<TicketRow> {
    diesel::update(tickets::table.find(t.id))
        .set((
            tickets::subject.eq(&t.subject),
            tickets::status.eq(t.status),
            tickets::priority.eq(t.priority),
            tickets::category_id.eq(t.category_id),
            tickets::assignee_id.eq(t.assignee_id),
            tickets::first_response_at.eq(t.first_response_at),
            tickets::resolved_at.eq(t.resolved_at),
            tickets::closed_at.eq(t.closed_at),
            tickets::first_response_due_at.eq(t.first_response_due_at),
            tickets::resolution_due_at.eq(t.resolution_due_at),
            tickets::legal_hold.eq(t.legal_hold),
            tickets::sla_paused_at.eq(t.sla_paused_at),
            tickets::sla_paused_seconds.eq(t.sla_paused_seconds),
            tickets::first_response_warn_at.eq(t.first_response_warn_at),
            tickets::resolution_warn_at.eq(t.resolution_warn_at),
            tickets::sla_alerted.eq(&t.sla_alerted),
            tickets::sla_alert_at.eq(t.sla_alert_at),
            tickets::pending_reminders.eq(t.pending_reminders),
            tickets::customer_said_at.eq(t.customer_said_at),
            tickets::team_said_at.eq(t.team_said_at),
            tickets::updated_at.eq(Utc::now()),
        ))
        .returning(TicketRow::as_returning())
        .get_result(conn)
}

/// Marks a ticket updated now (a file was attached).
pub fn touch(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
    diesel::update(tickets::table.find(id)).set(tickets::updated_at.eq(Utc::now())).execute(conn).map(|_| ())
}

/// Deletes a ticket with its comments, events and attachment rows (foreign keys cascade).
pub fn delete(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(tickets::table.find(id)).execute(conn)? > 0)
}

/// Resolved tickets whose resolution is older than `cutoff`, locked (others skip them).
pub fn resolved_before(conn: &mut PgConnection, cutoff: DateTime<Utc>, limit: i64) -> QueryResult<Vec<TicketRow>> {
    tickets::table
        .filter(tickets::status.eq(TicketStatus::Resolved))
        .filter(tickets::resolved_at.lt(cutoff))
        .select(TicketRow::as_select())
        // The resolved tickets' own index, oldest first (never a walk of every ticket by id).
        .order((tickets::resolved_at, tickets::id))
        .limit(limit)
        .for_update()
        .skip_locked()
        .load(conn)
}

/// Closes and archives the given tickets (the workflow checked the move).
pub fn close_and_archive(conn: &mut PgConnection, ids: &[i64], now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(tickets::table.filter(tickets::id.eq_any(ids)))
        .set((
            tickets::status.eq(TicketStatus::Closed),
            tickets::closed_at.eq(now),
            tickets::archived.eq(true),
            tickets::updated_at.eq(now),
        ))
        .execute(conn)
}

/// An organization's contract tier changed: its tickets (archived ones only with
/// `include_archived`) are served by the new tier.
pub fn set_contract_tier(
    conn: &mut PgConnection,
    organization_id: i64,
    tier: ContractTier,
    include_archived: bool,
) -> QueryResult<usize> {
    let mut q = diesel::update(tickets::table).filter(tickets::organization_id.eq(organization_id)).into_boxed();
    if !include_archived {
        q = q.filter(tickets::archived.eq(false));
    }
    q.set(tickets::contract_tier.eq(tier)).execute(conn)
}

/// The contract tier tickets of this organization get (`none` without one).
pub fn contract_tier_of(conn: &mut PgConnection, organization_id: Option<i64>) -> QueryResult<ContractTier> {
    let Some(id) = organization_id else { return Ok(ContractTier::None) };
    Ok(organizations::table
        .find(id)
        .select(organizations::contract_tier)
        .first(conn)
        .optional()?
        .unwrap_or(ContractTier::None))
}

/// The category's name, if it may be chosen: active, or any with `include_inactive` (staff).
pub fn category_name(conn: &mut PgConnection, id: i64, include_inactive: bool) -> QueryResult<Option<String>> {
    let found: Option<(String, bool)> =
        categories::table.find(id).select((categories::name, categories::active)).first(conn).optional()?;
    Ok(found.filter(|(_, active)| *active || include_inactive).map(|(name, _)| name))
}

/// How many of a person's tickets still need work.
pub fn active_count_of_requester(conn: &mut PgConnection, requester_id: i64) -> QueryResult<i64> {
    tickets::table
        .filter(tickets::requester_id.eq(requester_id))
        .filter(tickets::status.eq_any(ACTIVE))
        .count()
        .get_result(conn)
}

/// A page of the tickets `viewer` may see, filtered by `query`, after `after` in `seek` order;
/// `limit + 1` rows so the caller knows whether another page follows.
///
/// A text search runs as two queries, one per text index: tickets whose own text matches, and
/// tickets with a matching comment the viewer may see; their pages are merged here. Each names
/// one table's text condition, so the planner estimates its selectivity from that column's
/// statistics (kept for 10,000 lexemes) and picks the index (a rare word: its few matches, then
/// sort) or the sort order (a common word: walk it and stop at the page's end). For comments
/// that estimate is capped at 0.5 % for any word outside the statistics, which would walk the
/// whole list for a word nobody wrote; so a word the statistics do not name as common is looked
/// up in the comment index first ([`rare_comment_matches`]).
pub fn list(
    conn: &mut PgConnection,
    viewer: &Viewer,
    query: &TicketQuery,
    seek: Seek,
    after: Option<&Key>,
    limit: i64,
) -> QueryResult<Vec<TicketRow>> {
    let Some(text) = query.q.as_deref() else {
        return page(conn, viewer, query, None, seek, after, None, limit);
    };
    let mut rows = page(conn, viewer, query, Some(Match::Ticket(text)), seek, after, None, limit)?;
    // A full page of text matches ends at its last row: the other queries need only the rows
    // up to it, since nothing after it can make the page (a common word then walks a short
    // range for its comment matches, not the list until a page of them turned up).
    let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    let last = rows.last().filter(|_| full).map(|t| seek.key(t));
    let until = last.as_ref();
    if let Some(number) = ticket_number(text) {
        rows.extend(page(conn, viewer, query, Some(Match::Number(number)), seek, after, until, limit)?);
    }
    let people = matching_people(conn, text)?;
    if !people.0.is_empty() || !people.1.is_empty() {
        rows.extend(page(conn, viewer, query, Some(Match::People(people.0, people.1)), seek, after, until, limit)?);
    }
    let in_comments = match rare_comment_matches(conn, viewer, text)? {
        Some(ids) if ids.is_empty() => None,
        Some(ids) => Some(Match::Tickets(ids)),
        None => Some(Match::Comment(text)),
    };
    if let Some(in_comments) = in_comments {
        rows.extend(page(conn, viewer, query, Some(in_comments), seek, after, until, limit)?);
    }
    rows.sort_by(|a, b| seek.compare(a, b));
    rows.dedup_by_key(|t| t.id);
    rows.truncate(usize::try_from(limit + 1).unwrap_or(usize::MAX));
    Ok(rows)
}

/// The lexemes the statistics of `comments.search` name as the most common (up to 10,000),
/// read again every 10 minutes: parsing them costs milliseconds, a search must not.
fn common_comment_lexemes(conn: &mut PgConnection) -> QueryResult<std::sync::Arc<std::collections::HashSet<String>>> {
    static COMMON: crate::fresh::Fresh<std::sync::Arc<std::collections::HashSet<String>>> =
        crate::fresh::Fresh::new(std::time::Duration::from_secs(600));
    COMMON.get_or_read(|| {
        let lexemes = diesel::sql_query(
            "SELECT unnest(most_common_elems::text::text[]) AS lexeme FROM pg_stats
             WHERE schemaname = current_schema() AND tablename = 'comments' AND attname = 'search'",
        )
        .load::<Lexeme>(conn)?;
        Ok(std::sync::Arc::new(lexemes.into_iter().map(|l| l.lexeme).collect()))
    })
}

/// At most this many matching comments are read from the index for a rare word.
const RARE_COMMENTS: i64 = 5_000;

/// A row of a query that lists lexemes.
#[derive(QueryableByName)]
struct Lexeme {
    #[diesel(sql_type = Text)]
    lexeme: String,
}

#[derive(QueryableByName)]
struct TicketId {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    ticket_id: i64,
}

/// The tickets with a comment the viewer may see that matches `text`, when its words are rare
/// among comments: none of them among the most common lexemes of the column's statistics, and
/// fewer than [`RARE_COMMENTS`] matches in the index. `None` for a common word (walk the list).
fn rare_comment_matches(conn: &mut PgConnection, viewer: &Viewer, text: &str) -> QueryResult<Option<Vec<i64>>> {
    let common = common_comment_lexemes(conn)?;
    let words: Vec<Lexeme> = diesel::sql_query(
        "SELECT unnest(tsvector_to_array(to_tsvector('german', $1) || to_tsvector('english', $1))) AS lexeme",
    )
    .bind::<Text, _>(text)
    .load(conn)?;
    if words.iter().any(|w| common.contains(&w.lexeme)) {
        return Ok(None);
    }
    let found: Vec<TicketId> = conn.transaction(|conn| {
        // Read the matches from the text index (a bitmap scan), never by walking the table.
        diesel::sql_query("SET LOCAL enable_seqscan = off").execute(conn)?;
        diesel::sql_query("SET LOCAL enable_indexscan = off").execute(conn)?;
        diesel::sql_query(
            "SELECT ticket_id FROM comments WHERE internal = ANY($1)
               AND search @@ (websearch_to_tsquery('german', $2) || websearch_to_tsquery('english', $2))
             LIMIT $3",
        )
        .bind::<Array<Bool>, _>(policy::visible_internal(viewer).to_vec())
        .bind::<Text, _>(text)
        .bind::<diesel::sql_types::BigInt, _>(RARE_COMMENTS)
        .load(conn)
    })?;
    if i64::try_from(found.len()).unwrap_or(i64::MAX) >= RARE_COMMENTS {
        return Ok(None);
    }
    let mut ids: Vec<i64> = found.into_iter().map(|t| t.ticket_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(Some(ids))
}

/// The ticket number a search names (`100505` or `#100505`), if it is one.
fn ticket_number(text: &str) -> Option<i64> {
    let digits = text.trim().strip_prefix('#').unwrap_or(text.trim());
    (!digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// At most this many people and organizations whose names start like the search are looked at.
const MATCHING_PEOPLE: i64 = 500;

/// The people (by name or email) and organizations (by name) whose words start with every word
/// of the search ("mül" finds "Hans Müller"), from the word-prefix indexes of migration 020.
/// Words shorter than two letters are left out; a search of none finds nobody.
fn matching_people(conn: &mut PgConnection, text: &str) -> QueryResult<(Vec<i64>, Vec<i64>)> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric() || "@.-_+".contains(*c)).collect::<String>())
        .filter(|w| w.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .take(5)
        .collect();
    if words.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    // Only letters, digits and `@.-_+` are left, so quoting each word is safe. One round trip
    // for both lookups: `person` tells the two kinds of id apart.
    let prefixes = words.iter().map(|w| format!("'{w}':*")).collect::<Vec<_>>().join(" & ");
    let found: Vec<Id> = diesel::sql_query(
        "(SELECT id, true AS person FROM users
           WHERE to_tsvector('simple', full_name || ' ' || email) @@ to_tsquery('simple', $1) LIMIT $2)
         UNION ALL
         (SELECT id, false FROM organizations WHERE to_tsvector('simple', name) @@ to_tsquery('simple', $1) LIMIT $2)",
    )
    .bind::<Text, _>(&prefixes)
    .bind::<diesel::sql_types::BigInt, _>(MATCHING_PEOPLE)
    .load(conn)?;
    let (people, organizations): (Vec<Id>, Vec<Id>) = found.into_iter().partition(|f| f.person);
    Ok((people.into_iter().map(|p| p.id).collect(), organizations.into_iter().map(|o| o.id).collect()))
}

/// A person's or an organization's id from [`matching_people`].
#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = Bool)]
    person: bool,
}

/// Where a search term must occur.
#[derive(Clone)]
enum Match<'a> {
    /// The ticket's number.
    Number(i64),
    /// Requested by one of these people or for one of these organizations.
    People(Vec<i64>, Vec<i64>),
    /// In the ticket's subject or description.
    Ticket(&'a str),
    /// In a comment the viewer may see.
    Comment(&'a str),
    /// One of these tickets (those with a matching comment, looked up first).
    Tickets(Vec<i64>),
}

/// One query of [`list`]: the rows after `after` and, when given, up to `until`.
#[allow(clippy::too_many_arguments)]
fn page(
    conn: &mut PgConnection,
    viewer: &Viewer,
    query: &TicketQuery,
    text: Option<Match<'_>>,
    seek: Seek,
    after: Option<&Key>,
    until: Option<&Key>,
    limit: i64,
) -> QueryResult<Vec<TicketRow>> {
    if seek.0 == Sort::Queue
        && let Some(band) = query.sla_status.and_then(due_band).or_else(|| finished_only(query))
    {
        return queue_by_rank(conn, viewer, query, text, band, after, limit);
    }
    let mut q = seek.order(filtered(viewer, query, text));
    if let Some(key) = after {
        q = q.filter(seek.after(key));
    }
    if let Some(bound) = until.and_then(|key| seek.up_to(key)) {
        q = q.filter(bound);
    }
    q.select(TicketRow::as_select()).limit(limit + 1).load(conn)
}

/// Where the next deadline (`next_due_at`) of every ticket with this SLA status lies: ahead
/// (on track, at risk) or at the far end (met: resolved tickets sort last). `None` when the
/// status has no such band (breached, paused), or the plain queue walk is fast anyway.
fn due_band(status: SlaStatus) -> Option<bool> {
    match status {
        SlaStatus::OnTrack | SlaStatus::AtRisk => Some(true),
        SlaStatus::Met => Some(false),
        SlaStatus::Breached | SlaStatus::Paused => None,
    }
}

/// A list of resolved or closed tickets only: they all sit at the far end of the deadlines
/// (nothing is due), so the queue order reads them rank by rank from there.
fn finished_only(query: &TicketQuery) -> Option<bool> {
    let finished = |s: &TicketStatus| matches!(s, TicketStatus::Resolved | TicketStatus::Closed);
    query.status.as_ref().filter(|s| !s.is_empty() && s.iter().all(finished)).map(|_| false)
}

/// The queue order is (contract rank, next deadline, id). Filtered by a status whose tickets sit
/// in one band of deadlines, the page is read rank by rank, each a range scan of the queue
/// index within the band, instead of walking the whole queue past every breached ticket.
fn queue_by_rank(
    conn: &mut PgConnection,
    viewer: &Viewer,
    query: &TicketQuery,
    text: Option<Match<'_>>,
    ahead: bool,
    after: Option<&Key>,
    limit: i64,
) -> QueryResult<Vec<TicketRow>> {
    let (now, far) = (Utc::now(), sla::clock::never());
    let seek = Seek(Sort::Queue);
    let mut rows: Vec<TicketRow> = Vec::new();
    for rank in 0..=2i16 {
        if after.is_some_and(|k| k.rank().is_some_and(|r| r > rank)) {
            continue;
        }
        let mut q = seek.order(filtered(viewer, query, text.clone())).filter(tickets::queue_rank.eq(rank));
        q = if ahead {
            q.filter(tickets::next_due_at.gt(now)).filter(tickets::next_due_at.lt(far))
        } else {
            q.filter(tickets::next_due_at.eq(far))
        };
        if let Some(key) = after.filter(|k| k.rank() == Some(rank)) {
            q = q.filter(seek.after(key));
        }
        let wanted = limit + 1 - i64::try_from(rows.len()).unwrap_or(i64::MAX);
        rows.extend(q.select(TicketRow::as_select()).limit(wanted).load(conn)?);
        if i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit {
            break;
        }
    }
    Ok(rows)
}

/// The tickets `viewer` may see that match every filter of `query` but its text, and `text`.
fn filtered(viewer: &Viewer, query: &TicketQuery, text: Option<Match<'_>>) -> tickets::BoxedQuery<'static, Pg> {
    let mut q = tickets::table.filter(tickets::archived.eq(query.archived.unwrap_or(false))).into_boxed();
    if let Some(visible) = viewer.filter() {
        q = q.filter(visible);
    }
    if let Some(statuses) = &query.status {
        q = q.filter(tickets::status.eq_any(statuses.clone()));
    }
    if let Some(p) = query.priority {
        q = q.filter(tickets::priority.eq(p));
    }
    if let Some(c) = query.category_id {
        q = q.filter(tickets::category_id.eq(c));
    }
    q = match query.assignee_id {
        Some(AssigneeFilter::Me) => q.filter(tickets::assignee_id.eq(viewer.user_id)),
        Some(AssigneeFilter::Agent(a)) => q.filter(tickets::assignee_id.eq(a)),
        Some(AssigneeFilter::Nobody) => q.filter(tickets::assignee_id.is_null()),
        None => q,
    };
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
    if let Some(text) = text {
        q = q.filter(search_condition(text, viewer));
    }
    q
}

/// The text-search condition: German or English word forms, in the ticket's own text or in a
/// comment the viewer may see (P5: never an internal note for a customer).
fn search_condition(
    text: Match<'_>,
    viewer: &Viewer,
) -> Box<dyn BoxableExpression<tickets::table, Pg, SqlType = Bool>> {
    const TERMS: &str = "@@ (websearch_to_tsquery('german', ";
    const OR_ENGLISH: &str = ") || websearch_to_tsquery('english', ";
    match text {
        Match::Ticket(text) => Box::new(
            sql::<Bool>(&format!("tickets.search {TERMS}"))
                .bind::<Text, _>(text.to_owned())
                .sql(OR_ENGLISH)
                .bind::<Text, _>(text.to_owned())
                .sql("))"),
        ),
        Match::Tickets(ids) => Box::new(tickets::id.eq_any(ids)),
        Match::Number(number) => Box::new(tickets::number.eq(number)),
        Match::People(people, organizations) => Box::new(
            tickets::requester_id.eq_any(people).or(tickets::organization_id.eq_any(organizations)).assume_not_null(),
        ),
        Match::Comment(text) => Box::new(
            sql::<Bool>("EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = tickets.id AND c.internal = ANY(")
                .bind::<Array<Bool>, _>(policy::visible_internal(viewer).to_vec())
                .sql(&format!(") AND c.search {TERMS}"))
                .bind::<Text, _>(text.to_owned())
                .sql(OR_ENGLISH)
                .bind::<Text, _>(text.to_owned())
                .sql(")))"),
        ),
    }
}

pub fn insert_comment(conn: &mut PgConnection, new: &NewComment<'_>) -> QueryResult<CommentRow> {
    diesel::insert_into(comments::table).values(new).returning(CommentRow::as_returning()).get_result(conn)
}

/// A page of the conversation in time order (after comment `after`, `limit + 1` rows), as far
/// as `viewer` may read it.
pub fn comments(
    conn: &mut PgConnection,
    viewer: &Viewer,
    ticket_id: i64,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(comments::ticket_id.eq(ticket_id))
        .filter(comments::internal.eq_any(policy::visible_internal(viewer)))
        .filter(comments::id.gt(after.unwrap_or(0)))
        .select(CommentRow::as_select())
        .order(comments::id)
        .limit(limit + 1)
        .load(conn)
}

/// Whether a comment of this ticket is an internal note, if the comment exists and `viewer` may
/// read it.
pub fn comment_internal(
    conn: &mut PgConnection,
    viewer: &Viewer,
    ticket_id: i64,
    comment_id: i64,
) -> QueryResult<Option<bool>> {
    comments::table
        .filter(comments::id.eq(comment_id))
        .filter(comments::ticket_id.eq(ticket_id))
        .filter(comments::internal.eq_any(policy::visible_internal(viewer)))
        .select(comments::internal)
        .first(conn)
        .optional()
}

/// A page of the history, oldest first (after event `after`, `limit + 1` rows), as far as
/// `viewer` may read it.
pub fn events(
    conn: &mut PgConnection,
    viewer: &Viewer,
    ticket_id: i64,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    ticket_events::table
        .filter(ticket_events::ticket_id.eq(ticket_id))
        .filter(ticket_events::internal.eq_any(policy::visible_internal(viewer)))
        .filter(ticket_events::id.gt(after.unwrap_or(0)))
        .select(EventRow::as_select())
        .order(ticket_events::id)
        .limit(limit + 1)
        .load(conn)
}

/// What stands where erased text was.
pub const ERASED: &str = "[deleted]";

/// Erasure (P12): the tickets a person requested keep their numbers, statuses, timestamps and
/// SLA figures (so reports do not change) but lose their text; the person's comments lose
/// their text and author. Staff comments keep their text under `author_label`.
pub fn anonymize_person(
    conn: &mut PgConnection,
    user_id: i64,
    staff: bool,
    author_label: &str,
) -> QueryResult<(usize, usize)> {
    let tickets = if staff {
        0
    } else {
        diesel::update(tickets::table.filter(tickets::requester_id.eq(user_id)))
            .set((tickets::subject.eq(ERASED), tickets::description.eq(ERASED)))
            .execute(conn)?
    };
    let mine = comments::table.filter(comments::author_id.eq(user_id));
    let comments = if staff {
        diesel::update(mine)
            .set((comments::author_name.eq(author_label), comments::author_email.eq("")))
            .execute(conn)?
    } else {
        diesel::update(mine)
            .set((comments::author_name.eq(author_label), comments::author_email.eq(""), comments::body.eq(ERASED)))
            .execute(conn)?
    };
    Ok((tickets, comments))
}

/// Whether the ticket's requester restricted processing of their data (P12).
pub fn requester_restricted(conn: &mut PgConnection, t: &TicketRow) -> QueryResult<bool> {
    use crate::db::schema::users;
    users::table.find(t.requester_id).select(users::restricted_at.is_not_null()).first(conn)
}

/// A private link to a ticket for its requester without an account (P14); the token to mail.
pub fn create_request_link(conn: &mut PgConnection, ticket_id: i64) -> QueryResult<String> {
    use crate::{auth::tokens, db::schema::request_links};
    let token = tokens::generate();
    diesel::insert_into(request_links::table)
        .values((request_links::token_hash.eq(tokens::hash(&token)), request_links::ticket_id.eq(ticket_id)))
        .execute(conn)?;
    Ok(token)
}

/// The ticket a private link opens (the links go with the ticket).
pub fn find_by_request_link(conn: &mut PgConnection, token: &str, lock: bool) -> QueryResult<Option<TicketRow>> {
    use crate::{auth::tokens, db::schema::request_links};
    let id: Option<i64> = request_links::table
        .filter(request_links::token_hash.eq(tokens::hash(token)))
        .select(request_links::ticket_id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => find(conn, id, lock),
        None => Ok(None),
    }
}

/// Records the consent a contact-form sender gave, with its wording (P14).
pub fn set_consent(conn: &mut PgConnection, ticket_id: i64, wording: &str) -> QueryResult<usize> {
    diesel::update(tickets::table.find(ticket_id))
        .set((tickets::consent_text.eq(wording), tickets::consent_at.eq(Utc::now())))
        .execute(conn)
}

/// The public conversation of a ticket (no internal notes), oldest first.
pub fn public_comments(conn: &mut PgConnection, ticket_id: i64) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(comments::ticket_id.eq(ticket_id))
        .filter(comments::internal.eq(false))
        .select(CommentRow::as_select())
        .order(comments::id)
        .load(conn)
}
