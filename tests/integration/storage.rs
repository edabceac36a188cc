//! The storage layer on real files: migrations from empty and from an
//! older version, reopening, refusing a newer file without touching it,
//! the connection's pragmas, and the deterministic seed generator.

use crate::util;

use std::path::Path;

use regulars::db::search;
use regulars::db::settings::BusinessKind;
use regulars::db::store::{schema_version, Store, DATABASE_FILE};
use regulars::io::sample;
use regulars::kernel::error::Error;
use regulars::kernel::time;
use regulars::records::customers;
use rusqlite::Connection;

use util::{customer, now, InputExt, Shop};

/// Every table the migrations create.
const EXPECTED_TABLES: &[&str] = &[
    "settings",
    "staff",
    "customers",
    "people",
    "notes",
    "search_keys",
    "search_entries",
    "search_text",
    "interactions",
    "tasks",
    "points_ledger",
    "memberships",
    "reminders",
];

fn user_version(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap()
}

/// The schema as SQLite stores it: every object's type, name and SQL.
fn schema(conn: &Connection) -> Vec<(String, String, Option<String>)> {
    conn.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn table_names(conn: &Connection) -> Vec<String> {
    schema(conn).into_iter().filter(|(kind, _, _)| kind == "table").map(|(_, name, _)| name).collect()
}

/// The files next to the database: -wal, -shm, -journal.
fn side_files(db: &Path) -> Vec<String> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| format!("{}{suffix}", db.display()))
        .filter(|path| Path::new(path).exists())
        .collect()
}

#[test]
fn a_new_database_is_migrated_to_the_current_version() {
    let shop = Shop::new();
    assert!(schema_version() >= 2, "schema_version() is {}", schema_version());
    assert_eq!(user_version(shop.conn()), schema_version());
    assert_eq!(shop.store.path(), shop.db_path());
    assert!(shop.db_path().ends_with(DATABASE_FILE));
    assert!(shop.db_path().is_file(), "no database file at {}", shop.db_path().display());

    let tables = table_names(shop.conn());
    for table in EXPECTED_TABLES {
        assert!(tables.iter().any(|t| t == table), "table {table} is missing; tables: {tables:?}");
        // Each one is queryable.
        util::count_rows(shop.conn(), table);
    }
}

#[test]
fn open_in_creates_missing_folders() {
    let temp = tempfile::tempdir().unwrap();
    let nested = temp.path().join("a").join("b c").join("Regulars");
    let store = Store::open_in(&nested).expect("open in a folder that does not exist yet");
    assert!(nested.join(DATABASE_FILE).is_file());
    assert_eq!(user_version(store.conn()), schema_version());
}

#[test]
fn reopening_an_existing_database_changes_nothing() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Zoë", "Müller").phone("(555) 014-2211").pet("Biscuit", "dog"));
    let card = shop.add_note(&card.id, "likes tea", true);
    let schema_before = schema(shop.conn());
    let data_before = util::dump(shop.conn());

    for _ in 0..3 {
        shop = shop.reopen();
        assert_eq!(user_version(shop.conn()), schema_version());
        assert_eq!(schema(shop.conn()), schema_before, "reopening changed the schema");
        util::assert_unchanged(&data_before, &util::dump(shop.conn()), "reopening");
    }
    assert_eq!(shop.card(&card.id), card);
    assert_eq!(shop.names("biscuit"), ["Zoë Müller"]);
}

/// The first released schema, exactly as a version 1 app wrote it.
const VERSION_1_SQL: &str = include_str!("../../src-tauri/migrations/0001_init.sql");

/// A database file as the first release left it, with one customer.
fn version_1_file(db: &Path) {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch(VERSION_1_SQL).unwrap();
    conn.execute_batch(
        "INSERT INTO customers (id, first_name, last_name, display_name, sort_name, phone, phone_digits,
             email, created_at, updated_at)
         VALUES ('0190b3c2-0000-7000-8000-000000000001', 'Søren', 'Ødegård', 'Søren Ødegård', 'soren odegard',
             '+45 20 12 34 56', '4520123456', 'soren@example.no', '2023-01-01T10:00:00.000Z', '2023-01-01T10:00:00.000Z');
         INSERT INTO notes (id, customer_id, body, pinned, created_at, updated_at)
         VALUES ('0190b3c2-0000-7000-8000-000000000002', '0190b3c2-0000-7000-8000-000000000001', 'likes tea', 1,
             '2023-01-01T10:00:00.000Z', '2023-01-01T10:00:00.000Z');
         INSERT INTO search_names (key, customer_pk) VALUES ('soren odegard', 1), ('odegard', 1);
         INSERT INTO search_text (rowid, name, contact, people, notes)
         VALUES (1, 'soren odegard', 'soren example no 4520123456', '', 'likes tea');
         PRAGMA user_version = 1;",
    )
    .unwrap();
}

