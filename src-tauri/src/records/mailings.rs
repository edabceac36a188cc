//! Group messages and their outbox: the one writer of `mail_messages`,
//! `mail_outbox` and `mail_sent`.
//!
//! Each recipient is one outbox row, personalised when the message was
//! queued. A row is marked `sending` in its own committed transaction before
//! it is handed to the mail server, and `sent` (with the line on the
//! customer's history) in one transaction right after the server accepted
//! it. A row still `sending` when the app starts again was cut off in the
//! hand-over: whether the server took it cannot be known, so it is never
//! re-sent on its own (at most once) and never dropped silently: it becomes
//! a failure whose reason says so, which the owner may retry. Its
//! `Message-ID` is made from the row's id, so a retry of a message that
//! did arrive is the same message to the receiving mail system.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::time::timestamp;

/// Why a row cut off mid-hand-over is a failure and not re-sent.
pub const INTERRUPTED: &str = "The app stopped while this message was being handed to the mail server, so it may or may not have arrived. Retry to send it again.";

/// One personalised message for one recipient, ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Personal {
    pub customer_id: String,
    pub address: String,
    pub subject: String,
    pub body: String,
}

/// The next row to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: String,
    pub message_id: String,
    pub customer_id: String,
    pub address: String,
    pub subject: String,
    pub body: String,
}

/// How a message's sending stands, for the progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Progress {
    pub message_id: String,
    /// As written (before personalising).
    pub subject: String,
    pub group_name: String,
    /// "sending", "paused", "cancelled" or "done".
    pub state: String,
    pub total: i64,
    pub sent: i64,
    pub failed: i64,
    pub cancelled: i64,
    /// Waiting to go (queued or being handed over).
    pub waiting: i64,
    pub created_at: String,
}

/// A recipient the message did not reach, with the server's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Failure {
    pub outbox_id: String,
    pub customer_id: String,
    pub name: String,
    pub address: String,
    pub reason: String,
}

/// A line on the customer's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SentLine {
    /// "Newsletter: Spring opening hours"
    pub words: String,
    pub sent_at: String,
}

/// Queues a message and its personalised rows in the caller's transaction;
/// returns the message's id.
pub fn queue(
    tx: &Connection,
    subject: &str,
    body: &str,
    group_name: &str,
    rows: &[Personal],
    now: DateTime<Utc>,
) -> Result<String> {
    let at = timestamp(now);
    let message_id = new_id();
    tx.prepare_cached(
        "INSERT INTO mail_messages (id, subject, body, group_name, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'sending', ?5, ?5)",
    )?
    .execute(params![message_id, subject, body, group_name, at])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO mail_outbox (id, message_id, customer_id, address, subject, body, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?7)",
    )?;
    for row in rows {
        insert.execute(params![new_id(), message_id, row.customer_id, row.address, row.subject, row.body, at])?;
    }
    Ok(message_id)
}

/// The next row to hand over: the oldest queued row of the oldest message
/// that is sending.
pub fn next_queued(conn: &Connection) -> Result<Option<OutboxRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT o.id, o.message_id, o.customer_id, o.address, o.subject, o.body
             FROM mail_messages m JOIN mail_outbox o ON o.message_id = m.id AND o.state = 'queued'
             WHERE m.state = 'sending' ORDER BY m.created_at, m.id, o.id LIMIT 1",
        )?
        .query_row([], |row| {
            Ok(OutboxRow {
                id: row.get(0)?,
                message_id: row.get(1)?,
                customer_id: row.get(2)?,
                address: row.get(3)?,
                subject: row.get(4)?,
                body: row.get(5)?,
            })
        })
        .optional()?)
}

fn set_row(conn: &Connection, id: &str, from: &str, to: &str, reason: &str, now: DateTime<Utc>) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE mail_outbox SET state = ?3, reason = ?4, updated_at = ?5,
                 sent_at = CASE WHEN ?3 = 'sent' THEN ?5 ELSE sent_at END
             WHERE id = ?1 AND state = ?2",
        )?
        .execute(params![id, from, to, reason, timestamp(now)])?;
    Ok(changed == 1)
}

