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

/// One line of the trail as stored, for carrying the trail over a restore.
pub struct StoredLine {
    id: i64,
    at: String,
    who: String,
    action: String,
    detail: String,
}

/// Every line, oldest first.
pub fn every_line(conn: &Connection) -> Result<Vec<StoredLine>> {
    let mut stmt = conn.prepare("SELECT id, at, who, action, detail FROM audit_log ORDER BY id")?;
    let rows = stmt.query_map([], |row| {
        Ok(StoredLine { id: row.get(0)?, at: row.get(1)?, who: row.get(2)?, action: row.get(3)?, detail: row.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Makes the trail in `tx` exactly `lines`: a restore keeps the trail of
/// the shop it replaces, never the one the restored file brings (which
/// could be shorter, or another shop's). The append-only triggers are
/// taken off for this one statement and put back with the very text they
/// had, inside the caller's transaction, so no other change can slip in.
pub fn replace_with(tx: &rusqlite::Transaction, lines: &[StoredLine]) -> Result<()> {
    let triggers: Vec<(String, String)> = tx
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log' ORDER BY name")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &triggers {
        tx.execute_batch(&format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\"")))?;
    }
    tx.execute("DELETE FROM audit_log", [])?;
    {
        let mut insert =
            tx.prepare("INSERT INTO audit_log (id, at, who, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for line in lines {
            insert.execute(params![line.id, line.at, line.who, line.action, line.detail])?;
        }
    }
    for (_, sql) in &triggers {
        tx.execute_batch(sql)?;
    }
    Ok(())
}

/// The newest `limit` entries, newest first.
pub fn newest(conn: &Connection, limit: usize) -> Result<Vec<AuditEntry>> {
    Ok(page(conn, None, limit)?.entries)
}

/// One page of the trail, newest first, so every line can be reached
/// however many come after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The cursor for the next, older page (`before` in `page`); `None`
    /// when this page holds the oldest line.
    pub older: Option<i64>,
}

/// Up to `limit` entries older than the cursor `before` (from the newest
/// when `None`), newest first. Lines are only ever added, so a cursor
/// (a row's id) finds the same place however many are added meanwhile.
pub fn page(conn: &Connection, before: Option<i64>, limit: usize) -> Result<AuditPage> {
    let mut stmt = conn
        .prepare_cached("SELECT id, at, who, action, detail FROM audit_log WHERE id < ?1 ORDER BY id DESC LIMIT ?2")?;
    // One more than asked for says whether an older page exists.
    let rows = stmt.query_map(params![before.unwrap_or(i64::MAX), limit as i64 + 1], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            AuditEntry { at: row.get(1)?, who: row.get(2)?, action: row.get(3)?, detail: row.get(4)? },
        ))
    })?;
    let mut rows: Vec<(i64, AuditEntry)> = rows.collect::<rusqlite::Result<_>>()?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let older = if more { rows.last().map(|(id, _)| *id) } else { None };
    Ok(AuditPage { entries: rows.into_iter().map(|(_, entry)| entry).collect(), older })
}
