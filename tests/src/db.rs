//! Per-test databases cloned from one migrated template.

use std::{
    hash::{DefaultHasher, Hash, Hasher},
    process::Command,
    sync::OnceLock,
};

use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, sql_types};

use crate::paths;

/// A connection URL to the server's maintenance database, from `DATABASE_URL`.
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL").expect(
        "DATABASE_URL must point at a PostgreSQL server the tests may create databases on (make test starts one)",
    )
}

/// `url` with its database name replaced.
pub fn url_for(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{database}?{q}"),
        None => format!("{prefix}/{database}"),
    }
}

fn admin_connection() -> PgConnection {
    PgConnection::establish(&admin_url()).expect("connect to the test PostgreSQL server")
}

fn execute(conn: &mut PgConnection, sql: &str) {
    diesel::sql_query(sql).execute(conn).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The template's name changes with the migrations, so a stale template is never reused.
fn template_name() -> String {
    let mut hasher = DefaultHasher::new();
    let mut files: Vec<_> = walk(&paths::root().join("migrations"));
    files.sort();
    for file in files {
        file.hash(&mut hasher);
        std::fs::read(&file).expect("read a migration").hash(&mut hasher);
    }
    format!("helpdesk_template_{:016x}", hasher.finish())
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .expect("read the migrations directory")
        .flatten()
        .flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] })
        .collect()
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = sql_types::Bool)]
    found: bool,
}

/// Creates and migrates the template once per server, whichever test process gets there first.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = template_name();
        let mut conn = admin_connection();
        // Serialises test processes that start at once; released when `conn` closes.
        execute(&mut conn, "SELECT pg_advisory_lock(7351202611)");
        let exists = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found")
            .bind::<sql_types::Text, _>(&name)
            .get_result::<Found>(&mut conn)
            .expect("look up the template")
            .found;
        if !exists {
            let building = format!("{name}_building");
            execute(&mut conn, &format!("DROP DATABASE IF EXISTS {building}"));
            execute(&mut conn, &format!("CREATE DATABASE {building}"));
            let output = Command::new(paths::binary())
                .arg("migrate")
                .env("DATABASE_URL", url_for(&admin_url(), &building))
                .env("RUST_LOG", "warn")
                .output()
                .expect("run helpdesk migrate");
            assert!(output.status.success(), "helpdesk migrate failed: {}", String::from_utf8_lossy(&output.stderr));
            // Renamed only when complete, so an interrupted run never leaves a half-migrated template.
            execute(&mut conn, &format!("ALTER DATABASE {building} RENAME TO {name}"));
        }
        name
    })
}

/// A fresh, migrated database for one test, dropped when this value is dropped.
pub struct TestDb {
    pub name: String,
    pub url: String,
    /// Dropped with this value (false for a database of another cluster).
    owned: bool,
}

impl TestDb {
    pub fn create() -> Self {
        let template = template();
        let name = format!("t_{:016x}", rand::random::<u64>());
        execute(&mut admin_connection(), &format!("CREATE DATABASE {name} TEMPLATE {template}"));
        Self { url: url_for(&admin_url(), &name), name, owned: true }
    }

    /// An empty database without any migration applied.
    pub fn create_empty() -> Self {
        let name = format!("t_{:016x}", rand::random::<u64>());
        execute(&mut admin_connection(), &format!("CREATE DATABASE {name}"));
        Self { url: url_for(&admin_url(), &name), name, owned: true }
    }

    /// A database elsewhere (a test's own cluster), left alone when this value is dropped.
    pub fn external(url: &str) -> Self {
        Self { name: String::new(), url: url.to_owned(), owned: false }
    }

    /// A direct connection, for tests that set up or inspect state below the API.
    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect to the test database")
    }

    /// Drops the database now, terminating its connections (simulates a database outage).
    pub fn drop_now(&self) {
        execute(&mut admin_connection(), &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        if let Ok(mut conn) = PgConnection::establish(&admin_url()) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut conn);
        }
    }
}
