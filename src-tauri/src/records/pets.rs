//! Pet records: for a pet on a card (a `people` row with an animal kind),
//! its breed, birthday, vet, allergies, medication, feeding and handling
//! notes, and its vaccinations. The only writer of `pets` and
//! `vaccinations`; also the shop's pet settings (which vaccinations it
//! requires). The use cases that move health are in `features::pets`.
//!
//! A vaccination recorded again (the yearly rabies shot) replaces the
//! older one of the same name for health and reminders; the older stays
//! as history. Names are matched without regard to case, and a name that
//! matches a required vaccination takes its spelling.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::settings::{self, BusinessKind};
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::time::{parse_day, stored_day, timestamp};

/// Days before a vaccination expires that it becomes a reminder and turns
/// the card yellow.
pub const DUE_DAYS: i64 = 30;

/// Kinds of `people` rows that are animals and can have a pet record
/// (compared after folding case and accents).
const ANIMAL_KINDS: [&str; 16] = [
    "dog",
    "puppy",
    "cat",
    "kitten",
    "pet",
    "rabbit",
    "bunny",
    "horse",
    "pony",
    "guinea pig",
    "ferret",
    "bird",
    "parrot",
    "hamster",
    "hund",
    "chien",
];

/// True when a person's kind names an animal ("Dog", "puppy", "cat").
pub fn is_pet(kind: &str) -> bool {
    let folded = crate::kernel::text::fold(kind.trim());
    ANIMAL_KINDS.iter().any(|animal| folded == *animal || folded.split_whitespace().any(|word| word == *animal))
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PetSettings {
    /// The vaccinations the shop requires ("Rabies", "DHPP", "Kennel
    /// cough"). Only these count for health and reminders; with none
    /// listed, every vaccination recorded counts.
    pub required_vaccinations: Vec<String>,
}

impl PetSettings {
    pub fn for_kind(kind: BusinessKind) -> PetSettings {
        match kind {
            BusinessKind::DogWalking => {
                PetSettings { required_vaccinations: vec!["Rabies".into(), "DHPP".into(), "Kennel cough".into()] }
            }
            _ => PetSettings::default(),
        }
    }

    /// Whether a vaccination of this name counts for health and reminders.
    pub fn counts(&self, name: &str) -> bool {
        self.required_vaccinations.is_empty() || self.required_vaccinations.iter().any(|r| same_name(r, name))
    }
}

const SETTINGS_KEY: &str = "pet_settings";

pub fn load_settings(conn: &Connection) -> Result<PetSettings> {
    match settings::load_json::<PetSettings>(conn, SETTINGS_KEY)? {
        Some(saved) => Ok(saved),
        None => Ok(PetSettings::for_kind(settings::load(conn)?.business_kind)),
    }
}

pub fn validate_settings(input: &PetSettings) -> Result<PetSettings> {
    let mut clean: Vec<String> = Vec::new();
    for name in &input.required_vaccinations {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > 60 {
            return Err(Error::invalid("required_vaccinations", "A vaccination's name can be at most 60 characters."));
        }
        if clean.iter().any(|c| same_name(c, name)) {
            return Err(Error::invalid("required_vaccinations", format!("\"{name}\" is listed twice.")));
        }
        clean.push(name.to_string());
    }
    if clean.len() > 30 {
        return Err(Error::invalid("required_vaccinations", "List at most 30 vaccinations."));
    }
    Ok(PetSettings { required_vaccinations: clean })
}

/// Stores the settings inside the caller's transaction (which also
/// recomputes health: `features::pets::save_settings`).
pub fn save_settings_in(conn: &Connection, clean: &PetSettings, now: DateTime<Utc>) -> Result<()> {
    settings::save_json(conn, SETTINGS_KEY, clean, now)
}

fn same_name(a: &str, b: &str) -> bool {
    crate::kernel::text::fold(a.trim()) == crate::kernel::text::fold(b.trim())
}

/// The pet record as typed on the card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PetInput {
    pub breed: String,
    /// YYYY-MM-DD or empty.
    pub birthday: String,
    pub vet_name: String,
    pub vet_phone: String,
    pub allergies: String,
    pub medication: String,
    pub feeding: String,
    /// On the lead: "Harness only, pulls".
    pub on_lead: String,
    /// Recall: "Good", "Stays on the lead".
    pub recall: String,
    pub reactive_to_dogs: bool,
    /// Anything else the walker or groomer should know.
    pub handling: String,
}

