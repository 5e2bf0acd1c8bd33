//! `api/src/db/schema.rs` is generated from the migrations (`make schema`); this test fails when
//! someone changes a migration and forgets to regenerate it (or edits it by hand): every table
//! and column, in order, with its type and nullability, must be what the migrated database has.

use std::collections::BTreeMap;

use diesel::{QueryableByName, RunQueryDsl, sql_types::Text};
use helpdesk_tests::TestDb;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

/// The Diesel type `diesel print-schema` writes for a PostgreSQL column type.
fn diesel_type(udt: &str, nullable: bool) -> String {
    let base = match udt {
        "int2" => "Int2".to_owned(),
        "int4" => "Int4".to_owned(),
        "int8" => "Int8".to_owned(),
        "text" => "Text".to_owned(),
        "varchar" => "Varchar".to_owned(),
        "bool" => "Bool".to_owned(),
        "date" => "Date".to_owned(),
        "timestamptz" => "Timestamptz".to_owned(),
        "bytea" => "Bytea".to_owned(),
        "jsonb" => "Jsonb".to_owned(),
        "inet" => "Inet".to_owned(),
        "tsvector" => "Tsvector".to_owned(),
        "_text" => "Array<Nullable<Text>>".to_owned(),
        "_int8" => "Array<Nullable<Int8>>".to_owned(),
        other => format!("<unknown {other}>"),
    };
    if nullable { format!("Nullable<{base}>") } else { base }
}

/// Table -> columns as `name -> Type`, from the text of schema.rs.
fn declared() -> BTreeMap<String, Vec<String>> {
    let text = include_str!("../../src/db/schema.rs");
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_suffix('{').and_then(|l| l.split_once(" (")).map(|(n, _)| n.trim()) {
            current = Some(name.to_owned());
            tables.insert(name.to_owned(), Vec::new());
        } else if line == "}" {
            current = None;
        } else if let (Some(table), Some(column)) = (&current, line.strip_suffix(',').filter(|l| l.contains(" -> ")))
            && let Some(columns) = tables.get_mut(table)
        {
            columns.push(column.to_owned());
        }
    }
    tables
}

#[test]
fn schema_rs_matches_the_migrated_database() {
    let db = TestDb::create();
    let mut conn = db.connect();
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, udt_name::text, is_nullable::text
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
           -- `diesel print-schema` leaves out tables without a primary key (ticket_counts:
           -- append-only counters, read with SQL only).
           AND EXISTS (SELECT 1 FROM information_schema.table_constraints k
                       WHERE k.table_schema = 'public' AND k.table_name = columns.table_name
                         AND k.constraint_type = 'PRIMARY KEY')
         ORDER BY table_name, ordinal_position",
    )
    .load(&mut conn)
    .unwrap();
    let mut actual: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in columns {
        let ty = diesel_type(&c.udt_name, c.is_nullable == "YES");
        actual.entry(c.table_name).or_default().push(format!("{} -> {ty}", c.column_name));
    }
    let declared = declared();
    assert_eq!(
        declared.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "tables differ: run `make schema`"
    );
    for (table, columns) in &actual {
        assert_eq!(&declared[table], columns, "columns of {table} differ: run `make schema`");
    }
}

/// A referenced row deleted between a handler's check and its write is a 422 naming the field
/// (the database's foreign key decides), never a 500.
#[test]
fn a_vanished_reference_is_a_field_problem() {
    use diesel::{ExpressionMethods, RunQueryDsl};
    use helpdesk_api::{db::schema::tickets, error::ApiError};
    let db = helpdesk_tests::TestDb::create();
    let mut conn = db.connect();
    let err = diesel::insert_into(tickets::table)
        .values((
            tickets::subject.eq("s"),
            tickets::description.eq("d"),
            tickets::channel.eq("web"),
            tickets::requester_id.eq(4711_i64),
            tickets::first_response_due_at.eq(chrono::Utc::now()),
            tickets::resolution_due_at.eq(chrono::Utc::now()),
            tickets::first_response_warn_at.eq(chrono::Utc::now()),
            tickets::resolution_warn_at.eq(chrono::Utc::now()),
        ))
        .execute(&mut conn)
        .unwrap_err();
    match ApiError::from(err) {
        ApiError::Validation(fields) => assert!(fields.contains_key("requester_id"), "{fields:?}"),
        other => panic!("expected a field problem, got {other:?}"),
    }
}
