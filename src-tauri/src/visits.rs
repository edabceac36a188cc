//! Visits and other interactions (call, message, purchase), their next
//! steps, and the activity summary on the card.
//!
//! Logging is one transaction: the interaction, the points it earns (and a
//! birthday bonus when due), the next step as an open task, and the
//! customer's last contact. An undo marks the interaction undone and takes
//! the points back with a ledger entry; nothing is deleted.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::loyalty::{self, Entry, Program};
use crate::{dashboard, health, reminders};
use crate::settings::{self, StaffRef};
use crate::store::{new_id, timestamp};

pub const KINDS: [&str; 4] = ["visit", "call", "message", "purchase"];
/// The kinds that mean the customer came in (for retention).
pub const CAME_IN: [&str; 2] = ["visit", "purchase"];

/// The UTC month ("2026-11") of a stored timestamp, for the monthly figures.
fn month_of(stamp: &str) -> String {
    stamp.chars().take(7).collect()
}
const MAX_AMOUNT_CENTS: i64 = 100_000_000; // one million in any currency
pub const HISTORY_PAGE: usize = 20;

/// The one-line log form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogInput {
    pub kind: String,
    pub summary: String,
    /// "12.50", "12,50", "12" or empty.
    pub amount: String,
    pub staff_id: Option<String>,
    pub next_step: String,
    /// YYYY-MM-DD, or YYYY-MM-DDTHH:MM for a time of day; required with a next step.
    pub next_step_due: String,
    /// The payment came late (a health signal); needs an amount.
    pub paid_late: bool,
    /// A visit that went especially well: a good moment to ask for a review.
    pub win: bool,
}

/// Parses money as typed at a desk into integer cents.
pub fn parse_amount(text: &str) -> Result<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || Error::invalid("amount", format!("\"{text}\" is not an amount; type it like 12.50"));
    let normalized = text.replace(',', ".");
    let (whole, fraction) = normalized.split_once('.').unwrap_or((&normalized, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(bad());
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) || fraction.len() > 2 {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let cents: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| bad())? * 10,
        _ => fraction.parse().map_err(|_| bad())?,
    };
    let total = whole.checked_mul(100).and_then(|w| w.checked_add(cents)).ok_or_else(bad)?;
    if total > MAX_AMOUNT_CENTS {
        return Err(Error::invalid("amount", "That amount is too large for one line."));
    }
    Ok(Some(total))
}

struct CleanLog {
    kind: &'static str,
    summary: String,
    amount_cents: Option<i64>,
    paid_late: bool,
    win: bool,
    next_step: Option<(String, NaiveDate, Option<String>)>,
}

