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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};

use chrono::{DateTime, Datelike, Utc};
use rayon::prelude::*;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::db::search;
use crate::db::settings;
use crate::db::store;
use crate::derived::health;
use crate::features::{cards, reminder_sources};
use crate::io::safe_file;
use crate::io::vcard;
use crate::kernel::dates;
pub use crate::kernel::dates::DateOrder;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::secret::Key;
use crate::kernel::text;
use crate::kernel::time::timestamp;
use crate::records::customers::{self, Card, CustomerInput, PersonInput};

/// At most this many problems are listed in a preview or report (the
/// counts are always exact).
pub const MAX_LISTED: usize = 1000;
/// Rows shown "as they will be stored" in the preview.
pub const SAMPLE_ROWS: usize = 8;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Ignore,
    FirstName,
    LastName,
    /// "Zoë Müller" or "Müller, Zoë": split into first and last name.
    FullName,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    #[default]
    Skip,
    /// Fill the existing card's empty fields, add tags, pets and notes.
    Merge,
    /// Create a new card anyway.
    Create,
}

/// The owner's choices. Everything left out is guessed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub row: usize,
    pub reason: String,
    /// The row's cells as read, to recognise it.
    pub cells: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// `None` when nothing was written.
    pub batch_id: Option<String>,
    pub imported: usize,
    pub merged: usize,
    pub skipped: usize,
    pub rejected: usize,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Batch {
    pub id: String,
    pub file_name: String,
    pub imported: i64,
    pub merged: i64,
    pub skipped: i64,
    pub rejected: i64,
    pub created_at: String,
    pub undone_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UndoReport {
    pub deleted: usize,
    pub restored: usize,
}

// ---------------------------------------------------------------- reading

/// The biggest spreadsheet or contacts file an import reads (it is read
/// into memory whole).
pub const IMPORT_LIMIT: u64 = 200 * 1024 * 1024;

/// Why a file of `size` bytes is not imported.
pub fn too_big_to_import(size: u64) -> Error {
    let megabytes = |bytes: u64| bytes.div_ceil(1024 * 1024);
    Error::invalid(
        "file",
        format!(
            "That file is {} MB; a spreadsheet of up to {} MB can be imported.",
            megabytes(size),
            megabytes(IMPORT_LIMIT)
        ),
    )
}

/// Reads and decodes a file into a table. The file is opened once and
/// read through its handle up to `IMPORT_LIMIT` (`safe_file::read_limited`):
/// one swapped for a device, a pipe or a bigger file since it was chosen
/// is refused, never read until memory runs out.
pub fn read_file(path: &Path) -> Result<Table> {
    parse(&safe_file::read_limited(path, IMPORT_LIMIT, too_big_to_import)?)
}

/// Decodes bytes to text: a BOM decides; else UTF-8 if valid; else Windows-1252.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str)> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::invalid("file", "The file is empty."));
    }
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return Ok((text.into_owned(), encoding.name()));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(Error::invalid(
            "file",
            "This is an Excel or other office workbook, not a CSV file. Open it in your spreadsheet and save it as \"CSV\", then import that.",
        ));
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(not_text());
    }
    let (text, name) = match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), "UTF-8"),
        Err(_) => (encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(), "windows-1252"),
    };
    let sample: Vec<char> = text.chars().take(4096).collect();
    let control = sample.iter().filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')).count();
    if control * 100 > sample.len() {
        return Err(not_text());
    }
    Ok((text, name))
}

fn not_text() -> Error {
    Error::invalid(
        "file",
        "This file is not a spreadsheet saved as text (CSV). Save it as CSV from your spreadsheet and import that.",
    )
}

/// Parses a whole file's bytes. The first non-empty row holds the headings.
pub fn parse(bytes: &[u8]) -> Result<Table> {
    if vcard::looks_like_vcard(bytes) {
        return Ok(vcard_table(bytes));
    }
    let (text, encoding) = decode(bytes)?;
    let delimiter = detect_delimiter(&text);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut number = 0usize;
    for record in reader.records() {
        let record =
            record.map_err(|e| Error::invalid("file", format!("Row {} could not be read: {e}", number + 1)))?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        number += 1;
        let cells: Vec<String> = record.iter().map(clean_cell).collect();
        match headers {
            None => headers = Some(cells),
            Some(_) => rows.push((number, cells)),
        }
    }
    let headers = headers.ok_or_else(|| Error::invalid("file", "The file is empty."))?;
    Ok(Table { encoding, delimiter, headers, rows })
}

/// The columns a vCard file is read into, with their fields: each contact
/// becomes a row, so it goes through the same preview, duplicates and undo
/// as a spreadsheet's row. After these come one column per note ("Note
/// 1"), per tag ("Tag 1") and three per person or pet ("Person 1", "Person
/// 1 kind", "Person 1 details"), as many as the contact with the most has:
/// every value arrives whole, whatever commas or brackets it holds, so a
/// contact the app exported imports back as the same card.
const VCARD_COLUMNS: &[(&str, Field)] = &[
    ("First name", Field::FirstName),
    ("Last name", Field::LastName),
    ("Full name", Field::FullName),
    ("Phone", Field::Phone),
    ("Other phones", Field::OtherPhone),
    ("Email", Field::Email),
    ("Other emails", Field::OtherEmail),
    ("Birthday", Field::Birthday),
    ("Organisation", Field::Notes),
    ("Address", Field::Notes),
];

fn is_vcard_table(table: &Table) -> bool {
    table.encoding == VCARD_ENCODING
}

/// What `Table::encoding` says for a table read from a vCard file.
const VCARD_ENCODING: &str = "vCard";

/// The field of a vCard table's column, from its heading.
fn vcard_field(heading: &str) -> Field {
    if let Some((_, field)) = VCARD_COLUMNS.iter().find(|(name, _)| *name == heading) {
        return *field;
    }
    match heading.split(' ').collect::<Vec<_>>().as_slice() {
        ["Note", _] => Field::Notes,
        ["Tag", _] => Field::Tag,
        ["Person", _] => Field::PersonName,
        ["Person", _, "kind"] => Field::PersonKind,
        ["Person", _, "details"] => Field::PersonDetails,
        _ => Field::Ignore,
    }
}

