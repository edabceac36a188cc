//! The `reminders` table and its rules: the only writer of reminders.
//! A unique `dedup_key` per source, customer and occasion makes a
//! duplicate impossible however often the sources are collected
//! (`features::reminder_sources`). `take_due` marks what has fallen due as
//! notified in the same transaction that reads it, so nothing fires twice,
//! across restarts too. Time and the time zone are passed in.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::settings;
use crate::db::store;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::derived_id;
use crate::kernel::labels::Labelled;
use crate::kernel::time::{local_to_utc, timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(rename = "ReminderRules")]
pub struct Rules {
    /// The hour (local) at which date-only reminders fall due.
    pub due_hour: u32,
    /// Remind this many days before a membership renews.
    pub renewal_days_ahead: i64,
    /// 0: on the birthday itself; n: n days ahead.
    pub birthday_days_ahead: i64,
    /// "Gone quiet" after this many times the customer's usual gap...
    pub quiet_multiplier: f64,
    /// ...once they have at least this many visits to know their rhythm...
    pub quiet_min_visits: i64,
    /// ...and never sooner than this many days after the last visit.
    pub quiet_min_days: i64,
    /// Customers with a short history: quiet after this many days.
    pub quiet_new_customer_days: i64,
    /// Closing the window keeps Regulars running in the tray, so reminders
    /// still arrive (where the desktop shows a tray; see `app::tray`).
    /// Rules saved before this setting existed read as on.
    pub keep_running_in_tray: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            due_hour: 9,
            renewal_days_ahead: 7,
            birthday_days_ahead: 0,
            quiet_multiplier: 2.0,
            quiet_min_visits: 4,
            quiet_min_days: 7,
            quiet_new_customer_days: 30,
            keep_running_in_tray: true,
        }
    }
}

pub const RULES_KEY: &str = "reminder_rules";

pub fn load_rules(conn: &Connection) -> Result<Rules> {
    Ok(settings::load_json(conn, RULES_KEY)?.unwrap_or_default())
}

/// The local `hour` of `date`, as UTC.
pub fn at_hour<Tz: TimeZone>(tz: &Tz, date: NaiveDate, hour: u32) -> DateTime<Utc> {
    local_to_utc(tz, date, NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN))
}

// ---------------------------------------------------------------------------
// Visit rhythm

// ---------------------------------------------------------------------------
// Turning data into reminders

/// Where a reminder comes from, stored in `reminders.source` as its word
/// ("next_step", "pass_last_session"); `features::reminder_sources::SOURCES`
/// gives each its collector, and `key` its occasions' `dedup_key`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    NextStep,
    Onboarding,
    Renewal,
    Birthday,
    GoneQuiet,
    Complaint,
    ReviewFollowUp,
    PassLastSession,
    PassExpiring,
    Vaccination,
    Overdraft,
}

impl Labelled for Source {
    const ALL: &'static [Source] = &[
        Source::NextStep,
        Source::Onboarding,
        Source::Renewal,
        Source::Birthday,
        Source::GoneQuiet,
        Source::Complaint,
        Source::ReviewFollowUp,
        Source::PassLastSession,
        Source::PassExpiring,
        Source::Vaccination,
        Source::Overdraft,
    ];

    /// What the Today list calls it.
    fn label(self) -> &'static str {
        match self {
            Source::NextStep => "Next step",
            Source::Onboarding => "Onboarding",
            Source::Renewal => "Renewal",
            Source::Birthday => "Birthday",
            Source::GoneQuiet => "Gone quiet",
            Source::Complaint => "Complaint",
            Source::ReviewFollowUp => "Review request",
            Source::PassLastSession => "Pass: last session",
            Source::PassExpiring => "Pass ending",
            Source::Vaccination => "Vaccination",
            Source::Overdraft => "Overdrawn",
        }
    }
}

impl Source {
    /// A reminder's `dedup_key` for one occasion of this source ("task:<id>",
    /// "quiet:<id>:<last visit>"): the prefixes are the ones the stored keys
    /// already have, so a key made again matches the one stored.
    pub fn key(self, occasion: impl std::fmt::Display) -> String {
        let prefix = match self {
            Source::NextStep => "task",
            Source::Onboarding => "onboarding",
            Source::Renewal => "renewal",
            Source::Birthday => "birthday",
            Source::GoneQuiet => "quiet",
            Source::Complaint => "complaint",
            Source::ReviewFollowUp => "review",
            Source::PassLastSession => "pass_last",
            Source::PassExpiring => "pass_ending",
            Source::Vaccination => "vaccine",
            Source::Overdraft => "overdraft",
        };
        format!("{prefix}:{occasion}")
    }

    /// The source a stored word names (`None` for one this build does not know).
    pub fn from_word(word: &str) -> Option<Source> {
        Source::ALL.iter().copied().find(|source| source.word() == word)
    }
}

impl rusqlite::ToSql for Source {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.word()))
    }
}

/// A reminder as a source makes it; `key` is unique per source, customer
/// and occasion, so making the same one again adds nothing.
pub struct NewReminder<'a> {
    pub key: String,
    pub customer_id: &'a str,
    pub source: Source,
    pub source_id: Option<&'a str>,
    pub title: String,
    pub detail: String,
    pub due_at: DateTime<Utc>,
}

