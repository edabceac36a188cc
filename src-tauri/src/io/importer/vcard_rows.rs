//! A vCard file (`.vcf`, read by `io::vcard`) as a table of fixed
//! columns, one row per contact, so it goes the same way as a spreadsheet.

use rayon::prelude::*;

use super::{Field, Table};
use crate::io::vcard;

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
    ("Nickname", Field::PreferredName),
    ("Phone", Field::Phone),
    ("Other phones", Field::OtherPhone),
    ("Email", Field::Email),
    ("Other emails", Field::OtherEmail),
    ("Birthday", Field::Birthday),
    ("Organisation", Field::Notes),
    ("Address", Field::Notes),
];

pub(super) fn is_vcard_table(table: &Table) -> bool {
    table.encoding == VCARD_ENCODING
}

/// What `Table::encoding` says for a table read from a vCard file.
const VCARD_ENCODING: &str = "vCard";

/// The field of a vCard table's column, from its heading.
pub(super) fn vcard_field(heading: &str) -> Field {
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

/// A vCard file as rows (numbered by contact, from 1), with a column per
/// note, tag and person as many as the contact with the most has.
pub(super) fn vcard_table(bytes: &[u8]) -> Table {
    let contacts = vcard::read(bytes);
    let most = |count: fn(&vcard::Contact) -> usize| contacts.iter().map(count).max().unwrap_or(0);
    let widths = Widths {
        notes: most(|c| c.notes.len()),
        tags: most(|c| c.categories.len()),
        people: most(|c| c.related.len()),
    };
    let headers = widths.headers();
    let rows =
        contacts.into_par_iter().enumerate().map(|(i, contact)| (i + 1, contact_row(contact, &widths))).collect();
    Table { encoding: VCARD_ENCODING, delimiter: b',', headers, rows }
}

/// How many note, tag and person columns the file's table has.
struct Widths {
    notes: usize,
    tags: usize,
    people: usize,
}

impl Widths {
    fn headers(&self) -> Vec<String> {
        let mut headers: Vec<String> = VCARD_COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
        headers.extend((1..=self.notes).map(|i| format!("Note {i}")));
        headers.extend((1..=self.tags).map(|i| format!("Tag {i}")));
        for i in 1..=self.people {
            headers.extend([format!("Person {i}"), format!("Person {i} kind"), format!("Person {i} details")]);
        }
        headers
    }
}

/// One contact's cells, in the order of `Widths::headers`. The card's
/// phone is the preferred mobile, else the first mobile, else the
/// preferred or first number; its email the preferred or first. The others
/// are kept with their labels ("Work 020 …") for the "Other phones"/"Other
/// emails" notes; the organisation and addresses go into notes of their own.
fn contact_row(contact: vcard::Contact, widths: &Widths) -> Vec<String> {
    let (phone, other_phones) = card_and_others(&contact.phones, true);
    let (email, other_emails) = card_and_others(&contact.emails, false);
    let organisation = if contact.org.is_empty() { String::new() } else { format!("Organisation: {}", contact.org) };
    let addresses: Vec<String> = contact
        .addresses
        .iter()
        .map(|a| match a.label() {
            label if label.is_empty() => a.value.clone(),
            label => format!("{label}: {}", a.value),
        })
        .collect();
    let address = if addresses.is_empty() { String::new() } else { format!("Address: {}", addresses.join("; ")) };
    let mut cells = vec![
        contact.given,
        contact.family,
        contact.full_name,
        contact.nickname,
        phone,
        other_phones,
        email,
        other_emails,
        contact.birthday,
        organisation,
        address,
    ];
    let padded = |values: Vec<String>, to: usize| values.into_iter().chain(std::iter::repeat(String::new())).take(to);
    cells.extend(padded(contact.notes, widths.notes));
    cells.extend(padded(contact.categories, widths.tags));
    let related = contact.related.into_iter().flat_map(|r| [r.name, r.kind, r.details]).collect();
    cells.extend(padded(related, widths.people * 3));
    // Trimmed only: a vCard has no spreadsheet quote to take off.
    // Most values are trimmed already and are kept as they are.
    cells.into_iter().map(|c| if c.trim().len() == c.len() { c } else { c.trim().to_string() }).collect()
}

/// Which of a contact's numbers or addresses is the card's (see `contact_row`).
fn pick(list: &[vcard::Typed], mobile_first: bool) -> Option<usize> {
    let mobile = |t: &vcard::Typed| !mobile_first || t.is_mobile();
    list.iter()
        .position(|t| mobile(t) && t.pref)
        .or_else(|| list.iter().position(mobile))
        .or_else(|| list.iter().position(|t| t.pref))
        .or(if list.is_empty() { None } else { Some(0) })
}

/// The card's value, and the others with their labels in one cell.
fn card_and_others(list: &[vcard::Typed], mobile_first: bool) -> (String, String) {
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
    // " ::: " is how a cell holds several values (see `rows::split_google`).
    (first, others.join(" ::: "))
}
