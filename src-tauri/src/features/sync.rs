//! Applying another device's change to this shop, with the merge rules
//! ARCHITECTURE.md states ("A shared shop"):
//!
//! - a change is applied once, in one transaction that also records its id
//!   and stream position, so a crash or a second delivery changes nothing;
//! - added rows merge as a union (ids are UUIDv7, or derived from their
//!   cause when the effect must happen once, so two devices' rows for one
//!   cause are one row);
//! - an edited field takes the other device's value only when that edit's
//!   clock reading is later than the one that set it here;
//! - a customer deleted completely stays deleted: every later change for
//!   them is dropped;
//! - the figures a card keeps (balances, spend, rhythm, health, monthly
//!   counts, the search index) are worked out here from the records, never
//!   taken from the wire, so they are exact in any order of arrival.
//!
//! This is the one generic writer of the shared tables: it writes what
//! another device's writer (the one writer of that table there) wrote,
//! row by row, and composes nothing itself.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use crate::db::sharing::{self, Change, Op, RowChange, Sharing, Table};
use crate::db::{search, settings, store};
use crate::derived::{activity, health, rhythm};
use crate::features::cards;
use crate::kernel::error::{Error, Result};
use crate::kernel::hlc::Reading;
use crate::kernel::sealed::{self, Binding};
use crate::kernel::secret::Key;
use crate::kernel::time::timestamp;
use crate::records::interactions::CAME_IN;
use crate::records::{customers, devices, feedback, reminders};

/// What applying a change did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Applied {
    /// How many changes were applied (not counting repeats: 0 when all had
    /// been applied before).
    pub changes: usize,
    /// The customers whose cards it changed.
    pub customers: BTreeSet<String>,
    /// For each of those, the tables of theirs it changed: what `settle`
    /// works out again.
    touched: BTreeMap<String, BTreeSet<&'static str>>,
    /// The latest clock reading among the changes applied.
    latest: Option<String>,
    /// Customers it deleted completely (their printed pages are the
    /// caller's to remove).
    pub erased: Vec<String>,
    /// The owner removed this device: it has stopped sharing (its
    /// connection is forgotten, nothing more is recorded or sent).
    pub removed_here: bool,
    /// Visits new here, by customer and month: added to the monthly counts
    /// as they are (a check-in's one more), not counted again from scratch.
    came_in: BTreeMap<(String, String), i64>,
    /// Customers whose visits changed otherwise (an undo, a row made on two
    /// devices): their monthly counts are worked out again from the rows.
    recount: BTreeSet<String>,
    /// What rows new here add to a card's kept figures (points, stamps,
    /// spend, last contact), added as they are, as a check-in here does.
    added: BTreeMap<String, Added>,
    /// Customers whose ledger or visits changed otherwise (an undo, a row
    /// made on two devices, a card new here): their figures are worked out
    /// again from all their rows.
    resettle: BTreeSet<String>,
}

/// What rows new on this device add to one card's kept figures.
#[derive(Debug, Default, Clone, PartialEq)]
struct Added {
    points: i64,
    stamps: i64,
    cents: i64,
    last_contact: Option<String>,
}

/// Applies `change`, received at stream position `seq`, in one transaction.
pub fn apply(conn: &mut Connection, change: &Change, seq: u64, now: DateTime<Utc>) -> Result<Applied> {
    apply_batch(conn, &[(seq, change.clone())], seq, now)
}