/// Adds a reminder unless one with its key exists; true if it was added.
/// Its id is derived from the key, so two devices of a shared shop that
/// both make it make one row.
pub fn insert(conn: &Connection, r: &NewReminder, now: DateTime<Utc>) -> Result<bool> {
    let stamp = timestamp(now);
    let added = conn
        .prepare_cached(
            "INSERT INTO reminders (id, dedup_key, customer_id, source, source_id, title, detail, due_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
             ON CONFLICT(dedup_key) DO NOTHING",
        )?
        .execute(params![derived_id(&format!("reminder:{}", r.key)), r.key, r.customer_id, r.source, r.source_id, r.title, r.detail, timestamp(r.due_at), stamp])?;
    Ok(added == 1)
}

/// Closes a source's open reminders when what they asked for has happened
/// (the next step was done, the customer came back, the membership moved).
pub fn resolve(
    conn: &Connection,
    customer_id: &str,
    source: Source,
    source_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    close_open(conn, "done_at", customer_id, source, source_id, now)
}

/// Dismisses a source's open reminders that are no longer needed (their
/// visit was undone, their plan cancelled).
pub fn dismiss(
    conn: &Connection,
    customer_id: &str,
    source: Source,
    source_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    close_open(conn, "dismissed_at", customer_id, source, source_id, now)
}

/// Sets `column` (done_at or dismissed_at) on a source's open reminders;
/// `source_id` narrows it to one occasion.
fn close_open(
    conn: &Connection,
    column: &str,
    customer_id: &str,
    source: Source,
    source_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(&format!(
        "UPDATE reminders SET {column} = ?4, updated_at = ?4
         WHERE customer_id = ?1 AND source = ?2 AND (?3 IS NULL OR source_id = ?3)
           AND done_at IS NULL AND dismissed_at IS NULL"
    ))?
    .execute(params![customer_id, source, source_id, timestamp(now)])?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Firing and listing

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Reminder {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub source: String,
    /// What the Today list calls the source (`features::reminder_sources`).
    pub label: String,
    pub title: String,
    pub detail: String,
    /// When it is due (the snooze time, if snoozed).
    pub due_at: String,
    pub snoozed: bool,
}

const REMINDER_COLUMNS: &str = "r.id, r.customer_id, c.display_name, r.source, r.title, r.detail,
    coalesce(r.snoozed_until, r.due_at), r.snoozed_until IS NOT NULL, c.last_visit_at, c.usual_gap_days";

fn reminder_from_row(row: &rusqlite::Row, now: DateTime<Utc>) -> rusqlite::Result<Reminder> {
    let source: String = row.get(3)?;
    let mut detail: String = row.get(5)?;
    if Source::from_word(&source) == Some(Source::GoneQuiet) {
        let last: Option<String> = row.get(8)?;
        let gap: Option<f64> = row.get(9)?;
        detail = crate::kernel::rhythm::quiet_detail(last.as_deref(), gap, now);
    }
    Ok(Reminder {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        customer_name: row.get(2)?,
        source,
        label: String::new(),
        title: row.get(4)?,
        detail,
        due_at: row.get(6)?,
        snoozed: row.get(7)?,
    })
}

/// The earliest time a reminder that has not fired yet falls due.
pub fn next_due(conn: &Connection) -> Result<Option<DateTime<Utc>>> {
    let next: Option<String> = conn
        .prepare_cached(
            // Named: the planner cannot tell it from `reminders_open`,
            // which also walks every fired reminder not done yet.
            "SELECT min(coalesce(snoozed_until, due_at)) FROM reminders INDEXED BY reminders_unfired
             WHERE done_at IS NULL AND dismissed_at IS NULL AND notified_at IS NULL",
        )?
        .query_row([], |row| row.get(0))?;
    Ok(next.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc)))
}

