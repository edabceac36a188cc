//! Which field each column holds, guessed once per file from its
//! headings (the tables in `heading_tables`), and where the label of a
//! phone or email column is.

use std::collections::HashSet;

use super::heading_tables::{CONTAINS, EXACT, MOBILE, OTHER};
use super::{Field, Table};
use crate::kernel::dates::{self, DateOrder};
use crate::kernel::text;

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

#[cfg(test)]
fn guess_field(heading: &str) -> Field {
    guess_field_key(&heading_key(heading))
}

/// A whole heading first; then a part that says the column is about
/// something else; then a part that names a field; then any other name.
fn guess_field_key(key: &str) -> Field {
    if let Some((field, _)) = EXACT.iter().find(|(_, keys)| keys.contains(&key)) {
        return *field;
    }
    if OTHER.iter().any(|part| key.contains(part)) {
        return Field::Ignore;
    }
    if let Some((_, field)) = CONTAINS.iter().find(|(part, _)| key.contains(part)) {
        return *field;
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

/// Where the label of a phone or email column ("Work", "Home") is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Label {
    None,
    /// Google's "Phone 2 - Label" beside "Phone 2 - Value".
    Column(usize),
    /// Outlook's "Business Phone": the heading says it.
    Heading(String),
}

/// The label of each column, paired once per file: a column whose heading
/// ends in "Value" takes the column with the same heading ending in
/// "Label" or "Type"; any other column its own heading.
pub(super) fn labels_of(headers: &[String]) -> Vec<Label> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
