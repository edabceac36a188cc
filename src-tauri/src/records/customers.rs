//! Customer cards: the people and pets around a customer, personal notes
//! with pinned key details, and the first-visit discovery answers.
//!
//! Every write re-indexes the customer for search inside the same
//! transaction (see `search::reindex`), so the index never lags the card.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::types::Value;
use std::sync::LazyLock;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::search;
use crate::db::store;
use crate::kernel::birthday::{Birthday, MONTHS};
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::json;
use crate::kernel::labels::Labelled;
use crate::kernel::text;
use crate::kernel::time::timestamp;

pub const MAX_NOTE_CHARS: usize = 5000;
const MAX_FIELD_CHARS: usize = 200;
const MAX_LONG_FIELD_CHARS: usize = 2000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Discovery {
    /// What brought you here?
    pub what_brought_you: String,
    /// What does success look like?
    pub success_looks_like: String,
    /// What must happen first?
    pub must_happen_first: String,
    /// Who else cares about this?
    pub who_else_cares: String,
    /// How often should we update you?
    pub update_how_often: String,
    /// How do you like to hear from us?
    pub hear_from_us_how: String,
}

/// How a customer likes to be reached; stored in `customers.preferred_channel`
/// as its word ("" for no preference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Text,
    Email,
    Phone,
}

impl Labelled for Channel {
    const ALL: &'static [Channel] = &[Channel::Text, Channel::Email, Channel::Phone];

    fn label(self) -> &'static str {
        match self {
            Channel::Text => "Text message",
            Channel::Email => "Email",
            Channel::Phone => "Phone call",
        }
    }
}

