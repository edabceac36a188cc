//! Shared fixtures for the integration tests, in the manner of ripgrep's
//! `tests/util.rs`: every test gets its own data folder in a fresh temp
//! directory and a real SQLite file opened through `Store::open_in`.
//!
//! Declared once in `main.rs`; each area module takes what it needs with
//! `use crate::util`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use regulars::db::search;
use regulars::db::store::{Store, DATABASE_FILE};
use regulars::features::cards;
use regulars::kernel::error::Error;
use regulars::records::customers::{self, Card, CustomerInput, PersonInput};

/// The fixed "now" every test passes to the domain: a Wednesday afternoon.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 15, 14, 30, 0).unwrap()
}

/// `now()` moved by some minutes, for ordering by time.
pub fn minutes_later(minutes: i64) -> DateTime<Utc> {
    now() + Duration::minutes(minutes)
}

/// A temp data folder with the shop's database opened in it. The folder is
/// removed when the fixture is dropped.
pub struct Shop {
    // Declared first so the database is closed before the folder is removed.
    pub store: Store,
    dir: tempfile::TempDir,
}

impl Shop {
    /// A new, empty shop in a fresh temp folder.
    pub fn new() -> Shop {
        let dir = tempfile::Builder::new().prefix("regulars-test-").tempdir().expect("create a temp dir");
        let store = Store::open_in(&data_dir_of(dir.path())).expect("open a new store");
        Shop { store, dir }
    }

    /// The data folder (the one holding the database file).
    pub fn data_dir(&self) -> PathBuf {
        data_dir_of(self.dir.path())
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir().join(DATABASE_FILE)
    }

    /// Closes the database (dropping the `Store`) and opens it again from
    /// the same folder, as a restart of the app would.
    pub fn reopen(self) -> Shop {
        let Shop { store, dir } = self;
        drop(store);
        let store = Store::open_in(&data_dir_of(dir.path())).expect("reopen the store");
        Shop { store, dir }
    }

    pub fn conn(&self) -> &rusqlite::Connection {
        self.store.conn()
    }

    pub fn conn_mut(&mut self) -> &mut rusqlite::Connection {
        self.store.conn_mut()
    }

    /// Creates a customer, panicking with the error if it is refused.
    pub fn create(&mut self, input: CustomerInput) -> Card {
        let shown = format!("{} {}", input.first_name, input.last_name);
        cards::create(self.conn_mut(), &input, now())
            .unwrap_or_else(|e| panic!("creating {shown:?} was refused: {e:?}"))
    }

    pub fn card(&self, id: &str) -> Card {
        customers::get(self.conn(), id).unwrap_or_else(|e| panic!("loading card {id}: {e:?}"))
    }

    pub fn add_note(&mut self, customer_id: &str, body: &str, pinned: bool) -> Card {
        customers::add_note(self.conn_mut(), customer_id, body, pinned, now())
            .unwrap_or_else(|e| panic!("adding note {body:?}: {e:?}"))
    }

    /// Display names the search returns for `query`, in result order.
    pub fn names(&self, query: &str) -> Vec<String> {
        self.hits(query).into_iter().map(|hit| hit.display_name).collect()
    }

    /// Full hits for `query` with the default limit.
    pub fn hits(&self, query: &str) -> Vec<search::Hit> {
        search::search(self.conn(), query, search::DEFAULT_LIMIT, None)
            .unwrap_or_else(|e| panic!("search {query:?} failed: {e:?}"))
    }

    /// `SELECT count(*) FROM <table>`.
    pub fn count(&self, table: &str) -> i64 {
        count_rows(self.conn(), table)
    }
}

fn data_dir_of(temp: &Path) -> PathBuf {
    // A space and a non-ASCII letter, as in real profile folders.
    temp.join("Regulars data ë")
}

pub fn count_rows(conn: &rusqlite::Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0))
        .unwrap_or_else(|e| panic!("counting rows of {table}: {e}"))
}

