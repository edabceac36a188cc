//! A card as the editor changes it: create, update and erase. Each is one
//! transaction that writes the card (`records::customers`), the referral it
//! names (`records::referrals`), and settles what is derived from it.

use chrono::{DateTime, Datelike, Utc};
use rusqlite::Connection;

use crate::db::{search, sharing, store};
use crate::derived::{activity, health};
use crate::features::reminder_sources;
use crate::kernel::error::Result;
use crate::records::customers::{self, Card, CustomerInput};
use crate::records::{feedback, referrals};

/// Creates a customer and returns the new card.
pub fn create(conn: &mut Connection, input: &CustomerInput, now: DateTime<Utc>) -> Result<Card> {
    let id = store::write(conn, |tx| {
        let starting = health::columns_for_new(&health::load_rules(tx)?, now, None);
        let id = customers::create_in(tx, input, starting, now)?;
        if let Some(referrer) = &input.referred_by {
            referrals::set_referrer(tx, &id, Some(referrer), now)?;
        }
        if has_birthday(input) {
            reminder_sources::rescan_birthdays(tx, now)?;
        }
        Ok(id)
    })?;
    customers::get(conn, &id)
}

/// Replaces a customer's editable fields; people not in the list are removed.
pub fn update(conn: &mut Connection, id: &str, input: &CustomerInput, now: DateTime<Utc>) -> Result<Card> {
    store::write(conn, |tx| {
        customers::update_card(tx, id, input, now)?;
        // A pet taken off the card takes its vaccinations with it.
        health::refresh(tx, id)?;
        if let Some(referrer) = &input.referred_by {
            referrals::set_referrer(tx, id, Some(referrer), now)?;
        }
        if has_birthday(input) {
            reminder_sources::rescan_birthdays(tx, now)?;
        }
        Ok(())
    })?;
    customers::get(conn, id)
}

/// A card with a birthday may need a reminder today or tomorrow.
fn has_birthday(input: &CustomerInput) -> bool {
    !input.birthday_day.trim().is_empty()
}

/// Erases a customer and every row that names them, search index included,
/// and leaves no readable copy in the file: freed pages are overwritten
/// with zeros (`secure_delete`, set on every writer by `store`), the
/// full-text index is rewritten without them (`search::purge_deleted`),
/// and the WAL, which still holds the old pages, is emptied into the file.
/// Files outside the database (a printed plan, backups) are
/// `io::erase`'s.
pub fn erase(conn: &mut Connection, id: &str) -> Result<()> {
    // Already on for a `Store`; said again for a connection opened elsewhere.
    conn.pragma_update(None, "secure_delete", true)?;
    store::write(conn, |tx| {
        let pk = customers::pk_of(tx, id)?;
        let tables = customers::tables_naming_customers(tx)?;
        erase_in(tx, id, pk, &tables)?;
        // A shared shop sends the id alone, and forgets what it had not sent.
        sharing::tombstone(tx, id, true)?;
        search::purge_deleted(tx)
    })?;
    if !store::truncate_wal(conn)? {
        // Readers kept the WAL busy: its old pages go at its next reset.
        tracing::warn!(customer = id, "the WAL could not be emptied right after an erase");
    }
    tracing::info!(customer = id, "customer deleted completely");
    Ok(())
}

/// Erases one customer inside the caller's transaction: every table with a
/// `customer_id` column (found in the schema, so a table added later is
/// covered without a change here), the search index, the card.
/// `tables` is `customers::tables_naming_customers`, read once per
/// transaction. This is the one place that deletes rows of tables other
/// modules write: erase must reach every table, including ones added later.
pub fn erase_in(tx: &Connection, id: &str, pk: i64, tables: &[String]) -> Result<()> {
    // Foreign keys are checked at commit, so the order of the tables does
    // not matter even for one added later that others reference.
    tx.pragma_update(None, "defer_foreign_keys", true)?;
    search::remove(tx, pk)?;
    // The maintained monthly figures forget them first (they count from
    // the rows about to go).
    activity::forget_customer(tx, id)?;
    feedback::forget_customer(tx, id)?;
    for table in tables {
        tx.prepare_cached(&format!("DELETE FROM \"{table}\" WHERE customer_id = ?1"))?.execute([id])?;
    }
    customers::delete_row(tx, pk)
}

/// Inserts many customers in one transaction, all or none (the sample shop
/// and the benchmark seed), each starting with the health its dates give.
pub fn insert_many(conn: &mut Connection, batch: &[customers::SeedCustomer], now: DateTime<Utc>) -> Result<()> {
    store::write(conn, |tx| {
        let rules = health::load_rules(tx)?;
        customers::insert_many(tx, batch, now.year(), &|created_at, last_contact_at| {
            health::columns_for_new(&rules, created_at, last_contact_at)
        })
    })
}