impl Channel {
    pub fn from_word(word: &str) -> Option<Channel> {
        Channel::ALL.iter().copied().find(|channel| channel.word() == word)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PersonInput {
    /// Set for a person already on the card; `None` adds a new one.
    pub id: Option<String>,
    pub name: String,
    /// dog, cat, child, partner ... free text, suggested by the UI.
    pub kind: String,
    pub details: String,
}

/// What the card form sends. Text fields arrive as typed; the birthday as
/// the three fields of the form, so each problem can name its field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CustomerInput {
    pub first_name: String,
    pub last_name: String,
    /// What the desk calls them ("Liz" for Elizabeth); "" for none.
    pub preferred_name: String,
    pub phone: String,
    pub email: String,
    pub birthday_day: String,
    pub birthday_month: String,
    pub birthday_year: String,
    /// "" (no preference) or a `Channel`'s word: "text", "email" or "phone".
    pub preferred_channel: String,
    pub best_time: String,
    pub tags: Vec<String>,
    pub heard_from: String,
    pub people: Vec<PersonInput>,
    pub discovery: Discovery,
    /// Who referred them (a customer id): `None` leaves it as it is, an
    /// empty string removes it.
    pub referred_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub details: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Note {
    pub id: String,
    pub body: String,
    pub pinned: bool,
    pub created_at: String,
}

/// The card's own columns, listed once. Each line is a column of
/// `customers` and a field of `Card` (what the window shows) and of
/// `CleanCustomer` (a validated form). Create, update, an import's merge
/// and its undo bind exactly these by name (`:first_name`), and a card is
/// read back by name (`row.get("first_name")`); `Column` says how each type
/// is stored. A new field is a line here, its column in a migration, its
/// form field in `CustomerInput` (and `From<&Card>`) and its check in `validate`.
macro_rules! card_columns {
    ($($(#[$doc:meta])* $name:ident: $ty:ty,)*) => {
        /// Everything the card screen shows, ready to render.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
        pub struct Card {
            pub id: String,
            $($(#[$doc])* pub $name: $ty,)*
            pub birthday_label: Option<String>,
            pub people: Vec<Person>,
            /// Pinned key details first, then the newest notes.
            pub notes: Vec<Note>,
            pub last_contact_at: Option<String>,
            pub archived_at: Option<String>,
            pub created_at: String,
            pub updated_at: String,
        }

        /// A customer's data after validation, ready to store.
        #[derive(Debug, Clone)]
        struct CleanCustomer {
            $($name: $ty,)*
            people: Vec<PersonInput>,
        }

        /// The card's own columns, in order.
        pub const CARD_COLUMNS: &[&str] = &[$(stringify!($name)),*];

        /// The card's own columns as named values (":first_name"), plus
        /// the ones kept in step with them, from a validated form or from
        /// a card as it was (undoing an import's merge).
        trait CardValues {
            fn values(&self) -> Result<Vec<Named>>;
        }

        impl CardValues for CleanCustomer {
            fn values(&self) -> Result<Vec<Named>> {
                let mut values = vec![$((concat!(":", stringify!($name)), Column::value(&self.$name)?),)*];
                values.extend(kept_in_step(&self.display_name, &self.phone));
                Ok(values)
            }
        }

        impl CardValues for Card {
            fn values(&self) -> Result<Vec<Named>> {
                let mut values = vec![$((concat!(":", stringify!($name)), Column::value(&self.$name)?),)*];
                values.extend(kept_in_step(&self.display_name, &self.phone));
                Ok(values)
            }
        }

        /// A card from a row of `SELECT_CARD_SQL`, every column read by name
        /// (its people and notes are read after).
        fn card_from_row(row: &Row) -> rusqlite::Result<Card> {
            let mut card = Card {
                id: row.get("id")?,
                $($name: Column::read(row, stringify!($name))?,)*
                birthday_label: None,
                people: Vec::new(),
                notes: Vec::new(),
                last_contact_at: row.get("last_contact_at")?,
                archived_at: row.get("archived_at")?,
                created_at: row.get("created_at")?,
                updated_at: row.get("updated_at")?,
            };
            card.birthday_label = card.birthday.map(Birthday::label);
            Ok(card)
        }
    };
}

card_columns! {
    first_name: String,
    last_name: String,
    /// What the desk calls them ("Liz" for Elizabeth); "" for none.
    preferred_name: String,
    display_name: String,
    phone: String,
    email: String,
    birthday: Option<Birthday>,
    preferred_channel: Option<Channel>,
    best_time: String,
    tags: Vec<String>,
    heard_from: String,
    discovery: Discovery,
}

/// Columns no form sets: kept in step with the card's own, for sorting and
/// for finding a duplicate by phone whatever its formatting.
const KEPT_IN_STEP: [&str; 2] = ["sort_name", "phone_digits"];

fn kept_in_step(display_name: &str, phone: &str) -> [Named; 2] {
    [(":sort_name", Value::Text(text::fold(display_name))), (":phone_digits", Value::Text(text::digits(phone)))]
}

/// How a card field is stored in its column: text as it is, a birthday as
/// ISO text (NULL without one), lists and answers as JSON.
trait Column: Sized {
    fn value(&self) -> Result<Value>;
    fn read(row: &Row, name: &str) -> rusqlite::Result<Self>;
}

impl Column for String {
    fn value(&self) -> Result<Value> {
        Ok(Value::Text(self.clone()))
    }
    fn read(row: &Row, name: &str) -> rusqlite::Result<Self> {
        row.get(name)
    }
}

impl Column for Option<Birthday> {
    fn value(&self) -> Result<Value> {
        Ok(self.map_or(Value::Null, |b| Value::Text(b.to_iso())))
    }
    fn read(row: &Row, name: &str) -> rusqlite::Result<Self> {
        Ok(row.get::<_, Option<String>>(name)?.as_deref().and_then(Birthday::from_iso))
    }
}

impl Column for Option<Channel> {
    fn value(&self) -> Result<Value> {
        Ok(Value::Text(self.map(Channel::word).unwrap_or_default()))
    }
    fn read(row: &Row, name: &str) -> rusqlite::Result<Self> {
        // No preference is stored as ""; a word this version does not know reads as none.
        Ok(Channel::from_word(&row.get::<_, String>(name)?))
    }
}

impl Column for Vec<String> {
    fn value(&self) -> Result<Value> {
        Ok(Value::Text(json::encode(self)?))
    }
    fn read(row: &Row, name: &str) -> rusqlite::Result<Self> {
        Ok(parse_json(&row.get::<_, String>(name)?))
    }
}

impl Column for Discovery {
    fn value(&self) -> Result<Value> {
        Ok(Value::Text(json::encode(self)?))
    }
    fn read(row: &Row, name: &str) -> rusqlite::Result<Self> {
        Ok(parse_json(&row.get::<_, String>(name)?))
    }
}

impl From<&Card> for CustomerInput {
    /// The form as the editor would send it back for a stored card (people
    /// keep their ids; who referred them is left as it is).
    fn from(card: &Card) -> Self {
        let birthday = card.birthday;
        CustomerInput {
            first_name: card.first_name.clone(),
            last_name: card.last_name.clone(),
            preferred_name: card.preferred_name.clone(),
            phone: card.phone.clone(),
            email: card.email.clone(),
            birthday_day: birthday.map(|b| b.day.to_string()).unwrap_or_default(),
            birthday_month: birthday.map(|b| b.month.to_string()).unwrap_or_default(),
            birthday_year: birthday.and_then(|b| b.year).map(|y| y.to_string()).unwrap_or_default(),
            preferred_channel: card.preferred_channel.map(Channel::word).unwrap_or_default(),
            best_time: card.best_time.clone(),
            tags: card.tags.clone(),
            heard_from: card.heard_from.clone(),
            people: card
                .people
                .iter()
                .map(|p| PersonInput {
                    id: Some(p.id.clone()),
                    name: p.name.clone(),
                    kind: p.kind.clone(),
                    details: p.details.clone(),
                })
                .collect(),
            discovery: card.discovery.clone(),
            referred_by: None,
        }
    }
}

fn limited(field: &'static str, label: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Error::invalid(field, format!("{label} can be at most {max} characters.")));
    }
    Ok(value.to_string())
}

fn validate_email(email: &str) -> Result<String> {
    let email = email.trim();
    if email.is_empty() {
        return Ok(String::new());
    }
    let bad = || Error::invalid("email", format!("\"{email}\" is not an email address (like name@example.com)."));
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@');
    if local.is_empty() || !domain_ok || email.chars().any(char::is_whitespace) || email.len() > 254 {
        return Err(bad());
    }
    Ok(email.to_string())
}

fn validate_phone(phone: &str) -> Result<String> {
    let phone = phone.trim();
    if phone.is_empty() {
        return Ok(String::new());
    }
    if !text::looks_like_phone(phone) {
        return Err(Error::invalid("phone", "A phone number can hold only digits, spaces and + - ( ) . /"));
    }
    let count = text::digits(phone).len();
    if !(5..=15).contains(&count) {
        return Err(Error::invalid("phone", format!("A phone number needs 5 to 15 digits; this one has {count}.")));
    }
    Ok(phone.to_string())
}

fn validate_birthday(day: &str, month: &str, year: &str, this_year: i32) -> Result<Option<Birthday>> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return Ok(None);
    }
    if day.is_empty() || month.is_empty() {
        return Err(Error::invalid("birthday", "A birthday needs at least the day and the month."));
    }
    let day: u32 =
        day.parse().map_err(|_| Error::invalid("birthday", "The birthday's day must be a number from 1 to 31."))?;
    let month: u32 =
        month.parse().map_err(|_| Error::invalid("birthday", "The birthday's month must be a number from 1 to 12."))?;
    if !(1..=12).contains(&month) {
        return Err(Error::invalid("birthday", "The birthday's month must be a number from 1 to 12."));
    }
    let year: Option<i32> = if year.is_empty() {
        None
    } else {
        let value: i32 =
            year.parse().map_err(|_| Error::invalid("birthday", "The birthday's year must be a number like 1990."))?;
        Some(value)
    };
    if let Some(value) = year {
        if value < 1900 || value > this_year {
            return Err(Error::invalid(
                "birthday",
                format!("The birthday's year must be between 1900 and {this_year}."),
            ));
        }
    }
    // Without a year, 29 February is a real birthday: check it in a leap year.
    let check_year = year.unwrap_or(2000);
    if NaiveDate::from_ymd_opt(check_year, month, day).is_none() {
        let label = MONTHS[month as usize - 1];
        return Err(Error::invalid(
            "birthday",
            format!(
                "{label} has no day {day}{}.",
                match year {
                    Some(y) => format!(" in {y}"),
                    None => String::new(),
                }
            ),
        ));
    }
    Ok(Some(Birthday { day, month, year }))
}

/// `this_year` (the caller's clock) is the latest year a birthday may name.
fn validate(input: &CustomerInput, this_year: i32) -> Result<CleanCustomer> {
    let first_name = limited("first_name", "The first name", &input.first_name, MAX_FIELD_CHARS)?;
    let last_name = limited("last_name", "The last name", &input.last_name, MAX_FIELD_CHARS)?;
    let preferred_name = limited("preferred_name", "The preferred name", &input.preferred_name, MAX_FIELD_CHARS)?;
    if first_name.is_empty() && last_name.is_empty() {
        return Err(Error::invalid("first_name", "Please enter a name."));
    }
    let display_name = [first_name.as_str(), last_name.as_str()]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let preferred_channel = match input.preferred_channel.trim() {
        "" => None,
        word => Some(Channel::from_word(word).ok_or_else(|| {
            Error::invalid("preferred_channel", format!("\"{word}\" is not a channel; choose text, email or phone."))
        })?),
    };
    // Checked in this order, so the first problem named is the same as ever.
    let (tags, people, discovery) =
        (clean_tags(&input.tags)?, clean_people(&input.people)?, clean_discovery(&input.discovery)?);
    Ok(CleanCustomer {
        first_name,
        last_name,
        preferred_name,
        display_name,
        phone: validate_phone(&input.phone)?,
        email: validate_email(&input.email)?,
        birthday: validate_birthday(&input.birthday_day, &input.birthday_month, &input.birthday_year, this_year)?,
        preferred_channel,
        best_time: limited("best_time", "The best time", &input.best_time, MAX_FIELD_CHARS)?,
        tags,
        heard_from: limited("heard_from", "\"Heard of us from\"", &input.heard_from, MAX_FIELD_CHARS)?,
        people,
        discovery,
    })
}

/// Tags trimmed, each once (compared folded), blanks left out.
fn clean_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut clean: Vec<String> = Vec::new();
    for tag in tags {
        let tag = limited("tags", "A tag", tag, 40)?;
        if !tag.is_empty() && !clean.iter().any(|t| text::fold(t) == text::fold(&tag)) {
            clean.push(tag);
        }
    }
    Ok(clean)
}

/// People and pets trimmed; an untouched blank row of the form is left out.
fn clean_people(people: &[PersonInput]) -> Result<Vec<PersonInput>> {
    let mut clean = Vec::new();
    for person in people {
        let name = limited("people", "A name", &person.name, MAX_FIELD_CHARS)?;
        let kind = limited("people", "A kind", &person.kind, 40)?;
        let details = limited("people", "The details", &person.details, MAX_LONG_FIELD_CHARS)?;
        if name.is_empty() {
            if kind.is_empty() && details.is_empty() {
                continue;
            }
            return Err(Error::invalid("people", "Every person or pet needs a name."));
        }
        clean.push(PersonInput { id: person.id.clone(), name, kind, details });
    }
    Ok(clean)
}

fn clean_discovery(d: &Discovery) -> Result<Discovery> {
    let long = |value: &str| limited("discovery", "This answer", value, MAX_LONG_FIELD_CHARS);
    Ok(Discovery {
        what_brought_you: long(&d.what_brought_you)?,
        success_looks_like: long(&d.success_looks_like)?,
        must_happen_first: long(&d.must_happen_first)?,
        who_else_cares: long(&d.who_else_cares)?,
        update_how_often: long(&d.update_how_often)?,
        hear_from_us_how: long(&d.hear_from_us_how)?,
    })
}

/// Every column a card's values name: its own and those kept in step.
fn written_columns() -> impl Iterator<Item = &'static str> {
    CARD_COLUMNS.iter().chain(KEPT_IN_STEP.iter()).copied()
}

static UPDATE_CARD_SQL: LazyLock<String> = LazyLock::new(|| {
    let set: Vec<String> = written_columns().map(|c| format!("{c} = :{c}")).collect();
    format!("UPDATE customers SET {}, updated_at = :now WHERE id = :id", set.join(", "))
});

/// A new row: the card's columns plus what a new card starts with.
static INSERT_CARD_SQL: LazyLock<String> = LazyLock::new(|| {
    let columns: Vec<&str> = written_columns().collect();
    let names: Vec<String> = columns.iter().map(|c| format!(":{c}")).collect();
    format!(
        "INSERT INTO customers (id, {}, created_at, updated_at, last_contact_at, health_yellow_from, health_red_from, import_batch)
         VALUES (:id, {}, :now, :now, :last_contact_at, :health_yellow_from, :health_red_from, :import_batch)",
        columns.join(", "),
        names.join(", ")
    )
});

/// A whole card's row, for `card_from_row`.
static SELECT_CARD_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT id, {}, last_contact_at, archived_at, created_at, updated_at FROM customers WHERE id = ?1",
        CARD_COLUMNS.join(", ")
    )
});