/// A vCard file as rows (numbered by contact, from 1). The card's phone is
/// the preferred mobile, else the first mobile, else the preferred or
/// first number; its email the preferred or first. The others are kept
/// with their labels ("Work 020 …") for the "Other phones"/"Other emails"
/// notes; the organisation and addresses go into notes of their own.
fn vcard_table(bytes: &[u8]) -> Table {
    let pick = |list: &[vcard::Typed], mobile_first: bool| -> Option<usize> {
        let mobile = |t: &vcard::Typed| !mobile_first || t.is_mobile();
        list.iter()
            .position(|t| mobile(t) && t.pref)
            .or_else(|| list.iter().position(mobile))
            .or_else(|| list.iter().position(|t| t.pref))
            .or(if list.is_empty() { None } else { Some(0) })
    };
    let split = |list: &[vcard::Typed], mobile_first: bool| -> (String, String) {
        let chosen = pick(list, mobile_first);
        let first = chosen.map(|i| list[i].value.clone()).unwrap_or_default();
        let others: Vec<String> = list
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != chosen)
            .map(|(_, t)| match t.label() {
                label if label.is_empty() => t.value.clone(),
                label => format!("{label} {}", t.value),
            })
            .collect();
        // " ::: " is how a cell holds several values (see `split_google`).
        (first, others.join(" ::: "))
    };
    let contacts = vcard::read(bytes);
    let most = |count: fn(&vcard::Contact) -> usize| contacts.iter().map(count).max().unwrap_or(0);
    let (notes, tags, people) = (most(|c| c.notes.len()), most(|c| c.categories.len()), most(|c| c.related.len()));
    let mut headers: Vec<String> = VCARD_COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
    headers.extend((1..=notes).map(|i| format!("Note {i}")));
    headers.extend((1..=tags).map(|i| format!("Tag {i}")));
    for i in 1..=people {
        headers.extend([format!("Person {i}"), format!("Person {i} kind"), format!("Person {i} details")]);
    }
    let width = headers.len();
    let rows = contacts
        .into_par_iter()
        .enumerate()
        .map(|(i, contact)| {
            let (phone, other_phones) = split(&contact.phones, true);
            let (email, other_emails) = split(&contact.emails, false);
            let organisation =
                if contact.org.is_empty() { String::new() } else { format!("Organisation: {}", contact.org) };
            let addresses: Vec<String> = contact
                .addresses
                .iter()
                .map(|a| match a.label() {
                    label if label.is_empty() => a.value.clone(),
                    label => format!("{label}: {}", a.value),
                })
                .collect();
            let address =
                if addresses.is_empty() { String::new() } else { format!("Address: {}", addresses.join("; ")) };
            let mut cells = vec![
                contact.given,
                contact.family,
                contact.full_name,
                phone,
                other_phones,
                email,
                other_emails,
                contact.birthday,
                organisation,
                address,
            ];
            let padded =
                |values: Vec<String>, to: usize| values.into_iter().chain(std::iter::repeat(String::new())).take(to);
            cells.extend(padded(contact.notes, notes));
            cells.extend(padded(contact.categories, tags));
            let related = contact.related.into_iter().flat_map(|r| [r.name, r.kind, r.details]).collect();
            cells.extend(padded(related, people * 3));
            debug_assert_eq!(cells.len(), width);
            // Trimmed only: a vCard has no spreadsheet quote to take off.
            // Most values are trimmed already and are kept as they are.
            let trimmed =
                cells.into_iter().map(|c| if c.trim().len() == c.len() { c } else { c.trim().to_string() }).collect();
            (i + 1, trimmed)
        })
        .collect();
    Table { encoding: VCARD_ENCODING, delimiter: b',', headers, rows }
}