/// Each shared table's sent columns, read from the schema once per batch,
/// not once per row.
#[derive(Default)]
struct Columns(BTreeMap<&'static str, Vec<(String, bool)>>);

impl Columns {
    fn of(&mut self, tx: &Connection, table: &'static Table) -> Result<&[(String, bool)]> {
        if !self.0.contains_key(table.name) {
            self.0.insert(table.name, sharing::sent_columns(tx, table)?);
        }
        Ok(self.0.get(table.name).map_or(&[], Vec::as_slice))
    }
}

/// Applies changes in stream order in one transaction, and then works out
/// each touched card's figures once (a device back from a day offline
/// settles a card once, not once per change). The device's position moves
/// to `through`: past the batch, and past messages that were not changes
/// of this shop (left unopened by the caller), in the same transaction.
pub fn apply_batch(
    conn: &mut Connection,
    batch: &[(u64, Change)],
    through: u64,
    now: DateTime<Utc>,
) -> Result<Applied> {
    if batch.iter().any(|(_, change)| change.schema > store::schema_version()) {
        return Err(Error::Conflict(
            "Another device of this shop runs a newer version of Regulars. Update this one to go on sharing; its own changes are kept until then."
                .into(),
        ));
    }
    let applied = store::write(conn, |tx| {
        let mut applied = Applied::default();
        let mut columns = Columns::default();
        let capturing = sharing::capturing(tx)?;
        sharing::set_capture(tx, false)?;
        // A field edited here and not sent yet keeps its value against an
        // older edit from another device: its clock is recorded first.
        sharing::record_own_clocks(tx)?;
        // Foreign keys are checked at commit: a change's rows may name each
        // other in any order.
        tx.pragma_update(None, "defer_foreign_keys", true)?;
        for (seq, change) in batch {
            apply_in(tx, change, *seq, &mut applied, &mut columns)?;
        }
        settle(tx, &applied)?;
        let last = batch.iter().map(|(seq, _)| *seq).max().unwrap_or(0).max(through);
        sharing::advance(tx, last, applied.latest.as_deref(), now)?;
        sharing::set_capture(tx, capturing)?;
        applied.removed_here = stop_if_removed(tx)?;
        Ok(applied)
    })?;
    if !applied.erased.is_empty() && !store::truncate_wal(conn)? {
        tracing::warn!(count = applied.erased.len(), "the WAL could not be emptied right after a received erase");
    }
    Ok(applied)
}

fn apply_in(tx: &Connection, change: &Change, seq: u64, applied: &mut Applied, columns: &mut Columns) -> Result<()> {
    if sharing::was_applied(tx, &change.id)? {
        return Ok(());
    }
    if sent_after_removal(tx, change)? {
        tracing::warn!(change = %change.id, "a change a removed device made after its removal: dropped");
        return sharing::received(tx, &change.id, seq);
    }
    if let Some(part) = &change.part {
        if sharing::was_applied(tx, &part.of)? {
            return Ok(());
        }
        if part.n < part.total {
            // Kept until the last part: the change is applied whole or not at all.
            sharing::keep_part(tx, part, &change.rows)?;
            return sharing::received(tx, &change.id, seq);
        }
        let mut whole = change.clone();
        whole.rows = sharing::take_parts(tx, &part.of)?;
        whole.rows.extend(change.rows.iter().cloned());
        whole.id = part.of.clone();
        whole.part = None;
        sharing::received(tx, &change.id, seq)?;
        return apply_in(tx, &whole, seq, applied, columns);
    }
    applied.changes += 1;
    if applied.latest.as_deref().is_none_or(|latest| latest < change.clock.as_str()) {
        applied.latest = Some(change.clock.clone());
    }
    for row in &change.rows {
        apply_row(tx, change, row, applied, columns)?;
    }
    sharing::received(tx, &change.id, seq)
}

fn apply_row(
    tx: &Connection,
    change: &Change,
    row: &RowChange,
    applied: &mut Applied,
    columns: &mut Columns,
) -> Result<()> {
    let Some(table) =
        sharing::table_named(&row.table).filter(|t| matches!(t.sharing, Sharing::Record | Sharing::AppendOnly))
    else {
        tracing::warn!(change = %change.id, "a received row names a table that is not shared: left");
        return Ok(());
    };
    if row.op == Op::Erase {
        erase(tx, &row.key, applied)?;
        return Ok(());
    }
    if let Some(customer) = &row.customer {
        if sharing::is_erased(tx, customer)? {
            return Ok(());
        }
        applied.customers.insert(customer.clone());
        let tables = applied.touched.entry(customer.clone()).or_default();
        if table.name == "feedback" && tables.insert("feedback") && customers::exists(tx, customer)? {
            // Their answers leave the monthly counts before the first of
            // them changes (they are counted again from the rows in `settle`).
            feedback::forget_customer(tx, customer)?;
        }
        tables.insert(if table.name == "customers" && only_contact_moved(row) {
            "customer_contact"
        } else {
            table.name
        });
    }
    if table.name == "settings" && !sharing::SHARED_SETTINGS.contains(&row.key.as_str()) {
        return Ok(());
    }
    match row.op {
        Op::Insert => {
            let fresh = insert(tx, table, row, columns.of(tx, table)?)?;
            note_figures(applied, table.name, row, fresh);
            Ok(())
        }
        Op::Update => {
            note_figures(applied, table.name, row, false);
            update(tx, table, row, change, columns.of(tx, table)?)
        }
        Op::Delete if table.name == "customers" => remove_customer(tx, &row.key),
        Op::Delete => {
            tx.prepare_cached(&format!("DELETE FROM \"{}\" WHERE \"{}\" = ?1", table.name, table.key))?
                .execute([&row.key])?;
            Ok(())
        }
        Op::Erase => Ok(()),
    }
}

/// A received value as SQLite's: a BLOB arrives as hex.
fn value_of(json: &serde_json::Value, blob: bool) -> Result<Value> {
    let damaged = || Error::Conflict("A received change is damaged.".into());
    Ok(match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Integer(i64::from(*b)),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::Integer(i),
            (None, Some(f)) => Value::Real(f),
            _ => return Err(damaged()),
        },
        serde_json::Value::String(text) if blob => Value::Blob(hex::decode(text).map_err(|_| damaged())?),
        serde_json::Value::String(text) => Value::Text(text.clone()),
        _ => return Err(damaged()),
    })
}

