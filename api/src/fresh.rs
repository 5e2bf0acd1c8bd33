//! One value that is expensive to read and may be a little old: kept for a fixed time, read
//! again after it, and forgotten at once when something it depends on changed here
//! (`middleware::caches` forgets the request-path ones after every write). A read that raced
//! with a forget does not store its possibly older answer (the generation).

use std::{
    sync::{Mutex, MutexGuard, PoisonError},
    time::{Duration, Instant},
};

pub struct Fresh<T> {
    keep_for: Duration,
    inner: Mutex<Inner<T>>,
}

struct Inner<T> {
    value: Option<(Instant, T)>,
    generation: u64,
}

impl<T: Clone> Fresh<T> {
    pub const fn new(keep_for: Duration) -> Self {
        Self { keep_for, inner: Mutex::new(Inner { value: None, generation: 0 }) }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The kept value if it is younger than `keep_for`, otherwise what `read` returns (kept).
    pub fn get_or_read<E>(&self, read: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let generation = {
            let inner = self.lock();
            if let Some((at, value)) = &inner.value
                && at.elapsed() < self.keep_for
            {
                return Ok(value.clone());
            }
            inner.generation
        };
        let value = read()?;
        let mut inner = self.lock();
        if inner.generation == generation {
            inner.value = Some((Instant::now(), value.clone()));
        }
        Ok(value)
    }

    pub fn forget(&self) {
        let mut inner = self.lock();
        inner.value = None;
        inner.generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_value_is_reused_until_forgotten_and_a_read_racing_a_forget_is_not_kept() {
        let fresh = Fresh::new(Duration::from_secs(60));
        assert_eq!(fresh.get_or_read(|| Ok::<_, ()>(1)), Ok(1));
        assert_eq!(fresh.get_or_read(|| Ok::<_, ()>(2)), Ok(1), "kept");
        fresh.forget();
        // A read during which something changed answers, but is not kept.
        assert_eq!(
            fresh.get_or_read(|| {
                fresh.forget();
                Ok::<_, ()>(3)
            }),
            Ok(3)
        );
        assert_eq!(fresh.get_or_read(|| Ok::<_, ()>(4)), Ok(4), "read again");
        assert_eq!(fresh.get_or_read(|| Err::<i32, _>("down")), Ok(4), "errors are not kept");
    }
}
