//! Keyset pagination of the ticket list: one [`Seek`] per sort order knows its `ORDER BY` and the
//! condition "after this row", so deep pages cost what the first costs and tickets created while
//! someone pages are neither skipped nor repeated.

use chrono::{DateTime, Utc};
use diesel::{
    dsl::sql,
    pg::Pg,
    prelude::*,
    sql_types::{BigInt, Bool, SmallInt, Timestamptz},
};
use helpdesk_types::tickets::Sort;
use serde::{Deserialize, Serialize};

use super::model::TicketRow;
use crate::db::schema::tickets;

/// The position after the last row of a page (the cursor's content).
#[derive(Debug, Serialize, Deserialize)]
pub struct Key {
    pub sort: Sort,
    ts: Option<DateTime<Utc>>,
    rank: Option<i16>,
    id: i64,
}

impl Key {
    /// The queue rank of the row (queue order only).
    pub fn rank(&self) -> Option<i16> {
        self.rank
    }
}

/// A sort order of the ticket list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seek(pub Sort);

impl Seek {
    /// The key of `t` in this order.
    pub fn key(self, t: &TicketRow) -> Key {
        let (ts, rank) = match self.0 {
            Sort::CreatedAt => (Some(t.created_at), None),
            Sort::UpdatedAt => (Some(t.updated_at), None),
            Sort::Priority => (None, t.priority_rank),
            Sort::SlaDue => (t.next_due_at, None),
            Sort::Queue => (t.next_due_at, t.queue_rank),
        };
        Key { sort: self.0, ts, rank, id: t.id }
    }

    /// The order of two rows, as [`Seek::order`] sorts them (to merge pages of several queries).
    pub fn compare(self, a: &TicketRow, b: &TicketRow) -> std::cmp::Ordering {
        let (a, b) = (self.key(a), self.key(b));
        let ascending = (a.rank, a.ts, a.id).cmp(&(b.rank, b.ts, b.id));
        match self.0 {
            Sort::CreatedAt | Sort::UpdatedAt | Sort::Priority => ascending.reverse(),
            Sort::SlaDue | Sort::Queue => ascending,
        }
    }

    /// Orders `q`; the id breaks ties, so the order is total.
    pub fn order<'a>(self, q: tickets::BoxedQuery<'a, Pg>) -> tickets::BoxedQuery<'a, Pg> {
        match self.0 {
            Sort::CreatedAt => q.order((tickets::created_at.desc(), tickets::id.desc())),
            Sort::UpdatedAt => q.order((tickets::updated_at.desc(), tickets::id.desc())),
            Sort::Priority => q.order((tickets::priority_rank.desc(), tickets::id.desc())),
            Sort::SlaDue => q.order((tickets::next_due_at.asc(), tickets::id.asc())),
            Sort::Queue => q.order((tickets::queue_rank.asc(), tickets::next_due_at.asc(), tickets::id.asc())),
        }
    }

    /// "Comes after `key` in this order", as a row-value comparison the sort index answers.
    pub fn after(self, key: &Key) -> Box<dyn BoxableExpression<tickets::table, Pg, SqlType = Bool>> {
        self.compared(key, false)
    }

    /// "Comes no later than `key`": the rows a page ending at `key` can still take in. `None`
    /// when the key lacks a value of this order (a ticket without a deadline), which the
    /// row-value comparison could not place.
    pub fn up_to(self, key: &Key) -> Option<Box<dyn BoxableExpression<tickets::table, Pg, SqlType = Bool>>> {
        let complete = match self.0 {
            Sort::CreatedAt | Sort::UpdatedAt | Sort::SlaDue => key.ts.is_some(),
            Sort::Priority => key.rank.is_some(),
            Sort::Queue => key.ts.is_some() && key.rank.is_some(),
        };
        complete.then(|| self.compared(key, true))
    }

    /// The row-value comparison with `key`: after it, or (`up_to`) up to and including it.
    fn compared(self, key: &Key, up_to: bool) -> Box<dyn BoxableExpression<tickets::table, Pg, SqlType = Bool>> {
        let (columns, descending) = match self.0 {
            Sort::CreatedAt => ("tickets.created_at, tickets.id", true),
            Sort::UpdatedAt => ("tickets.updated_at, tickets.id", true),
            Sort::Priority => ("tickets.priority_rank, tickets.id", true),
            Sort::SlaDue => ("tickets.next_due_at, tickets.id", false),
            Sort::Queue => ("tickets.queue_rank, tickets.next_due_at, tickets.id", false),
        };
        let op = match (descending, up_to) {
            (true, false) => "<",
            (true, true) => ">=",
            (false, false) => ">",
            (false, true) => "<=",
        };
        let (ts, rank) = (key.ts.unwrap_or_default(), key.rank.unwrap_or_default());
        let head = sql::<Bool>(&format!("({columns}) {op} ("));
        match self.0 {
            Sort::Priority => Box::new(head.bind::<SmallInt, _>(rank).sql(", ").bind::<BigInt, _>(key.id).sql(")")),
            Sort::Queue => Box::new(
                head.bind::<SmallInt, _>(rank)
                    .sql(", ")
                    .bind::<Timestamptz, _>(ts)
                    .sql(", ")
                    .bind::<BigInt, _>(key.id)
                    .sql(")"),
            ),
            Sort::CreatedAt | Sort::UpdatedAt | Sort::SlaDue => {
                Box::new(head.bind::<Timestamptz, _>(ts).sql(", ").bind::<BigInt, _>(key.id).sql(")"))
            }
        }
    }
}