/// A named value for one SQL parameter (":first_name").
type Named = (&'static str, Value);

fn execute_named(stmt: &mut rusqlite::CachedStatement<'_>, values: &[Named]) -> Result<usize> {
    let params: Vec<(&str, &dyn rusqlite::ToSql)> =
        values.iter().map(|(name, value)| (*name, value as &dyn rusqlite::ToSql)).collect();
    Ok(stmt.execute(params.as_slice())?)
}

/// Writes a card's own columns over the stored ones.
fn write_card_fields(tx: &Connection, id: &str, card: &dyn CardValues, now: DateTime<Utc>) -> Result<()> {
    let mut values = card.values()?;
    values.push((":id", Value::Text(id.to_string())));
    values.push((":now", Value::Text(timestamp(now))));
    if execute_named(&mut tx.prepare_cached(&UPDATE_CARD_SQL)?, &values)? == 0 {
        return Err(Error::NotFound("This customer"));
    }
    Ok(())
}

/// The health a new card starts with, from `derived::health::columns_for_new`:
/// when it turns yellow and red if nothing else happens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartingHealth {
    pub yellow_from: Option<String>,
    pub red_from: Option<String>,
}

/// Creates a customer inside the caller's transaction and indexes them;
/// returns the new id. (`features::cards::create` is the whole use case.)
pub fn create_in(
    tx: &Transaction,
    input: &CustomerInput,
    health: StartingHealth,
    now: DateTime<Utc>,
) -> Result<String> {
    let clean = validate(input, now.year())?;
    let id = new_id();
    let values = new_row_values(&clean, &id, now, None, health, None)?;
    let pk = write_customer(tx, &id, &values, &clean.people, &timestamp(now))?;
    search::index_new(tx, pk, &document(&clean, &[]))?;
    Ok(id)
}

