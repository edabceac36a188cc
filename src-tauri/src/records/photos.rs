//! Photos of customers and of the people and pets on their cards: the one
//! writer of `photos`. A photo arrives as any picture's bytes (a chosen
//! file, a paste), is made into two JPEG thumbnails by
//! `kernel::picture` before anything is written, and replaces the
//! subject's photo in one transaction. The window asks for the pictures by
//! the photo's id (`image`); the plan PDF and the pet sheet by whose photo
//! it is (`bytes_of`).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::store;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::picture::Thumbnails;
use crate::kernel::time::timestamp;

/// Which of the two stored sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Size {
    /// 64 px, for lists.
    Small,
    /// 256 px, for the card and the printed plan.
    Large,
}

impl Size {
    /// The size from the pixels a URL names ("64", "256").
    pub fn from_pixels(pixels: &str) -> Option<Size> {
        match pixels {
            "64" => Some(Size::Small),
            "256" => Some(Size::Large),
            _ => None,
        }
    }

    fn column(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Large => "large",
        }
    }
}

/// A stored photo as the window knows it: its id (which it asks the
/// picture for) and whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PhotoRef {
    pub id: String,
    /// `None`: the customer's own photo; else the person's or pet's id.
    pub person_id: Option<String>,
}

/// Stores the thumbnails (`kernel::picture::thumbnails` of the chosen or
/// pasted bytes, made first: bad bytes are refused before anything is
/// written, and the decoding never holds the writer) as the photo of the
/// customer (`person_id` None) or of one person or pet on their card,
/// replacing the one there was. Returns every photo of the card.
pub fn set(
    conn: &mut Connection,
    customer_id: &str,
    person_id: Option<&str>,
    thumbnails: &Thumbnails,
    now: DateTime<Utc>,
) -> Result<Vec<PhotoRef>> {
    store::write(conn, |tx| {
        set_in(tx, customer_id, person_id, thumbnails, now)?;
        for_customer(tx, customer_id)
    })
}

/// Stores ready thumbnails as the subject's photo inside the caller's
/// transaction (a new id: the window's old URL no longer answers).
pub fn set_in(
    tx: &Transaction,
    customer_id: &str,
    person_id: Option<&str>,
    thumbnails: &Thumbnails,
    now: DateTime<Utc>,
) -> Result<PhotoRef> {
    check_subject(tx, customer_id, person_id)?;
    delete_subject(tx, customer_id, person_id)?;
    let id = new_id();
    let stamp = timestamp(now);
    tx.prepare_cached(
        "INSERT INTO photos (id, customer_id, person_id, created_at, updated_at, small, large) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
    )?
    .execute(params![id, customer_id, person_id, stamp, thumbnails.small, thumbnails.large])?;
    tracing::info!(customer = customer_id, person = person_id, photo = %id, bytes = thumbnails.small.len() + thumbnails.large.len(), "photo stored");
    Ok(PhotoRef { id, person_id: person_id.map(str::to_string) })
}

/// Removes the subject's photo (nothing to remove is fine). Returns every
/// photo of the card left.
pub fn remove(conn: &mut Connection, customer_id: &str, person_id: Option<&str>) -> Result<Vec<PhotoRef>> {
    store::write(conn, |tx| {
        check_subject(tx, customer_id, person_id)?;
        if delete_subject(tx, customer_id, person_id)? > 0 {
            tracing::info!(customer = customer_id, person = person_id, "photo removed");
        }
        for_customer(tx, customer_id)
    })
}

fn delete_subject(tx: &Transaction, customer_id: &str, person_id: Option<&str>) -> Result<usize> {
    Ok(tx
        .prepare_cached("DELETE FROM photos WHERE customer_id = ?1 AND ifnull(person_id, '') = ifnull(?2, '')")?
        .execute(params![customer_id, person_id])?)
}

/// The customer exists, and the person, if named, is on their card.
fn check_subject(conn: &Connection, customer_id: &str, person_id: Option<&str>) -> Result<()> {
    let customer: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM customers WHERE id = ?1")?
        .query_row([customer_id], |row| row.get(0))
        .optional()?;
    if customer.is_none() {
        return Err(Error::NotFound("This customer"));
    }
    if let Some(person_id) = person_id {
        let on_card: Option<i64> = conn
            .prepare_cached("SELECT 1 FROM people WHERE id = ?1 AND customer_id = ?2")?
            .query_row([person_id, customer_id], |row| row.get(0))
            .optional()?;
        if on_card.is_none() {
            return Err(Error::NotFound("This person or pet"));
        }
    }
    Ok(())
}

/// Every photo on a customer's card: theirs and their people's and pets'.
pub fn for_customer(conn: &Connection, customer_id: &str) -> Result<Vec<PhotoRef>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, person_id FROM photos WHERE customer_id = ?1 ORDER BY person_id IS NOT NULL, person_id",
    )?;
    let photos = stmt
        .query_map([customer_id], |row| Ok(PhotoRef { id: row.get(0)?, person_id: row.get(1)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(photos)
}

/// The JPEG of the photo `id` at `size`, for the window (`None`: no such
/// photo, any more).
pub fn image(conn: &Connection, id: &str, size: Size) -> Result<Option<Vec<u8>>> {
    let sql = format!("SELECT {} FROM photos WHERE id = ?1", size.column());
    Ok(conn.prepare_cached(&sql)?.query_row([id], |row| row.get(0)).optional()?)
}

/// The JPEG of the customer's photo (`person_id` None) or of a person's or
/// pet's on their card, at `size`; `None` when there is none. For printed
/// pages (the welcome plan, the pet sheet).
pub fn bytes_of(conn: &Connection, customer_id: &str, person_id: Option<&str>, size: Size) -> Result<Option<Vec<u8>>> {
    let sql = format!(
        "SELECT {} FROM photos WHERE customer_id = ?1 AND ifnull(person_id, '') = ifnull(?2, '')",
        size.column()
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![customer_id, person_id], |row| row.get(0)).optional()?)
}

/// Stores photos for many customers in one transaction (the sample shop
/// and the benchmark seed): (customer, person or None, thumbnails).
pub fn insert_many(
    conn: &mut Connection,
    photos: &[(String, Option<String>, &Thumbnails)],
    now: DateTime<Utc>,
) -> Result<()> {
    store::write(conn, |tx| {
        let stamp = timestamp(now);
        let mut stmt = tx.prepare_cached(
            "INSERT OR REPLACE INTO photos (id, customer_id, person_id, created_at, updated_at, small, large) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
        )?;
        for (customer_id, person_id, thumbnails) in photos {
            stmt.execute(params![new_id(), customer_id, person_id, stamp, thumbnails.small, thumbnails.large])?;
        }
        Ok(())
    })
}