fn limited(field: &'static str, label: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Error::invalid(field, format!("{label} can be at most {max} characters.")));
    }
    Ok(value.to_string())
}

fn validate_pet(input: &PetInput, today: NaiveDate) -> Result<(PetInput, Option<NaiveDate>)> {
    let birthday = match input.birthday.trim() {
        "" => None,
        text => {
            let day = parse_day("birthday", text)?;
            if day > today {
                return Err(Error::invalid("birthday", "The birthday cannot be in the future."));
            }
            Some(day)
        }
    };
    let clean = PetInput {
        breed: limited("breed", "The breed", &input.breed, 80)?,
        birthday: birthday.map(|d| d.to_string()).unwrap_or_default(),
        vet_name: limited("vet_name", "The vet's name", &input.vet_name, 120)?,
        vet_phone: limited("vet_phone", "The vet's phone", &input.vet_phone, 40)?,
        allergies: limited("allergies", "Allergies", &input.allergies, 1000)?,
        medication: limited("medication", "Medication", &input.medication, 1000)?,
        feeding: limited("feeding", "Feeding notes", &input.feeding, 1000)?,
        on_lead: limited("on_lead", "On the lead", &input.on_lead, 300)?,
        recall: limited("recall", "Recall", &input.recall, 300)?,
        reactive_to_dogs: input.reactive_to_dogs,
        handling: limited("handling", "Handling notes", &input.handling, 2000)?,
    };
    Ok((clean, birthday))
}