/// Every column of a new customer's row: the card, the health it starts
/// with, and the import that created it.
fn new_row_values(
    clean: &CleanCustomer,
    id: &str,
    created_at: DateTime<Utc>,
    last_contact_at: Option<DateTime<Utc>>,
    health: StartingHealth,
    import_batch: Option<&str>,
) -> Result<Vec<Named>> {
    let optional = |v: Option<String>| v.map_or(Value::Null, Value::Text);
    let mut values = clean.values()?;
    values.extend([
        (":id", Value::Text(id.to_string())),
        (":now", Value::Text(timestamp(created_at))),
        (":last_contact_at", optional(last_contact_at.map(timestamp))),
        (":health_yellow_from", optional(health.yellow_from)),
        (":health_red_from", optional(health.red_from)),
        (":import_batch", optional(import_batch.map(str::to_string))),
    ]);
    Ok(values)
}

fn write_customer(tx: &Transaction, id: &str, values: &[Named], people: &[PersonInput], stamp: &str) -> Result<i64> {
    execute_named(&mut tx.prepare_cached(&INSERT_CARD_SQL)?, values)?;
    let pk = tx.last_insert_rowid();
    for (position, person) in people.iter().enumerate() {
        insert_person(tx, id, person, position, stamp)?;
    }
    Ok(pk)
}

/// The search index's view of a card being created, from the values in
/// hand rather than read back (see `search::Document`).
fn document(clean: &CleanCustomer, notes: &[&str]) -> search::Document {
    let mut other = clean.tags.clone();
    other.push(clean.heard_from.clone());
    other.extend(clean.people.iter().map(|p| p.details.clone()));
    other.extend(notes.iter().map(|n| n.to_string()));
    search::Document {
        display_name: clean.display_name.clone(),
        also_called: search::also_called(&clean.preferred_name, &clean.last_name),
        email: clean.email.clone(),
        phone: clean.phone.clone(),
        people: clean.people.iter().map(|p| (p.name.clone(), p.kind.clone())).collect(),
        other,
    }
}

