//! The audit trail: the one writer of `audit_log`, which only ever adds a
//! row (the table's triggers refuse changes and deletes). Details are ids
//! and counts, never a customer's words.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

use crate::kernel::error::Result;
use crate::kernel::time::timestamp;

/// Who did it, as the trail shows it.
pub const OWNER: &str = "owner";
/// A change made while no owner PIN is set: anyone at the computer.
pub const NO_PIN: &str = "owner (no PIN set)";
pub const DESK: &str = "desk";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditEntry {
    pub at: String,
    pub who: String,
    pub action: String,
    pub detail: String,
}

pub fn append(conn: &Connection, who: &str, action: &str, detail: &str, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("INSERT INTO audit_log (at, who, action, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![timestamp(now), who, action, detail])?;
    Ok(())
}

/// The newest `limit` entries, newest first.
pub fn newest(conn: &Connection, limit: usize) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached("SELECT at, who, action, detail FROM audit_log ORDER BY id DESC LIMIT ?1")?;
    let rows = stmt.query_map([limit as i64], |row| Ok(AuditEntry { at: row.get(0)?, who: row.get(1)?, action: row.get(2)?, detail: row.get(3)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