/// Marks a queued row as being handed over (commit this before sending).
pub fn mark_sending(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<bool> {
    set_row(conn, id, "queued", "sending", "", now)
}

/// Marks a row sent and adds the line on the customer's history, in the
/// caller's transaction (the server has accepted the message).
pub fn mark_sent(tx: &Connection, row: &OutboxRow, now: DateTime<Utc>) -> Result<()> {
    if !set_row(tx, &row.id, "sending", "sent", "", now)? {
        return Err(Error::Conflict("This message was not being sent.".into()));
    }
    // The subject as this customer got it ("Spring walks for Biscuit").
    let at = timestamp(now);
    tx.prepare_cached(
        "INSERT INTO mail_sent (id, customer_id, message_id, subject, sent_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5)",
    )?
    .execute(params![new_id(), row.customer_id, row.message_id, row.subject, at])?;
    Ok(())
}

/// Marks a row failed with the server's reason.
pub fn mark_failed(conn: &Connection, id: &str, reason: &str, now: DateTime<Utc>) -> Result<bool> {
    set_row(conn, id, "sending", "failed", reason, now)
}

/// Puts a row being handed over back in the queue (the server was never
/// reached: nothing was handed over).
pub fn mark_queued_again(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<bool> {
    set_row(conn, id, "sending", "queued", "", now)
}

/// At start: rows cut off mid-hand-over become failures that say so.
pub fn recover_interrupted(conn: &Connection, now: DateTime<Utc>) -> Result<usize> {
    Ok(conn
        .prepare_cached(
            "UPDATE mail_outbox SET state = 'failed', reason = ?1, updated_at = ?2 WHERE state = 'sending'",
        )?
        .execute(params![INTERRUPTED, timestamp(now)])?)
}

/// After a restore: the restored file does not know what went out after
/// the backup was made, so its unfinished messages are paused (the owner
/// resumes knowingly) and a row it holds as being handed over is a
/// failure that says so. Returns the messages paused.
pub fn hold_after_restore(tx: &Connection, now: DateTime<Utc>) -> Result<usize> {
    let at = timestamp(now);
    tx.prepare_cached("UPDATE mail_outbox SET state = 'failed', reason = ?1, updated_at = ?2 WHERE state = 'sending'")?
        .execute(params![INTERRUPTED, at])?;
    Ok(tx
        .prepare_cached("UPDATE mail_messages SET state = 'paused', updated_at = ?1 WHERE state = 'sending'")?
        .execute([at])?)
}

/// Sets a message's state ("sending", "paused", "cancelled", "done").
/// Cancelling also cancels its rows still queued.
pub fn set_state(conn: &Connection, message_id: &str, state: &str, now: DateTime<Utc>) -> Result<()> {
    let at = timestamp(now);
    let changed = conn
        .prepare_cached("UPDATE mail_messages SET state = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![message_id, state, at])?;
    if changed == 0 {
        return Err(Error::NotFound("This message"));
    }
    if state == "cancelled" {
        conn.prepare_cached(
            "UPDATE mail_outbox SET state = 'cancelled', updated_at = ?2 WHERE message_id = ?1 AND state = 'queued'",
        )?
        .execute(params![message_id, at])?;
    }
    Ok(())
}

/// Puts failed rows back in the queue (all of the message's, or one) and
/// the message back to sending.
pub fn retry(conn: &Connection, message_id: &str, outbox_id: Option<&str>, now: DateTime<Utc>) -> Result<usize> {
    let at = timestamp(now);
    let again = conn
        .prepare_cached(
            "UPDATE mail_outbox SET state = 'queued', reason = '', updated_at = ?3
             WHERE message_id = ?1 AND state = 'failed' AND (?2 IS NULL OR id = ?2)",
        )?
        .execute(params![message_id, outbox_id, at])?;
    if again > 0 {
        set_state(conn, message_id, "sending", now)?;
    }
    Ok(again)
}

/// Marks a message done once nothing of it waits (no row queued or sending).
pub fn finish_if_done(conn: &Connection, message_id: &str, now: DateTime<Utc>) -> Result<bool> {
    let done = conn
        .prepare_cached(
            "UPDATE mail_messages SET state = 'done', updated_at = ?2 WHERE id = ?1 AND state = 'sending'
             AND NOT EXISTS (SELECT 1 FROM mail_outbox WHERE message_id = ?1 AND state IN ('queued', 'sending'))",
        )?
        .execute(params![message_id, timestamp(now)])?;
    Ok(done == 1)
}

/// How many messages went out since `since` (for the hourly and daily limits).
pub fn sent_since(conn: &Connection, since: DateTime<Utc>) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM mail_outbox WHERE sent_at >= ?1")?
        .query_row([timestamp(since)], |row| row.get(0))?)
}

/// How a message's sending stands.
pub fn progress(conn: &Connection, message_id: &str) -> Result<Progress> {
    conn.prepare_cached(
        "SELECT m.id, m.subject, m.group_name, m.state, m.created_at, count(o.id),
                coalesce(sum(o.state = 'sent'), 0), coalesce(sum(o.state = 'failed'), 0),
                coalesce(sum(o.state = 'cancelled'), 0), coalesce(sum(o.state IN ('queued', 'sending')), 0)
         FROM mail_messages m LEFT JOIN mail_outbox o ON o.message_id = m.id WHERE m.id = ?1 GROUP BY m.id",
    )?
    .query_row([message_id], |row| {
        Ok(Progress {
            message_id: row.get(0)?,
            subject: row.get(1)?,
            group_name: row.get(2)?,
            state: row.get(3)?,
            created_at: row.get(4)?,
            total: row.get(5)?,
            sent: row.get(6)?,
            failed: row.get(7)?,
            cancelled: row.get(8)?,
            waiting: row.get(9)?,
        })
    })
    .optional()?
    .ok_or(Error::NotFound("This message"))
}

/// The newest messages first.
pub fn recent(conn: &Connection, limit: usize) -> Result<Vec<Progress>> {
    let ids: Vec<String> = conn
        .prepare_cached("SELECT id FROM mail_messages ORDER BY created_at DESC, id DESC LIMIT ?1")?
        .query_map([limit as i64], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.iter().map(|id| progress(conn, id)).collect()
}

/// The recipients a message did not reach, with the reasons.
pub fn failures(conn: &Connection, message_id: &str) -> Result<Vec<Failure>> {
    let rows = conn
        .prepare_cached(
            "SELECT o.id, o.customer_id, c.display_name, o.address, o.reason FROM mail_outbox o
             JOIN customers c ON c.id = o.customer_id
             WHERE o.message_id = ?1 AND o.state = 'failed' ORDER BY c.sort_name, o.id",
        )?
        .query_map([message_id], |row| {
            Ok(Failure {
                outbox_id: row.get(0)?,
                customer_id: row.get(1)?,
                name: row.get(2)?,
                address: row.get(3)?,
                reason: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The messages a customer was sent, newest first.
pub fn history_for(conn: &Connection, customer_id: &str) -> Result<Vec<SentLine>> {
    let rows = conn
        .prepare_cached("SELECT subject, sent_at FROM mail_sent WHERE customer_id = ?1 ORDER BY sent_at DESC, id DESC")?
        .query_map([customer_id], |row| {
            Ok(SentLine { words: format!("Newsletter: {}", row.get::<_, String>(0)?), sent_at: row.get(1)? })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
