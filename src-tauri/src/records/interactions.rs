//! Interactions (visit, call, message, purchase) and the tasks they leave
//! (next steps, feedback follow-ups): the only writer of `interactions` and
//! `tasks`. Also the card's history and activity summary.
//!
//! The use cases that log, undo and tick are in `features::desk`.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::db::settings::{self, StaffRef};
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::records::{devices, loyalty};

/// How many overwritten fields the card's history shows.
const OVERWRITTEN_SHOWN: usize = 10;

pub const KINDS: [&str; 4] = ["visit", "call", "message", "purchase"];
/// The kinds that mean the customer came in (for retention).
pub const CAME_IN: [&str; 2] = ["visit", "purchase"];

pub const HISTORY_PAGE: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HistoryItem {
    pub id: String,
    pub kind: String,
    pub summary: String,
    pub amount_cents: Option<i64>,
    pub staff_name: String,
    pub happened_at: String,
    pub undone_at: Option<String>,
    pub undo_reason: Option<String>,
    pub paid_late: bool,
    pub win: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HistoryPage {
    pub items: Vec<HistoryItem>,
    /// Pass back as `before` for the next (older) page; `None` at the end.
    pub next_before: Option<String>,
}

/// History newest first, one page at a time. The cursor is the last
/// item's "happened_at|id", so paging stays right while new visits arrive.
pub fn history(conn: &Connection, customer_id: &str, before: Option<&str>, limit: usize) -> Result<HistoryPage> {
    let (at, id) = match before.and_then(|b| b.split_once('|')) {
        Some((at, id)) => (at.to_string(), id.to_string()),
        None => ("\u{10FFFF}".to_string(), String::new()),
    };
    // Group messages the customer was sent (`mail_sent`, written by
    // `records::mailings`) are lines of the history too, kind "newsletter".
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, summary, amount_cents, staff_name, happened_at, undone_at, undo_reason, paid_late, win
         FROM (
           SELECT id, kind, summary, amount_cents, staff_name, happened_at, undone_at, undo_reason, paid_late, win
           FROM interactions
           WHERE customer_id = ?1 AND (happened_at < ?2 OR (happened_at = ?2 AND id < ?3))
           UNION ALL
           SELECT id, 'newsletter', subject, NULL, '', sent_at, NULL, NULL, 0, 0
           FROM mail_sent
           WHERE customer_id = ?1 AND (sent_at < ?2 OR (sent_at = ?2 AND id < ?3)))
         ORDER BY happened_at DESC, id DESC LIMIT ?4",
    )?;
    let mut items: Vec<HistoryItem> = stmt
        .query_map(params![customer_id, at, id, (limit + 1) as i64], |row| {
            Ok(HistoryItem {
                id: row.get(0)?,
                kind: row.get(1)?,
                summary: row.get(2)?,
                amount_cents: row.get(3)?,
                staff_name: row.get(4)?,
                happened_at: row.get(5)?,
                undone_at: row.get(6)?,
                undo_reason: row.get(7)?,
                paid_late: row.get(8)?,
                win: row.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let next_before = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| format!("{}|{}", last.happened_at, last.id))
    } else {
        None
    };
    Ok(HistoryPage { items, next_before })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub due_on: String,
    pub overdue: bool,
    pub staff_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Activity {
    pub last_contact_at: Option<String>,
    pub visit_count: i64,
    pub lifetime_spend_cents: i64,
    pub currency: String,
    pub open_tasks: Vec<Task>,
    pub history: HistoryPage,
    pub loyalty: loyalty::Status,
    /// In a shared shop: the card's fields another device's later edit
    /// replaced here, newest first, with what they were.
    pub overwritten: Vec<devices::OverwrittenField>,
}

/// What the card shows under the name: counts, next steps, the first page
/// of history and the loyalty status.
pub fn activity(conn: &Connection, customer_id: &str, today: NaiveDate) -> Result<Activity> {
    let last_contact_at: Option<String> = conn
        .prepare_cached("SELECT last_contact_at FROM customers WHERE id = ?1")?
        .query_row([customer_id], |row| row.get(0))
        .optional()?
        .ok_or(Error::NotFound("This customer"))?;
    let (visit_count, lifetime_spend_cents): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE kind = 'visit'), coalesce(sum(amount_cents), 0)
             FROM interactions WHERE customer_id = ?1 AND undone_at IS NULL",
        )?
        .query_row([customer_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let today_text = today.format("%Y-%m-%d").to_string();
    let open_tasks = conn
        .prepare_cached(
            "SELECT id, title, due_on, staff_name FROM tasks
             WHERE customer_id = ?1 AND done_at IS NULL ORDER BY due_on, created_at",
        )?
        .query_map([customer_id], |row| {
            let due_on: String = row.get(2)?;
            Ok(Task {
                id: row.get(0)?,
                title: row.get(1)?,
                overdue: due_on < today_text,
                due_on,
                staff_name: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let program = loyalty::load_program(conn)?;
    Ok(Activity {
        last_contact_at,
        visit_count,
        lifetime_spend_cents,
        currency: settings::load(conn)?.currency,
        open_tasks,
        history: history(conn, customer_id, None, HISTORY_PAGE)?,
        loyalty: loyalty::status(conn, &program, customer_id)?,
        overwritten: devices::overwritten(conn, customer_id, OVERWRITTEN_SHOWN)?,
    })
}

// ---------------------------------------------------------------------------
// Writing

/// One interaction as it is stored.
pub struct NewInteraction<'a> {
    pub customer_id: &'a str,
    pub kind: &'a str,
    pub summary: &'a str,
    pub amount_cents: Option<i64>,
    pub staff: &'a StaffRef,
    /// When it happened, as stored (`kernel::time::timestamp`).
    pub at: &'a str,
    pub paid_late: bool,
    pub win: bool,
}

/// Inserts an interaction; returns its id.
pub fn insert(conn: &Connection, new: &NewInteraction) -> Result<String> {
    let id = new_id();
    conn.prepare_cached(
        "INSERT INTO interactions (id, customer_id, kind, summary, amount_cents, staff_id, staff_name,
                                   happened_at, paid_late, win, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?8, ?8)",
    )?
    .execute(params![
        id,
        new.customer_id,
        new.kind,
        new.summary,
        new.amount_cents,
        new.staff.id,
        new.staff.name,
        new.at,
        new.paid_late,
        new.win
    ])?;
    Ok(id)
}

/// One open task: a next step (from an interaction) or a follow-up.
pub struct NewTask<'a> {
    pub customer_id: &'a str,
    pub interaction_id: Option<&'a str>,
    /// "next_step" or "feedback".
    pub source: &'a str,
    pub title: &'a str,
    pub due_on: NaiveDate,
    pub due_time: Option<&'a str>,
    pub staff: &'a StaffRef,
    pub at: &'a str,
}

/// Inserts an open task; returns its id.
pub fn insert_task(conn: &Connection, task: &NewTask) -> Result<String> {
    let id = new_id();
    conn.prepare_cached(
        "INSERT INTO tasks (id, customer_id, interaction_id, source, title, due_on, due_time, staff_id, staff_name, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        id, task.customer_id, task.interaction_id, task.source, task.title, task.due_on.format("%Y-%m-%d").to_string(),
        task.due_time, task.staff.id, task.staff.name, task.at
    ])?;
    Ok(id)
}

/// A stored interaction, as much as an undo needs to know of it.
pub struct Interaction {
    pub customer_id: String,
    pub undone_at: Option<String>,
    pub kind: String,
    pub amount_cents: Option<i64>,
    pub happened_at: String,
}

pub fn get(conn: &Connection, interaction_id: &str) -> Result<Interaction> {
    conn.prepare_cached(
        "SELECT customer_id, undone_at, kind, amount_cents, happened_at FROM interactions WHERE id = ?1",
    )?
    .query_row([interaction_id], |row| {
        Ok(Interaction {
            customer_id: row.get(0)?,
            undone_at: row.get(1)?,
            kind: row.get(2)?,
            amount_cents: row.get(3)?,
            happened_at: row.get(4)?,
        })
    })
    .optional()?
    .ok_or(Error::NotFound("This visit"))
}

/// Marks an interaction undone (it stays in the history) and closes the
/// open tasks it left; returns the ids of those tasks.
pub fn mark_undone(conn: &Connection, interaction_id: &str, reason: &str, stamp: &str) -> Result<Vec<String>> {
    conn.prepare_cached("UPDATE interactions SET undone_at = ?2, undo_reason = ?3, updated_at = ?2 WHERE id = ?1")?
        .execute(params![interaction_id, stamp, reason])?;
    let open: Vec<String> = conn
        .prepare_cached("SELECT id FROM tasks WHERE interaction_id = ?1 AND done_at IS NULL")?
        .query_map([interaction_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    conn.prepare_cached("UPDATE tasks SET done_at = ?2, done_by = 'visit undone', updated_at = ?2 WHERE interaction_id = ?1 AND done_at IS NULL")?
        .execute(params![interaction_id, stamp])?;
    Ok(open)
}

/// The customer a task belongs to.
pub fn task_owner(conn: &Connection, task_id: &str) -> Result<String> {
    conn.prepare_cached("SELECT customer_id FROM tasks WHERE id = ?1")?
        .query_row([task_id], |row| row.get(0))
        .optional()?
        .ok_or(Error::NotFound("This next step"))
}

/// Ticks a task off, saying by whom (a name, "the desk", "from the reminder").
pub fn complete_task(conn: &Connection, task_id: &str, done_by: &str, stamp: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE tasks SET done_at = ?2, done_by = ?3, updated_at = ?2 WHERE id = ?1 AND done_at IS NULL",
    )?
    .execute(params![task_id, stamp, done_by])?;
    Ok(())
}
