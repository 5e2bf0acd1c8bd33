//! Database access: the r2d2 pool, [`run`] (the one hop from async handlers to blocking Diesel),
//! the embedded migrations, and the generated [`schema`].

pub mod schema;

use std::time::Duration;

use actix_web::web;
use anyhow::Context;
use diesel::{
    PgConnection, RunQueryDsl,
    r2d2::{ConnectionManager, Pool},
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

pub type DbPool = Pool<ConnectionManager<PgConnection>>;

/// The SQL migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// How long a request waits for a free connection before it gets a 503.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens the pool; fails if no connection can be made within the checkout timeout.
pub fn pool(url: &str, size: u32) -> anyhow::Result<DbPool> {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        // No `SELECT 1` before every use (a round trip per request): a connection that broke
        // fails its request with a 503 and is dropped when it returns (`has_broken`).
        .test_on_check_out(false)
        .connection_timeout(CHECKOUT_TIMEOUT)
        .build(ConnectionManager::new(url))
        .context("cannot connect to the database (DATABASE_URL)")
}

/// The one hop from async code to the blocking thread pool, inside the caller's tracing span.
/// Slow CPU work (bcrypt) uses it directly, without a connection; Diesel goes through [`run`].
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    web::block(move || span.in_scope(f)).await?
}

/// Runs `f` with a pooled connection on the blocking thread pool. Use one call per use case and
/// open the transaction inside `f`; nothing slow (bcrypt, a network call) belongs in `f`, since
/// it would hold the connection.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    blocking(move || {
        let waiting = metrics::gauge!("helpdesk_db_pool_waiting");
        waiting.increment(1);
        let conn = pool.get();
        waiting.decrement(1);
        let mut conn = conn?;
        f(&mut conn)
    })
    .await
}

/// A `LIKE` pattern matching `q` anywhere, with `%`, `_` and `\` escaped.
pub fn like_pattern(q: &str) -> String {
    let escaped = q.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Applies pending migrations; returns the versions it applied.
pub fn migrate(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    let applied =
        conn.run_pending_migrations(MIGRATIONS).map_err(|e| anyhow::anyhow!(e)).context("migration failed")?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Readiness: a connection can be had quickly, answers, and every migration is applied.
pub async fn check_ready(pool: &DbPool) -> Result<(), ApiError> {
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get_timeout(Duration::from_secs(2))?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .map_err(|e| ApiError::Unavailable(format!("database query failed: {e}")))?;
        match conn.has_pending_migration(MIGRATIONS) {
            Ok(false) => Ok(()),
            Ok(true) => Err(ApiError::Unavailable("database migrations are pending".into())),
            Err(e) => Err(ApiError::Unavailable(format!("cannot read the migration state: {e}"))),
        }
    })
    .await?
}