/// Trims a cell and takes off the quote a spreadsheet export puts before
/// a value that starts like a formula ('=..., '+44 ...).
fn clean_cell(cell: &str) -> String {
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// The delimiter that splits the first rows most consistently into more
/// than one cell; a comma when none does.
pub fn detect_delimiter(text: &str) -> u8 {
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let cut = end < text.len();
    let mut best = (b',', (0usize, 0usize));
    for delimiter in [b',', b';', b'\t', b'|'] {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        let mut counts: Vec<usize> = reader
            .records()
            .take(100)
            .filter_map(|r| r.ok())
            .filter(|r| !r.iter().all(|c| c.trim().is_empty()))
            .map(|r| r.len())
            .collect();
        if cut && counts.len() > 1 {
            counts.pop(); // the sample may end mid-row
        }
        let mut frequency: HashMap<usize, usize> = HashMap::new();
        for count in &counts {
            *frequency.entry(*count).or_default() += 1;
        }
        let (mode, times) = frequency.into_iter().max_by_key(|(cells, times)| (*times, *cells)).unwrap_or((0, 0));
        let score = if mode > 1 { (times, mode) } else { (0, 0) };
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        b'|' => "bar",
        _ => "comma",
    }
}

// ---------------------------------------------------------------- mapping

/// The field each heading most likely holds. A single-value field goes to
/// the first column that looks like it; later look-alikes are ignored,
/// except phones and emails: the first is the card's (a mobile one before
/// others, so Outlook's "Business Phone" does not win over "Mobile Phone")
/// and the rest are kept as other phones and emails.
///
/// Decided once per file from the headings, never per row.
pub fn guess_mapping(headers: &[String]) -> Vec<Field> {
    let keys: Vec<String> = headers.iter().map(|heading| heading_key(heading)).collect();
    let mut fields: Vec<Field> = keys.iter().map(|key| guess_field_key(key)).collect();
    let preferred_phone = (0..fields.len())
        .find(|&i| fields[i] == Field::Phone && MOBILE.iter().any(|part| keys[i].contains(part)))
        .or_else(|| fields.iter().position(|f| *f == Field::Phone));
    let mut taken: HashSet<Field> = HashSet::new();
    for (i, field) in fields.iter_mut().enumerate() {
        *field = match *field {
            Field::Phone if Some(i) != preferred_phone => Field::OtherPhone,
            Field::Email if taken.contains(&Field::Email) => Field::OtherEmail,
            other if other.repeatable() || taken.insert(other) => other,
            _ => Field::Ignore,
        };
        taken.insert(*field);
    }
    fields
}

/// A heading folded to its letters and digits: "E-mail 1 - Value" → "email1value".
fn heading_key(heading: &str) -> String {
    text::fold(heading).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Parts of a phone heading that say it is a mobile.
const MOBILE: &[&str] = &["mobil", "cell", "handy", "movil", "celular", "telemovel", "portable", "mobiel", "gsm"];

#[cfg(test)]
fn guess_field(heading: &str) -> Field {
    guess_field_key(&heading_key(heading))
}

fn guess_field_key(key: &str) -> Field {
    // Whole headings, in English, German, French, Spanish, Italian, Dutch
    // and Portuguese, and as Google, Outlook and the booking tools write them.
    const EXACT: &[(Field, &[&str])] = &[
        (
            Field::FirstName,
            &[
                "firstname",
                "first",
                "givenname",
                "forename",
                "vorname",
                "prenom",
                "nombre",
                "fname",
                "firstnames",
                "nome",
                "voornaam",
                "primeironome",
                "nomeproprio",
                "ownerfirstname",
                "clientfirstname",
                "customerfirstname",
            ],
        ),
        (
            Field::LastName,
            &[
                "lastname",
                "last",
                "surname",
                "familyname",
                "nachname",
                "apellido",
                "apellidos",
                "lname",
                "nom",
                "nomdefamille",
                "cognome",
                "achternaam",
                "sobrenome",
                "apelido",
                "apelidos",
                "familienname",
                "ultimonome",
                "ownerlastname",
                "clientlastname",
                "customerlastname",
            ],
        ),
        (
            Field::FullName,
            &[
                "name",
                "fullname",
                "customer",
                "customername",
                "client",
                "clientname",
                "displayname",
                "contact",
                "contactname",
                "kunde",
                "member",
                "membername",
                "kundenname",
                "nomcomplet",
                "nombrecompleto",
                "nomecompleto",
                "naam",
                "volledigenaam",
                "cliente",
                "klant",
                "nominativo",
                "nomeecognome",
                "ownername",
            ],
        ),
        (
            Field::Phone,
            &[
                "phone",
                "phonenumber",
                "mobile",
                "mobilephone",
                "mobilenumber",
                "cell",
                "cellphone",
                "tel",
                "telephone",
                "telefon",
                "handy",
                "whatsapp",
                "mobil",
                "phone1",
                "primaryphone",
                "telefono",
                "telefone",
                "telemovel",
                "celular",
                "movil",
                "cellulare",
                "portable",
                "mobiel",
                "telefoon",
                "telefoonnummer",
                "telefonnummer",
                "mobilnummer",
                "handynummer",
                "gsm",
                "natel",
            ],
        ),
        (
            Field::Email,
            &[
                "email",
                "emailaddress",
                "mail",
                "emailadresse",
                "correo",
                "email1",
                "primaryemail",
                "courriel",
                "adressemail",
                "correoelectronico",
                "emailadres",
                "mailadres",
                "postaelettronica",
                "indirizzoemail",
                "enderecodeemail",
            ],
        ),
        (
            Field::Birthday,
            &[
                "birthday",
                "birthdate",
                "dateofbirth",
                "dob",
                "born",
                "geburtstag",
                "geburtsdatum",
                "birth",
                "bday",
                "datedenaissance",
                "anniversaire",
                "fechadenacimiento",
                "fechanacimiento",
                "cumpleanos",
                "datadinascita",
                "compleanno",
                "geboortedatum",
                "verjaardag",
                "datadenascimento",
                "aniversario",
            ],
        ),
        (
            Field::Notes,
            &[
                "notes",
                "note",
                "comment",
                "comments",
                "remarks",
                "memo",
                "description",
                "info",
                "notizen",
                "notiz",
                "remarques",
                "commentaire",
                "commentaires",
                "anmerkungen",
                "bemerkungen",
                "bemerkung",
                "kommentar",
                "notas",
                "nota",
                "comentarios",
                "observaciones",
                "observacoes",
                "opmerkingen",
                "notities",
                "annotazioni",
                "osservazioni",
            ],
        ),
        (
            Field::Tags,
            &[
                "tags",
                "tag",
                "labels",
                "label",
                "groups",
                "group",
                "category",
                "categories",
                "groupmembership",
                "etiquettes",
                "etiquetas",
                "etichette",
                "etiketten",
                "schlagworter",
                "kategorien",
                "gruppen",
                "groupes",
                "grupos",
                "gruppi",
                "groepen",
                "categorie",
                "categorias",
                "categorieen",
            ],
        ),
        (
            Field::Pets,
            &[
                "pets",
                "pet",
                "dog",
                "dogs",
                "cat",
                "cats",
                "people",
                "animals",
                "petname",
                "petnames",
                "dogname",
                "peopleandpets",
                "animal",
                "animalname",
                "animalnames",
                "petsname",
                "pet1name",
                "haustier",
                "haustiere",
                "tier",
                "tiere",
                "tiername",
                "hund",
                "animaux",
                "chien",
                "nomdelanimal",
                "nomanimal",
                "mascota",
                "mascotas",
                "perro",
                "nombredelamascota",
                "animale",
                "animali",
                "cane",
                "nomeanimale",
                "nomedellanimale",
                "huisdier",
                "huisdieren",
                "hond",
                "naamhuisdier",
                "animais",
                "animaldeestimacao",
                "nomedoanimal",
                "nomedopet",
            ],
        ),
        (
            Field::PetKind,
            &[
                "species",
                "pettype",
                "animaltype",
                "typeofpet",
                "petspecies",
                "animalspecies",
                "tierart",
                "espece",
                "especie",
                "specie",
                "soort",
                "diersoort",
                "tipodeanimal",
                "tipoanimal",
                "typedanimal",
            ],
        ),
        (
            Field::PetBreed,
            &["breed", "petbreed", "animalbreed", "dogbreed", "rasse", "race", "raza", "razza", "ras", "raca"],
        ),
        (
            Field::HeardFrom,
            &[
                "heardfrom",
                "heardofusfrom",
                "source",
                "referral",
                "referredby",
                "howdidyouhearaboutus",
                "leadsource",
                "referralsource",
                "howdidyouhear",
            ],
        ),
        (Field::BestTime, &["besttime", "besttimetocall", "besttimetoreach"]),
        (
            Field::MiddleName,
            &[
                "middlename",
                "middlenames",
                "additionalname",
                "additionalnames",
                "secondname",
                "zweitervorname",
                "weiterevornamen",
                "deuxiemeprenom",
                "autresprenoms",
                "segundonombre",
                "secondonome",
                "tussenvoegsel",
                "tussenvoegsels",
                "nomedomeio",
                "segundonome",
            ],
        ),
        // Things that look like a field but are not the customer's own.
        (
            Field::Ignore,
            &["petbirthday", "petbirthdate", "petdob", "animalbirthday", "animalbirthdate", "animaldob", "dogbirthday"],
        ),
    ];
    for (field, keys) in EXACT {
        if keys.contains(&key) {
            return *field;
        }
    }
    // Parts of headings that are about something else than the customer's
    // own name, phone or email: Google's "Phone 1 - Label" (the label, not
    // the number), Outlook's "E-mail Type" and "Business Fax", the booking
    // tools' "Emergency Contact Phone", "Vet Phone", "Email Subscription Status".
    const OTHER: &[&str] = &[
        "label",
        "type",
        "displayname",
        "fax",
        "pager",
        "assistant",
        "manager",
        "emergency",
        "notfall",
        "spouse",
        "yomi",
        "phonetic",
        "middle",
        "additional",
        "nick",
        "prefix",
        "suffix",
        "organization",
        "organisation",
        "company",
        "vet",
        "subscri",
        "marketing",
        "optin",
        "optout",
        "consent",
        "telex",
        "tty",
        "isdn",
        "callback",
        "radio",
        "anniversary",
    ];
    if OTHER.iter().any(|part| key.contains(part)) {
        return Field::Ignore;
    }
    const CONTAINS: &[(&str, Field)] = &[
        ("email", Field::Email),
        ("courriel", Field::Email),
        ("correo", Field::Email),
        ("phone", Field::Phone),
        ("mobile", Field::Phone),
        ("telef", Field::Phone),
        ("mobil", Field::Phone),
        ("cellul", Field::Phone),
        ("celular", Field::Phone),
        ("handy", Field::Phone),
        ("telemovel", Field::Phone),
        ("birth", Field::Birthday),
        ("naissance", Field::Birthday),
        ("nacimiento", Field::Birthday),
        ("nascita", Field::Birthday),
        ("nascimento", Field::Birthday),
        ("geboort", Field::Birthday),
        ("geburt", Field::Birthday),
        ("firstname", Field::FirstName),
        ("lastname", Field::LastName),
        ("surname", Field::LastName),
        ("note", Field::Notes),
        ("notiz", Field::Notes),
        ("comment", Field::Notes),
        ("comentario", Field::Notes),
        ("opmerking", Field::Notes),
        ("observ", Field::Notes),
        ("pet", Field::Pets),
        ("tag", Field::Tags),
    ];
    for (part, field) in CONTAINS {
        if key.contains(part) {
            return *field;
        }
    }
    if key.ends_with("name") && !key.contains("pet") {
        return Field::FullName;
    }
    Field::Ignore
}

/// Day-first or month-first, from the birthday column's values, and
/// whether the values leave it open.
pub fn guess_date_order(table: &Table, mapping: &[Field]) -> (DateOrder, bool) {
    let Some(column) = mapping.iter().position(|f| *f == Field::Birthday) else {
        return (DateOrder::DayFirst, false);
    };
    let (mut day_first, mut month_first, mut numeric) = (false, false, false);
    for (_, cells) in &table.rows {
        let Some((a, b)) = cells.get(column).and_then(|value| dates::open_order_parts(value)) else { continue };
        numeric = true;
        day_first |= a > 12 && b <= 12;
        month_first |= b > 12 && a <= 12;
    }
    match (day_first, month_first) {
        (true, false) => (DateOrder::DayFirst, false),
        (false, true) => (DateOrder::MonthFirst, false),
        _ => (DateOrder::DayFirst, numeric),
    }
}

/// A birthday cell as the editor's three fields (day, month, year), read
/// by `kernel::dates` (numbers, or a month name in the shops' languages).
/// The values are checked by the editor's validation afterwards, so a
/// date that does not exist gets the editor's message; this only finds
/// which part is which. `this_year` turns "90" into 1990.
pub fn parse_birthday(
    value: &str,
    order: DateOrder,
    this_year: i32,
) -> std::result::Result<(String, String, String), String> {
    let value = value.trim();
    let parts = dates::read(value, order, this_year).ok_or_else(|| {
        format!("\"{value}\" is not a birthday the import can read (like 31/12/1990, 1990-12-31, 31 Dec 1990 or 31 décembre 1990)")
    })?;
    // Year 0 ("0000-05-21") is how some tools write a birthday without its year.
    let year = parts.year.filter(|y| *y != 0);
    Ok((parts.day.to_string(), parts.month.to_string(), year.map(|y| y.to_string()).unwrap_or_default()))
}

/// Outlook writes "0/0/00" (others "00.00.0000") for no birthday: digits,
/// all of them zeros.
fn is_no_date(value: &str) -> bool {
    value.chars().any(|c| c.is_ascii_digit())
        && value.chars().all(|c| c == '0' || !c.is_ascii_digit())
        && value.chars().all(|c| !c.is_alphabetic())
}

/// "Müller, Zoë" or "Zoë Müller" to (first, last).
fn split_full_name(full: &str) -> (String, String) {
    if let Some((last, first)) = full.split_once(',') {
        return (first.trim().to_string(), last.trim().to_string());
    }
    let words: Vec<&str> = full.split_whitespace().collect();
    // "Jan van der Berg", "Jean de La Fontaine": the surname starts at its
    // particle (never the first word, nor the last, which is the surname).
    let surname_at = (1..words.len().saturating_sub(1)).find(|&i| is_name_particle(words[i]));
    match (words.as_slice(), surname_at) {
        ([], _) => (String::new(), String::new()),
        ([one], _) => (one.to_string(), String::new()),
        (words, Some(at)) => (words[..at].join(" "), words[at..].join(" ")),
        ([first @ .., last], None) => (first.join(" "), last.to_string()),
    }
}

/// The particles that begin a surname in the shops' languages: Dutch
/// "van", "van der", "ten"; German "von", "zu"; French "de", "du", "des",
/// "le", "la"; Spanish, Italian and Portuguese "de", "del", "della", "di",
/// "da", "dos", "das".
fn is_name_particle(word: &str) -> bool {
    const PARTICLES: &[&str] = &[
        "van", "von", "der", "den", "de", "del", "della", "dello", "dei", "di", "da", "du", "des", "ten", "ter", "te",
        "zu", "zum", "zur", "dos", "das", "do", "la", "le", "'t",
    ];
    PARTICLES.iter().any(|p| word.eq_ignore_ascii_case(p))
}

fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value.split([',', ';', '|', '\n']).map(str::trim).filter(|s| !s.is_empty())
}

/// Google Contacts puts several values in one cell as "a ::: b".
fn split_google(value: &str) -> impl Iterator<Item = &str> {
    value.split(":::").map(str::trim).filter(|s| !s.is_empty())
}

/// Tags from a cell: "Gym, VIP" or Google's "* myContacts ::: Gym",
/// without Google's own labels ("* myContacts", "* starred"), which start
/// with "* ".
fn tags_of(value: &str) -> impl Iterator<Item = &str> {
    split_google(value).filter(|label| !label.starts_with('*')).flat_map(split_list)
}

/// Where the label of a phone or email column ("Work", "Home") is read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Label {
    None,
    /// Google's "Phone 2 - Label" beside "Phone 2 - Value".
    Column(usize),
    /// Outlook's "Business Phone": the heading says it.
    Heading(String),
}

