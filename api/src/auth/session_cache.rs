//! The sessions this instance checked in the last two seconds, so a burst of reads by one person
//! looks the session up once, not on every request (#15: it was one of the three statements of
//! reading a ticket).
//!
//! A cached session is forgotten as soon as it may have changed:
//! - on this instance, after every request that is not a read (`middleware::caches`): signing out,
//!   a role change, a deactivation, a restriction all are such requests, so the next request
//!   of anyone is checked against the database again;
//! - on every instance, when a session is revoked or deleted or an account changes (triggers of
//!   migration 025 send `{"kind":"auth"}` on the live-update channel; the listener forgets
//!   everything within about 50 ms, and after reconnecting, since it may have missed some);
//! - at the latest after [`FRESH_FOR`].
//!
//! A lookup that raced with a forget does not put its possibly older answer back: every entry is
//! stored only if no forget happened since its lookup began (the generation).

use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use super::sessions::Session;
use crate::accounts::model::User;

/// How long a checked session is believed without asking the database.
pub const FRESH_FOR: Duration = Duration::from_secs(2);
/// More sessions than this at once: start over (bounded memory).
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<i64, (Instant, Session, User)>>,
    generation: AtomicU64,
}

impl SessionCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (Instant, Session, User)>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The session and its account, if checked within [`FRESH_FOR`] and not forgotten since.
    pub fn get(&self, session_id: i64) -> Option<(Session, User)> {
        let entries = self.lock();
        let (at, session, user) = entries.get(&session_id)?;
        (at.elapsed() < FRESH_FOR).then(|| (session.clone(), user.clone()))
    }

    /// Where a lookup starts: pass it to [`SessionCache::put`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Keeps what a lookup that began at `generation` found, unless a forget happened since.
    pub fn put(&self, generation: u64, session: Session, user: User) {
        let mut entries = self.lock();
        if self.generation() != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(session.id, (Instant::now(), session, user));
    }

    /// Forgets every session.
    pub fn forget_all(&self) {
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }
}
