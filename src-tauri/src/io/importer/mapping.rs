//! How a file is read, settled once before any row: the mapping (the
//! owner's, else the one last confirmed for these headings, else the
//! guess), where the labels are and the date order. A confirmed mapping
//! is remembered per heading set in a settings row.

use chrono::{DateTime, Datelike, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::headings::{guess_date_order, guess_mapping, labels_of, Label};
use super::vcard_rows::{is_vcard_table, vcard_field};
use super::{Field, Options, Table};
use crate::db::settings;
use crate::kernel::dates::DateOrder;
use crate::kernel::error::{Error, Result};
use crate::kernel::text;

/// How the file is read: settled once, before any row.
pub(super) struct Reading {
    pub(super) mapping: Vec<Field>,
    /// The mapping came from the last confirmed import of these headings.
    pub(super) remembered: bool,
    /// Where each phone and email column's label is (see `labels_of`).
    pub(super) labels: Vec<Label>,
    pub(super) date_order: DateOrder,
    /// The birthdays leave the order open (see `guess_date_order`).
    pub(super) ambiguous: bool,
    pub(super) this_year: i32,
}

pub(super) fn settle_reading(
    conn: &Connection,
    table: &Table,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<Reading> {
    let vcard = is_vcard_table(table);
    let remembered = match &options.mapping {
        Some(_) => None,
        None => recall(conn, &table.headers),
    };
    let mapping = match remembered.as_ref().map(|r| &r.mapping).or(options.mapping.as_ref()) {
        Some(mapping) => {
            if mapping.len() != table.headers.len() {
                return Err(Error::invalid("mapping", "Choose a field for every column."));
            }
            for field in mapping.iter().filter(|f| !f.repeatable()) {
                if mapping.iter().filter(|f| *f == field).count() > 1 {
                    return Err(Error::invalid("mapping", "Each field except notes, tags, people and pets, other phones and other emails can take one column only."));
                }
            }
            mapping.clone()
        }
        None if vcard => table.headers.iter().map(|h| vcard_field(h)).collect(),
        None => guess_mapping(&table.headers),
    };
    if !mapping.iter().any(|f| matches!(f, Field::FirstName | Field::LastName | Field::FullName)) {
        return Err(Error::invalid("mapping", "Choose which column holds the names (first, last or full name)."));
    }
    let (guessed, ambiguous) = guess_date_order(table, &mapping);
    Ok(Reading {
        mapping,
        remembered: remembered.is_some(),
        // A vCard's other phones and emails carry their labels in the value.
        labels: if vcard { vec![Label::None; table.headers.len()] } else { labels_of(&table.headers) },
        date_order: options.date_order.unwrap_or(guessed),
        ambiguous: ambiguous && options.date_order.is_none(),
        this_year: now.year(),
    })
}

/// A mapping the owner confirmed by importing, kept for the next file
/// with the same headings. (Not the date order: that is read from each
/// file's dates.)
#[derive(Serialize, Deserialize)]
struct Remembered {
    mapping: Vec<Field>,
}

/// The settings row for files with these headings: their folded forms, so
/// "E-mail" and "e-mail " are the same file layout.
fn remembered_key(headers: &[String]) -> String {
    let folded: Vec<String> = headers.iter().map(|h| text::fold(h.trim())).collect();
    format!("import.mapping:{}", serde_json::to_string(&folded).unwrap_or_default())
}

/// The mapping last confirmed for these headings. An unreadable row (from
/// a later version's fields) is no memory, not an error: the guess serves.
fn recall(conn: &Connection, headers: &[String]) -> Option<Remembered> {
    settings::load_json::<Remembered>(conn, &remembered_key(headers))
        .ok()
        .flatten()
        .filter(|r| r.mapping.len() == headers.len())
}

/// Remembers the mapping the owner confirmed by importing: the next file
/// with these headings starts from it.
pub(super) fn remember(conn: &Connection, headers: &[String], mapping: &[Field], now: DateTime<Utc>) -> Result<()> {
    settings::save_json(conn, &remembered_key(headers), &Remembered { mapping: mapping.to_vec() }, now)
}