/// Everything due by `now` that has not fired, marked as fired (`how`:
/// "live", or "away:<start>" for the start-up summary) in the same
/// transaction, so a crash after this can only lose a notification, never
/// repeat one.
pub fn take_due(conn: &mut Connection, now: DateTime<Utc>, how: &str) -> Result<Vec<Reminder>> {
    store::write(conn, |tx| {
        let stamp = timestamp(now);
        let due: Vec<Reminder> = {
            let sql = format!(
                "SELECT {REMINDER_COLUMNS} FROM reminders r INDEXED BY reminders_unfired
                 JOIN customers c ON c.id = r.customer_id
                 WHERE r.done_at IS NULL AND r.dismissed_at IS NULL AND r.notified_at IS NULL
                   AND coalesce(r.snoozed_until, r.due_at) <= ?1
                 ORDER BY coalesce(r.snoozed_until, r.due_at)"
            );
            let mut stmt = tx.prepare_cached(&sql)?;
            let rows = stmt.query_map([&stamp], |row| reminder_from_row(row, now))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut mark = tx.prepare_cached(
            "UPDATE reminders SET notified_at = ?2, notified_how = ?3, updated_at = ?2 WHERE id = ?1",
        )?;
        for reminder in &due {
            mark.execute(params![reminder.id, stamp, how])?;
        }
        drop(mark);
        Ok(due)
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Today {
    /// Fell due while the app was closed; shown once per start.
    pub away: Vec<Reminder>,
    pub overdue: Vec<Reminder>,
    pub today: Vec<Reminder>,
    /// Open reminders not listed because a group hit its limit.
    pub more: i64,
}

const GROUP_LIMIT: usize = 100;

/// The Today view: open reminders due by the end of the local day.
pub fn today<Tz: TimeZone>(conn: &Connection, now: DateTime<Utc>, tz: &Tz, away_marker: Option<&str>) -> Result<Today> {
    let local_today = now.with_timezone(tz).date_naive();
    let start_of_day = local_to_utc(tz, local_today, NaiveTime::MIN);
    let end_of_day = local_to_utc(tz, local_today + Duration::days(1), NaiveTime::MIN);
    let sql = format!(
        "SELECT {REMINDER_COLUMNS}, r.notified_how FROM reminders r JOIN customers c ON c.id = r.customer_id
         WHERE r.done_at IS NULL AND r.dismissed_at IS NULL AND coalesce(r.snoozed_until, r.due_at) < ?1
         ORDER BY coalesce(r.snoozed_until, r.due_at)"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([timestamp(end_of_day)])?;
    let mut view = Today { away: Vec::new(), overdue: Vec::new(), today: Vec::new(), more: 0 };
    let start = timestamp(start_of_day);
    while let Some(row) = rows.next()? {
        let how: Option<String> = row.get(10)?;
        let reminder = reminder_from_row(row, now)?;
        let group = if away_marker.is_some() && how.as_deref() == away_marker {
            &mut view.away
        } else if reminder.due_at < start {
            &mut view.overdue
        } else {
            &mut view.today
        };
        if group.len() < GROUP_LIMIT {
            group.push(reminder);
        } else {
            view.more += 1;
        }
    }
    Ok(view)
}

/// A customer's open reminder that falls due first (overdue ones included),
/// for the card's "next" line; `label` is left for the caller to fill.
pub fn next_for(conn: &Connection, customer_id: &str, now: DateTime<Utc>) -> Result<Option<Reminder>> {
    let sql = format!(
        "SELECT {REMINDER_COLUMNS} FROM reminders r JOIN customers c ON c.id = r.customer_id
         WHERE r.customer_id = ?1 AND r.done_at IS NULL AND r.dismissed_at IS NULL
         ORDER BY coalesce(r.snoozed_until, r.due_at) LIMIT 1"
    );
    Ok(conn.prepare_cached(&sql)?.query_row([customer_id], |row| reminder_from_row(row, now)).optional()?)
}

/// The number of open reminders due by now, for the badge on "Today".
pub fn due_count(conn: &Connection, now: DateTime<Utc>) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM reminders WHERE done_at IS NULL AND dismissed_at IS NULL
             AND coalesce(snoozed_until, due_at) <= ?1",
        )?
        .query_row([timestamp(now)], |row| row.get(0))?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Snooze {
    OneHour,
    TomorrowMorning,
    NextWeek,
}

/// Snoozes a reminder; it fires again (once) when the snooze ends.
pub fn snooze<Tz: TimeZone>(
    conn: &Connection,
    id: &str,
    how: Snooze,
    now: DateTime<Utc>,
    tz: &Tz,
    rules: &Rules,
) -> Result<DateTime<Utc>> {
    let today = now.with_timezone(tz).date_naive();
    let until = match how {
        Snooze::OneHour => now + Duration::hours(1),
        Snooze::TomorrowMorning => at_hour(tz, today + Duration::days(1), rules.due_hour),
        Snooze::NextWeek => at_hour(tz, today + Duration::days(7), rules.due_hour),
    };
    let changed = conn.execute(
        "UPDATE reminders SET snoozed_until = ?2, notified_at = NULL, notified_how = NULL, updated_at = ?3
         WHERE id = ?1 AND done_at IS NULL AND dismissed_at IS NULL",
        params![id, timestamp(until), timestamp(now)],
    )?;
    if changed == 0 {
        return Err(Error::NotFound("This reminder"));
    }
    Ok(until)
}

/// Done: the thing was done. Dismissed: not needed. Either way it is
/// closed; returns its source and the source's row, so the caller can close
/// that too in the same transaction (`features::reminder_sources::close`).
pub fn close(conn: &Connection, id: &str, dismissed: bool, now: DateTime<Utc>) -> Result<(String, Option<String>)> {
    let column = if dismissed { "dismissed_at" } else { "done_at" };
    let changed = conn.execute(
        &format!("UPDATE reminders SET {column} = ?2, updated_at = ?2 WHERE id = ?1 AND done_at IS NULL AND dismissed_at IS NULL"),
        params![id, timestamp(now)],
    )?;
    if changed == 0 {
        return Err(Error::NotFound("This reminder"));
    }
    Ok(conn.query_row("SELECT source, source_id FROM reminders WHERE id = ?1", [id], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?)
}