/// Notes what a received row does to its card's kept figures: a ledger
/// row or a standing interaction new here adds to them; any other change
/// to those tables (or a card new here) has them worked out again.
fn note_figures(applied: &mut Applied, table: &str, row: &RowChange, fresh: bool) {
    let Some(customer) = &row.customer else { return };
    let number = |name: &str| row.data.get(name).and_then(serde_json::Value::as_i64).unwrap_or(0);
    match (table, fresh) {
        ("points_ledger", true) => {
            let added = applied.added.entry(customer.clone()).or_default();
            added.points += number("points");
            added.stamps += number("stamps");
        }
        ("interactions", true) if row.data.get("undone_at").is_none_or(serde_json::Value::is_null) => {
            let added = applied.added.entry(customer.clone()).or_default();
            added.cents += number("amount_cents");
            if let Some(at) = row.data.get("happened_at").and_then(serde_json::Value::as_str) {
                if added.last_contact.as_deref().is_none_or(|latest| latest < at) {
                    added.last_contact = Some(at.to_string());
                }
            }
        }
        ("interactions", true) => {}
        ("points_ledger" | "interactions", false) => {
            applied.resettle.insert(customer.clone());
        }
        ("customers", _) if row.op == Op::Insert => {
            applied.resettle.insert(customer.clone());
        }
        _ => {}
    }
    if table == "interactions" {
        note_visit(applied, row, fresh);
    }
}

/// Notes an interaction row for the monthly counts: a visit new here is
/// one more in its month; anything else has its customer counted again.
fn note_visit(applied: &mut Applied, row: &RowChange, fresh: bool) {
    let Some(customer) = &row.customer else { return };
    let text = |name: &str| row.data.get(name).and_then(serde_json::Value::as_str);
    let standing = row.data.get("undone_at").is_none_or(serde_json::Value::is_null);
    match (fresh, text("kind"), text("happened_at")) {
        (true, Some(kind), Some(at)) if standing && at.len() >= 7 => {
            if CAME_IN.contains(&kind) {
                *applied.came_in.entry((customer.clone(), at[..7].to_string())).or_default() += 1;
            }
        }
        (true, ..) if !standing => {}
        _ => {
            applied.recount.insert(customer.clone());
        }
    }
}

/// Inserts a received row; whether it is new here (not a twin of one
/// already here, which `settle_twin` settles).
fn insert(tx: &Connection, table: &Table, row: &RowChange, sent: &[(String, bool)]) -> Result<bool> {
    let columns: Vec<(String, bool)> = sent.iter().filter(|(name, _)| row.data.contains_key(name)).cloned().collect();
    if columns.is_empty() {
        return Ok(false);
    }
    let names: Vec<String> = columns.iter().map(|(name, _)| format!("\"{name}\"")).collect();
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let values = columns.iter().map(|(name, blob)| value_of(&row.data[name], *blob)).collect::<Result<Vec<Value>>>()?;
    let sql = format!(
        "INSERT INTO \"{}\" ({}) VALUES ({}) ON CONFLICT DO NOTHING",
        table.name,
        names.join(", "),
        marks.join(", ")
    );
    if tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))? == 0 {
        settle_twin(tx, table, row, &columns)?;
        return Ok(false);
    }
    Ok(true)
}

