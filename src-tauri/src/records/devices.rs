//! The devices of a shared shop: the one writer of `devices` (shared like
//! a record, so every device knows every other by name) and of
//! `overwritten_fields` (this device's own memory of the card fields another
//! device's later edit replaced here, for the card's history).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::kernel::error::{Error, Result};
use crate::kernel::time::timestamp;

/// A device as Settings lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SharedDevice {
    pub id: String,
    pub name: String,
    pub added_at: String,
    /// When the owner removed it; `None` while it shares the shop.
    pub removed_at: Option<String>,
}

/// This device in the list, by its sharing id and name: added when it
/// starts sharing or joins, renamed when it shares again under another
/// name (a device the owner removed stays removed).
pub fn add(conn: &Connection, id: &str, name: &str, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO devices (id, name, added_at, updated_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
         WHERE devices.name IS NOT excluded.name",
    )?
    .execute(params![id, name, timestamp(now)])?;
    Ok(())
}

/// Marks a device removed: every device drops what it sends from now on.
pub fn remove(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<SharedDevice> {
    let at = timestamp(now);
    let changed = conn
        .prepare_cached("UPDATE devices SET removed_at = ?2, updated_at = ?2 WHERE id = ?1 AND removed_at IS NULL")?
        .execute(params![id, at])?;
    if changed == 0 && get(conn, id)?.is_none() {
        return Err(Error::NotFound("This device"));
    }
    get(conn, id)?.ok_or(Error::NotFound("This device"))
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<SharedDevice>> {
    Ok(conn
        .prepare_cached("SELECT id, name, added_at, removed_at FROM devices WHERE id = ?1")?
        .query_row([id], device_from_row)
        .optional()?)
}

/// Every device, those sharing first, then by when they were added.
pub fn list(conn: &Connection) -> Result<Vec<SharedDevice>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, added_at, removed_at FROM devices ORDER BY removed_at IS NOT NULL, added_at, id",
    )?;
    let devices = stmt.query_map([], device_from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(devices)
}

/// Whether the owner removed the device with this id.
pub fn is_removed(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT removed_at IS NOT NULL FROM devices WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .unwrap_or(false))
}

fn device_from_row(row: &rusqlite::Row) -> rusqlite::Result<SharedDevice> {
    Ok(SharedDevice { id: row.get(0)?, name: row.get(1)?, added_at: row.get(2)?, removed_at: row.get(3)? })
}

/// A card field another device's edit replaced here, as the card's
/// history says it: "Phone changed on Front desk 2 at 10:02", with the
/// value it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OverwrittenField {
    /// The card's column ("phone").
    pub field: String,
    /// Its value before the change; `None` when it was empty.
    pub old_value: Option<String>,
    /// The device that made the change, by name ("another device" when it
    /// is not in the list).
    pub device_name: String,
    pub changed_at: String,
}

/// Keeps a field's value before another device's edit replaced it.
pub fn keep_overwritten(
    conn: &Connection,
    customer_id: &str,
    field: &str,
    old_value: Option<&str>,
    device_id: &str,
    changed_at: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO overwritten_fields (customer_id, field, old_value, device_id, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![customer_id, field, old_value, device_id, changed_at])?;
    Ok(())
}

/// A card's overwritten fields, newest first, at most `limit`.
pub fn overwritten(conn: &Connection, customer_id: &str, limit: usize) -> Result<Vec<OverwrittenField>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.field, o.old_value, coalesce(d.name, 'another device'), o.changed_at
         FROM overwritten_fields o LEFT JOIN devices d ON d.id = o.device_id
         WHERE o.customer_id = ?1 ORDER BY o.changed_at DESC, o.id DESC LIMIT ?2",
    )?;
    let fields = stmt
        .query_map(params![customer_id, limit as i64], |row| {
            Ok(OverwrittenField {
                field: row.get(0)?,
                old_value: row.get(1)?,
                device_name: row.get(2)?,
                changed_at: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(fields)
}
