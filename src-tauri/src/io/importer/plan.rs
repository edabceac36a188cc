//! Sorting the rows read into new cards and duplicates (of a stored
//! customer, by email or phone, or of an earlier row), shared by the
//! preview and the import's preparing thread.

use std::collections::HashMap;

use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension};

use super::mapping::Reading;
use super::rows::{row_input, RowInput};
use super::{OnDuplicate, Options, Table};
use crate::kernel::error::Result;
use crate::kernel::text;
use crate::records::customers::CustomerInput;

pub(super) enum Plan {
    Rejected(String),
    New(CustomerInput, Vec<String>),
    Duplicate { input: CustomerInput, notes: Vec<String>, of: DuplicateOf, matched_on: &'static str },
}

#[derive(Clone)]
pub(super) enum DuplicateOf {
    Stored {
        id: String,
        name: String,
    },
    /// An earlier row of the same file.
    Row(usize),
}

/// Sorts read rows, in file order, into new cards and duplicates of a
/// stored customer or of an earlier row.
pub(super) struct Planner<'conn> {
    by_email: rusqlite::CachedStatement<'conn>,
    by_phone: rusqlite::CachedStatement<'conn>,
    seen_email: HashMap<String, usize>,
    seen_phone: HashMap<String, usize>,
}

impl<'conn> Planner<'conn> {
    pub(super) fn new(conn: &'conn Connection) -> Result<Self> {
        Ok(Planner {
            by_email: conn
                .prepare_cached("SELECT id, display_name FROM customers WHERE email = ?1 COLLATE NOCASE LIMIT 1")?,
            by_phone: conn.prepare_cached("SELECT id, display_name FROM customers WHERE phone_digits = ?1 LIMIT 1")?,
            seen_email: HashMap::new(),
            seen_phone: HashMap::new(),
        })
    }

    pub(super) fn plan(&mut self, number: usize, read: RowInput) -> Result<Plan> {
        let (input, notes) = match read {
            Ok(found) => found,
            Err(reason) => return Ok(Plan::Rejected(reason)),
        };
        let email = input.email.trim().to_lowercase();
        let phone = text::digits(&input.phone);
        let mut of: Option<(DuplicateOf, &'static str)> = None;
        if !email.is_empty() {
            if let Some((id, name)) = self.by_email.query_row([&email], |r| Ok((r.get(0)?, r.get(1)?))).optional()? {
                of = Some((DuplicateOf::Stored { id, name }, "email"));
            } else if let Some(row) = self.seen_email.get(&email) {
                of = Some((DuplicateOf::Row(*row), "email"));
            }
        }
        if of.is_none() && !phone.is_empty() {
            if let Some((id, name)) = self.by_phone.query_row([&phone], |r| Ok((r.get(0)?, r.get(1)?))).optional()? {
                of = Some((DuplicateOf::Stored { id, name }, "phone"));
            } else if let Some(row) = self.seen_phone.get(&phone) {
                of = Some((DuplicateOf::Row(*row), "phone"));
            }
        }
        if !email.is_empty() {
            self.seen_email.entry(email).or_insert(number);
        }
        if !phone.is_empty() {
            self.seen_phone.entry(phone).or_insert(number);
        }
        Ok(match of {
            None => Plan::New(input, notes),
            Some((of, matched_on)) => Plan::Duplicate { input, notes, of, matched_on },
        })
    }
}

/// `row_input` for every row, on all cores: it is plain CPU work
/// (splitting, dates, the editor's validation), in row order.
pub(super) fn read_rows(rows: &[(usize, Vec<String>)], reading: &Reading) -> Vec<RowInput> {
    rows.par_iter().with_min_len(1000).map(|(_, cells)| row_input(cells, reading)).collect()
}

pub(super) fn cells_summary(table: &Table, number: usize) -> String {
    // Row numbers ascend, so a binary search finds the row.
    let cells = table
        .rows
        .binary_search_by_key(&number, |(n, _)| *n)
        .ok()
        .map(|at| table.rows[at].1.join(" | "))
        .unwrap_or_default();
    let mut shown: String = cells.chars().take(120).collect();
    if shown.len() < cells.len() {
        shown.push('…');
    }
    shown
}

pub(super) fn choice_for(options: &Options, row: usize) -> OnDuplicate {
    options.choices.get(&row).copied().unwrap_or(options.on_duplicate)
}