/// The same row made on two devices (an id derived from one cause, such as
/// a referral's bonus given at both desks): both keep the one whose values
/// come first in a fixed order, whichever arrived first, so every device
/// ends with the same row.
fn settle_twin(tx: &Connection, table: &Table, row: &RowChange, columns: &[(String, bool)]) -> Result<()> {
    let pairs: Vec<String> = columns
        .iter()
        .map(|(name, blob)| if *blob { format!("'{name}', hex(\"{name}\")") } else { format!("'{name}', \"{name}\"") })
        .collect();
    let sql = format!("SELECT json_object({}) FROM \"{}\" WHERE \"{}\" = ?1", pairs.join(", "), table.name, table.key);
    let Some(here) = tx.prepare_cached(&sql)?.query_row([&row.key], |r| r.get::<_, String>(0)).optional()? else {
        return Ok(());
    };
    let here: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&here).map_err(|_| Error::Conflict("A stored row could not be read.".into()))?;
    let received: serde_json::Map<String, serde_json::Value> =
        columns.iter().filter_map(|(name, _)| row.data.get(name).map(|v| (name.clone(), v.clone()))).collect();
    let text = |map: &serde_json::Map<String, serde_json::Value>| serde_json::Value::Object(map.clone()).to_string();
    if text(&received) >= text(&here) {
        return Ok(());
    }
    for (name, blob) in columns {
        let sql = format!("UPDATE \"{}\" SET \"{name}\" = ?1 WHERE \"{}\" = ?2", table.name, table.key);
        tx.prepare_cached(&sql)?.execute(rusqlite::params![value_of(&row.data[name], *blob)?, row.key])?;
    }
    Ok(())
}

/// Each changed field whose clock reading here is older takes the received
/// value; a field edited here later keeps its own. A card's field whose
/// value this replaces is kept for the card's history.
fn update(tx: &Connection, table: &Table, row: &RowChange, change: &Change, columns: &[(String, bool)]) -> Result<()> {
    let clock = change.clock.as_str();
    let clocks = sharing::field_clocks(tx, table.name, &row.key)?;
    for name in &row.changed {
        let Some((_, blob)) = columns.iter().find(|(column, _)| column == name) else { continue };
        let Some(json) = row.data.get(name) else { continue };
        if clocks.get(name).is_some_and(|here| here.as_str() >= clock) {
            continue;
        }
        let value = value_of(json, *blob)?;
        if table.name == "customers" && in_card_history(name, row) {
            keep_if_overwritten(tx, &row.key, name, &value, change)?;
        }
        let sql = format!("UPDATE \"{}\" SET \"{name}\" = ?1 WHERE \"{}\" = ?2", table.name, table.key);
        tx.prepare_cached(&sql)?.execute(rusqlite::params![value, row.key])?;
        sharing::set_field_clock(tx, table.name, &row.key, name, clock)?;
    }
    Ok(())
}

/// Whether a card's column is one the card's history keeps when another
/// device overwrites it: a field the owner edits, not one kept in step
/// (the name shown, when the first or last name changed with it).
fn in_card_history(column: &str, row: &RowChange) -> bool {
    customers::CARD_COLUMNS.contains(&column)
        && !(column == "display_name" && row.changed.iter().any(|c| c == "first_name" || c == "last_name"))
}

/// Keeps a card field's value here when the received one differs: "Phone
/// changed on Front desk 2 at 10:02", with what it was.
fn keep_if_overwritten(tx: &Connection, customer_id: &str, field: &str, value: &Value, change: &Change) -> Result<()> {
    let sql = format!("SELECT \"{field}\" FROM customers WHERE id = ?1");
    let Some(here) = tx.prepare_cached(&sql)?.query_row([customer_id], |row| row.get::<_, Value>(0)).optional()? else {
        return Ok(());
    };
    let old = match here {
        // Nothing was there to lose: an empty field filled in is no line.
        _ if &here == value => return Ok(()),
        Value::Text(text) if !matches!(text.as_str(), "" | "[]") => text,
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Null | Value::Text(_) | Value::Blob(_) => return Ok(()),
    };
    let at = Reading::decode(&change.clock)
        .and_then(|reading| DateTime::<Utc>::from_timestamp_millis(reading.wall_ms))
        .map_or_else(|| change.clock.clone(), timestamp);
    devices::keep_overwritten(tx, customer_id, field, Some(&old), &change.device, &at)
}

