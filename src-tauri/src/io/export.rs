//! Data out: every customer to one CSV file (for a spreadsheet or another
//! tool), one customer or all as vCard contacts (for the shop's phone),
//! and one customer's complete data as JSON (a privacy request).
//!
//! The CSV is UTF-8 with a byte-order mark so Excel reads the accents
//! right, and any cell that starts like a formula (= + - @ tab or carriage
//! return) gets a leading apostrophe so a spreadsheet shows it as text
//! instead of running it. The importer takes that apostrophe off again.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde::Serialize;

use crate::io::safe_file::write_atomically;
use crate::io::vcard;
use crate::kernel::birthday::Birthday;
use crate::kernel::error::{Error, Result};
use crate::kernel::time::timestamp;
use crate::records::customers::{self, Card};
use crate::records::loyalty;

/// The CSV columns, in order. The importer's guess maps the names back.
pub const CSV_HEADERS: [&str; 25] = [
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "display_name",
    "phone",
    "email",
    "birthday",
    "preferred_channel",
    "best_time",
    "tags",
    "heard_from",
    "people",
    "notes",
    "what_brought_you",
    "success_looks_like",
    "must_happen_first",
    "who_else_cares",
    "update_how_often",
    "hear_from_us_how",
    "last_contact_at",
    "last_visit_at",
    "archived_at",
    "created_at",
    "updated_at",
];

/// Makes a cell safe to open in a spreadsheet (CSV injection).
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Writes every customer as CSV to `out`; returns how many. Each cell is
/// found by its heading (`csv_cell`), so a new text column of the card is
/// one heading in `CSV_HEADERS`.
pub fn write_customers_csv<W: Write>(conn: &Connection, out: W) -> Result<usize> {
    let mut out = std::io::BufWriter::new(out);
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut writer = csv::WriterBuilder::new().from_writer(out);
    writer.write_record(CSV_HEADERS).map_err(csv_error)?;
    let around = Around { people: people_cells(conn)?, notes: everyones_notes(conn)? };
    let mut stmt = conn.prepare("SELECT * FROM customers ORDER BY pk")?;
    // Each heading's column, looked up by name once rather than per row.
    let columns: Vec<Option<usize>> = CSV_HEADERS.iter().map(|heading| stmt.column_index(heading).ok()).collect();
    let discovery_column = stmt.column_index("discovery")?;
    let mut rows = stmt.query([])?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let id: String = row.get("id")?;
        let discovery: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&row.get::<_, String>(discovery_column)?).unwrap_or_default();
        for (heading, column) in CSV_HEADERS.iter().zip(&columns) {
            let cell = csv_cell(row, heading, *column, &id, &discovery, &around)?;
            writer.write_field(neutralise(&cell).as_bytes()).map_err(csv_error)?;
        }
        writer.write_record(None::<&[u8]>).map_err(csv_error)?;
        count += 1;
    }
    writer.flush()?;
    Ok(count)
}

/// What the CSV shows beside each customer's row: their people and pets,
/// and their notes, by customer id.
struct Around {
    people: HashMap<String, Vec<String>>,
    notes: HashMap<String, Vec<String>>,
}

/// One cell of a customer's row by its heading: the tags as a list, the
/// people and notes, an answer of the discovery questions, or else the
/// customer's column of that name as text.
fn csv_cell(
    row: &rusqlite::Row,
    heading: &str,
    column: Option<usize>,
    id: &str,
    discovery: &serde_json::Map<String, serde_json::Value>,
    around: &Around,
) -> Result<String> {
    Ok(match (heading, column) {
        ("id", _) => id.to_string(),
        ("tags", Some(column)) => {
            let tags: Vec<String> = serde_json::from_str(&row.get::<_, String>(column)?).unwrap_or_default();
            tags.join(", ")
        }
        ("people", _) => around.people.get(id).map(|p| p.join("; ")).unwrap_or_default(),
        ("notes", _) => around.notes.get(id).map(|n| n.join("\n\n")).unwrap_or_default(),
        (_, Some(column)) => row.get::<_, Option<String>>(column)?.unwrap_or_default(),
        (answer, None) => discovery.get(answer).and_then(|a| a.as_str()).unwrap_or_default().to_string(),
    })
}