/// A card form with just a name; set the rest with the chainable setters or
/// struct update syntax: `CustomerInput { email: ..., ..customer("Zoë", "Müller") }`.
pub fn customer(first: &str, last: &str) -> CustomerInput {
    CustomerInput { first_name: first.into(), last_name: last.into(), ..CustomerInput::default() }
}

/// A person or pet as the card form sends a new one.
pub fn person(name: &str, kind: &str, details: &str) -> PersonInput {
    PersonInput { id: None, name: name.into(), kind: kind.into(), details: details.into() }
}

/// Chainable setters for `CustomerInput`.
pub trait InputExt: Sized {
    fn phone(self, phone: &str) -> Self;
    fn email(self, email: &str) -> Self;
    /// Day, month and year exactly as typed in the three birthday fields.
    fn birthday(self, day: &str, month: &str, year: &str) -> Self;
    fn channel(self, channel: &str) -> Self;
    fn tags(self, tags: &[&str]) -> Self;
    fn with(self, person: PersonInput) -> Self;
    fn pet(self, name: &str, kind: &str) -> Self;
}

impl InputExt for CustomerInput {
    fn phone(mut self, phone: &str) -> Self {
        self.phone = phone.into();
        self
    }
    fn email(mut self, email: &str) -> Self {
        self.email = email.into();
        self
    }
    fn birthday(mut self, day: &str, month: &str, year: &str) -> Self {
        self.birthday_day = day.into();
        self.birthday_month = month.into();
        self.birthday_year = year.into();
        self
    }
    fn channel(mut self, channel: &str) -> Self {
        self.preferred_channel = channel.into();
        self
    }
    fn tags(mut self, tags: &[&str]) -> Self {
        self.tags = tags.iter().map(|t| t.to_string()).collect();
        self
    }
    fn with(mut self, person: PersonInput) -> Self {
        self.people.push(person);
        self
    }
    fn pet(self, name: &str, kind: &str) -> Self {
        self.with(person(name, kind, ""))
    }
}

/// The form as it would be sent back for an existing card (people keep their ids).
pub fn input_from(card: &Card) -> CustomerInput {
    CustomerInput::from(card)
}

/// Asserts that `result` is `Error::Invalid` naming `field`, and returns the reason.
#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(result: Result<T, Error>, field: &str) -> String {
    match result {
        Err(Error::Invalid { field: got, reason }) => {
            assert_eq!(got, field, "refused, but for the wrong field (reason: {reason:?})");
            assert!(!reason.trim().is_empty(), "the refusal for {field:?} has no message");
            reason
        }
        other => panic!("expected Invalid {{ field: {field:?} }}, got {other:?}"),
    }
}

/// Every table a card or the settings write to. `search_text` is a
/// contentless FTS5 table, so only its rowids can be read back.
pub const TABLES: &[&str] = &["customers", "people", "notes", "search_keys", "search_entries", "staff", "settings"];

/// The whole stored state of the shop as text, one entry per table (plus the
/// search index's rowids), to show that a refused change changed nothing.
pub fn dump(conn: &rusqlite::Connection) -> std::collections::BTreeMap<String, Vec<String>> {
    dump_of(conn, TABLES)
}

/// Like `dump`, over the tables named.
pub fn dump_of(conn: &rusqlite::Connection, tables: &[&str]) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut state = std::collections::BTreeMap::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2")).expect("prepare dump");
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |row| {
                let values: Vec<rusqlite::types::Value> =
                    (0..columns).map(|i| row.get(i)).collect::<rusqlite::Result<_>>()?;
                Ok(format!("{values:?}"))
            })
            .expect("query dump")
            .collect::<rusqlite::Result<Vec<String>>>()
            .expect("read dump");
        state.insert(table.to_string(), rows);
    }
    let rowids = conn
        .prepare("SELECT rowid FROM search_text ORDER BY rowid")
        .expect("prepare search_text dump")
        .query_map([], |row| row.get::<_, i64>(0).map(|id| id.to_string()))
        .expect("query search_text dump")
        .collect::<rusqlite::Result<Vec<String>>>()
        .expect("read search_text dump");
    state.insert("search_text (rowids)".into(), rowids);
    state
}

