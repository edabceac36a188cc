//! Spreadsheet import: a CSV file from Excel, Google Sheets or another tool
//! becomes customer cards, safely. A vCard file (`.vcf`, read by
//! `io::vcard`) becomes rows of fixed columns, one per contact, and goes
//! the same way.
//!
//! - Reading: the encoding is found from a byte-order mark (UTF-8, UTF-16),
//!   else UTF-8 if the bytes are valid UTF-8, else Windows-1252 (encoding_rs).
//!   The delimiter (comma, semicolon, tab, bar) is the one that gives the
//!   most rows with the same number of cells. Quoted cells may hold
//!   delimiters and newlines (the csv crate). Binary files are refused.
//! - Mapping: each column gets a field, guessed once per file from its
//!   heading (the layouts of Google Contacts, Outlook, Square, Fresha,
//!   Vagaro, Mindbody, Gingr and Time To Pet, and headings in German,
//!   French, Spanish, Italian, Dutch and Portuguese); the owner confirms or
//!   changes it. The mapping of the last import with the same headings
//!   (folded) is remembered in a settings row and beats the guess. Label
//!   and value column pairs ("Phone 1 - Label"/"Phone 1 - Value") map to
//!   the value; the first phone and email are the card's, the others go
//!   into one note each ("Other phones: Work +44 …"). Birthdays are read by `kernel::dates`: in
//!   numbers, day-first or month-first as guessed from the column (a 31 in
//!   the first place settles it), or with the month named in English,
//!   French, German, Spanish, Italian, Dutch or Portuguese. A cell it
//!   cannot read rejects its row, named in the report.
//! - Planning: every row goes through the editor's validation
//!   (`customers::check`); a row that matches a customer by email (ignoring
//!   case) or phone (ignoring formatting), already stored or earlier in the
//!   file, is a duplicate with a choice: skip, merge, or create anyway.
//! - Running: one IMMEDIATE transaction, all accepted rows or none; every
//!   card is indexed for search in it. A second thread plans and prepares
//!   the rows while this one writes them. Each created card names the
//!   batch, and the batch records what each merge changed, so `undo` puts
//!   everything back in one step.
//!
//! The parts, in the order a file goes through them: `read` (bytes to a
//! table; `vcard_rows` for a contacts file), `headings` (the field of each
//! column, guessed from the tables in `heading_tables`), `mapping` (how
//! the file is read, settled once and remembered), `rows` (a row's cells
//! to the editor's card form), `plan` (new or duplicate), `preview`, `run`
//! (the transaction and its two threads) and `undo` (the import's record).

mod heading_tables;
mod headings;
mod mapping;
mod plan;
mod preview;
mod read;
mod rows;
mod run;
mod undo;
mod vcard_rows;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::kernel::labels::Labelled;

pub use crate::kernel::dates::DateOrder;
pub use headings::{guess_date_order, guess_mapping};
pub use preview::{preview, preview_file, Duplicate, Preview, SampleRow};
pub use read::{decode, detect_delimiter, parse, read_file, too_big_to_import, IMPORT_LIMIT};
pub use rows::parse_birthday;
pub use run::{file_name, import, import_file, import_with_progress, PROGRESS_EVERY};
pub use undo::{batches, undo, Batch, UndoReport};

/// What an import did: written by `run`, kept with its batch by `undo`
/// (here, so neither of the two needs the other's types).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[ts(rename = "ImportReport")]
pub struct Report {
    /// `None` when nothing was written.
    pub batch_id: Option<String>,
    pub imported: usize,
    pub merged: usize,
    pub skipped: usize,
    pub rejected: usize,
    pub problems: Vec<Problem>,
}

/// At most this many problems are listed in a preview or report (the
/// counts are always exact).
pub const MAX_LISTED: usize = 1000;
/// Rows shown "as they will be stored" in the preview.
pub const SAMPLE_ROWS: usize = 8;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Ignore,
    FirstName,
    LastName,
    /// "Zoë Müller" or "Müller, Zoë": split into first and last name.
    FullName,
    /// What the desk calls them: a nickname, "known as", "goes by".
    PreferredName,
    Phone,
    Email,
    Birthday,
    Notes,
    /// Several tags in one cell, split at , ; |
    Tags,
    /// "Biscuit (dog), Rex (cat)": people and pets on the card.
    Pets,
    HeardFrom,
    BestTime,
    /// A phone beyond the card's one: kept in a note "Other phones: Work +44 …".
    OtherPhone,
    /// An email beyond the card's one: kept in a note "Other emails: …".
    OtherEmail,
    /// "Dog", "Cat": the kind of each pet named in the pets column, in order.
    PetKind,
    /// "Beagle": the details of each pet named in the pets column, in order.
    PetBreed,
    /// "Willem", or a surname's particle ("van", "de") that Outlook and
    /// Google keep apart: added to the first name, a particle to the last.
    MiddleName,
    /// One tag, whole (a vCard's categories, one per column).
    Tag,
    /// One person or pet's name, whole; the kind and details columns to
    /// its right describe them.
    PersonName,
    PersonKind,
    PersonDetails,
    /// Agreed to news by email: "subscribed", "Yes", "true" (Square's
    /// "Email Subscription Status", Fresha's "Accepts Marketing"). Kept on
    /// a new card as consent, with the column it came from.
    EmailConsent,
}