/// Each customer's people and pets as the CSV shows them: "Biscuit (dog): shy".
fn people_cells(conn: &Connection) -> Result<HashMap<String, Vec<String>>> {
    Ok(everyones_people(conn)?
        .into_iter()
        .map(|(id, people)| {
            let shown = people
                .into_iter()
                .map(|p| {
                    let mut shown = p.name;
                    if !p.kind.is_empty() {
                        shown = format!("{shown} ({})", p.kind);
                    }
                    if !p.details.is_empty() {
                        shown = format!("{shown}: {}", p.details);
                    }
                    shown
                })
                .collect();
            (id, shown)
        })
        .collect())
}

fn csv_error(error: csv::Error) -> Error {
    Error::Io(std::io::Error::other(error.to_string()))
}

/// Writes the CSV to `path` through a temporary file beside it, so a
/// failed export never leaves half a file under the chosen name.
pub fn export_customers_csv(conn: &Connection, path: &Path) -> Result<usize> {
    write_atomically(path, |file| write_customers_csv(conn, file))
}

/// Cards as vCard 4.0 contacts to `path` (through a temporary file): the
/// one customer `only` names, else every customer. Returns how many.
pub fn export_vcards(conn: &Connection, only: Option<&str>, path: &Path) -> Result<usize> {
    let cards = match only {
        Some(id) => vec![vcard::ContactCard::from(&customers::get(conn, id)?)],
        None => every_contact_card(conn)?,
    };
    write_atomically(path, |file| {
        let mut out = std::io::BufWriter::new(file);
        for card in &cards {
            out.write_all(vcard::card_to_vcard(card).as_bytes())?;
        }
        out.flush()?;
        Ok(cards.len())
    })
}

/// Everyone's people and pets by customer id, in the card's order: one
/// query for all instead of one per customer.
fn everyones_people(conn: &Connection) -> Result<HashMap<String, Vec<customers::Person>>> {
    let mut people: HashMap<String, Vec<customers::Person>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT customer_id, id, name, kind, details FROM people ORDER BY customer_id, position, created_at",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let person = customers::Person { id: row.get(1)?, name: row.get(2)?, kind: row.get(3)?, details: row.get(4)? };
        people.entry(row.get(0)?).or_default().push(person);
    }
    Ok(people)
}

/// Everyone's notes by customer id, pinned first, then newest first.
fn everyones_notes(conn: &Connection) -> Result<HashMap<String, Vec<String>>> {
    let mut notes: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt =
        conn.prepare("SELECT customer_id, body FROM notes ORDER BY customer_id, pinned DESC, created_at DESC")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        notes.entry(row.get(0)?).or_default().push(row.get(1)?);
    }
    Ok(notes)
}

/// Every customer's contact fields from three queries (customers, people,
/// notes), not three per customer: at 100,000 customers that is the
/// difference between a moment and a wait.
fn every_contact_card(conn: &Connection) -> Result<Vec<vcard::ContactCard>> {
    let (mut people, mut notes) = (everyones_people(conn)?, everyones_notes(conn)?);
    let mut stmt = conn.prepare(
        "SELECT id, first_name, last_name, display_name, phone, email, birthday, tags, preferred_name
         FROM customers ORDER BY pk",
    )?;
    let mut rows = stmt.query([])?;
    let mut cards = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        cards.push(vcard::ContactCard {
            first_name: row.get(1)?,
            last_name: row.get(2)?,
            display_name: row.get(3)?,
            phone: row.get(4)?,
            email: row.get(5)?,
            birthday: row.get::<_, Option<String>>(6)?.as_deref().and_then(Birthday::from_iso),
            tags: serde_json::from_str(&row.get::<_, String>(7)?).unwrap_or_default(),
            preferred_name: row.get(8)?,
            people: people.remove(&id).unwrap_or_default(),
            notes: notes.remove(&id).unwrap_or_default(),
            id,
        });
    }
    Ok(cards)
}