/// Whether `change` comes from a device the owner removed, made after the
/// removal by its clock. Ordered by the clock, not by arrival, so every
/// device drops the same changes whenever the removal reached it.
fn sent_after_removal(tx: &Connection, change: &Change) -> Result<bool> {
    if !devices::is_removed(tx, &change.device)? {
        return Ok(false);
    }
    let removed = sharing::field_clocks(tx, "devices", &change.device)?;
    Ok(removed.get("removed_at").is_none_or(|at| change.clock.as_str() > at.as_str()))
}

/// When this batch told this device that the owner removed it: sharing
/// stops here (its connection forgotten, nothing more recorded or sent);
/// the shop stays as it is.
fn stop_if_removed(tx: &Connection) -> Result<bool> {
    let Some(me) = sharing::device(tx)? else { return Ok(false) };
    if !devices::is_removed(tx, &me.id)?
        || settings::load_json::<serde_json::Value>(tx, sharing::CONNECTION_SETTING)?.is_none()
    {
        return Ok(false);
    }
    sharing::stop(tx)?;
    settings::remove(tx, sharing::CONNECTION_SETTING)?;
    tracing::warn!("the owner removed this device from the shared shop: sharing stopped here");
    Ok(true)
}

/// A card another device removed (an import undone): its rows go as they
/// went there, the monthly counts and the search index with them.
fn remove_customer(tx: &Connection, id: &str) -> Result<()> {
    if !customers::exists(tx, id)? {
        return Ok(());
    }
    let pk = customers::pk_of(tx, id)?;
    let tables = customers::tables_naming_customers(tx)?;
    cards::erase_in(tx, id, pk, &tables)
}

/// "Delete completely" made on another device.
fn erase(tx: &Connection, id: &str, applied: &mut Applied) -> Result<()> {
    remove_customer(tx, id)?;
    sharing::tombstone(tx, id, false)?;
    search::purge_deleted(tx)?;
    applied.customers.remove(id);
    applied.touched.remove(id);
    applied.erased.push(id.to_string());
    Ok(())
}

/// A card's update that moved only when they were last in touch (every
/// check-in's): nothing the search finds them by changed.
fn only_contact_moved(row: &RowChange) -> bool {
    row.op == Op::Update && row.changed.iter().all(|column| column == "last_contact_at" || column == "updated_at")
}

/// Works out again the figures of every card the changes touched, each
/// from the records its changed tables feed.
fn settle(tx: &Connection, applied: &Applied) -> Result<()> {
    if applied.touched.is_empty() {
        return Ok(());
    }
    let rhythm_rules = reminders::load_rules(tx)?;
    let health_rules = health::load_rules(tx)?;
    for (customer, tables) in &applied.touched {
        if !customers::exists(tx, customer)? {
            continue;
        }
        let any = |names: &[&str]| names.iter().any(|name| tables.contains(name));
        if applied.resettle.contains(customer) {
            customers::settle_figures(tx, customer)?;
        } else {
            if let Some(added) = applied.added.get(customer) {
                customers::add_to_balances(tx, customer, added.points, added.stamps)?;
                if let Some(at) = &added.last_contact {
                    customers::record_contact(tx, customer, at, Some(added.cents), false)?;
                }
            }
            if any(&["customers", "customer_contact"]) {
                customers::settle_last_contact(tx, customer)?;
            }
        }
        if tables.contains("interactions") {
            if applied.recount.contains(customer) {
                activity::forget_customer(tx, customer)?;
                activity::recount_customer(tx, customer)?;
            } else {
                let theirs = applied.came_in.range((customer.clone(), String::new())..);
                for ((_, month), visits) in theirs.take_while(|((whose, _), _)| whose == customer) {
                    activity::came_in(tx, customer, month, *visits)?;
                }
            }
            rhythm::refresh_rhythm(tx, customer, &rhythm_rules)?;
        }
        if tables.contains("feedback") {
            feedback::recount_customer(tx, customer)?;
        }
        health::refresh_with(tx, customer, &health_rules)?;
        if any(&["customers", "people", "notes", "pets"]) {
            search::reindex(tx, customer)?;
        }
    }
    Ok(())
}

