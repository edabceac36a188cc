//! Pet records as the card changes them: the record, vaccinations added or
//! removed, and the shop's required vaccinations. Each is one transaction
//! that writes through `records::pets` and settles the health the
//! vaccinations move (`derived::health`) and their reminders.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use crate::db::store;
use crate::derived::health;
use crate::kernel::error::Result;
use crate::records::pets::{self, PetInput, PetSettings, VaccinationInput};
use crate::records::reminders;

/// Saves a pet's record; returns the customer id.
pub fn save(
    conn: &mut Connection,
    person_id: &str,
    input: &PetInput,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<String> {
    store::write(conn, |tx| pets::save_in(tx, person_id, input, today, now))
}

/// Records a vaccination: an older one of the same name is replaced, so
/// its reminder is answered; health moves with it. Returns the customer id.
pub fn add_vaccination(
    conn: &mut Connection,
    person_id: &str,
    input: &VaccinationInput,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<String> {
    store::write(conn, |tx| {
        let added = pets::add_vaccination_in(tx, person_id, input, today, now)?;
        for old in &added.replaced {
            reminders::resolve(tx, &added.customer_id, reminders::Source::Vaccination, Some(old), now)?;
        }
        health::refresh(tx, &added.customer_id)?;
        tracing::info!(
            customer = added.customer_id.as_str(),
            vaccination = added.id.as_str(),
            replaced = added.replaced.len(),
            "vaccination recorded"
        );
        Ok(added.customer_id)
    })
}

/// Removes a vaccination recorded by mistake, and its reminder.
pub fn delete_vaccination(conn: &mut Connection, id: &str, now: DateTime<Utc>) -> Result<String> {
    store::write(conn, |tx| {
        let customer_id = pets::delete_vaccination_in(tx, id)?;
        reminders::dismiss(tx, &customer_id, reminders::Source::Vaccination, Some(id), now)?;
        health::refresh(tx, &customer_id)?;
        Ok(customer_id)
    })
}

/// Saves which vaccinations the shop requires and recomputes every
/// customer's health under it, in one transaction.
pub fn save_settings(conn: &mut Connection, input: &PetSettings, now: DateTime<Utc>) -> Result<PetSettings> {
    let clean = pets::validate_settings(input)?;
    store::write(conn, |tx| {
        pets::save_settings_in(tx, &clean, now)?;
        health::refresh_all(tx, &health::load_rules(tx)?)
    })?;
    Ok(clean)
}