/// The customer a pet (a `people` row with an animal kind) belongs to.
pub fn owner_of_pet(conn: &Connection, person_id: &str) -> Result<String> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT customer_id, kind FROM people WHERE id = ?1")?
        .query_row([person_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let (customer_id, kind) = row.ok_or(Error::NotFound("This pet"))?;
    if !is_pet(&kind) {
        return Err(Error::invalid(
            "pet",
            "Only a pet (a person on the card whose kind is dog, cat ...) has a pet record.",
        ));
    }
    Ok(customer_id)
}

/// Saves a pet's record inside the caller's transaction; returns the customer id.
pub fn save_in(
    conn: &Connection,
    person_id: &str,
    input: &PetInput,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<String> {
    let (clean, birthday) = validate_pet(input, today)?;
    let customer_id = owner_of_pet(conn, person_id)?;
    conn.prepare_cached(
        "INSERT INTO pets (person_id, customer_id, breed, birthday, vet_name, vet_phone, allergies, medication, feeding,
                           on_lead, recall, reactive_to_dogs, handling, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)
         ON CONFLICT(person_id) DO UPDATE SET breed = excluded.breed, birthday = excluded.birthday,
            vet_name = excluded.vet_name, vet_phone = excluded.vet_phone, allergies = excluded.allergies,
            medication = excluded.medication, feeding = excluded.feeding, on_lead = excluded.on_lead,
            recall = excluded.recall, reactive_to_dogs = excluded.reactive_to_dogs, handling = excluded.handling,
            updated_at = excluded.updated_at",
    )?
    .execute(params![
        person_id,
        customer_id,
        clean.breed,
        birthday.map(|d| d.to_string()),
        clean.vet_name,
        clean.vet_phone,
        clean.allergies,
        clean.medication,
        clean.feeding,
        clean.on_lead,
        clean.recall,
        clean.reactive_to_dogs,
        clean.handling,
        timestamp(now)
    ])?;
    Ok(customer_id)
}

/// A vaccination as typed: its name, when it was given, when it expires.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(default)]
pub struct VaccinationInput {
    pub name: String,
    /// YYYY-MM-DD or empty.
    pub given_on: String,
    /// YYYY-MM-DD, required.
    pub expires_on: String,
}

/// What adding a vaccination did, for the reminders it settles.
pub struct Added {
    pub customer_id: String,
    pub id: String,
    /// Older vaccinations of the same name on this pet, now replaced.
    pub replaced: Vec<String>,
}

/// Records a vaccination inside the caller's transaction.
pub fn add_vaccination_in(
    conn: &Connection,
    person_id: &str,
    input: &VaccinationInput,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Added> {
    let typed = limited("vaccine_name", "The vaccination's name", &input.name, 60)?;
    if typed.is_empty() {
        return Err(Error::invalid("vaccine_name", "Name the vaccination, e.g. Rabies, DHPP or Kennel cough."));
    }
    let given_on = match input.given_on.trim() {
        "" => None,
        text => {
            let day = parse_day("given_on", text)?;
            if day > today {
                return Err(Error::invalid("given_on", "The date given cannot be in the future."));
            }
            Some(day)
        }
    };
    if input.expires_on.trim().is_empty() {
        return Err(Error::invalid("expires_on", "Give the date the vaccination expires, like 2027-03-14."));
    }
    let expires_on = parse_day("expires_on", &input.expires_on)?;
    if given_on.is_some_and(|given| expires_on <= given) {
        return Err(Error::invalid("expires_on", "The expiry must be after the date given."));
    }
    let customer_id = owner_of_pet(conn, person_id)?;
    // A name the shop requires takes its spelling, so "rabies" and "Rabies" are one vaccination.
    let required = load_settings(conn)?.required_vaccinations;
    let name = required.into_iter().find(|r| same_name(r, &typed)).unwrap_or(typed);
    let replaced: Vec<String> = conn
        .prepare_cached("SELECT id, name FROM vaccinations WHERE person_id = ?1")?
        .query_map([person_id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|(_, other)| same_name(other, &name))
        .map(|(id, _)| id)
        .collect();
    let id = new_id();
    conn.prepare_cached(
        "INSERT INTO vaccinations (id, person_id, customer_id, name, given_on, expires_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        id,
        person_id,
        customer_id,
        name,
        given_on.map(|d| d.to_string()),
        expires_on.to_string(),
        timestamp(now)
    ])?;
    Ok(Added { customer_id, id, replaced })
}

/// Removes a vaccination recorded by mistake; returns its customer id.
pub fn delete_vaccination_in(conn: &Connection, id: &str) -> Result<String> {
    let customer_id: String = conn
        .prepare_cached("SELECT customer_id FROM vaccinations WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .ok_or(Error::NotFound("This vaccination"))?;
    conn.prepare_cached("DELETE FROM vaccinations WHERE id = ?1")?.execute([id])?;
    Ok(customer_id)
}

/// A vaccination that counts (the newest of its name on its pet, and
/// required by the shop), for health and reminders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentVaccine {
    pub id: String,
    pub customer_id: String,
    pub pet_name: String,
    pub name: String,
    pub expires_on: NaiveDate,
}

/// The newest vaccination of each name on each pet, newest by expiry.
fn newest_of_each(
    rows: Vec<(String, String, String, String, String, String)>,
    settings: &PetSettings,
) -> Vec<CurrentVaccine> {
    let mut newest: Vec<(String, CurrentVaccine)> = Vec::new();
    for (id, person_id, customer_id, pet_name, name, expires) in rows {
        let Some(expires_on) = stored_day(&expires) else { continue };
        if !settings.counts(&name) {
            continue;
        }
        let vaccine = CurrentVaccine { id, customer_id, pet_name, name, expires_on };
        match newest.iter_mut().find(|(person, v)| *person == person_id && same_name(&v.name, &vaccine.name)) {
            Some((_, kept)) if (kept.expires_on, &kept.id) < (vaccine.expires_on, &vaccine.id) => *kept = vaccine,
            Some(_) => {}
            None => newest.push((person_id, vaccine)),
        }
    }
    newest.into_iter().map(|(_, v)| v).collect()
}

/// One customer's counting vaccinations.
pub fn current_for_customer(
    conn: &Connection,
    customer_id: &str,
    settings: &PetSettings,
) -> Result<Vec<CurrentVaccine>> {
    let rows = conn
        .prepare_cached(
            "SELECT v.id, v.person_id, v.customer_id, p.name, v.name, v.expires_on
             FROM vaccinations v JOIN people p ON p.id = v.person_id WHERE v.customer_id = ?1",
        )?
        .query_map([customer_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(newest_of_each(rows, settings))
}

/// One customer's counting vaccinations, for health: the settings are read
/// only when they have any (most cards have none, and every visit asks).
pub fn counting_for_customer(conn: &Connection, customer_id: &str) -> Result<Vec<CurrentVaccine>> {
    let all = current_for_customer(conn, customer_id, &PetSettings::default())?;
    if all.is_empty() {
        return Ok(all);
    }
    let settings = load_settings(conn)?;
    Ok(all.into_iter().filter(|v| settings.counts(&v.name)).collect())
}

/// Counting vaccinations, shop-wide, that expire from `from` to `until`
/// and have no reminder yet (for the reminder pass). Only the rows of the
/// pets that have such a one are read, so a pass over a shop whose
/// reminders are made reads next to nothing.
pub fn current_expiring_between(
    conn: &Connection,
    from: NaiveDate,
    until: NaiveDate,
    settings: &PetSettings,
) -> Result<Vec<CurrentVaccine>> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT v.id, v.person_id, v.customer_id, p.name, v.name, v.expires_on
             FROM vaccinations v JOIN people p ON p.id = v.person_id
             WHERE v.person_id IN (SELECT w.person_id FROM vaccinations w
                                   WHERE w.expires_on >= ?1 AND w.expires_on <= ?2
                                     AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.dedup_key = '{prefix}' || w.id))",
            prefix = crate::records::reminders::Source::Vaccination.key("")
        ))?
        .query_map([from.to_string(), until.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(newest_of_each(rows, settings).into_iter().filter(|v| v.expires_on >= from && v.expires_on <= until).collect())
}

/// "12 Jan", or "12 Jan 2027" when not in `today`'s year.
pub fn short_day(day: NaiveDate, today: NaiveDate) -> String {
    if day.year() == today.year() {
        day.format("%-d %b").to_string()
    } else {
        day.format("%-d %b %Y").to_string()
    }
}

/// "Rabies vaccine expires 12 Jan" / "... expired 12 Jan"; a name that
/// already says vaccine or vaccination is not repeated.
pub fn vaccine_words(name: &str, expires_on: NaiveDate, today: NaiveDate) -> String {
    let folded = crate::kernel::text::fold(name);
    let what = if folded.contains("vaccin") { name.to_string() } else { format!("{name} vaccine") };
    let verb = if expires_on < today { "expired" } else { "expires" };
    format!("{what} {verb} {}", short_day(expires_on, today))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum VaccineState {
    /// Covered beyond the next 30 days.
    Ok,
    /// Expires within 30 days.
    Due,
    Expired,
    /// Replaced by a newer one of the same name.
    Replaced,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Vaccination {
    pub id: String,
    pub name: String,
    pub given_on: Option<String>,
    pub expires_on: String,
    pub state: VaccineState,
    /// "Rabies vaccine expires 12 Jan".
    pub said: String,
}

/// A pet as the card and the pet sheet show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PetRecord {
    pub person_id: String,
    pub name: String,
    pub kind: String,
    /// False until something was saved for this pet.
    pub recorded: bool,
    pub record: PetInput,
    /// "4 years", "7 months", from the birthday.
    pub age: Option<String>,
    /// Newest expiry first.
    pub vaccinations: Vec<Vaccination>,
    /// Required vaccinations with no record for this pet.
    pub missing: Vec<String>,
}

fn age_words(birthday: NaiveDate, today: NaiveDate) -> Option<String> {
    let mut months = (today.year() - birthday.year()) * 12 + today.month() as i32 - birthday.month() as i32;
    if today.day() < birthday.day() {
        months -= 1;
    }
    match months {
        ..0 => None,
        0 => Some("under a month".into()),
        1 => Some("1 month".into()),
        2..=23 => Some(format!("{months} months")),
        _ => Some(format!("{} years", months / 12)),
    }
}

/// Every pet on the card with its record and vaccinations, in card order.
pub fn for_customer(conn: &Connection, customer_id: &str, today: NaiveDate) -> Result<Vec<PetRecord>> {
    let settings = load_settings(conn)?;
    let people: Vec<(String, String, String)> = conn
        .prepare_cached("SELECT id, name, kind FROM people WHERE customer_id = ?1 ORDER BY position, created_at")?
        .query_map([customer_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let current: Vec<String> =
        current_for_customer(conn, customer_id, &PetSettings::default())?.into_iter().map(|v| v.id).collect();
    let mut pets = Vec::new();
    for (person_id, name, kind) in people.into_iter().filter(|(_, _, kind)| is_pet(kind)) {
        let row: Option<PetInput> = conn
            .prepare_cached(
                "SELECT breed, coalesce(birthday, ''), vet_name, vet_phone, allergies, medication, feeding, on_lead, recall,
                        reactive_to_dogs, handling FROM pets WHERE person_id = ?1",
            )?
            .query_row([&person_id], |row| {
                Ok(PetInput {
                    breed: row.get(0)?,
                    birthday: row.get(1)?,
                    vet_name: row.get(2)?,
                    vet_phone: row.get(3)?,
                    allergies: row.get(4)?,
                    medication: row.get(5)?,
                    feeding: row.get(6)?,
                    on_lead: row.get(7)?,
                    recall: row.get(8)?,
                    reactive_to_dogs: row.get(9)?,
                    handling: row.get(10)?,
                })
            })
            .optional()?;
        let recorded = row.is_some();
        let record = row.unwrap_or_default();
        let age = stored_day(&record.birthday).and_then(|b| age_words(b, today));
        let rows: Vec<(String, String, Option<String>, String)> = conn
            .prepare_cached("SELECT id, name, given_on, expires_on FROM vaccinations WHERE person_id = ?1 ORDER BY expires_on DESC, id DESC")?
            .query_map([&person_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let vaccinations: Vec<Vaccination> = rows
            .into_iter()
            .map(|(id, name, given_on, expires_on)| {
                let expires = stored_day(&expires_on);
                let state = match expires {
                    _ if !current.contains(&id) => VaccineState::Replaced,
                    Some(day) if day < today => VaccineState::Expired,
                    Some(day) if day <= today + Duration::days(DUE_DAYS) => VaccineState::Due,
                    _ => VaccineState::Ok,
                };
                let said = expires.map(|day| vaccine_words(&name, day, today)).unwrap_or_default();
                Vaccination { id, name, given_on, expires_on, state, said }
            })
            .collect();
        let missing = settings
            .required_vaccinations
            .iter()
            .filter(|required| !vaccinations.iter().any(|v| same_name(&v.name, required)))
            .cloned()
            .collect();
        pets.push(PetRecord { person_id, name, kind, recorded, record, age, vaccinations, missing });
    }
    Ok(pets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn animal_kinds_are_pets_and_people_are_not() {
        for kind in ["Dog", "dog", " puppy ", "Cat", "rescue dog", "Guinea pig"] {
            assert!(is_pet(kind), "{kind}");
        }
        for kind in ["", "child", "partner", "doggy daycare owner's son", "daughter"] {
            assert!(!is_pet(kind), "{kind}");
        }
    }

    #[test]
    fn vaccine_words_read_as_the_card_says_them() {
        let today = day(2026, 12, 20);
        assert_eq!(vaccine_words("Rabies", day(2027, 1, 12), today), "Rabies vaccine expires 12 Jan 2027");
        assert_eq!(vaccine_words("Rabies", day(2026, 12, 31), today), "Rabies vaccine expires 31 Dec");
        assert_eq!(
            vaccine_words("Kennel cough vaccination", day(2026, 12, 1), today),
            "Kennel cough vaccination expired 1 Dec"
        );
    }

    #[test]
    fn ages_in_months_then_years() {
        assert_eq!(age_words(day(2026, 5, 3), day(2026, 12, 2)).as_deref(), Some("6 months"));
        assert_eq!(age_words(day(2020, 5, 3), day(2026, 12, 2)).as_deref(), Some("6 years"));
        assert_eq!(age_words(day(2027, 5, 3), day(2026, 12, 2)), None);
    }
}
