//! One row's cells turned into the card form the editor would send, plus
//! its notes: names split, birthdays read, lists split, pets paired with
//! their kinds, the other phones and emails kept in notes.

use super::headings::Label;
use super::mapping::Reading;
use super::Field;
use crate::kernel::dates::{self, DateOrder};
use crate::records::customers::{self, CustomerInput, PersonInput};

/// A row read: the card form and its notes, or why the row is refused.
pub(super) type RowInput = std::result::Result<(CustomerInput, Vec<String>), String>;

/// What a row's cells say, gathered column by column, before the card is
/// put together from it (`row_input`).
#[derive(Default)]
struct Gathered<'a> {
    input: CustomerInput,
    full_name: String,
    middle: String,
    notes: Vec<String>,
    /// The phones and emails with their columns, in column order, the
    /// card's column first. Borrowed: most rows have one of each, and the
    /// label is only looked up for the others.
    phones: Vec<(&'a str, usize)>,
    emails: Vec<(&'a str, usize)>,
    kinds: Vec<String>,
    breeds: Vec<String>,
    /// The person the last name column on the left started (see Field::PersonName).
    person: Option<usize>,
}

/// A row turned into the card form the editor would send, plus its notes.
pub(super) fn row_input(cells: &[String], reading: &Reading) -> RowInput {
    let mut row = Gathered::default();
    for (column, field) in reading.mapping.iter().enumerate() {
        if *field == Field::PersonName {
            row.person = None;
        }
        let Some(value) = cells.get(column).map(|v| v.trim()).filter(|v| !v.is_empty()) else { continue };
        row.take(*field, value, column, reading)?;
    }
    row.pair_pets();
    row.keep_other_contacts(cells, &reading.labels);
    if row.notes.iter().any(|note| note.chars().count() > customers::MAX_NOTE_CHARS) {
        return Err(format!("A note can be at most {} characters.", customers::MAX_NOTE_CHARS));
    }
    row.settle_names();
    let Gathered { input, notes, .. } = row;
    if input.first_name.is_empty() && input.last_name.is_empty() {
        return Err("The row has no name.".into());
    }
    customers::check(&input, reading.this_year).map_err(|e| e.to_string())?;
    Ok((input, notes))
}

/// Fills an empty slot; a later column for the same field does not overwrite it.
fn fill(slot: &mut String, value: &str) {
    if slot.is_empty() {
        *slot = value.to_string();
    }
}

impl<'a> Gathered<'a> {
    /// One cell's value, by the field of its column.
    fn take(&mut self, field: Field, value: &'a str, column: usize, reading: &Reading) -> Result<(), String> {
        let input = &mut self.input;
        match field {
            Field::Ignore => {}
            Field::FirstName => fill(&mut input.first_name, value),
            Field::LastName => fill(&mut input.last_name, value),
            Field::PreferredName => fill(&mut input.preferred_name, value),
            Field::FullName => fill(&mut self.full_name, value),
            Field::Phone => several(&mut self.phones, value, column, true),
            Field::OtherPhone => several(&mut self.phones, value, column, false),
            Field::Email => several(&mut self.emails, value, column, true),
            Field::OtherEmail => several(&mut self.emails, value, column, false),
            Field::HeardFrom => fill(&mut input.heard_from, value),
            Field::BestTime => fill(&mut input.best_time, value),
            Field::Birthday => {
                if input.birthday_day.is_empty() && !is_no_date(value) {
                    let (day, month, year) = parse_birthday(value, reading.date_order, reading.this_year)?;
                    (input.birthday_day, input.birthday_month, input.birthday_year) = (day, month, year);
                }
            }
            Field::Notes => self.notes.push(value.to_string()),
            Field::Tags => input.tags.extend(tags_of(value).map(str::to_string)),
            Field::Pets => input.people.extend(split_list(value).map(parse_pet)),
            Field::PetKind => self.kinds.extend(split_list(value).map(str::to_string)),
            Field::PetBreed => self.breeds.extend(split_list(value).map(str::to_string)),
            Field::MiddleName => fill(&mut self.middle, value),
            Field::Tag => input.tags.push(value.to_string()),
            Field::PersonName => {
                input.people.push(PersonInput { name: value.to_string(), ..PersonInput::default() });
                self.person = Some(input.people.len() - 1);
            }
            // Read by `consent_of` for the writer: consent is no field of the card form.
            Field::EmailConsent => {}
            Field::PersonKind | Field::PersonDetails => {
                if let Some(found) = self.person.and_then(|i| input.people.get_mut(i)) {
                    fill(if field == Field::PersonKind { &mut found.kind } else { &mut found.details }, value);
                }
            }
        }
        Ok(())
    }

    /// "Rex, Mimi" with "Dog, Cat" and "Boxer, Siamese": by position.
    fn pair_pets(&mut self) {
        let people = &mut self.input.people;
        for (person, kind) in people.iter_mut().zip(std::mem::take(&mut self.kinds)) {
            fill(&mut person.kind, &kind);
        }
        for (person, breed) in people.iter_mut().zip(std::mem::take(&mut self.breeds)) {
            fill(&mut person.details, &breed);
        }
    }

    /// The first phone and email are the card's; the others are kept in a
    /// note each ("Other phones: Work +44 …").
    fn keep_other_contacts(&mut self, cells: &[String], labels: &[Label]) {
        let lists = [
            (std::mem::take(&mut self.phones), &mut self.input.phone, "Other phones"),
            (std::mem::take(&mut self.emails), &mut self.input.email, "Other emails"),
        ];
        for (list, slot, heading) in lists {
            let mut list = list.into_iter();
            if let Some((first, _)) = list.next() {
                *slot = first.to_string();
            }
            let others: Vec<String> = list.map(|(value, column)| labelled(value, column, cells, labels)).collect();
            if !others.is_empty() {
                self.notes.push(format!("{heading}: {}", others.join("; ")));
            }
        }
    }

    /// A full name split when there is no first or last name; a middle
    /// name added to the first name, a surname's particle to the last.
    fn settle_names(&mut self) {
        let input = &mut self.input;
        if input.first_name.is_empty() && input.last_name.is_empty() {
            (input.first_name, input.last_name) = split_full_name(&self.full_name);
        }
        let middle = std::mem::take(&mut self.middle);
        if middle.is_empty() {
            return;
        }
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
}

/// Adds a cell's values (Google's "a ::: b" split) to a list of phones or
/// emails: before the others for the card's column, after them for another.
fn several<'a>(list: &mut Vec<(&'a str, usize)>, value: &'a str, column: usize, first: bool) {
    let found = split_google(value).map(|v| (v, column));
    if first {
        list.splice(0..0, found);
    } else {
        list.extend(found);
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

/// What a row's consent column says: `Some(true)` for "yes", "subscribed",
/// "true", "1", "opted in" (and yes in the shops' languages), `Some(false)`
/// for the no's, `None` when there is no such column or it says neither;
/// with the column's heading, for how the consent was given.
pub(super) fn consent_of<'a>(cells: &[String], reading: &Reading, headers: &'a [String]) -> Option<(bool, &'a str)> {
    let column = reading.mapping.iter().position(|field| *field == Field::EmailConsent)?;
    let value = crate::kernel::text::fold(cells.get(column)?.trim());
    const YES: &[&str] = &["yes", "y", "true", "1", "subscribed", "opted in", "optedin", "ja", "oui", "si", "sim"];
    const NO: &[&str] =
        &["no", "n", "false", "0", "unsubscribed", "not subscribed", "opted out", "optedout", "nein", "non", "nao"];
    let agreed = if YES.contains(&value.as_str()) {
        true
    } else if NO.contains(&value.as_str()) {
        false
    } else {
        return None;
    };
    Some((agreed, headers.get(column).map_or("", String::as_str)))
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
