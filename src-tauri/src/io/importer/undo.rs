//! The import's record, written only here: its batch (counts, when it
//! was undone) and each merge's card as it was, so `undo` puts everything
//! back in one step.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::Report;
use crate::db::store;
use crate::features::cards;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::json;
use crate::kernel::time::timestamp;
use crate::records::customers::{self, Card};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[ts(rename = "ImportBatch")]
pub struct Batch {
    pub id: String,
    pub file_name: String,
    pub imported: i64,
    pub merged: i64,
    pub skipped: i64,
    pub rejected: i64,
    pub created_at: String,
    pub undone_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[ts(rename = "ImportUndoReport")]
pub struct UndoReport {
    pub deleted: usize,
    pub restored: usize,
}

/// What a merge added to a card, taken away again by `undo`.
#[derive(Serialize, Deserialize, Default)]
pub(super) struct Added {
    pub(super) people: Vec<String>,
    pub(super) notes: Vec<String>,
}

/// A new import's batch, before its rows are written.
pub(super) fn open_batch(tx: &Connection, batch_id: &str, file_name: &str, now: DateTime<Utc>) -> Result<()> {
    tx.execute(
        "INSERT INTO import_batches (id, file_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        params![batch_id, file_name, timestamp(now)],
    )?;
    Ok(())
}

/// The batch's counts, once its rows are written.
pub(super) fn close_batch(tx: &Connection, batch_id: &str, report: &Report) -> Result<()> {
    tx.execute(
        "UPDATE import_batches SET imported = ?2, merged = ?3, skipped = ?4, rejected = ?5 WHERE id = ?1",
        params![batch_id, report.imported as i64, report.merged as i64, report.skipped as i64, report.rejected as i64],
    )?;
    Ok(())
}

/// A merge into a stored card: the card as it was and what was added.
pub(super) fn record_merge(
    tx: &Transaction,
    batch_id: &str,
    before: &Card,
    added: &Added,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO import_rows (id, batch_id, customer_id, action, before, added, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'merged', ?4, ?5, ?6, ?6)",
    )?
    .execute(params![
        new_id(),
        batch_id,
        before.id,
        json::encode(before)?,
        json::encode(added)?,
        timestamp(now)
    ])?;
    Ok(())
}

/// Past imports, newest first.
pub fn batches(conn: &Connection) -> Result<Vec<Batch>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, file_name, imported, merged, skipped, rejected, created_at, undone_at
         FROM import_batches ORDER BY created_at DESC, id DESC LIMIT 100",
    )?;
    let batches = stmt
        .query_map([], |row| {
            Ok(Batch {
                id: row.get(0)?,
                file_name: row.get(1)?,
                imported: row.get(2)?,
                merged: row.get(3)?,
                skipped: row.get(4)?,
                rejected: row.get(5)?,
                created_at: row.get(6)?,
                undone_at: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(batches)
}

/// Undoes a whole import in one transaction: the cards it created are
/// deleted (with anything logged for them since), the cards it merged into
/// are put back as they were before it (their later edits included).
pub fn undo(conn: &mut Connection, batch_id: &str, now: DateTime<Utc>) -> Result<UndoReport> {
    let report = store::write(conn, |tx| {
        let undone: Option<Option<String>> = tx
            .query_row("SELECT undone_at FROM import_batches WHERE id = ?1", [batch_id], |row| row.get(0))
            .optional()?;
        match undone {
            None => return Err(Error::NotFound("This import")),
            Some(Some(_)) => return Err(Error::Conflict("This import was already undone.".into())),
            Some(None) => {}
        }
        let mut report = UndoReport { deleted: 0, restored: 0 };
        let merges: Vec<(String, Option<String>, Option<String>)> = tx
            .prepare("SELECT customer_id, before, added FROM import_rows WHERE batch_id = ?1 AND action = 'merged' ORDER BY rowid DESC")?
            .query_map([batch_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (_, before, added) in merges {
            let before: Card = serde_json::from_str(before.as_deref().unwrap_or(""))
                .map_err(|e| Error::Conflict(format!("The import's record of a merged card is unreadable: {e}")))?;
            let added: Added = serde_json::from_str(added.as_deref().unwrap_or("{}")).unwrap_or_default();
            customers::restore_fields(tx, &before, &added.people, &added.notes, now)?;
            report.restored += 1;
        }
        // No index on import_batch (see migration 9): one pass over the cards.
        let created: Vec<(String, i64)> = tx
            .prepare("SELECT id, pk FROM customers WHERE import_batch = ?1")?
            .query_map([batch_id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let tables = customers::tables_naming_customers(tx)?;
        for (id, pk) in created {
            cards::erase_in(tx, &id, pk, &tables)?;
            report.deleted += 1;
        }
        tx.execute("DELETE FROM import_rows WHERE batch_id = ?1", [batch_id])?;
        tx.execute(
            "UPDATE import_batches SET undone_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![batch_id, timestamp(now)],
        )?;
        Ok(report)
    })?;
    tracing::info!(batch = batch_id, deleted = report.deleted, restored = report.restored, "import undone");
    Ok(report)
}