#[test]
fn a_version_1_database_is_migrated_and_keeps_its_data() {
    let temp = tempfile::tempdir().unwrap();
    let db = temp.path().join(DATABASE_FILE);
    version_1_file(&db);

    let store = Store::open(&db).expect("open a version 1 database");
    assert_eq!(user_version(store.conn()), schema_version());

    // The upgraded file has exactly the schema of a new one.
    let fresh = Shop::new();
    assert_eq!(schema(store.conn()), schema(fresh.conn()), "upgrading from version 1 differs from a new database");

    let card = customers::get(store.conn(), "0190b3c2-0000-7000-8000-000000000001").expect("the customer survives");
    assert_eq!(card.display_name, "Søren Ødegård");
    assert_eq!(card.phone, "+45 20 12 34 56");
    assert_eq!(card.notes.len(), 1);
    assert!(card.notes[0].pinned);
    let hits = search::search(store.conn(), "soren", 20, None).unwrap();
    assert_eq!(hits.iter().map(|h| h.display_name.as_str()).collect::<Vec<_>>(), ["Søren Ødegård"]);
    let hits = search::search(store.conn(), "tea", 20, None).unwrap();
    assert_eq!(hits.len(), 1, "the rebuilt search index finds the note");
    // Version 8 rebuilt the index with phone keys the old one never had.
    for query in ["+45 20 12", "20 12 34", "3456"] {
        let hits = search::search(store.conn(), query, 20, None).unwrap();
        assert_eq!(
            hits.iter().map(|h| h.display_name.as_str()).collect::<Vec<_>>(),
            ["Søren Ødegård"],
            "phone query {query:?}"
        );
    }
}

#[test]
fn a_failed_migration_leaves_the_old_version() {
    // A version 1 file where migration 2 cannot run (one of its tables
    // already exists): the open fails and nothing of the upgrade is kept.
    let temp = tempfile::tempdir().unwrap();
    let db = temp.path().join(DATABASE_FILE);
    version_1_file(&db);
    Connection::open(&db).unwrap().execute_batch("CREATE TABLE tasks (whatever TEXT);").unwrap();
    let schema_before = schema(&Connection::open(&db).unwrap());

    let result = Store::open(&db);
    assert!(matches!(result, Err(Error::Storage(_))), "expected a storage error, got {:?}", result.err());

    let conn = Connection::open(&db).unwrap();
    assert_eq!(user_version(&conn), 1, "a failed migration must not bump the version");
    assert_eq!(schema(&conn), schema_before, "half a migration was kept");
    let customers: i64 = conn.query_row("SELECT count(*) FROM customers", [], |row| row.get(0)).unwrap();
    assert_eq!(customers, 1);
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let temp = tempfile::tempdir().unwrap();
    let db = temp.path().join(DATABASE_FILE);
    let newer = schema_version() + 1;
    {
        let conn = Connection::open(&db).unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get(0)).unwrap();
        assert_eq!(mode, "delete");
        conn.execute_batch("CREATE TABLE from_the_future (x TEXT); INSERT INTO from_the_future VALUES ('hello');")
            .unwrap();
        conn.pragma_update(None, "user_version", newer).unwrap();
    }
    let bytes_before = std::fs::read(&db).unwrap();
    let modified_before = std::fs::metadata(&db).unwrap().modified().unwrap();
    assert!(side_files(&db).is_empty(), "setup left side files: {:?}", side_files(&db));

    for attempt in 0..2 {
        let result = Store::open(&db);
        match result {
            Err(Error::NewerSchema { found, known }) => {
                assert_eq!(found, newer);
                assert_eq!(known, schema_version());
            }
            Err(other) => panic!("attempt {attempt}: expected NewerSchema, got {other:?}"),
            Ok(_) => panic!("attempt {attempt}: a database from a newer version was opened"),
        }
        let result = Store::open_in(temp.path());
        assert!(matches!(result, Err(Error::NewerSchema { .. })), "open_in: {:?}", result.err());
    }

    let bytes_after = std::fs::read(&db).unwrap();
    assert!(
        bytes_before == bytes_after,
        "the refused file's bytes changed ({} -> {} bytes)",
        bytes_before.len(),
        bytes_after.len()
    );
    assert_eq!(std::fs::metadata(&db).unwrap().modified().unwrap(), modified_before);
    assert!(side_files(&db).is_empty(), "the refused open created {:?}", side_files(&db));

    // The message tells the owner what happened, and the UI gets its kind.
    let error = Store::open(&db).err().unwrap();
    let message = error.to_string();
    assert!(message.contains("newer version") && message.contains("Nothing was changed"), "{message}");
    assert_eq!(error.kind(), "newer_schema");
}

#[test]
fn a_real_shop_file_marked_newer_is_refused_untouched() {
    let mut shop = Shop::new();
    shop.create(customer("Zoë", "Müller"));
    let db = shop.db_path();
    drop(shop.store);
    {
        // Back to rollback-journal mode (checkpointing the WAL), then bump the version.
        let conn = Connection::open(&db).unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get(0)).unwrap();
        assert_eq!(mode, "delete");
        conn.pragma_update(None, "user_version", schema_version() + 5).unwrap();
    }
    assert!(side_files(&db).is_empty(), "setup left side files: {:?}", side_files(&db));
    let before = std::fs::read(&db).unwrap();

    let result = Store::open(&db);
    assert!(
        matches!(result, Err(Error::NewerSchema { found, .. }) if found == schema_version() + 5),
        "{:?}",
        result.err()
    );
    assert!(std::fs::read(&db).unwrap() == before, "the refused file's bytes changed");
    assert!(side_files(&db).is_empty(), "the refused open created {:?}", side_files(&db));
}

