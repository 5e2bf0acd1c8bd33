//! Migrations are reversible: up, down and up again leave a working schema.

use diesel_migrations::MigrationHarness;
use helpdesk_api::db::{MIGRATIONS, migrate};
use helpdesk_tests::TestDb;

#[test]
fn migrations_run_up_down_and_up_again() {
    let db = TestDb::create_empty();
    let mut conn = db.connect();
    let applied = migrate(&mut conn).unwrap();
    assert!(!applied.is_empty());
    conn.revert_all_migrations(MIGRATIONS).unwrap();
    assert!(conn.has_pending_migration(MIGRATIONS).unwrap());
    assert_eq!(migrate(&mut conn).unwrap(), applied);
    assert!(!conn.has_pending_migration(MIGRATIONS).unwrap());
}