impl Field {
    /// Fields that may take several columns (their values are combined).
    fn repeatable(self) -> bool {
        matches!(
            self,
            Field::Ignore
                | Field::Notes
                | Field::Tags
                | Field::Pets
                | Field::OtherPhone
                | Field::OtherEmail
                | Field::Tag
                | Field::PersonName
                | Field::PersonKind
                | Field::PersonDetails
        )
    }
}

impl Labelled for Field {
    /// In the order the import's column menus list them.
    const ALL: &'static [Field] = &[
        Field::Ignore,
        Field::FirstName,
        Field::LastName,
        Field::FullName,
        Field::PreferredName,
        Field::Phone,
        Field::Email,
        Field::Birthday,
        Field::Notes,
        Field::Tags,
        Field::Pets,
        Field::HeardFrom,
        Field::BestTime,
        Field::OtherPhone,
        Field::OtherEmail,
        Field::PetKind,
        Field::PetBreed,
        Field::MiddleName,
        Field::Tag,
        Field::PersonName,
        Field::PersonKind,
        Field::PersonDetails,
        Field::EmailConsent,
    ];

    fn label(self) -> &'static str {
        match self {
            Field::Ignore => "— not imported",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::FullName => "Full name",
            Field::PreferredName => "Preferred name (nickname)",
            Field::Phone => "Phone",
            Field::Email => "Email",
            Field::Birthday => "Birthday",
            Field::Notes => "Notes",
            Field::Tags => "Tags",
            Field::Pets => "People and pets",
            Field::HeardFrom => "Heard of us from",
            Field::BestTime => "Best time to reach",
            Field::OtherPhone => "Other phone (kept in a note)",
            Field::OtherEmail => "Other email (kept in a note)",
            Field::PetKind => "Pet species",
            Field::PetBreed => "Pet breed",
            Field::MiddleName => "Middle name or “van”, “de”",
            Field::Tag => "One tag",
            Field::PersonName => "A person or pet’s name",
            Field::PersonKind => "… their kind (dog, daughter)",
            Field::PersonDetails => "… their details",
            Field::EmailConsent => "Agreed to news by email (yes or no)",
        }
    }
}

/// What to do with a row that matches a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    #[default]
    Skip,
    /// Fill the existing card's empty fields, add tags, pets and notes.
    Merge,
    /// Create a new card anyway.
    Create,
}

impl Labelled for OnDuplicate {
    const ALL: &'static [OnDuplicate] = &[OnDuplicate::Skip, OnDuplicate::Merge, OnDuplicate::Create];

    fn label(self) -> &'static str {
        match self {
            OnDuplicate::Skip => "Skip (keep the card as it is)",
            OnDuplicate::Merge => "Merge into the card",
            OnDuplicate::Create => "Create a new card anyway",
        }
    }
}

/// The owner's choices. Everything left out is guessed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(rename = "ImportOptions")]
pub struct Options {
    /// One field per column; `None` takes the guess from the headings.
    pub mapping: Option<Vec<Field>>,
    /// `None` takes the guess from the birthday column.
    pub date_order: Option<DateOrder>,
    /// What to do with duplicates without a choice of their own.
    pub on_duplicate: OnDuplicate,
    /// A choice per duplicate, by row number.
    pub choices: BTreeMap<usize, OnDuplicate>,
}

/// A file read into cells.
#[derive(Debug, Clone)]
pub struct Table {
    pub encoding: &'static str,
    pub delimiter: u8,
    pub headers: Vec<String>,
    /// Row number as a spreadsheet shows it (the headings are row 1) and the cells.
    pub rows: Vec<(usize, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "ImportProblem")]
pub struct Problem {
    pub row: usize,
    pub reason: String,
    /// The row's cells as read, to recognise it.
    pub cells: String,
}
