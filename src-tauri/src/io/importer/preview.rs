//! What an import with these options would do, shown before anything is
//! written: the mapping, counts, a sample of rows as they will be stored,
//! the rows refused and the duplicates with their choices.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;

use super::mapping::{settle_reading, Reading};
use super::plan::{cells_summary, choice_for, read_rows, DuplicateOf, Plan, Planner};
use super::read::{delimiter_name, read_file};
use super::run::file_name;
use super::{Field, OnDuplicate, Options, Problem, Table, MAX_LISTED, SAMPLE_ROWS};
use crate::kernel::birthday::Birthday;
use crate::kernel::dates::DateOrder;
use crate::kernel::error::Result;
use crate::records::customers::CustomerInput;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SampleRow {
    pub row: usize,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub birthday: String,
    pub tags: String,
    pub pets: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Duplicate {
    pub row: usize,
    pub name: String,
    /// The stored card it matches, if it matches one (else an earlier row).
    pub existing_id: Option<String>,
    pub existing_name: String,
    /// "email" or "phone".
    pub matched_on: &'static str,
    pub choice: OnDuplicate,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(rename = "ImportPreview")]
pub struct Preview {
    pub file_name: String,
    pub encoding: &'static str,
    /// "comma", "semicolon", "tab" or "bar".
    pub delimiter: &'static str,
    pub headers: Vec<String>,
    pub mapping: Vec<Field>,
    /// The mapping is the one confirmed at the last import of a file with
    /// the same headings, not a guess.
    pub remembered: bool,
    pub date_order: DateOrder,
    /// The birthdays read the same either way round (all parts ≤ 12) or
    /// disagree: the owner should choose.
    pub date_order_ambiguous: bool,
    pub total_rows: usize,
    /// Rows that become new cards with the current choices.
    pub new_rows: usize,
    pub duplicate_count: usize,
    pub rejected_count: usize,
    pub sample: Vec<SampleRow>,
    pub problems: Vec<Problem>,
    pub duplicates: Vec<Duplicate>,
}

/// Reads the file and shows what an import with these options would do,
/// without writing anything.
pub fn preview_file(conn: &Connection, path: &Path, options: &Options, now: DateTime<Utc>) -> Result<Preview> {
    let table = read_file(path)?;
    preview(conn, &table, &file_name(path), options, now)
}

pub fn preview(
    conn: &Connection,
    table: &Table,
    file_name: &str,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<Preview> {
    let reading = settle_reading(conn, table, options, now)?;
    let mut preview = Preview::empty(table, file_name, &reading);
    let mut planner = Planner::new(conn)?;
    for ((number, _), read) in table.rows.iter().zip(read_rows(&table.rows, &reading)) {
        let plan = planner.plan(*number, read)?;
        preview.add(*number, plan, table, options);
    }
    Ok(preview)
}

impl Preview {
    /// How the file is read, before any row is counted.
    fn empty(table: &Table, file_name: &str, reading: &Reading) -> Preview {
        Preview {
            file_name: file_name.to_string(),
            encoding: table.encoding,
            delimiter: delimiter_name(table.delimiter),
            headers: table.headers.clone(),
            mapping: reading.mapping.clone(),
            remembered: reading.remembered,
            date_order: reading.date_order,
            date_order_ambiguous: reading.ambiguous,
            total_rows: table.rows.len(),
            new_rows: 0,
            duplicate_count: 0,
            rejected_count: 0,
            sample: Vec::new(),
            problems: Vec::new(),
            duplicates: Vec::new(),
        }
    }

    /// One row's plan: counted always, listed up to the limits.
    fn add(&mut self, number: usize, plan: Plan, table: &Table, options: &Options) {
        match plan {
            Plan::Rejected(reason) => {
                self.rejected_count += 1;
                if self.problems.len() < MAX_LISTED {
                    self.problems.push(Problem { row: number, reason, cells: cells_summary(table, number) });
                }
            }
            Plan::New(input, notes) => {
                self.new_rows += 1;
                self.add_sample(number, &input, &notes);
            }
            Plan::Duplicate { input, notes, of, matched_on } => {
                self.duplicate_count += 1;
                self.add_sample(number, &input, &notes);
                if self.duplicates.len() < MAX_LISTED {
                    let (existing_id, existing_name) = match of {
                        DuplicateOf::Stored { id, name } => (Some(id), name),
                        DuplicateOf::Row(row) => (None, format!("row {row} of this file")),
                    };
                    self.duplicates.push(Duplicate {
                        row: number,
                        name: display_name(&input),
                        existing_id,
                        existing_name,
                        matched_on,
                        choice: choice_for(options, number),
                    });
                }
            }
        }
    }

    fn add_sample(&mut self, number: usize, input: &CustomerInput, notes: &[String]) {
        if self.sample.len() < SAMPLE_ROWS {
            self.sample.push(SampleRow::of(number, input, notes));
        }
    }
}

impl SampleRow {
    /// A row as it will be stored, in words.
    fn of(row: usize, input: &CustomerInput, notes: &[String]) -> SampleRow {
        let pet = |p: &crate::records::customers::PersonInput| {
            if p.kind.is_empty() {
                p.name.clone()
            } else {
                format!("{} ({})", p.name, p.kind)
            }
        };
        SampleRow {
            row,
            name: display_name(input),
            phone: input.phone.clone(),
            email: input.email.clone(),
            birthday: birthday_label(input),
            tags: input.tags.join(", "),
            pets: input.people.iter().map(pet).collect::<Vec<_>>().join(", "),
            notes: notes.join(" / "),
        }
    }
}

/// "14 March 1990", or "" without a birthday (the row passed the editor's
/// validation, so its parts are numbers).
fn birthday_label(input: &CustomerInput) -> String {
    if input.birthday_day.is_empty() {
        return String::new();
    }
    Birthday {
        day: input.birthday_day.parse().unwrap_or(0),
        month: input.birthday_month.parse().unwrap_or(0),
        year: input.birthday_year.parse().ok(),
    }
    .label()
}

fn display_name(input: &CustomerInput) -> String {
    [input.first_name.trim(), input.last_name.trim()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}
