//! Keyset pagination: `limit` and an opaque `cursor` (base64url JSON of the last row's sort key).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Serialize, de::DeserializeOwned};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 25;

/// `limit` and `cursor` of a list ordered by id (per-ticket lists: comments, events, files).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-100, default 25.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The checked limit and the id to continue after.
    pub fn parse(&self) -> Result<(i64, Option<i64>), ApiError> {
        Ok((limit(self.limit)?, decode(self.cursor.as_deref())?))
    }
}
pub const MAX_LIMIT: i64 = 100;

/// The page size asked for, checked against 1..=100.
pub fn limit(requested: Option<i64>) -> Result<i64, ApiError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::field("limit", format!("must be between 1 and {MAX_LIMIT}"))),
    }
}

/// The `q` of a list, checked like the tickets' search: at most 200 characters, no control
/// characters; blank means no search.
pub fn search_term(q: Option<String>) -> Result<Option<String>, ApiError> {
    if let Some(problem) = q.as_deref().and_then(helpdesk_types::validation::search_problem) {
        return Err(ApiError::field("q", problem));
    }
    Ok(q.filter(|t| !t.trim().is_empty()))
}

pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

pub fn decode<K: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>, ApiError> {
    let Some(cursor) = cursor else { return Ok(None) };
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| ApiError::field("cursor", "is not a cursor this list returned"))
}

/// Splits a fetched `limit + 1` rows into the page and the cursor for the next one.
pub fn page<R, K: Serialize>(mut rows: Vec<R>, limit: i64, key: impl Fn(&R) -> K) -> (Vec<R>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = if more { rows.last().map(|r| encode(&key(r))) } else { None };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_a_field_error() {
        let c = encode(&(42_i64, "x"));
        assert_eq!(decode::<(i64, String)>(Some(&c)).unwrap(), Some((42, "x".to_owned())));
        assert!(matches!(decode::<i64>(Some("%%%")), Err(ApiError::Validation(_))));
        assert!(limit(Some(0)).is_err() && limit(Some(101)).is_err() && limit(Some(100)).is_ok());
    }

    #[test]
    fn a_page_has_a_cursor_only_when_more_rows_exist() {
        let (items, next) = page(vec![1, 2, 3], 2, |r| *r);
        assert_eq!(items, vec![1, 2]);
        assert_eq!(decode::<i32>(next.as_deref()).unwrap(), Some(2));
        assert_eq!(page(vec![1, 2], 2, |r| *r).1, None);
    }
}