/// Asserts two dumps are equal, naming only the tables that differ.
#[track_caller]
pub fn assert_unchanged(
    before: &std::collections::BTreeMap<String, Vec<String>>,
    after: &std::collections::BTreeMap<String, Vec<String>>,
    what: &str,
) {
    let changed: Vec<String> = before
        .iter()
        .filter(|(table, rows)| after.get(*table) != Some(*rows))
        .map(|(table, rows)| format!("{table}:\n  before {rows:#?}\n  after  {:#?}", after.get(table)))
        .collect();
    assert!(changed.is_empty(), "{what} changed stored data:\n{}", changed.join("\n"));
}

// ------------------------------------------------------------ text for property tests

/// Pieces of text that have broken text handling elsewhere, so a generated
/// string meets them far more often than uniform chance would: accents
/// precomposed and combining, letters Unicode does not decompose, CJK,
/// emoji with skin tones and joiners, right-to-left scripts and overrides,
/// ligatures, Turkish dotted I, a byte-order mark, and dates and words in
/// the languages the shops write.
const TRICKY: &[&str] = &[
    "é",
    "e\u{301}",
    "Zoë",
    "Müller",
    "Łukasiewicz",
    "Ø",
    "ß",
    "ǅ",
    "İ",
    "ﬁ",
    "Å",
    "李",
    "東京",
    "한국",
    "🎂",
    "👩🏽‍⚕️",
    "👨‍👩‍👧",
    "🇩🇪",
    "\u{200D}",
    "\u{FE0F}",
    "שלום",
    "مرحبا",
    "\u{202E}",
    "\u{200F}",
    "\u{FEFF}",
    "\u{0301}\u{0308}",
    "février",
    "März",
    "mayo",
    "août",
    "de",
    "1er",
    "3rd",
    "Sept.",
    "--",
    "T",
    ":",
];

/// One piece: any character, a run of digits, a separator, or a tricky piece.
fn text_piece(any_char: BoxedStrategy<char>) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any_char.prop_map(String::from),
        2 => "[0-9]{1,4}",
        2 => prop::sample::select(&[" ", "/", ".", "-", ",", ";", "'", "\"", "\t", "\n", "(", ")", "@"][..]).prop_map(String::from),
        3 => prop::sample::select(TRICKY).prop_map(String::from),
    ]
}

/// Any text a person can type or paste into a field or a spreadsheet
/// cell: every character but the control codes, tab and newline kept.
pub fn user_text(pieces: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    let typed = any::<char>().prop_filter("no control codes", |c| !c.is_control() || matches!(c, '\t' | '\n')).boxed();
    prop::collection::vec(text_piece(typed), pieces).prop_map(|p| p.concat())
}

/// User text that holds at least one letter or digit, as a name must.
pub fn name_text() -> impl Strategy<Value = String> {
    user_text(1..8).prop_filter("a name", |s| s.chars().any(char::is_alphanumeric))
}

/// Any text at all, control codes and NUL included, for readers of files.
pub fn any_text(pieces: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(text_piece(any::<char>().boxed()), pieces).prop_map(|p| p.concat())
}

/// The shop a command-line test made, opened with its passphrase.
pub fn open_cli_shop(data_dir: &Path) -> regulars::db::store::Store {
    regulars::io::vault::unlock(data_dir, CLI_PASSPHRASE, &regulars::io::vault::NoKeychain)
        .expect("open the shop the command line made")
}

/// The passphrase the command-line tests give a new shop.
pub const CLI_PASSPHRASE: &str = "a passphrase for the tests";

/// Runs the real binary's `regulars import FILE` on `data_dir`: its exit
/// code and everything it printed.
/// A new shop's key comes from a passphrase on stdin (no keychain here).
pub fn cli_import(data_dir: &Path, file: &Path) -> (Option<i32>, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_regulars"))
        .args(["import", "--passphrase-stdin", "--data-dir"])
        .arg(data_dir)
        .arg(file)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the import");
    writeln!(child.stdin.take().expect("stdin"), "{CLI_PASSPHRASE}").expect("the passphrase");
    let run = child.wait_with_output().expect("the import's output");
    (run.status.code(), format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr)))
}
