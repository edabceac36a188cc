//! "Delete completely": the customer's rows and every trace of them in the
//! database file (`features::cards::erase`), the pages printed for them in
//! the data folder, and an honest answer about what still holds them: the
//! backups, until they rotate away.

use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::features::cards;
use crate::io::backup::{self, BackupInfo};
use crate::io::logging;
use crate::kernel::error::Result;
use crate::records::customers;

/// The folder in the data folder where printed pages are written
/// (`app::desktop::print_path`); a customer's pages carry their id in the
/// file name (`plan-<id>.pdf`).
pub const PRINT_DIR: &str = "print";

/// What an erase did, and what still holds the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Erased {
    /// The sentence the card shows after the erase.
    pub said: String,
    /// The local date (YYYY-MM-DD) from which no automatic backup holds
    /// them any more, if the app makes its daily backup; `None` when no
    /// automatic backup holds them.
    pub backups_hold_until: Option<String>,
    /// Copies saved before a restore (deleted 30 days after it) that were
    /// made after the customer was added.
    pub kept_backups: usize,
}

/// Erases the customer `id`, removes their printed pages from the data
/// folder and says until when the backups still hold them. The database
/// part is one transaction; once it is done the answer is always given,
/// even if a printed page could not be removed (the sentence says so).
pub fn erase_customer<Tz: TimeZone>(
    conn: &mut Connection,
    data_dir: &Path,
    id: &str,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Result<Erased> {
    let card = customers::get(conn, id)?;
    let keep = backup::load_settings(conn)?.keep;
    cards::erase(conn, id)?;

    let left_printed = remove_printed(data_dir, id);
    let added = DateTime::parse_from_rfc3339(&card.created_at).map(|at| at.with_timezone(&Utc)).ok();
    let (Holding { until, kept: kept_backups, kept_until }, listed) = match backup::list(data_dir) {
        Ok(backups) => (backups_holding(&backups, added, keep, now), true),
        Err(error) => {
            tracing::warn!(error = %logging::error_line(&error), "could not list the backups after an erase");
            (Holding { until: None, kept: 0, kept_until: None }, false)
        }
    };
    let until_local = until.map(|at| at.with_timezone(tz).date_naive());

    let mut said = format!("{} is deleted.", card.display_name);
    match until_local {
        Some(day) => said.push_str(&format!(
            " The automatic backups made before now still hold them until {}, when the last of those is replaced (if Regulars runs every day).",
            day.format("%-d %B %Y")
        )),
        None if listed => said.push_str(" No automatic backup holds them."),
        None => said.push_str(" The backups could not be checked: the automatic ones still hold them until they are replaced."),
    }
    if let Some(kept_until) = kept_until.filter(|_| kept_backups > 0) {
        let day = kept_until.with_timezone(tz).date_naive().format("%-d %B %Y");
        said.push_str(&if kept_backups == 1 {
            format!(" 1 backup saved before a restore still holds them until {day}, when it is deleted.")
        } else {
            format!(" {kept_backups} backups saved before a restore still hold them until {day}, when the last of them is deleted.")
        });
    }
    if left_printed > 0 {
        said.push_str(" A page printed for them could not be removed from the print folder; please delete it there.");
    }
    said.push_str(" Copies saved elsewhere (a backup or an export you chose) are not touched.");
    Ok(Erased { said, backups_hold_until: until_local.map(|day| day.format("%Y-%m-%d").to_string()), kept_backups })
}

/// Removes every page printed for the customer (a name in `print/` that
/// contains their id); returns how many could not be removed.
fn remove_printed(data_dir: &Path, id: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(data_dir.join(PRINT_DIR)) else {
        return 0; // nothing was ever printed
    };
    let mut left = 0;
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().contains(id) {
            if let Err(error) = std::fs::remove_file(entry.path()) {
                tracing::warn!(customer = id, error = %error.kind(), "could not remove a printed page after an erase");
                left += 1;
            }
        }
    }
    left
}

/// How long a page sent to print stays in `print/`: the viewer has
/// opened it and printed by then. The file is plain (a viewer must read
/// it), so it does not stay beside the encrypted shop.
pub const PRINTED_KEEP: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes the printed pages older than `keep` (every one for zero, as at
/// start); returns how many were removed.
pub fn prune_printed(data_dir: &Path, keep: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(data_dir.join(PRINT_DIR)) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let age = entry
            .metadata()
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|made| made.elapsed().ok())
            .unwrap_or_default();
        if (keep.is_zero() || age >= keep) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// What still holds an erased customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// When the last automatic backup holding them is rotated away.
    pub until: Option<DateTime<Utc>>,
    /// How many copies saved before a restore hold them...
    pub kept: usize,
    /// ...and when the last of those is deleted (`backup::before_restore_expires`).
    pub kept_until: Option<DateTime<Utc>>,
}

/// When the last automatic backup that holds a customer added at `added`
/// is rotated away, and which copies saved before a restore hold them.
///
/// Every backup made since they were added holds them (all of them when
/// `added` is unknown). Rotation keeps the newest `keep` automatic ones
/// and the app makes one a day, so the newest of those existing now is
/// replaced `keep` days after it was made; a backup older than a day
/// counts from now, as the next one is due at once.
pub fn backups_holding(
    backups: &[BackupInfo],
    added: Option<DateTime<Utc>>,
    keep: usize,
    now: DateTime<Utc>,
) -> Holding {
    let made = |info: &BackupInfo| DateTime::parse_from_rfc3339(&info.made_at).map(|at| at.with_timezone(&Utc)).ok();
    // A backup whose time cannot be read is taken to hold them.
    let holds = |info: &BackupInfo| match (made(info), added) {
        (Some(at), Some(added)) => at >= added,
        _ => true,
    };
    let day = Duration::seconds(backup::EVERY.as_secs() as i64);
    let newest_automatic =
        backups.iter().filter(|info| info.automatic && holds(info)).map(|info| made(info).unwrap_or(now)).max();
    let until = newest_automatic.map(|at| at.max(now - day) + day * keep.max(1) as i32);
    let kept: Vec<&BackupInfo> = backups.iter().filter(|info| !info.automatic && holds(info)).collect();
    // The name says when the copy was made (what the pruning goes by); the
    // file's time stands in for a name that does not.
    let kept_until = kept
        .iter()
        .map(|info| {
            backup::before_restore_expires(
                backup::made_at_from_name(&info.file_name).or_else(|| made(info)).unwrap_or(now),
            )
        })
        .max();
    Holding { until, kept: kept.len(), kept_until }
}