/// One customer's complete data. `card` and `loyalty` are the readable
/// summary; `records` holds, table by table, their own row of `customers`
/// and every stored row that names them or points at a row that does
/// (`customer_rows`): visits, tasks, the points ledger, complaints and
/// their updates, referrals either way, plans and their tasks, reminders,
/// and any table added later, so nothing is left out when the schema grows.
#[derive(Debug, Serialize)]
pub struct CustomerData {
    pub format: &'static str,
    pub exported_at: String,
    pub card: Card,
    pub birthday: Option<String>,
    pub loyalty: loyalty::Totals,
    pub records: std::collections::BTreeMap<String, Vec<serde_json::Map<String, serde_json::Value>>>,
}

/// The tables that hold nothing about one customer, with why. Every other
/// table is in a customer's export; `tests/integration/privacy.rs` fails on
/// a table that is in neither, so a new one cannot be forgotten.
pub const NOT_ABOUT_A_CUSTOMER: &[(&str, &str)] = &[
    ("settings", "shop"),
    ("staff", "shop"),
    ("feedback_months", "totals"),
    ("month_stats", "totals"),
    // Who did what in the shop: ids and counts, never a customer's words.
    ("audit_log", "shop"),
    // The search index: words of the card, folded, which the export holds as written.
    ("search_keys", "index"),
    ("search_entries", "index"),
    ("search_text", "index"),
    ("search_text_config", "index"),
    ("search_text_data", "index"),
    ("search_text_docsize", "index"),
    ("search_text_idx", "index"),
    // A shared shop's bookkeeping on this device: its outbox (changes not
    // yet sent, which the records above already hold), clocks, and the ids
    // of what it applied and of customers deleted completely.
    ("sync_state", "sharing"),
    ("sync_outbox", "sharing"),
    ("sync_clocks", "sharing"),
    ("sync_applied", "sharing"),
    ("sync_tombstones", "sharing"),
    ("sync_parts", "sharing"),
    // The shop's devices by name: no customer's data.
    ("devices", "sharing"),
    // A group message as the owner wrote it, before it was made personal:
    // each customer's own copy is their row of mail_outbox.
    ("mail_messages", "shop"),
];