/// The label of each column, paired once per file: a column whose heading
/// ends in "Value" takes the column with the same heading ending in
/// "Label" or "Type"; any other column its own heading.
fn labels_of(headers: &[String]) -> Vec<Label> {
    let stem = |heading: &str, ends: &[&str]| -> Option<String> {
        let key = heading_key(heading);
        ends.iter().find_map(|end| key.strip_suffix(end).map(str::to_string))
    };
    headers
        .iter()
        .map(|heading| match stem(heading, &["value"]) {
            Some(value_stem) => headers
                .iter()
                .position(|other| stem(other, &["label", "type"]).as_deref() == Some(value_stem.as_str()))
                .map(Label::Column)
                .unwrap_or(Label::None),
            None => Label::Heading(label_in_heading(heading)),
        })
        .collect()
}

/// What a heading says beyond "phone" or "email": "Business Phone 2" →
/// "Business", "E-mail 2 Address" → "".
fn label_in_heading(heading: &str) -> String {
    const PLAIN: &[&str] = &["phone", "number", "no", "nr", "email", "e", "mail", "address", "value", "tel"];
    heading
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| {
            !word.is_empty() && !word.chars().all(|c| c.is_ascii_digit()) && !PLAIN.contains(&text::fold(word).as_str())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "Work +44 20 7946 0001", with the label of the column or cell.
fn labelled(value: &str, column: usize, cells: &[String], labels: &[Label]) -> String {
    let label = match labels.get(column) {
        Some(Label::Column(at)) => cells.get(*at).map(|l| l.trim().trim_start_matches('*').trim()).unwrap_or(""),
        Some(Label::Heading(heading)) => heading.as_str(),
        _ => "",
    };
    if label.is_empty() {
        value.to_string()
    } else {
        format!("{label} {value}")
    }
}

/// "Biscuit (dog): afraid of thunder" to a person on the card.
fn parse_pet(entry: &str) -> PersonInput {
    let (head, details) = match entry.split_once(':') {
        Some((head, details)) => (head.trim(), details.trim()),
        None => (entry.trim(), ""),
    };
    // `open` is where an ASCII '(' starts and the text ends with an ASCII
    // ')', so every index here is a character boundary.
    let (name, kind) = match (head.find('('), head.ends_with(')')) {
        (Some(open), true) => (head[..open].trim(), head[open + 1..head.len() - 1].trim()),
        _ => (head, ""),
    };
    PersonInput { id: None, name: name.to_string(), kind: kind.to_string(), details: details.to_string() }
}

/// A row turned into the card form the editor would send, plus its notes.
fn row_input<'a>(cells: &'a [String], reading: &Reading) -> std::result::Result<(CustomerInput, Vec<String>), String> {
    let (order, this_year) = (reading.date_order, reading.this_year);
    let mut input = CustomerInput::default();
    let mut full_name = String::new();
    let mut notes: Vec<String> = Vec::new();
    // The phones and emails with their columns, in column order, the
    // card's column first. Borrowed: most rows have one of each, and the
    // label is only looked up for the others.
    let mut phones: Vec<(&str, usize)> = Vec::new();
    let mut emails: Vec<(&str, usize)> = Vec::new();
    let (mut kinds, mut breeds): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let mut middle = String::new();
    // The person the last name column on the left started (see Field::PersonName).
    let mut person: Option<usize> = None;
    for (column, field) in reading.mapping.iter().enumerate() {
        if *field == Field::PersonName {
            person = None;
        }
        let Some(value) = cells.get(column).map(|v| v.trim()).filter(|v| !v.is_empty()) else { continue };
        let set = |slot: &mut String| {
            if slot.is_empty() {
                *slot = value.to_string();
            }
        };
        let several = |list: &mut Vec<(&'a str, usize)>, first: bool| {
            let found = split_google(value).map(|v| (v, column));
            if first {
                list.splice(0..0, found);
            } else {
                list.extend(found);
            }
        };
        match field {
            Field::Ignore => {}
            Field::FirstName => set(&mut input.first_name),
            Field::LastName => set(&mut input.last_name),
            Field::FullName => set(&mut full_name),
            Field::Phone => several(&mut phones, true),
            Field::OtherPhone => several(&mut phones, false),
            Field::Email => several(&mut emails, true),
            Field::OtherEmail => several(&mut emails, false),
            Field::HeardFrom => set(&mut input.heard_from),
            Field::BestTime => set(&mut input.best_time),
            Field::Birthday => {
                if input.birthday_day.is_empty() && !is_no_date(value) {
                    let (day, month, year) = parse_birthday(value, order, this_year)?;
                    (input.birthday_day, input.birthday_month, input.birthday_year) = (day, month, year);
                }
            }
            Field::Notes => notes.push(value.to_string()),
            Field::Tags => input.tags.extend(tags_of(value).map(str::to_string)),
            Field::Pets => input.people.extend(split_list(value).map(parse_pet)),
            Field::PetKind => kinds.extend(split_list(value).map(str::to_string)),
            Field::PetBreed => breeds.extend(split_list(value).map(str::to_string)),
            Field::MiddleName => set(&mut middle),
            Field::Tag => input.tags.push(value.to_string()),
            Field::PersonName => {
                input.people.push(PersonInput {
                    id: None,
                    name: value.to_string(),
                    kind: String::new(),
                    details: String::new(),
                });
                person = Some(input.people.len() - 1);
            }
            Field::PersonKind | Field::PersonDetails => {
                if let Some(found) = person.and_then(|i| input.people.get_mut(i)) {
                    let slot = if *field == Field::PersonKind { &mut found.kind } else { &mut found.details };
                    set(slot);
                }
            }
        }
    }
    // "Rex, Mimi" with "Dog, Cat" and "Boxer, Siamese": by position.
    for (person, kind) in input.people.iter_mut().zip(kinds) {
        if person.kind.is_empty() {
            person.kind = kind;
        }
    }
    for (person, breed) in input.people.iter_mut().zip(breeds) {
        if person.details.is_empty() {
            person.details = breed;
        }
    }
    // The first phone and email are the card's; the others are kept in a note.
    for (list, slot, heading) in
        [(phones, &mut input.phone, "Other phones"), (emails, &mut input.email, "Other emails")]
    {
        let mut list = list.into_iter();
        if let Some((first, _)) = list.next() {
            *slot = first.to_string();
        }
        let others: Vec<String> = list.map(|(value, column)| labelled(value, column, cells, &reading.labels)).collect();
        if !others.is_empty() {
            notes.push(format!("{heading}: {}", others.join("; ")));
        }
    }
    if notes.iter().any(|note| note.chars().count() > customers::MAX_NOTE_CHARS) {
        return Err(format!("A note can be at most {} characters.", customers::MAX_NOTE_CHARS));
    }
    if input.first_name.is_empty() && input.last_name.is_empty() {
        (input.first_name, input.last_name) = split_full_name(&full_name);
    }
    if !middle.is_empty() {
        let (first, last) = (&mut input.first_name, &mut input.last_name);
        let (into, before) = if is_name_particle(middle.split_whitespace().next().unwrap_or("")) {
            (last, true)
        } else {
            (first, false)
        };
        *into = match (into.is_empty(), before) {
            (true, _) => middle,
            (false, true) => format!("{middle} {into}"),
            (false, false) => format!("{into} {middle}"),
        };
    }
    if input.first_name.is_empty() && input.last_name.is_empty() {
        return Err("The row has no name.".into());
    }
    customers::check(&input, this_year).map_err(|e| e.to_string())?;
    Ok((input, notes))
}

// ---------------------------------------------------------------- planning

enum Plan {
    Rejected(String),
    New(CustomerInput, Vec<String>),
    Duplicate { input: CustomerInput, notes: Vec<String>, of: DuplicateOf, matched_on: &'static str },
}

#[derive(Clone)]
enum DuplicateOf {
    Stored {
        id: String,
        name: String,
    },
    /// An earlier row of the same file.
    Row(usize),
}

/// How the file is read: settled once, before any row.
struct Reading {
    mapping: Vec<Field>,
    /// The mapping came from the last confirmed import of these headings.
    remembered: bool,
    /// Where each phone and email column's label is (see `labels_of`).
    labels: Vec<Label>,
    date_order: DateOrder,
    /// The birthdays leave the order open (see `guess_date_order`).
    ambiguous: bool,
    this_year: i32,
}

fn settle_reading(conn: &Connection, table: &Table, options: &Options, now: DateTime<Utc>) -> Result<Reading> {
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

impl Reading {
    fn row(&self, cells: &[String]) -> RowInput {
        row_input(cells, self)
    }
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

/// Sorts read rows, in file order, into new cards and duplicates of a
/// stored customer or of an earlier row.
struct Planner<'conn> {
    by_email: rusqlite::CachedStatement<'conn>,
    by_phone: rusqlite::CachedStatement<'conn>,
    seen_email: HashMap<String, usize>,
    seen_phone: HashMap<String, usize>,
}

impl<'conn> Planner<'conn> {
    fn new(conn: &'conn Connection) -> Result<Self> {
        Ok(Planner {
            by_email: conn
                .prepare_cached("SELECT id, display_name FROM customers WHERE email = ?1 COLLATE NOCASE LIMIT 1")?,
            by_phone: conn.prepare_cached("SELECT id, display_name FROM customers WHERE phone_digits = ?1 LIMIT 1")?,
            seen_email: HashMap::new(),
            seen_phone: HashMap::new(),
        })
    }

    fn plan(&mut self, number: usize, read: RowInput) -> Result<Plan> {
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

type RowInput = std::result::Result<(CustomerInput, Vec<String>), String>;

/// `row_input` for every row, on all cores: it is plain CPU work
/// (splitting, dates, the editor's validation), in row order.
fn read_rows(rows: &[(usize, Vec<String>)], reading: &Reading) -> Vec<RowInput> {
    rows.par_iter().with_min_len(1000).map(|(_, cells)| reading.row(cells)).collect()
}

fn cells_summary(table: &Table, number: usize) -> String {
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

fn choice_for(options: &Options, row: usize) -> OnDuplicate {
    options.choices.get(&row).copied().unwrap_or(options.on_duplicate)
}

fn display_name(input: &CustomerInput) -> String {
    [input.first_name.trim(), input.last_name.trim()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
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
    let mut preview = Preview {
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
    };
    let mut planner = Planner::new(conn)?;
    for ((number, _), read) in table.rows.iter().zip(read_rows(&table.rows, &reading)) {
        let plan = planner.plan(*number, read)?;
        let sample_of = |input: &CustomerInput, notes: &[String]| SampleRow {
            row: *number,
            name: display_name(input),
            phone: input.phone.clone(),
            email: input.email.clone(),
            birthday: if input.birthday_day.is_empty() {
                String::new()
            } else {
                let label = |y: Option<i32>| {
                    crate::kernel::birthday::Birthday {
                        day: input.birthday_day.parse().unwrap_or(0),
                        month: input.birthday_month.parse().unwrap_or(0),
                        year: y,
                    }
                    .label()
                };
                label(input.birthday_year.parse().ok())
            },
            tags: input.tags.join(", "),
            pets: input
                .people
                .iter()
                .map(|p| if p.kind.is_empty() { p.name.clone() } else { format!("{} ({})", p.name, p.kind) })
                .collect::<Vec<_>>()
                .join(", "),
            notes: notes.join(" / "),
        };
        match &plan {
            Plan::Rejected(reason) => {
                preview.rejected_count += 1;
                if preview.problems.len() < MAX_LISTED {
                    preview.problems.push(Problem {
                        row: *number,
                        reason: reason.clone(),
                        cells: cells_summary(table, *number),
                    });
                }
            }
            Plan::New(input, notes) => {
                preview.new_rows += 1;
                if preview.sample.len() < SAMPLE_ROWS {
                    preview.sample.push(sample_of(input, notes));
                }
            }
            Plan::Duplicate { input, notes, of, matched_on } => {
                preview.duplicate_count += 1;
                if preview.sample.len() < SAMPLE_ROWS {
                    preview.sample.push(sample_of(input, notes));
                }
                if preview.duplicates.len() < MAX_LISTED {
                    let (existing_id, existing_name) = match of {
                        DuplicateOf::Stored { id, name } => (Some(id.clone()), name.clone()),
                        DuplicateOf::Row(row) => (None, format!("row {row} of this file")),
                    };
                    preview.duplicates.push(Duplicate {
                        row: *number,
                        name: display_name(input),
                        existing_id,
                        existing_name,
                        matched_on,
                        choice: choice_for(options, *number),
                    });
                }
            }
        }
    }
    Ok(preview)
}

// ---------------------------------------------------------------- running

pub fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Reads the file and imports it (see `import`).
/// `key` is the shop's (`None` for a plain file): the preparing thread
/// opens the file on a connection of its own.
pub fn import_file(
    conn: &mut Connection,
    key: Option<&Key>,
    path: &Path,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<Report> {
    let table = read_file(path)?;
    import(conn, key, &table, &file_name(path), options, now)
}

#[derive(Serialize, Deserialize, Default)]
struct Added {
    people: Vec<String>,
    notes: Vec<String>,
}

/// Imports a table in one transaction: every accepted row or none. Rows
/// the validation refuses are reported and left out; duplicates follow
/// the options. The batch is recorded for `undo`.
pub fn import(
    conn: &mut Connection,
    key: Option<&Key>,
    table: &Table,
    file_name: &str,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<Report> {
    import_with_progress(conn, key, table, file_name, options, now, &mut |_| {})
}

/// `import`, telling `progress` how many rows are written so far (every
/// `PROGRESS_EVERY` rows, inside the transaction, before the commit).
pub fn import_with_progress(
    conn: &mut Connection,
    key: Option<&Key>,
    table: &Table,
    file_name: &str,
    options: &Options,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize),
) -> Result<Report> {
    // The commit would otherwise run the automatic checkpoint over the
    // whole batch before returning; the scheduler's background checkpoint
    // (at most a minute later) does that work off the owner's wait.
    let autocheckpoint: i64 = conn.query_row("PRAGMA wal_autocheckpoint", [], |row| row.get(0))?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    // A batch touches every index's pages over and over; with the default
    // 2 MB page cache they are spilled to the WAL and read back mid-batch.
    let cache_size: i64 = conn.query_row("PRAGMA cache_size", [], |row| row.get(0))?;
    conn.pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
    let result = import_in_transaction(conn, key, table, file_name, options, now, progress);
    conn.pragma_update(None, "cache_size", cache_size)?;
    conn.pragma_update(None, "wal_autocheckpoint", autocheckpoint)?;
    result
}

pub const PROGRESS_EVERY: usize = 5000;

/// The page cache during an import, in SQLite's negative-KiB form: 256 MB.
const IMPORT_CACHE_KIB: i64 = -262_144;

fn import_in_transaction(
    conn: &mut Connection,
    key: Option<&Key>,
    table: &Table,
    file_name: &str,
    options: &Options,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize),
) -> Result<Report> {
    let reading = settle_reading(conn, table, options, now)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Every card of an import is created at `now` with no contact yet, so
    // all start with the same health.
    let health = health::columns_for_new(&health::load_rules(&tx)?, now, None);
    let snapshot = open_snapshot(&tx, key)?;
    let batch_id = new_id();
    tx.execute(
        "INSERT INTO import_batches (id, file_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        params![batch_id, file_name, timestamp(now)],
    )?;
    let mut report = Report { batch_id: None, imported: 0, merged: 0, skipped: 0, rejected: 0, problems: Vec::new() };
    // Two threads: this one writes, the other reads, checks and prepares
    // the rows ahead of it, so the writer only binds values and steps.
    let (chunk_sender, chunks) = std::sync::mpsc::sync_channel(CHUNKS_AHEAD);
    let context = Context { table, reading: &reading, options, health: &health, batch_id: &batch_id, now };
    let context = &context;
    std::thread::scope(|scope| {
        // Created here so that the writer's end goes when the writer is done.
        let (written_sender, written_chunks) = std::sync::mpsc::channel();
        scope.spawn(move || prepare_chunks(snapshot, context, chunk_sender, written_chunks));
        let mut writer = Writer {
            tx: &tx,
            context,
            report: &mut report,
            search: search::BatchIndex::default(),
            ids_by_row: HashMap::new(),
        };
        let mut rows_written = 0;
        for chunk in chunks {
            let chunk = chunk?;
            for (number, step) in &chunk {
                writer.write(*number, step)?;
            }
            // Handed back for the preparing thread to free (see `prepare_chunks`);
            // if it has finished, dropping it here costs nothing.
            let before = rows_written;
            rows_written += chunk.len();
            let _ = written_sender.send(chunk);
            if rows_written / PROGRESS_EVERY > before / PROGRESS_EVERY {
                progress(rows_written);
            }
        }
        writer.search.flush(&tx)
    })?;
    if report.imported + report.merged == 0 {
        // Nothing to undo: leave no empty batch behind.
        drop(tx);
        return Ok(report);
    }
    tx.execute(
        "UPDATE import_batches SET imported = ?2, merged = ?3, skipped = ?4, rejected = ?5 WHERE id = ?1",
        params![batch_id, report.imported as i64, report.merged as i64, report.skipped as i64, report.rejected as i64],
    )?;
    // The owner confirmed this mapping: the next file with these headings starts from it.
    let remembered = Remembered { mapping: reading.mapping.clone() };
    settings::save_json(&tx, &remembered_key(&table.headers), &remembered, now)?;
    // Cards with a birthday today or tomorrow may have arrived.
    reminder_sources::rescan_birthdays(&tx, now)?;
    tx.commit()?;
    tracing::info!(batch = %batch_id, imported = report.imported, merged = report.merged, skipped = report.skipped, rejected = report.rejected, "import finished");
    report.batch_id = Some(batch_id);
    Ok(report)
}

/// Prepared rows travel to the writer in chunks of this many: one message
/// (and at most one thread wake-up) per row costs as much as the writing.
/// It divides `PROGRESS_EVERY`, so progress is told in round numbers.
const STEPS_PER_CHUNK: usize = 250;
/// How many chunks may wait for the writer: enough that it never waits,
/// few enough that a big file is not held twice in memory.
const CHUNKS_AHEAD: usize = 4;

/// What both sides of an import read.
struct Context<'a> {
    table: &'a Table,
    reading: &'a Reading,
    options: &'a Options,
    health: &'a customers::StartingHealth,
    batch_id: &'a str,
    now: DateTime<Utc>,
}

/// What the writer does with one row, decided on the preparing thread.
// Most rows are a Create or a Merge, both large: boxing them would add an
// allocation per row and save nothing.
#[allow(clippy::large_enum_variant)]
enum Step {
    Reject(String),
    Skip,
    Create(customers::PreparedCard),
    /// Into a stored card, or into the card an earlier row became.
    Merge {
        input: CustomerInput,
        notes: Vec<String>,
        into: DuplicateOf,
    },
}

/// A read-only connection that sees the shop as it was when the import's
/// transaction began (WAL readers keep their snapshot), so the preparing
/// thread matches duplicates against the stored customers exactly as the
/// preview did, however far the writer has got.
fn open_snapshot(tx: &Connection, key: Option<&Key>) -> Result<Connection> {
    let path = tx
        .path()
        .filter(|path| !path.is_empty())
        .ok_or_else(|| Error::Conflict("An import needs the shop's database file.".into()))?;
    let snapshot =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    snapshot.busy_timeout(std::time::Duration::from_secs(5))?;
    crate::db::store::unlock(&snapshot, key)?;
    // The first read fixes the snapshot, before the writer writes anything.
    snapshot.execute_batch("BEGIN")?;
    snapshot.query_row("SELECT count(*) FROM customers WHERE pk = 0", [], |_| Ok(()))?;
    Ok(snapshot)
}

type Chunk = Vec<(usize, Step)>;

/// The preparing thread: every row in file order, read, checked, matched
/// and, for a new card, prepared. Stops early when the writer has stopped.
///
/// It also frees the chunks the writer hands back: glibc's malloc locks
/// the allocating thread's arena when another thread frees its memory,
/// and that lock, taken for every string, cost more than the second
/// thread saved.
fn prepare_chunks(
    snapshot: Connection,
    context: &Context,
    sender: SyncSender<Result<Chunk>>,
    written: Receiver<Chunk>,
) {
    let prepare = || -> Result<()> {
        let mut planner = Planner::new(&snapshot)?;
        for rows in context.table.rows.chunks(STEPS_PER_CHUNK) {
            written.try_iter().for_each(drop);
            let mut chunk = Vec::with_capacity(rows.len());
            for (number, cells) in rows {
                let step = match planner.plan(*number, context.reading.row(cells))? {
                    Plan::Rejected(reason) => Step::Reject(reason),
                    Plan::New(input, notes) => create_step(&input, notes, context)?,
                    Plan::Duplicate { input, notes, of, .. } => match choice_for(context.options, *number) {
                        OnDuplicate::Skip => Step::Skip,
                        OnDuplicate::Create => create_step(&input, notes, context)?,
                        OnDuplicate::Merge => Step::Merge { input, notes, into: of },
                    },
                };
                chunk.push((*number, step));
            }
            if sender.send(Ok(chunk)).is_err() {
                return Ok(()); // the writer stopped, with its own error
            }
        }
        Ok(())
    };
    if let Err(error) = prepare() {
        let _ = sender.send(Err(error));
    }
    // Done: the writer's loop ends when this sender goes, and then it
    // drops its end of `written`, which ends this one.
    drop(sender);
    written.iter().for_each(drop);
}

fn create_step(input: &CustomerInput, notes: Vec<String>, context: &Context) -> Result<Step> {
    match customers::prepare(input, notes, context.health.clone(), context.batch_id, context.now) {
        Ok(card) => Ok(Step::Create(card)),
        Err(Error::Invalid { reason, .. }) => Ok(Step::Reject(reason)),
        Err(other) => Err(other),
    }
}

/// The writing side, inside the import's transaction.
struct Writer<'a> {
    tx: &'a Transaction<'a>,
    context: &'a Context<'a>,
    report: &'a mut Report,
    search: search::BatchIndex,
    /// The card each written row became, for a later row that repeats it.
    ids_by_row: HashMap<usize, String>,
}

impl Writer<'_> {
    fn write(&mut self, number: usize, step: &Step) -> Result<()> {
        match step {
            Step::Reject(reason) => self.reject(number, reason.clone()),
            Step::Skip => self.report.skipped += 1,
            Step::Create(card) => self.create(number, card)?,
            Step::Merge { input, notes, into } => {
                let target = match into {
                    DuplicateOf::Stored { id, .. } => Some(id.clone()),
                    DuplicateOf::Row(row) => self.ids_by_row.get(row).cloned(),
                };
                match target {
                    Some(id) => self.merge(number, &id, input, notes)?,
                    // The earlier row it repeats did not become a card: this one does.
                    None => self.write(number, &create_step(input, notes.clone(), self.context)?)?,
                }
            }
        }
        Ok(())
    }

    fn create(&mut self, number: usize, card: &customers::PreparedCard) -> Result<()> {
        customers::insert_prepared(self.tx, card, &mut self.search)?;
        self.ids_by_row.insert(number, card.id.clone());
        self.report.imported += 1;
        Ok(())
    }

    fn merge(&mut self, number: usize, id: &str, input: &CustomerInput, notes: &[String]) -> Result<()> {
        let tx = self.tx;
        // The card may be one this import created, whose keys still wait.
        self.search.flush(tx)?;
        let before = customers::get(tx, id)?;
        let merged = merge_input(&before, input);
        let known_notes: HashSet<&str> = before.notes.iter().map(|n| n.body.as_str()).collect();
        let new_notes: Vec<String> = notes.iter().filter(|n| !known_notes.contains(n.as_str())).cloned().collect();
        match customers::update_in(tx, id, &merged, &new_notes, self.context.now) {
            Ok(note_ids) => {
                let after = customers::get(tx, id)?;
                let people = after
                    .people
                    .iter()
                    .filter(|p| !before.people.iter().any(|b| b.id == p.id))
                    .map(|p| p.id.clone())
                    .collect();
                let added = Added { people, notes: note_ids };
                tx.prepare_cached(
                    "INSERT INTO import_rows (id, batch_id, customer_id, action, before, added, created_at, updated_at)
                     VALUES (?1, ?2, ?3, 'merged', ?4, ?5, ?6, ?6)",
                )?
                .execute(params![
                    new_id(),
                    self.context.batch_id,
                    id,
                    to_json(&before)?,
                    to_json(&added)?,
                    timestamp(self.context.now)
                ])?;
                self.ids_by_row.insert(number, id.to_string());
                self.report.merged += 1;
            }
            Err(Error::Invalid { reason, .. }) => {
                self.reject(number, format!("Could not merge into {}: {reason}", before.display_name))
            }
            Err(other) => return Err(other),
        }
        Ok(())
    }

    fn reject(&mut self, row: usize, reason: String) {
        self.report.rejected += 1;
        if self.report.problems.len() < MAX_LISTED {
            self.report.problems.push(Problem { row, reason, cells: cells_summary(self.context.table, row) });
        }
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Conflict(format!("Could not record the import: {e}")))
}

/// The stored card with the file's values filling what is empty; tags,
/// people and pets added when not already there.
fn merge_input(card: &Card, file: &CustomerInput) -> CustomerInput {
    let keep = |stored: &str, new: &str| if stored.trim().is_empty() { new.to_string() } else { stored.to_string() };
    let mut tags = card.tags.clone();
    tags.extend(file.tags.iter().cloned());
    let mut people: Vec<PersonInput> = card
        .people
        .iter()
        .map(|p| PersonInput {
            id: Some(p.id.clone()),
            name: p.name.clone(),
            kind: p.kind.clone(),
            details: p.details.clone(),
        })
        .collect();
    for person in &file.people {
        if !people.iter().any(|p| text::fold(&p.name) == text::fold(&person.name)) {
            people.push(person.clone());
        }
    }
    let (day, month, year) = match card.birthday {
        Some(b) => (b.day.to_string(), b.month.to_string(), b.year.map(|y| y.to_string()).unwrap_or_default()),
        None => (file.birthday_day.clone(), file.birthday_month.clone(), file.birthday_year.clone()),
    };
    CustomerInput {
        first_name: keep(&card.first_name, &file.first_name),
        last_name: keep(&card.last_name, &file.last_name),
        phone: keep(&card.phone, &file.phone),
        email: keep(&card.email, &file.email),
        birthday_day: day,
        birthday_month: month,
        birthday_year: year,
        preferred_channel: card.preferred_channel.clone(),
        best_time: keep(&card.best_time, &file.best_time),
        tags,
        heard_from: keep(&card.heard_from, &file.heard_from),
        people,
        discovery: card.discovery.clone(),
        referred_by: None,
    }
}

/// Past imports, newest first.
pub fn batches(conn: &Connection) -> Result<Vec<Batch>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, file_name, imported, merged, skipped, rejected, created_at, undone_at
         FROM import_batches ORDER BY created_at DESC, id DESC LIMIT 100",
    )?;
    let batches = stmt
        .query_map([], |row| {
            Ok(Batch {
                id: row.get(0)?,
                file_name: row.get(1)?,
                imported: row.get(2)?,
                merged: row.get(3)?,
                skipped: row.get(4)?,
                rejected: row.get(5)?,
                created_at: row.get(6)?,
                undone_at: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(batches)
}

/// Undoes a whole import in one transaction: the cards it created are
/// deleted (with anything logged for them since), the cards it merged into
/// are put back as they were before it (their later edits included).
pub fn undo(conn: &mut Connection, batch_id: &str, now: DateTime<Utc>) -> Result<UndoReport> {
    let report = store::write(conn, |tx| {
        let undone: Option<Option<String>> = tx
            .query_row("SELECT undone_at FROM import_batches WHERE id = ?1", [batch_id], |row| row.get(0))
            .optional()?;
        match undone {
            None => return Err(Error::NotFound("This import")),
            Some(Some(_)) => return Err(Error::Conflict("This import was already undone.".into())),
            Some(None) => {}
        }
        let mut report = UndoReport { deleted: 0, restored: 0 };
        let merges: Vec<(String, Option<String>, Option<String>)> = tx
            .prepare("SELECT customer_id, before, added FROM import_rows WHERE batch_id = ?1 AND action = 'merged' ORDER BY rowid DESC")?
            .query_map([batch_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (_, before, added) in merges {
            let before: Card = serde_json::from_str(before.as_deref().unwrap_or(""))
                .map_err(|e| Error::Conflict(format!("The import's record of a merged card is unreadable: {e}")))?;
            let added: Added = serde_json::from_str(added.as_deref().unwrap_or("{}")).unwrap_or_default();
            customers::restore_fields(tx, &before, &added.people, &added.notes, now)?;
            report.restored += 1;
        }
        // No index on import_batch (see migration 9): one pass over the cards.
        let created: Vec<(String, i64)> = tx
            .prepare("SELECT id, pk FROM customers WHERE import_batch = ?1")?
            .query_map([batch_id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let tables = customers::tables_naming_customers(tx)?;
        for (id, pk) in created {
            cards::erase_in(tx, &id, pk, &tables)?;
            report.deleted += 1;
        }
        tx.execute("DELETE FROM import_rows WHERE batch_id = ?1", [batch_id])?;
        tx.execute(
            "UPDATE import_batches SET undone_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![batch_id, timestamp(now)],
        )?;
        Ok(report)
    })?;
    tracing::info!(batch = batch_id, deleted = report.deleted, restored = report.restored, "import undone");
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birthdays_in_common_forms() {
        let p = |v: &str, o| parse_birthday(v, o, 2026).map(|(d, m, y)| format!("{d}/{m}/{y}"));
        assert_eq!(p("1990-12-31", DateOrder::DayFirst).as_deref(), Ok("31/12/1990"));
        assert_eq!(p("31/12/1990", DateOrder::DayFirst).as_deref(), Ok("31/12/1990"));
        assert_eq!(p("31.12.1990", DateOrder::DayFirst).as_deref(), Ok("31/12/1990"));
        assert_eq!(p("12/31/1990", DateOrder::MonthFirst).as_deref(), Ok("31/12/1990"));
        assert_eq!(p("3/4/90", DateOrder::MonthFirst).as_deref(), Ok("4/3/1990"));
        assert_eq!(p("3/4/05", DateOrder::DayFirst).as_deref(), Ok("3/4/2005"));
        assert_eq!(p("--03-14", DateOrder::DayFirst).as_deref(), Ok("14/3/"));
        assert_eq!(p("14 March", DateOrder::MonthFirst).as_deref(), Ok("14/3/"));
        assert_eq!(p("March 14, 1990", DateOrder::DayFirst).as_deref(), Ok("14/3/1990"));
        assert_eq!(p("1990-12-31 00:00:00", DateOrder::DayFirst).as_deref(), Ok("31/12/1990"));
        assert!(p("someday", DateOrder::DayFirst).is_err());
        // Byte 4 of this cell is inside the "é": the importer sliced there and panicked.
        assert_eq!(p("1.février 1990", DateOrder::DayFirst).as_deref(), Ok("1/2/1990"));
        assert_eq!(p("14. März 1988", DateOrder::MonthFirst).as_deref(), Ok("14/3/1988"));
    }

    #[test]
    fn headings_are_guessed() {
        let headers: Vec<String> = [
            "First Name",
            "Surname",
            "E-mail",
            "Mobile",
            "Date of birth",
            "Notes",
            "Comments",
            "Pets",
            "Email 2",
            "Customer since",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            guess_mapping(&headers),
            vec![
                Field::FirstName,
                Field::LastName,
                Field::Email,
                Field::Phone,
                Field::Birthday,
                Field::Notes,
                Field::Notes,
                Field::Pets,
                Field::OtherEmail,
                Field::Ignore
            ]
        );
        assert_eq!(guess_field("Telefon (mobil)"), Field::Phone);
        assert_eq!(guess_field("Nom de l'animal"), Field::Pets);
        assert_eq!(guess_field("Pet Birthday"), Field::Ignore);
    }

    #[test]
    fn labels_pair_with_their_values() {
        let headers: Vec<String> = [
            "Phone 1 - Label",
            "Phone 1 - Value",
            "E-mail 1 - Type",
            "E-mail 1 - Value",
            "Business Phone 2",
            "E-mail 2 Address",
            "Other - Value",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            labels_of(&headers)[1..],
            [
                Label::Column(0),
                Label::Heading("Type".into()),
                Label::Column(2),
                Label::Heading("Business".into()),
                Label::Heading(String::new()),
                Label::None
            ]
        );
    }

    #[test]
    fn google_labels_become_tags_without_its_own() {
        assert_eq!(
            tags_of("* myContacts ::: Gym ::: VIP, Friends ::: * starred").collect::<Vec<_>>(),
            ["Gym", "VIP", "Friends"]
        );
        assert_eq!(tags_of("Gym;VIP").collect::<Vec<_>>(), ["Gym", "VIP"]);
    }

    #[test]
    fn zeros_are_no_birthday() {
        assert!(is_no_date("0/0/00") && is_no_date("00.00.0000") && is_no_date("0000-00-00"));
        assert!(!is_no_date("1/0/00") && !is_no_date("") && !is_no_date("0 March"));
        assert_eq!(
            parse_birthday("0000-05-21", DateOrder::DayFirst, 2026),
            Ok(("21".to_string(), "5".to_string(), String::new()))
        );
    }

    #[test]
    fn names_split() {
        assert_eq!(split_full_name("Müller, Zoë"), ("Zoë".into(), "Müller".into()));
        assert_eq!(split_full_name("Ana María López"), ("Ana María".into(), "López".into()));
    }
}