#[test]
fn connection_uses_wal_foreign_keys_and_a_busy_timeout() {
    let shop = Shop::new();
    let conn = shop.conn();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let foreign_keys: i64 = conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0)).unwrap();
    assert_eq!(foreign_keys, 1, "foreign_keys must be ON");
    let timeout: i64 = conn.query_row("PRAGMA busy_timeout", [], |row| row.get(0)).unwrap();
    assert!(timeout >= 1000, "busy_timeout is {timeout} ms");

    // Foreign keys are really enforced: a note for nobody is refused.
    let orphan = conn.execute(
        "INSERT INTO notes (id, customer_id, body, created_at, updated_at) VALUES ('n1', 'nobody', 'x', 't', 't')",
        [],
    );
    assert!(orphan.is_err(), "a note without a customer was accepted");

    // And the same holds after reopening.
    let shop = shop.reopen();
    let mode: String = shop.conn().query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let foreign_keys: i64 = shop.conn().query_row("PRAGMA foreign_keys", [], |row| row.get(0)).unwrap();
    assert_eq!(foreign_keys, 1);
}

#[test]
fn a_second_connection_sees_committed_writes() {
    // The WAL lets a reader (a second desk, the seed tool) see each commit.
    let mut shop = Shop::new();
    let other = Store::open(&shop.db_path()).expect("a second connection");
    shop.create(customer("Zoë", "Müller"));
    assert_eq!(customers::count(other.conn()).unwrap(), 1);
}

// ---------------------------------------------------------------- seed

/// What a seeded shop looks like, without ids (which are time-based).
fn seeded_shop(kind: BusinessKind, count: usize, seed: u64) -> Vec<String> {
    let mut shop = Shop::new();
    sample::seed(shop.conn_mut(), kind, count, seed, now()).unwrap();
    assert_eq!(customers::count(shop.conn()).unwrap(), count as i64);
    let mut stmt = shop
        .conn()
        .prepare(
        "SELECT display_name, phone, email, coalesce(birthday, ''), tags, created_at,
                (SELECT group_concat(name || '/' || kind, ',') FROM people p WHERE p.customer_id = c.id),
                (SELECT group_concat(body, '|') FROM (SELECT body FROM notes n WHERE n.customer_id = c.id ORDER BY created_at, body))
         FROM customers c ORDER BY created_at, pk",
    )
    .unwrap();
    let rows = stmt
        .query_map([], |row| {
            Ok(format!(
                "{} | {} | {} | {} | {} | {} | {:?} | {:?}",
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, Option<String>>(6)?,
                row.get::<_, Option<String>>(7)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows
}

#[test]
fn the_seed_is_deterministic() {
    let first = seeded_shop(BusinessKind::DogWalking, 300, 42);
    let second = seeded_shop(BusinessKind::DogWalking, 300, 42);
    assert_eq!(first.len(), 300);
    if let Some(at) = first.iter().zip(&second).position(|(a, b)| a != b) {
        panic!("the same seed gave different customers at {at}:\n  {}\n  {}", first[at], second[at]);
    }
    assert_eq!(first, second);

    let other_seed = seeded_shop(BusinessKind::DogWalking, 300, 43);
    assert_ne!(first, other_seed, "a different seed should give a different shop");

    // Names only, in insertion order, straight from the generator.
    let names = |seed| -> Vec<String> {
        sample::generate(BusinessKind::Gym, 100, seed, now())
            .into_iter()
            .map(|c| format!("{} {}", c.input.first_name, c.input.last_name))
            .collect()
    };
    assert_eq!(names(7), names(7));
    assert_ne!(names(7), names(8));
}

#[test]
fn the_seed_makes_valid_varied_customers() {
    let mut shop = Shop::new();
    sample::seed(shop.conn_mut(), BusinessKind::Gym, 200, 1, now()).unwrap();
    let conn = shop.conn();
    let distinct: i64 =
        conn.query_row("SELECT count(DISTINCT display_name) FROM customers", [], |row| row.get(0)).unwrap();
    assert!(distinct > 150, "only {distinct} distinct names among 200");
    let future: i64 = conn
        .query_row("SELECT count(*) FROM customers WHERE created_at > ?1", [time::timestamp(now())], |row| row.get(0))
        .unwrap();
    assert_eq!(future, 0, "seeded customers created after now");
    let with_notes: i64 =
        conn.query_row("SELECT count(DISTINCT customer_id) FROM notes", [], |row| row.get(0)).unwrap();
    assert_eq!(with_notes, 200, "every seeded customer has at least one note");
    assert_eq!(util::count_rows(conn, "search_text"), 200, "every seeded customer is indexed");
}