/// Replaces a customer's editable fields inside the caller's transaction;
/// people not in the list are removed. (`features::cards::update`.)
pub fn update_card(tx: &Transaction, id: &str, input: &CustomerInput, now: DateTime<Utc>) -> Result<()> {
    let clean = validate(input, now.year())?;
    write_card_fields(tx, id, &clean, now)?;
    write_people(tx, id, &clean.people, now)?;
    search::reindex(tx, id)?;
    Ok(())
}

fn write_people(tx: &Transaction, customer_id: &str, people: &[PersonInput], now: DateTime<Utc>) -> Result<()> {
    let stamp = timestamp(now);
    let mut kept: Vec<String> = Vec::new();
    for (position, person) in people.iter().enumerate() {
        let updated = match &person.id {
            Some(id) => tx
                .prepare_cached(
                    "UPDATE people SET name = ?3, kind = ?4, details = ?5, position = ?6, updated_at = ?7
                 WHERE id = ?1 AND customer_id = ?2",
                )?
                .execute(params![id, customer_id, person.name, person.kind, person.details, position as i64, stamp])?,
            None => 0,
        };
        let id = if updated == 1 {
            person.id.clone().unwrap_or_default()
        } else {
            insert_person(tx, customer_id, person, position, &stamp)?
        };
        kept.push(id);
    }
    let existing: Vec<String> = tx
        .prepare_cached("SELECT id FROM people WHERE customer_id = ?1")?
        .query_map([customer_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in existing.iter().filter(|id| !kept.contains(id)) {
        tx.execute("DELETE FROM people WHERE id = ?1", [id])?;
    }
    Ok(())
}

fn insert_person(
    tx: &Transaction,
    customer_id: &str,
    person: &PersonInput,
    position: usize,
    stamp: &str,
) -> Result<String> {
    let id = new_id();
    tx.prepare_cached(
        "INSERT INTO people (id, customer_id, name, kind, details, position, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![id, customer_id, person.name, person.kind, person.details, position as i64, stamp])?;
    Ok(id)
}

/// Archived customers keep their card and stay findable, marked as archived.
pub fn set_archived(conn: &mut Connection, id: &str, archived: bool, now: DateTime<Utc>) -> Result<Card> {
    let stamp = timestamp(now);
    let changed = conn.execute(
        "UPDATE customers SET archived_at = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, archived.then(|| stamp.clone()), stamp],
    )?;
    if changed == 0 {
        return Err(Error::NotFound("This customer"));
    }
    get(conn, id)
}

/// Removes the card's own row (erase: `features::cards::erase` has
/// deleted every row that names them first).
pub fn delete_row(tx: &Connection, pk: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM customers WHERE pk = ?1")?.execute([pk])?;
    Ok(())
}

/// The internal row key of a customer, which keys the search index.
pub fn pk_of(conn: &Connection, id: &str) -> Result<i64> {
    conn.prepare_cached("SELECT pk FROM customers WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .ok_or(Error::NotFound("This customer"))
}

/// Every table with a `customer_id` column, children before parents (a
/// table that others reference by a foreign key comes after them).
pub fn tables_naming_customers(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
         WHERE m.type = 'table' AND c.name = 'customer_id' ORDER BY m.name",
    )?;
    let mut tables: Vec<String> = stmt.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    // interactions is referenced by tasks and the ledger: delete it last.
    tables.sort_by_key(|name| name == "interactions");
    Ok(tables)
}

pub fn add_note(
    conn: &mut Connection,
    customer_id: &str,
    body: &str,
    pinned: bool,
    now: DateTime<Utc>,
) -> Result<Card> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::invalid("note", "The note is empty."));
    }
    if body.chars().count() > MAX_NOTE_CHARS {
        return Err(Error::invalid("note", format!("A note can be at most {MAX_NOTE_CHARS} characters.")));
    }
    store::write(conn, |tx| {
        ensure_exists(tx, customer_id)?;
        let stamp = timestamp(now);
        write_note(tx, &new_id(), customer_id, body, pinned, &stamp)?;
        touch(tx, customer_id, &stamp)?;
        search::reindex(tx, customer_id)?;
        Ok(())
    })?;
    get(conn, customer_id)
}

/// Pins a note as a key detail (shown first on the card) or unpins it.
pub fn set_note_pinned(conn: &mut Connection, note_id: &str, pinned: bool, now: DateTime<Utc>) -> Result<Card> {
    let customer_id = note_owner(conn, note_id)?;
    conn.execute(
        "UPDATE notes SET pinned = ?2, updated_at = ?3 WHERE id = ?1",
        params![note_id, pinned, timestamp(now)],
    )?;
    get(conn, &customer_id)
}

