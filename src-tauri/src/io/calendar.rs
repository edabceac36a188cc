//! The shop's calendar file: every birthday (a yearly all-day event) and
//! every membership renewal (an all-day event on its date) as iCalendar
//! (RFC 5545), written to a file the owner chose and kept up to date
//! while the app runs, so a calendar that subscribes to the file shows
//! them beside the owner's own appointments.
//!
//! Events keep their `UID` (`birthday-<customer id>`, `renewal-<membership
//! id>`), so a calendar updates an event instead of adding a second one.
//! The file is rewritten only when its text would change, through a
//! temporary file and a rename: a calendar reading it never sees half.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::db::settings;
use crate::io::safe_file::{self, write_atomically};
use crate::kernel::birthday::Birthday;
use crate::kernel::content_lines::{escape, push_folded};
use crate::kernel::error::Result;
use crate::kernel::time::stored_day;

/// The settings row of where this computer writes the calendar file.
pub const SETTINGS_KEY: &str = "calendar_file";

/// Where the calendar is kept, as chosen in the save dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFile {
    pub path: PathBuf,
}

pub fn load_setting(conn: &Connection) -> Result<Option<CalendarFile>> {
    // Stopping saves `null`: the row says "none" rather than vanishing.
    Ok(settings::load_json::<Option<CalendarFile>>(conn, SETTINGS_KEY)?.flatten())
}

/// Keeps the calendar at `file` from now on (`None`: no calendar file; a
/// file already written stays where it is, no longer updated).
pub fn save_setting(conn: &Connection, file: Option<&CalendarFile>, now: DateTime<Utc>) -> Result<()> {
    settings::save_json(conn, SETTINGS_KEY, &file, now)
}

/// An RFC 3339 timestamp as iCalendar's UTC form ("20261202T141016Z").
fn utc_stamp(text: &str) -> String {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|_| "19700101T000000Z".into())
}

/// The calendar's text: the shop's birthdays (archived cards left out) and
/// open renewals. Returns it and how many events it holds.
pub fn calendar_text(conn: &Connection) -> Result<(String, usize)> {
    let shop = settings::load(conn)?.shop_name;
    let mut out = String::new();
    let line = |out: &mut String, text: String| push_folded(out, &text);
    line(&mut out, "BEGIN:VCALENDAR".into());
    line(&mut out, "VERSION:2.0".into());
    line(&mut out, "PRODID:-//Regulars//Regulars//EN".into());
    line(&mut out, "CALSCALE:GREGORIAN".into());
    let title = if shop.is_empty() {
        "Regulars: birthdays and renewals".to_string()
    } else {
        format!("{shop}: birthdays and renewals")
    };
    line(&mut out, format!("X-WR-CALNAME:{}", escape(&title)));
    let mut events = 0;

    let mut stmt = conn.prepare(
        "SELECT id, display_name, birthday, updated_at FROM customers
         WHERE birthday IS NOT NULL AND archived_at IS NULL ORDER BY pk",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (id, name, birthday, updated): (String, String, String, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        // A damaged cell is left out, as everywhere else that reads it.
        let Some(birthday) = Birthday::from_iso(&birthday) else { continue };
        // Without a year, a leap year, so that 29 February is a real date.
        let year = birthday.year.unwrap_or(2000);
        line(&mut out, "BEGIN:VEVENT".into());
        line(&mut out, format!("UID:birthday-{id}@regulars"));
        line(&mut out, format!("DTSTAMP:{}", utc_stamp(&updated)));
        line(&mut out, format!("DTSTART;VALUE=DATE:{year:04}{:02}{:02}", birthday.month, birthday.day));
        // 29 February falls on the last day of February in other years.
        let rule = if (birthday.month, birthday.day) == (2, 29) {
            "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"
        } else {
            "RRULE:FREQ=YEARLY"
        };
        line(&mut out, rule.into());
        line(&mut out, format!("SUMMARY:{}", escape(&format!("Birthday: {name}"))));
        line(&mut out, "TRANSP:TRANSPARENT".into());
        line(&mut out, "END:VEVENT".into());
        events += 1;
    }

    let mut stmt = conn.prepare(
        "SELECT m.id, c.display_name, m.plan_name, m.renews_on, m.updated_at FROM memberships m
         JOIN customers c ON c.id = m.customer_id
         WHERE m.ended_at IS NULL AND c.archived_at IS NULL ORDER BY m.renews_on, m.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (id, name, plan, renews, updated): (String, String, String, String, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?);
        let Some(day) = stored_day(&renews) else { continue };
        line(&mut out, "BEGIN:VEVENT".into());
        line(&mut out, format!("UID:renewal-{id}@regulars"));
        line(&mut out, format!("DTSTAMP:{}", utc_stamp(&updated)));
        line(&mut out, format!("DTSTART;VALUE=DATE:{}", day.format("%Y%m%d")));
        line(&mut out, format!("SUMMARY:{}", escape(&format!("Renewal: {name} ({plan})"))));
        line(&mut out, "TRANSP:TRANSPARENT".into());
        line(&mut out, "END:VEVENT".into());
        events += 1;
    }
    line(&mut out, "END:VCALENDAR".into());
    Ok((out, events))
}

/// Writes the calendar to `path` when its text differs from what is there.
/// Returns how many events it holds and whether the file was rewritten.
pub fn write_calendar(conn: &Connection, path: &Path) -> Result<(usize, bool)> {
    let (text, events) = calendar_text(conn)?;
    // Compared through one open handle, reading no more than the new text:
    // the file lives in a folder others may write to.
    if safe_file::holds(path, text.as_bytes()) {
        return Ok((events, false));
    }
    write_atomically(path, |file| {
        use std::io::Write;
        file.write_all(text.as_bytes())?;
        Ok(())
    })?;
    Ok((events, true))
}

/// How often, at most, the file is brought up to date: a busy desk changes
/// data every few seconds, and a calendar needs no more than this.
pub const KEEP_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// Keeps the calendar file in step with the shop from a connection of its
/// own (the scheduler's): it looks when the data changed since its last
/// look (SQLite's `data_version` moves when another connection commits),
/// at most every `KEEP_EVERY`.
#[derive(Default)]
pub struct Keeper {
    /// The data version and file at the last look that wrote or checked it.
    seen: Option<(i64, PathBuf)>,
    last_look: Option<DateTime<Utc>>,
}

impl Keeper {
    /// Brings the file up to date if it is due; `Some(rewritten)` when it
    /// looked. The path comes back from the shop file, so it is checked
    /// each time by `allowed` as if just chosen in the dialog (outside the
    /// data folder, a regular file or a new name): a row a restored or
    /// damaged file brought can never aim the calendar at the shop's own
    /// files.
    pub fn look(
        &mut self,
        conn: &Connection,
        now: DateTime<Utc>,
        allowed: &dyn Fn(&Path) -> Result<()>,
    ) -> Result<Option<bool>> {
        let Some(file) = load_setting(conn)? else {
            self.seen = None;
            return Ok(None);
        };
        if self.last_look.is_some_and(|last| now - last < KEEP_EVERY) {
            return Ok(None);
        }
        let version: i64 = conn.query_row("PRAGMA data_version", [], |row| row.get(0))?;
        let key = (version, file.path.clone());
        if self.seen.as_ref() == Some(&key) {
            return Ok(None);
        }
        self.last_look = Some(now);
        allowed(&file.path)?;
        let (_, rewritten) = write_calendar(conn, &file.path)?;
        self.seen = Some(key);
        Ok(Some(rewritten))
    }
}