/// A change as it travels: its id and device in clear (opaque UUIDs, so
/// the receiver knows what the seal is bound to), then the sealed JSON.
pub fn pack(change: &Change, key: &Key, subject: &str) -> Result<Vec<u8>> {
    let plain = serde_json::to_vec(change).map_err(|_| Error::Conflict("A change could not be written out.".into()))?;
    let binding = Binding { subject, change_id: &change.id, device: &change.device };
    let sealed = sealed::seal(key, &binding, &plain)?;
    let mut out = Vec::with_capacity(sealed.len() + 100);
    for part in [change.id.as_bytes(), change.device.as_bytes()] {
        out.push(u8::try_from(part.len()).map_err(|_| Error::Conflict("A change's id is too long.".into()))?);
        out.extend_from_slice(part);
    }
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The change in a message from this shop's stream; a message sealed with
/// another key, altered, or moved under another id is `Error::WrongKey`.
pub fn unpack(message: &[u8], key: &Key, subject: &str) -> Result<Change> {
    let (change_id, rest) = length_prefixed(message)?;
    let (device, sealed) = length_prefixed(rest)?;
    let binding = Binding { subject, change_id, device };
    let plain = sealed::open(key, &binding, sealed)?;
    let change: Change = serde_json::from_slice(&plain).map_err(|_| Error::WrongKey)?;
    if change.id != change_id || change.device != device {
        return Err(Error::WrongKey);
    }
    Ok(change)
}

fn length_prefixed(bytes: &[u8]) -> Result<(&str, &[u8])> {
    let (&length, rest) = bytes.split_first().ok_or(Error::WrongKey)?;
    let length = usize::from(length);
    if rest.len() < length {
        return Err(Error::WrongKey);
    }
    let (text, rest) = rest.split_at(length);
    Ok((std::str::from_utf8(text).map_err(|_| Error::WrongKey)?, rest))
}

/// A change as the messages that carry it: itself, or, when its sealed
/// form is over `max_bytes` (the server takes 1 MB by default), parts of
/// as many rows each as fit, each with an id of its own ("<id>.<n>") so a
/// part sent twice is stored once. The receiver keeps the parts and
/// applies the change when the last one arrives.
pub fn into_messages(change: &Change, key: &Key, subject: &str, max_bytes: usize) -> Result<Vec<(String, Vec<u8>)>> {
    let whole = pack(change, key, subject)?;
    if whole.len() <= max_bytes || change.rows.len() < 2 {
        return Ok(vec![(change.id.clone(), whole)]);
    }
    let parts = whole.len().div_ceil(max_bytes / 2).min(change.rows.len());
    let per_part = change.rows.len().div_ceil(parts);
    let chunks: Vec<&[sharing::RowChange]> = change.rows.chunks(per_part).collect();
    let total = u32::try_from(chunks.len()).map_err(|_| Error::Conflict("A change is too large to send.".into()))?;
    let mut messages = Vec::with_capacity(chunks.len());
    for (i, rows) in chunks.into_iter().enumerate() {
        let n = i as u32 + 1;
        let part = Change {
            id: format!("{}.{n}", change.id),
            rows: rows.to_vec(),
            part: Some(sharing::Part { of: change.id.clone(), n, total }),
            ..change.clone()
        };
        let message = pack(&part, key, subject)?;
        if message.len() > max_bytes && rows.len() > 1 {
            // Rows of very different sizes (photos): halve again.
            return into_messages_halved(change, key, subject, max_bytes);
        }
        messages.push((part.id, message));
    }
    Ok(messages)
}

/// `into_messages` with twice the parts, for rows too uneven for the first split.
fn into_messages_halved(change: &Change, key: &Key, subject: &str, max_bytes: usize) -> Result<Vec<(String, Vec<u8>)>> {
    into_messages(change, key, subject, max_bytes / 2)
}

/// A change the server stored at `seq` leaves the outbox.
pub fn sent(conn: &mut Connection, change_id: &str, seq: u64) -> Result<()> {
    store::write(conn, |tx| sharing::sent(tx, change_id, seq))
}