pub fn delete_note(conn: &mut Connection, note_id: &str, now: DateTime<Utc>) -> Result<Card> {
    let customer_id = note_owner(conn, note_id)?;
    store::write(conn, |tx| {
        tx.execute("DELETE FROM notes WHERE id = ?1", [note_id])?;
        touch(tx, &customer_id, &timestamp(now))?;
        search::reindex(tx, &customer_id)?;
        Ok(())
    })?;
    get(conn, &customer_id)
}

fn note_owner(conn: &Connection, note_id: &str) -> Result<String> {
    conn.query_row("SELECT customer_id FROM notes WHERE id = ?1", [note_id], |row| row.get(0))
        .optional()?
        .ok_or(Error::NotFound("This note"))
}

/// Whether a card with this id is in the shop.
pub fn exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)")?
        .query_row([id], |row| row.get(0))?)
}

pub fn ensure_exists(conn: &Connection, id: &str) -> Result<()> {
    conn.prepare_cached("SELECT 1 FROM customers WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .ok_or(Error::NotFound("This customer"))
}

fn touch(conn: &Connection, id: &str, stamp: &str) -> Result<()> {
    conn.prepare_cached("UPDATE customers SET updated_at = ?2 WHERE id = ?1")?.execute(params![id, stamp])?;
    Ok(())
}

fn parse_json<T: serde::de::DeserializeOwned + Default>(raw: &str) -> T {
    // A damaged JSON cell shows as empty rather than hiding the whole card.
    serde_json::from_str(raw).unwrap_or_default()
}

/// Loads a whole card.
pub fn get(conn: &Connection, id: &str) -> Result<Card> {
    let mut card = conn
        .prepare_cached(&SELECT_CARD_SQL)?
        .query_row([id], card_from_row)
        .optional()?
        .ok_or(Error::NotFound("This customer"))?;
    card.people = conn
        .prepare_cached(
            "SELECT id, name, kind, details FROM people WHERE customer_id = ?1 ORDER BY position, created_at",
        )?
        .query_map([id], |row| {
            Ok(Person { id: row.get(0)?, name: row.get(1)?, kind: row.get(2)?, details: row.get(3)? })
        })?
        .collect::<rusqlite::Result<_>>()?;
    card.notes = conn
        .prepare_cached(
            "SELECT id, body, pinned, created_at FROM notes WHERE customer_id = ?1
             ORDER BY pinned DESC, created_at DESC, id DESC",
        )?
        .query_map([id], |row| {
            Ok(Note { id: row.get(0)?, body: row.get(1)?, pinned: row.get(2)?, created_at: row.get(3)? })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(card)
}

/// The name a customer goes by, without loading the whole card.
pub fn display_name(conn: &Connection, id: &str) -> Result<String> {
    conn.prepare_cached("SELECT display_name FROM customers WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .ok_or(Error::NotFound("This customer"))
}

/// What the desk calls a customer ("" when they have no preferred name),
/// without loading the whole card.
pub fn preferred_name(conn: &Connection, id: &str) -> Result<String> {
    conn.prepare_cached("SELECT preferred_name FROM customers WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .ok_or(Error::NotFound("This customer"))
}

/// Checks a card form exactly as the editor's save would, without writing.
pub fn check(input: &CustomerInput, this_year: i32) -> Result<()> {
    validate(input, this_year).map(|_| ())
}

/// A new card from a bulk import, checked with the editor's validation
/// and turned into the values its rows will hold. Preparing is plain CPU
/// work (validation, folding, JSON, search keys), so an import prepares
/// the next cards on another thread while `insert_prepared` writes.
#[derive(Debug)]
pub struct PreparedCard {
    pub id: String,
    /// When it was created, as stored.
    stamp: String,
    values: Vec<Named>,
    people: Vec<PersonInput>,
    /// Each note's id and text.
    notes: Vec<(String, String)>,
    search: search::Entry,
}

/// Prepares a card created at `now` by the import `import_batch`, with
/// its notes, starting with `health` (the same for every card of an import).
pub fn prepare(
    input: &CustomerInput,
    notes: Vec<String>,
    health: StartingHealth,
    import_batch: &str,
    now: DateTime<Utc>,
) -> Result<PreparedCard> {
    let clean = validate(input, now.year())?;
    let id = new_id();
    let values = new_row_values(&clean, &id, now, None, health, Some(import_batch))?;
    let note_bodies: Vec<&str> = notes.iter().map(String::as_str).collect();
    let search = search::Entry::of(&document(&clean, &note_bodies));
    let notes = notes.into_iter().map(|body| (new_id(), body)).collect();
    Ok(PreparedCard { id, stamp: timestamp(now), values, people: clean.people, notes, search })
}

/// Writes a prepared card, its people and notes inside the caller's
/// transaction, and files it for search in `batch`.
pub fn insert_prepared(tx: &Transaction, card: &PreparedCard, batch: &mut search::BatchIndex) -> Result<()> {
    let pk = write_customer(tx, &card.id, &card.values, &card.people, &card.stamp)?;
    for (id, body) in &card.notes {
        write_note(tx, id, &card.id, body, false, &card.stamp)?;
    }
    batch.add(tx, pk, &card.search)
}

/// Replaces a card's fields inside the caller's transaction (an import
/// merging into it), with the editor's validation; adds `notes` and
/// returns their ids. People keep their ids when `input` names them.
pub fn update_in(
    tx: &Transaction,
    id: &str,
    input: &CustomerInput,
    notes: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let clean = validate(input, now.year())?;
    write_card_fields(tx, id, &clean, now)?;
    write_people(tx, id, &clean.people, now)?;
    let mut added = Vec::new();
    for body in notes {
        added.push(insert_note(tx, id, body, now)?);
    }
    search::reindex(tx, id)?;
    Ok(added)
}

/// Puts a card's own fields back to what `before` shows (undoing an import
/// merge), removing the people and notes named; re-indexes.
pub fn restore_fields(
    tx: &Transaction,
    before: &Card,
    remove_people: &[String],
    remove_notes: &[String],
    now: DateTime<Utc>,
) -> Result<()> {
    for person in remove_people {
        tx.prepare_cached("DELETE FROM people WHERE id = ?1 AND customer_id = ?2")?
            .execute(params![person, before.id])?;
    }
    for note in remove_notes {
        tx.prepare_cached("DELETE FROM notes WHERE id = ?1 AND customer_id = ?2")?.execute(params![note, before.id])?;
    }
    write_card_fields(tx, &before.id, before, now)?;
    search::reindex(tx, &before.id)?;
    Ok(())
}

fn insert_note(tx: &Connection, customer_id: &str, body: &str, at: DateTime<Utc>) -> Result<String> {
    let id = new_id();
    write_note(tx, &id, customer_id, body, false, &timestamp(at))?;
    Ok(id)
}

fn write_note(conn: &Connection, id: &str, customer_id: &str, body: &str, pinned: bool, stamp: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO notes (id, customer_id, body, pinned, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, customer_id, body, pinned, stamp])?;
    Ok(())
}

/// Every customer's public id, oldest first (for bulk tools such as the seed).
pub fn all_ids(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT id FROM customers ORDER BY pk")?;
    let ids = stmt.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM customers", [], |row| row.get(0))?)
}

/// One customer of a bulk load (the sample shop or the benchmark seed).
pub struct SeedCustomer {
    pub input: CustomerInput,
    pub notes: Vec<(String, bool, DateTime<Utc>)>,
    pub created_at: DateTime<Utc>,
    pub last_contact_at: Option<DateTime<Utc>>,
}

/// Inserts many customers inside the caller's transaction; `health` says
/// what each starts with from when it was created and last contacted.
pub fn insert_many(
    tx: &Transaction,
    customers: &[SeedCustomer],
    this_year: i32,
    health: &dyn Fn(DateTime<Utc>, Option<DateTime<Utc>>) -> StartingHealth,
) -> Result<()> {
    let mut batch = search::BatchIndex::default();
    for seed in customers {
        let clean = validate(&seed.input, this_year)?;
        let id = new_id();
        let values = new_row_values(
            &clean,
            &id,
            seed.created_at,
            seed.last_contact_at,
            health(seed.created_at, seed.last_contact_at),
            None,
        )?;
        let pk = write_customer(tx, &id, &values, &clean.people, &timestamp(seed.created_at))?;
        for (body, pinned, at) in &seed.notes {
            write_note(tx, &new_id(), &id, body, *pinned, &timestamp(*at))?;
        }
        let notes: Vec<&str> = seed.notes.iter().map(|(body, _, _)| body.as_str()).collect();
        batch.add(tx, pk, &search::Entry::of(&document(&clean, &notes)))?;
    }
    batch.flush(tx)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// The figures kept on the card. This module is the only writer of
// `customers`; the modules that maintain a figure (derived::health,
// derived::rhythm, records::loyalty, features::desk) work it out and store
// it through these, in the transaction of the change that moved it.

/// When the card turns yellow and red (see `derived::health`); "0" means
/// an event already decides.
///
/// Written only when they move: SQLite rewrites an index entry whenever its
/// column is assigned, even to the same value, and every page a change
/// touches is encrypted again at commit (most visits leave both as they were).
pub fn set_health_moments(
    conn: &Connection,
    id: &str,
    yellow_from: Option<&str>,
    red_from: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE customers SET health_yellow_from = ?2, health_red_from = ?3
         WHERE id = ?1 AND (health_yellow_from IS NOT ?2 OR health_red_from IS NOT ?3)",
    )?
    .execute(params![id, yellow_from, red_from])?;
    Ok(())
}

/// Moves the loyalty balances by one ledger row (see `records::loyalty::append`).
/// A balance that does not move is not assigned, so its index is not
/// rewritten (see `set_health_moments`).
pub fn add_to_balances(conn: &Connection, id: &str, points: i64, stamps: i64) -> Result<()> {
    if points != 0 {
        conn.prepare_cached("UPDATE customers SET points_balance = points_balance + ?2 WHERE id = ?1")?
            .execute(params![id, points])?;
    }
    if stamps != 0 {
        conn.prepare_cached("UPDATE customers SET stamps_balance = stamps_balance + ?2 WHERE id = ?1")?
            .execute(params![id, stamps])?;
    }
    Ok(())
}

/// The figures a card keeps from its records, worked out again from them:
/// the loyalty balances from the points ledger, the lifetime spend from
/// the interactions that stand, and last contact no earlier than the
/// newest of those. A shared shop's device runs it after applying another
/// device's rows, so a balance is always the sum of its ledger, in any
/// order of arrival.
pub fn settle_figures(conn: &Connection, id: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE customers SET
            points_balance = (SELECT coalesce(sum(points), 0) FROM points_ledger WHERE customer_id = ?1),
            stamps_balance = (SELECT coalesce(sum(stamps), 0) FROM points_ledger WHERE customer_id = ?1),
            lifetime_cents = (SELECT coalesce(sum(amount_cents), 0) FROM interactions
                              WHERE customer_id = ?1 AND undone_at IS NULL),
            last_contact_at = max(coalesce(last_contact_at, ''), coalesce((SELECT max(happened_at) FROM interactions
                              WHERE customer_id = ?1 AND undone_at IS NULL), ''))
         WHERE id = ?1",
    )?
    .execute([id])?;
    // '' stands for "never" only inside the max above.
    conn.prepare_cached("UPDATE customers SET last_contact_at = NULL WHERE id = ?1 AND last_contact_at = ''")?
        .execute([id])?;
    Ok(())
}

/// Last contact no earlier than the newest interaction that stands: after
/// a shared shop's device took another device's value for it. Reads one
/// interaction from the newest back, not all of them.
pub fn settle_last_contact(conn: &Connection, id: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE customers SET last_contact_at = (SELECT happened_at FROM interactions
            WHERE customer_id = ?1 AND undone_at IS NULL ORDER BY happened_at DESC LIMIT 1)
         WHERE id = ?1 AND coalesce(last_contact_at, '') < coalesce((SELECT happened_at FROM interactions
            WHERE customer_id = ?1 AND undone_at IS NULL ORDER BY happened_at DESC LIMIT 1), '')",
    )?
    .execute([id])?;
    Ok(())
}

/// The visit rhythm (see `derived::rhythm`).
pub fn set_rhythm(
    conn: &Connection,
    id: &str,
    last_visit_at: Option<&str>,
    usual_gap_days: Option<f64>,
    quiet_after: Option<&str>,
    habits: crate::kernel::rhythm::Habits,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE customers SET last_visit_at = ?2, usual_gap_days = ?3, quiet_after = ?4, usual_minute = ?5, usual_weekdays = ?6 WHERE id = ?1",
    )?
    .execute(params![id, last_visit_at, usual_gap_days, quiet_after, habits.usual_minute, habits.usual_weekdays])?;
    Ok(())
}

/// A logged interaction at `at`: last contact moves forward (never back),
/// the amount adds to the lifetime spend. `touched` also moves `updated_at`
/// (a change at the desk; not a past visit from the seed).
/// (The lifetime spend, which has an index, is assigned only when there is
/// an amount: see `set_health_moments`.)
pub fn record_contact(conn: &Connection, id: &str, at: &str, amount_cents: Option<i64>, touched: bool) -> Result<()> {
    conn.prepare_cached(
        "UPDATE customers SET last_contact_at = max(coalesce(last_contact_at, ''), ?2),
                              updated_at = CASE WHEN ?3 THEN ?2 ELSE updated_at END WHERE id = ?1",
    )?
    .execute(params![id, at, touched])?;
    if let Some(amount) = amount_cents.filter(|amount| *amount != 0) {
        conn.prepare_cached("UPDATE customers SET lifetime_cents = lifetime_cents + ?2 WHERE id = ?1")?
            .execute(params![id, amount])?;
    }
    Ok(())
}

/// An undone interaction: its amount leaves the lifetime spend, and last
/// contact goes back to the newest interaction that still stands.
pub fn take_back_contact(conn: &Connection, id: &str, amount_cents: Option<i64>, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "UPDATE customers SET updated_at = ?2, lifetime_cents = lifetime_cents - coalesce(?3, 0), last_contact_at =
            (SELECT max(happened_at) FROM interactions WHERE customer_id = ?1 AND undone_at IS NULL)
         WHERE id = ?1",
    )?
    .execute(params![id, timestamp(now), amount_cents])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_values_name_exactly_the_written_columns() {
        let clean =
            validate(&CustomerInput { first_name: "A".into(), ..CustomerInput::default() }, 2026).expect("valid");
        let names: Vec<String> = clean.values().expect("values").iter().map(|(name, _)| name.to_string()).collect();
        let columns: Vec<String> = written_columns().map(|c| format!(":{c}")).collect();
        assert_eq!(names, columns);
    }

    #[test]
    fn birthday_rules() {
        assert!(validate_birthday("29", "2", "", 2026).is_ok());
        assert!(validate_birthday("29", "2", "2001", 2026).is_err());
        assert!(validate_birthday("31", "4", "", 2026).is_err());
        assert!(validate_birthday("", "4", "", 2026).is_err());
        assert_eq!(validate_birthday("", "", "", 2026).ok(), Some(None));
        let b = Birthday { day: 14, month: 3, year: None };
        assert_eq!(Birthday::from_iso(&b.to_iso()), Some(b));
        assert_eq!(b.label(), "14 March");
    }

    #[test]
    fn email_rules() {
        assert!(validate_email("zoe@example.com").is_ok());
        for bad in ["zoe", "zoe@", "@x.com", "zoe@example", "zo e@x.com", "z@x..com"] {
            assert!(validate_email(bad).is_err(), "{bad} should be refused");
        }
    }
}