fn validate(input: &LogInput) -> Result<CleanLog> {
    let kind = KINDS
        .iter()
        .find(|k| **k == input.kind.trim())
        .copied()
        .ok_or_else(|| Error::invalid("kind", "Choose visit, call, message or purchase."))?;
    let summary = input.summary.trim().to_string();
    if summary.chars().count() > 500 {
        return Err(Error::invalid("summary", "The summary can be at most 500 characters."));
    }
    let amount_cents = parse_amount(&input.amount)?;
    if input.win && kind != "visit" {
        return Err(Error::invalid("win", "Only a visit can be marked as a win."));
    }
    if input.paid_late && amount_cents.is_none() {
        return Err(Error::invalid("paid_late", "Only a payment can be late: type the amount too."));
    }
    let step = input.next_step.trim();
    let due = input.next_step_due.trim();
    let next_step = match (step.is_empty(), due.is_empty()) {
        (true, true) => None,
        (true, false) => return Err(Error::invalid("next_step", "Say what the next step is, or clear its date.")),
        (false, true) => return Err(Error::invalid("next_step_due", "Give the next step a due date.")),
        (false, false) => {
            if step.chars().count() > 300 {
                return Err(Error::invalid("next_step", "The next step can be at most 300 characters."));
            }
            let bad = || Error::invalid("next_step_due", format!("\"{due}\" is not a date (YYYY-MM-DD, optionally THH:MM)."));
            let (date_text, time_text) = match due.split_once('T') {
                Some((date, time)) => (date, Some(time)),
                None => (due, None),
            };
            let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d").map_err(|_| bad())?;
            let time = match time_text {
                None => None,
                Some(time) => {
                    let parsed = chrono::NaiveTime::parse_from_str(time, "%H:%M:%S")
                        .or_else(|_| chrono::NaiveTime::parse_from_str(time, "%H:%M"))
                        .map_err(|_| bad())?;
                    Some(parsed.format("%H:%M:%S").to_string())
                }
            };
            Some((step.to_string(), date, time))
        }
    };
    Ok(CleanLog { kind, summary, amount_cents, paid_late: input.paid_late, win: input.win, next_step })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Logged {
    pub interaction_id: String,
    pub points: i64,
    pub stamps: i64,
    /// Points this visit gave the customer who referred them (their first visit).
    pub referral_bonus: i64,
    pub birthday_bonus: i64,
}

/// Logs an interaction with everything it causes, in one transaction.
/// `today` is the shop's local date, for the birthday rule.
pub fn log(conn: &mut Connection, customer_id: &str, input: &LogInput, now: DateTime<Utc>, today: NaiveDate) -> Result<Logged> {
    let clean = validate(input)?;
    let program = loyalty::load_program(conn)?;
    let currency = settings::load(conn)?.currency;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let birthday: Option<Option<String>> = tx
        .prepare_cached("SELECT birthday FROM customers WHERE id = ?1")?
        .query_row([customer_id], |row| row.get(0))
        .optional()?;
    let birthday = birthday.ok_or(Error::NotFound("This customer"))?;
    let staff = settings::staff_ref(&tx, input.staff_id.as_deref())?;
    let rules = reminders::load_rules(&tx)?;
    let logged = insert(&tx, &program, &currency, customer_id, birthday.as_deref(), &clean, &staff, &rules, now, today)?;
    tx.commit()?;
    Ok(logged)
}

#[allow(clippy::too_many_arguments)]
fn insert(
    conn: &Connection,
    program: &Program,
    currency: &str,
    customer_id: &str,
    birthday: Option<&str>,
    clean: &CleanLog,
    staff: &StaffRef,
    rules: &reminders::Rules,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Logged> {
    let id = new_id();
    let stamp = timestamp(now);
    conn.prepare_cached(
        "INSERT INTO interactions (id, customer_id, kind, summary, amount_cents, staff_id, staff_name,
                                   happened_at, paid_late, win, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?8, ?8)",
    )?
    .execute(params![id, customer_id, clean.kind, clean.summary, clean.amount_cents, staff.id, staff.name, stamp, clean.paid_late, clean.win])?;

    let (points, stamps, memo) = loyalty::earning(program, clean.kind, clean.amount_cents, currency);
    if points > 0 || stamps > 0 {
        let memo = format!("{}: {memo}", capitalized(clean.kind));
        loyalty::append(conn, &Entry { customer_id, kind: "earn", points, stamps, memo, staff, interaction_id: Some(&id) }, now)?;
    }
    let mut birthday_bonus = 0;
    if clean.kind == "visit" && program.birthday_bonus > 0 && loyalty::birthday_bonus_due(conn, customer_id, birthday, today)? {
        birthday_bonus = program.birthday_bonus;
        let memo = format!("Birthday bonus: {birthday_bonus} points");
        loyalty::append(conn, &Entry { customer_id, kind: "bonus", points: birthday_bonus, stamps: 0, memo, staff, interaction_id: Some(&id) }, now)?;
    }
    if let Some((title, due, time)) = &clean.next_step {
        conn.prepare_cached(
            "INSERT INTO tasks (id, customer_id, interaction_id, source, title, due_on, due_time, staff_id, staff_name, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'next_step', ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        )?
        .execute(params![new_id(), customer_id, id, title, due.format("%Y-%m-%d").to_string(), time, staff.id, staff.name, stamp])?;
    }
    conn.prepare_cached(
        "UPDATE customers SET last_contact_at = max(coalesce(last_contact_at, ''), ?2), updated_at = ?2,
                              lifetime_cents = lifetime_cents + coalesce(?3, 0) WHERE id = ?1",
    )?
    .execute(params![customer_id, stamp, clean.amount_cents])?;
    if clean.kind == "visit" {
        // They came back: their rhythm moves on and a "gone quiet" reminder is answered.
        reminders::refresh_rhythm(conn, customer_id, rules)?;
        reminders::resolve(conn, customer_id, "gone_quiet", None, now)?;
    }
    if CAME_IN.contains(&clean.kind) {
        dashboard::came_in(conn, customer_id, &month_of(&stamp), 1)?;
    }
    let referral_bonus = if clean.kind == "visit" {
        // A referred customer's first visit: their referrer's bonus, once.
        crate::referrals::award_on_visit(conn, customer_id, program, staff, now)?.map(|(_, points)| points).unwrap_or(0)
    } else {
        0
    };
    health::refresh(conn, customer_id)?;
    Ok(Logged { interaction_id: id, points, stamps, birthday_bonus, referral_bonus })
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The desk's one-keystroke check-in: a visit with no amount.
pub fn check_in(conn: &mut Connection, customer_id: &str, staff_id: Option<&str>, now: DateTime<Utc>, today: NaiveDate) -> Result<Logged> {
    let input = LogInput { kind: "visit".into(), summary: "Check-in".into(), staff_id: staff_id.map(String::from), ..Default::default() };
    log(conn, customer_id, &input, now, today)
}

/// Undoes an interaction logged by mistake: it stays in the history marked
/// undone, its points are taken back, its open next steps are closed.
pub fn undo(conn: &mut Connection, interaction_id: &str, staff_id: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    type Row = (String, Option<String>, String, Option<i64>, String);
    let row: Option<Row> = tx
        .prepare_cached("SELECT customer_id, undone_at, kind, amount_cents, happened_at FROM interactions WHERE id = ?1")?
        .query_row([interaction_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))
        .optional()?;
    let (customer_id, undone_at, kind, amount_cents, happened_at) = row.ok_or(Error::NotFound("This visit"))?;
    if undone_at.is_some() {
        return Err(Error::Conflict("This was already undone.".into()));
    }
    let staff = settings::staff_ref(&tx, staff_id)?;
    let stamp = timestamp(now);
    let who = if staff.name.is_empty() { "the desk".to_string() } else { staff.name.clone() };
    tx.execute(
        "UPDATE interactions SET undone_at = ?2, undo_reason = ?3, updated_at = ?2 WHERE id = ?1",
        params![interaction_id, stamp, format!("Undone by {who}")],
    )?;
    loyalty::reverse_interaction(&tx, &customer_id, interaction_id, &staff, now)?;
    tx.execute(
        "UPDATE reminders SET dismissed_at = ?2, updated_at = ?2
         WHERE source = 'next_step' AND done_at IS NULL AND dismissed_at IS NULL
           AND source_id IN (SELECT id FROM tasks WHERE interaction_id = ?1 AND done_at IS NULL)",
        params![interaction_id, stamp],
    )?;
    tx.execute(
        "UPDATE tasks SET done_at = ?2, done_by = 'visit undone', updated_at = ?2 WHERE interaction_id = ?1 AND done_at IS NULL",
        params![interaction_id, stamp],
    )?;
    reminders::refresh_rhythm(&tx, &customer_id, &reminders::load_rules(&tx)?)?;
    // Last contact is the newest interaction that still stands.
    tx.execute(
        "UPDATE customers SET updated_at = ?2, lifetime_cents = lifetime_cents - coalesce(?3, 0), last_contact_at =
            (SELECT max(happened_at) FROM interactions WHERE customer_id = ?1 AND undone_at IS NULL)
         WHERE id = ?1",
        params![customer_id, stamp, amount_cents],
    )?;
    if CAME_IN.contains(&kind.as_str()) {
        dashboard::came_in(&tx, &customer_id, &month_of(&happened_at), -1)?;
    }
    health::refresh(&tx, &customer_id)?;
    tx.commit()?;
    Ok(())
}

/// Ticks a next step off, recording who and when.
pub fn complete_task(conn: &mut Connection, task_id: &str, staff_id: Option<&str>, now: DateTime<Utc>) -> Result<String> {
    let tx = conn.transaction()?;
    let staff = settings::staff_ref(&tx, staff_id)?;
    let customer_id: String = tx
        .query_row("SELECT customer_id FROM tasks WHERE id = ?1", [task_id], |row| row.get(0))
        .optional()?
        .ok_or(Error::NotFound("This next step"))?;
    let who = if staff.name.is_empty() { "the desk".to_string() } else { staff.name };
    tx.execute(
        "UPDATE tasks SET done_at = ?2, done_by = ?3, updated_at = ?2 WHERE id = ?1 AND done_at IS NULL",
        params![task_id, timestamp(now), who],
    )?;
    reminders::resolve(&tx, &customer_id, "next_step", Some(task_id), now)?;
    tx.commit()?;
    Ok(customer_id)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, summary, amount_cents, staff_name, happened_at, undone_at, undo_reason, paid_late, win
         FROM interactions
         WHERE customer_id = ?1 AND (happened_at < ?2 OR (happened_at = ?2 AND id < ?3))
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub due_on: String,
    pub overdue: bool,
    pub staff_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub last_contact_at: Option<String>,
    pub visit_count: i64,
    pub lifetime_spend_cents: i64,
    pub currency: String,
    pub open_tasks: Vec<Task>,
    pub history: HistoryPage,
    pub loyalty: loyalty::Status,
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
            Ok(Task { id: row.get(0)?, title: row.get(1)?, overdue: due_on < today_text, due_on, staff_name: row.get(3)? })
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_cents() {
        assert_eq!(parse_amount("").ok(), Some(None));
        assert_eq!(parse_amount("12").ok(), Some(Some(1200)));
        assert_eq!(parse_amount("12.5").ok(), Some(Some(1250)));
        assert_eq!(parse_amount("12,05").ok(), Some(Some(1205)));
        assert_eq!(parse_amount(".5").ok(), Some(Some(50)));
        for bad in ["-3", "1.234", "abc", "1e5", ".", "12.5.0", "99999999999999999999"] {
            assert!(parse_amount(bad).is_err(), "{bad} should be refused");
        }
    }
}

/// A visit from before the app, for the sample shop and the benchmark seed
/// (and later the spreadsheet import).
#[derive(Debug, Clone)]
pub struct PastVisit {
    pub customer_id: String,
    pub kind: &'static str,
    pub summary: String,
    pub amount_cents: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Records past interactions with the points they earn under the current
/// program, and moves each customer's last contact forward. One transaction.
pub fn record_past(conn: &mut Connection, visits: &[PastVisit]) -> Result<()> {
    let program = loyalty::load_program(conn)?;
    let currency = settings::load(conn)?.currency;
    let nobody = StaffRef::default();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut latest: std::collections::HashMap<&str, DateTime<Utc>> = std::collections::HashMap::new();
    let mut spent: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let mut months: std::collections::HashMap<(&str, String), i64> = std::collections::HashMap::new();
    for visit in visits {
        if !KINDS.contains(&visit.kind) {
            return Err(Error::invalid("kind", format!("\"{}\" is not an interaction kind.", visit.kind)));
        }
        let id = new_id();
        let stamp = timestamp(visit.at);
        tx.prepare_cached(
            "INSERT INTO interactions (id, customer_id, kind, summary, amount_cents, staff_name, happened_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, '', ?6, ?6, ?6)",
        )?
        .execute(params![id, visit.customer_id, visit.kind, visit.summary, visit.amount_cents, stamp])?;
        let (points, stamps, memo) = loyalty::earning(&program, visit.kind, visit.amount_cents, &currency);
        if points > 0 || stamps > 0 {
            let memo = format!("{}: {memo}", capitalized(visit.kind));
            let entry = Entry { customer_id: &visit.customer_id, kind: "earn", points, stamps, memo, staff: &nobody, interaction_id: Some(&id) };
            loyalty::append(&tx, &entry, visit.at)?;
        }
        *spent.entry(visit.customer_id.as_str()).or_default() += visit.amount_cents.unwrap_or(0);
        if CAME_IN.contains(&visit.kind) {
            *months.entry((visit.customer_id.as_str(), month_of(&stamp))).or_default() += 1;
        }
        let newest = latest.entry(visit.customer_id.as_str()).or_insert(visit.at);
        if visit.at > *newest {
            *newest = visit.at;
        }
    }
    let rules = reminders::load_rules(&tx)?;
    for (customer_id, at) in &latest {
        tx.prepare_cached(
            "UPDATE customers SET last_contact_at = max(coalesce(last_contact_at, ''), ?2),
                                  lifetime_cents = lifetime_cents + ?3 WHERE id = ?1",
        )?
        .execute(params![customer_id, timestamp(*at), spent.get(customer_id).copied().unwrap_or(0)])?;
        reminders::refresh_rhythm(&tx, customer_id, &rules)?;
    }
    for ((customer_id, month), count) in &months {
        dashboard::came_in(&tx, customer_id, month, *count)?;
    }
    let health_rules = health::load_rules(&tx)?;
    for customer_id in latest.keys() {
        health::refresh_with(&tx, customer_id, &health_rules)?;
    }
    tx.commit()?;
    Ok(())
}