pub fn customer_data(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<CustomerData> {
    let card = customers::get(conn, id)?;
    let mut records = std::collections::BTreeMap::new();
    // The card's own row as stored, with what `card` leaves out (the
    // health and balance figures, the import that created it).
    records.insert("customers".to_string(), rows_as_json(conn, "SELECT * FROM customers WHERE id = ?1", id)?);
    for (table, condition) in customer_rows(conn)? {
        // Ordered by the table's own columns: some tables have no rowid.
        let sql = format!("SELECT * FROM \"{table}\" WHERE {condition} ORDER BY 1, 2");
        records.insert(table, rows_as_json(conn, &sql, id)?);
    }
    // The import that brought the card in (its file's name and date); the
    // batch is the shop's, so its other cards are not followed from it.
    records.insert(
        "import_batches".to_string(),
        rows_as_json(
            conn,
            "SELECT * FROM import_batches WHERE id IN (SELECT import_batch FROM customers WHERE id = ?1)
                OR id IN (SELECT batch_id FROM import_rows WHERE customer_id = ?1) ORDER BY created_at, id",
            id,
        )?,
    );
    Ok(CustomerData {
        format: "regulars-customer-data-1",
        exported_at: timestamp(now),
        birthday: card.birthday.map(Birthday::to_iso),
        loyalty: loyalty::totals(conn, id)?,
        card,
        records,
    })
}

/// A shared shop's bookkeeping (its outbox, its tombstones) is this
/// device's, not a record about the customer.
fn is_sharing_bookkeeping(table: &str) -> bool {
    NOT_ABOUT_A_CUSTOMER.iter().any(|(name, why)| *name == table && *why == "sharing")
}

/// For every table with rows about a customer, the SQL condition that
/// picks them (`?1` is the customer's id), read from the schema: a column
/// that references `customers(id)` (their visits; a referral, as friend or
/// as referrer) or is named `customer_id`, or a reference to a row picked
/// that way (a complaint's updates, a plan's tasks), however deep.
fn customer_rows(conn: &Connection) -> Result<std::collections::BTreeMap<String, String>> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut direct: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for table in customers::tables_naming_customers(conn)?.into_iter().filter(|t| !is_sharing_bookkeeping(t)) {
        direct.entry(table).or_default().insert("customer_id".to_string());
    }
    // (table, column, parent table, parent column) of every foreign key.
    let mut stmt = conn.prepare(
        "SELECT m.name, f.\"from\", f.\"table\", coalesce(f.\"to\", 'rowid')
         FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY 1, 2",
    )?;
    let keys: Vec<(String, String, String, String)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (table, column, parent, to) in &keys {
        if parent == "customers" && to == "id" && table != "customers" {
            direct.entry(table.clone()).or_default().insert(column.clone());
        }
    }
    // Tables reached through a picked parent, until no more are found.
    let mut picked: BTreeSet<String> = direct.keys().cloned().collect();
    loop {
        let before = picked.len();
        for (table, _, parent, _) in &keys {
            if picked.contains(parent) && table != "customers" {
                picked.insert(table.clone());
            }
        }
        if picked.len() == before {
            break;
        }
    }
    fn condition(
        table: &str,
        depth: usize,
        direct: &BTreeMap<String, BTreeSet<String>>,
        keys: &[(String, String, String, String)],
        picked: &BTreeSet<String>,
    ) -> String {
        let mut parts: Vec<String> =
            direct.get(table).into_iter().flatten().map(|column| format!("\"{column}\" = ?1")).collect();
        // A cycle of references would never end: a few levels reach every table there is.
        if depth < 4 {
            for (child, column, parent, to) in keys {
                if child == table && parent != table && parent != "customers" && picked.contains(parent) {
                    let inner = condition(parent, depth + 1, direct, keys, picked);
                    parts.push(format!("\"{column}\" IN (SELECT \"{to}\" FROM \"{parent}\" WHERE {inner})"));
                }
            }
        }
        if parts.is_empty() {
            "0".to_string()
        } else {
            parts.join(" OR ")
        }
    }
    Ok(picked.iter().map(|table| (table.clone(), condition(table, 0, &direct, &keys, &picked))).collect())
}

/// The rows `sql` finds for the customer `id`, each as a JSON object of its columns.
fn rows_as_json(conn: &Connection, sql: &str, id: &str) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let mut stmt = conn.prepare(sql)?;
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let mut rows = stmt.query([id])?;
    let mut list = Vec::new();
    while let Some(row) = rows.next()? {
        let mut object = serde_json::Map::new();
        for (i, name) in names.iter().enumerate() {
            object.insert(name.clone(), json_value(row.get_ref(i)?));
        }
        list.push(object);
    }
    Ok(list)
}

fn json_value(value: ValueRef) -> serde_json::Value {
    match value {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(b) => b.iter().map(|byte| format!("{byte:02x}")).collect::<String>().into(),
    }
}

/// Writes one customer's complete data as pretty JSON to `path`.
pub fn export_customer_json(conn: &Connection, id: &str, path: &Path, now: DateTime<Utc>) -> Result<()> {
    let data = customer_data(conn, id, now)?;
    write_atomically(path, |file| {
        serde_json::to_writer_pretty(&mut *file, &data).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
        Ok(())
    })
}
