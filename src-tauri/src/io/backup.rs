//! Backups with SQLite's online backup API: a consistent copy of the open
//! database while the app keeps running.
//!
//! - Automatic: at start and daily while the app runs, into
//!   `<data>/backups/auto-YYYY-MM-DD_HHMMSS.sqlite3`, keeping the newest N
//!   (a setting, 7 unless changed). Older automatic ones are deleted.
//! - Manual: to any file the owner chooses.
//! - Restore: the chosen backup is checked first (`PRAGMA integrity_check`,
//!   a schema version this app knows, and exactly the tables, indexes and
//!   triggers its migrations make), the current database is saved as
//!   `<data>/backups/before-restore-....sqlite3` (deleted after 30 days),
//!   the backup is copied aside, migrated forward and given what survives
//!   a restore (this computer's own settings rows, the owner PIN and its
//!   wait, the audit trail with the restore's line), and then its pages are
//!   copied into the open database in one step.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use crate::db::settings;
use crate::db::store::{self, Store};
use crate::features::owner;
use crate::io::{calendar, safe_file, updates};
use crate::kernel::error::{Error, Result};
use crate::kernel::secret::Key;
use crate::records::audit;
use ts_rs::TS;

pub const BACKUPS_DIR: &str = "backups";
pub const AUTO_PREFIX: &str = "auto-";
pub const BEFORE_RESTORE_PREFIX: &str = "before-restore-";
pub const EXTENSION: &str = "sqlite3";
pub const DEFAULT_KEEP: usize = 7;
/// How long the copy saved before a restore is kept.
pub const BEFORE_RESTORE_KEEP_DAYS: i64 = 30;
/// How often the running app makes an automatic backup.
pub const EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// The settings row of how many automatic backups this computer keeps.
pub const SETTINGS_KEY: &str = "backups";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct BackupSettings {
    /// How many automatic backups to keep.
    pub keep: usize,
}

impl Default for BackupSettings {
    fn default() -> Self {
        BackupSettings { keep: DEFAULT_KEEP }
    }
}

pub fn load_settings(conn: &Connection) -> Result<BackupSettings> {
    Ok(settings::load_json(conn, SETTINGS_KEY)?.unwrap_or_default())
}

pub fn save_settings(conn: &Connection, value: &BackupSettings, now: DateTime<Utc>) -> Result<BackupSettings> {
    if !(1..=365).contains(&value.keep) {
        return Err(Error::invalid("keep", "Keep between 1 and 365 automatic backups."));
    }
    settings::save_json(conn, SETTINGS_KEY, value, now)?;
    Ok(*value)
}

pub fn backups_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(BACKUPS_DIR)
}

/// Copies the open database to `dest` with the online backup API, through
/// a temporary file beside it, so `dest` is either complete or untouched.
/// The copy is encrypted with `key`, the shop's own (SQLCipher copies page
/// by page between files with the same key and page size).
///
/// `dest` may be in a folder others write to (a shared or synced folder, a
/// USB stick), so the temporary file is never reached through a link:
/// it is created new by us (`safe_file::create_new`, which removes a link
/// or a stale file in its way), named by the folder's real path, and
/// SQLite opens it with `SQLITE_OPEN_NOFOLLOW` (without it SQLite resolves
/// links itself, and would copy the shop's pages over whatever a link
/// planted there points at). Its journal's name is cleared the same way;
/// SQLite opens a journal with `O_NOFOLLOW`.
pub fn backup_to(conn: &Connection, dest: &Path, key: Option<&Key>) -> Result<()> {
    let folder = match dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => {
            std::fs::create_dir_all(parent)?;
            // The real path, so no link on the way makes SQLite refuse it
            // (`SQLITE_OPEN_NOFOLLOW` refuses a link anywhere in the path).
            // Windows' real paths are `\\?\` paths, and its SQLite never
            // resolves links, so there the folder is used as it is.
            if cfg!(unix) {
                std::fs::canonicalize(parent)?
            } else {
                parent.to_path_buf()
            }
        }
        None => std::env::current_dir()?,
    };
    let name = dest.file_name().ok_or_else(|| Error::invalid("file", "That is not a file name. Choose a file."))?;
    let temp = safe_file::temp_beside(&folder.join(name));
    let journal = PathBuf::from(format!("{}-journal", temp.display()));
    if std::fs::symlink_metadata(&journal).is_ok_and(|meta| meta.file_type().is_file() || meta.file_type().is_symlink())
    {
        std::fs::remove_file(&journal)?;
    }
    drop(safe_file::create_new(&temp)?);
    let outcome = (|| -> Result<()> {
        let flags =
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let mut target = Connection::open_with_flags(&temp, flags)?;
        store::unlock(&target, key)?;
        copy_all(conn, &mut target)?;
        drop(target);
        std::fs::rename(&temp, dest)?;
        Ok(())
    })();
    if outcome.is_err() {
        // The file made above (or a link swapped in for it: the link goes).
        let _ = std::fs::remove_file(&temp);
    }
    outcome
}

/// Copies every page of `from` into `to` in one backup step (a negative
/// page count means all), retrying briefly while the source is busy.
fn copy_all(from: &Connection, to: &mut Connection) -> Result<()> {
    use rusqlite::backup::StepResult;
    let backup = Backup::new(from, to)?;
    for _ in 0..100 {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked => std::thread::sleep(Duration::from_millis(50)),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    Err(Error::Conflict("The database stayed busy; the backup was not made. Please try again.".into()))
}

/// The backup copied to a temporary file in the backups folder, in the
/// shop's own form, for the restore to migrate and adjust before it takes
/// the shop's place; the backup itself is only read. `shop` is the open
/// shop, whose page size a plain copy takes.
///
/// - An encrypted shop: the backup is exported into an encrypted copy in
///   the current format (`sqlcipher_export`), whether it is encrypted with
///   the same key in any format this app wrote or plain (made before the
///   shop was encrypted).
/// - A plain shop: copied page by page, and rebuilt with the shop's page
///   size when the sizes differ. SQLite's backup API cannot change the page
///   size of a database in WAL mode, so a backup made before shops moved to
///   16 KB pages (or a 16 KB one restored into an older 4 KB shop) is
///   rebuilt in the copy (`VACUUM` can change it outside WAL mode).
fn staged_copy(backup: &Path, shop: &Connection, key: Option<&Key>, data_dir: &Path) -> Result<Staged> {
    let path = backups_dir(data_dir).join(".restore-staging.sqlite3");
    std::fs::create_dir_all(backups_dir(data_dir))?;
    let staged = Staged { path };
    staged.remove();
    if let Some(key) = key {
        if store::is_plain(backup)? {
            store::export_encrypted(backup, None, staged.path(), key)?;
            tracing::info!("a plain backup was encrypted for the restore");
        } else {
            // Checked first for its own message on another shop's key.
            drop(open_backup(backup, Some(key))?);
            // Exported, not copied page by page: a backup from before the
            // current encrypted format has other page sizes.
            store::export_encrypted(backup, Some(key), staged.path(), key)?;
        }
        return Ok(staged);
    }
    // (Only for a plain shop: an encrypted file's page size is SQLCipher's,
    // the same for every file this app writes, and SQLCipher answers this
    // pragma itself.)
    let page_size: i64 = shop.query_row("PRAGMA page_size", [], |row| row.get(0))?;
    let source = open_backup(backup, None)?;
    let theirs: i64 = source.query_row("PRAGMA page_size", [], |row| row.get(0))?;
    let mut target = Connection::open(staged.path())?;
    copy_all(&source, &mut target)?;
    if theirs != page_size {
        target.pragma_update(None, "journal_mode", "DELETE")?;
        target.pragma_update(None, "page_size", page_size)?;
        target.execute_batch("VACUUM")?;
        let now: i64 = target.query_row("PRAGMA page_size", [], |row| row.get(0))?;
        if now != page_size {
            return Err(Error::Conflict(format!(
                "The backup's pages ({theirs} bytes) could not be converted to this shop's ({page_size} bytes)."
            )));
        }
        tracing::info!(from = theirs, to = page_size, "backup converted to the shop's page size for the restore");
    }
    Ok(staged)
}

/// The copy a restore works on, deleted with its companions when this is
/// dropped (also when the restore fails).
struct Staged {
    path: PathBuf,
}

impl Staged {
    fn path(&self) -> &Path {
        &self.path
    }

    fn remove(&self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Copies `from` to `to` (a new file) and forces it to disk. On any
/// failure (a full disk among them) `to` is removed and the error returned.
fn copy_durably(from: &Path, to: &Path) -> Result<()> {
    let outcome = (|| -> std::io::Result<()> {
        let mut source = std::fs::File::open(from)?;
        let mut target = safe_file::create_new(to).map_err(|error| std::io::Error::other(error.to_string()))?;
        std::io::copy(&mut source, &mut target)?;
        target.sync_all()
    })();
    if let Err(error) = outcome {
        let _ = std::fs::remove_file(to);
        return Err(Error::Conflict(format!(
            "The backup could not be copied into place ({error}); nothing was changed."
        )));
    }
    Ok(())
}

/// Makes a rename inside `folder` durable (on Unix a folder can be synced;
/// elsewhere the rename is as durable as the system makes it).
pub fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

/// Makes an automatic backup named after `now` and deletes the automatic
/// backups beyond the newest `keep`.
pub fn automatic(
    conn: &Connection,
    data_dir: &Path,
    keep: usize,
    key: Option<&Key>,
    now: DateTime<Utc>,
) -> Result<PathBuf> {
    let dir = backups_dir(data_dir);
    let path = dir.join(format!("{AUTO_PREFIX}{}.{EXTENSION}", now.format("%Y-%m-%d_%H%M%S")));
    backup_to(conn, &path, key)?;
    rotate(&dir, keep, now)?;
    // File names only: a folder's path can name the person who uses it.
    tracing::info!(file = %path.file_name().unwrap_or_default().to_string_lossy(), "automatic backup made");
    Ok(path)
}

/// Deletes the oldest automatic backups so that `keep` remain, and the
/// copies saved before a restore once they are [`BEFORE_RESTORE_KEEP_DAYS`]
/// old; returns how many were deleted. Other files are left alone.
pub fn rotate(dir: &Path, keep: usize, now: DateTime<Utc>) -> Result<usize> {
    let expired = prune_before_restore(dir, now)?;
    let mut automatic: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            name.starts_with(AUTO_PREFIX) && name.ends_with(&format!(".{EXTENSION}"))
        })
        .collect();
    automatic.sort(); // the names sort by time
    let excess = automatic.len().saturating_sub(keep.max(1));
    for path in &automatic[..excess] {
        std::fs::remove_file(path)?;
    }
    Ok(excess + expired)
}

/// When a copy saved before a restore made at `made` is deleted: it is
/// there to undo a restore, which is noticed within days, and a customer
/// deleted completely must not stay in it for ever.
pub fn before_restore_expires(made: DateTime<Utc>) -> DateTime<Utc> {
    made + chrono::Duration::days(BEFORE_RESTORE_KEEP_DAYS)
}

/// The time a backup's file name says it was made (`auto-` or
/// `before-restore-` and `YYYY-MM-DD_HHMMSS`), if it says one.
pub fn made_at_from_name(name: &str) -> Option<DateTime<Utc>> {
    let stem = name.strip_suffix(&format!(".{EXTENSION}"))?;
    let stamp = stem.strip_prefix(AUTO_PREFIX).or_else(|| stem.strip_prefix(BEFORE_RESTORE_PREFIX))?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d_%H%M%S").ok().map(|t| t.and_utc())
}

fn prune_before_restore(dir: &Path, now: DateTime<Utc>) -> Result<usize> {
    let mut deleted = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !name.starts_with(BEFORE_RESTORE_PREFIX) {
            continue;
        }
        if made_at_from_name(&name).is_some_and(|made| before_restore_expires(made) <= now) {
            std::fs::remove_file(&path)?;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            deleted += 1;
        }
    }
    Ok(deleted)
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct BackupInfo {
    pub file_name: String,
    pub path: String,
    pub size_bytes: u64,
    /// Made automatically (rotated) or saved before a restore (kept 30 days).
    pub automatic: bool,
    pub made_at: String,
}

/// The backups folder's backups, newest first.
pub fn list(data_dir: &Path) -> Result<Vec<BackupInfo>> {
    let dir = backups_dir(data_dir);
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(&format!(".{EXTENSION}")) || name.starts_with('.') {
            continue;
        }
        let meta = entry.metadata()?;
        let made_at =
            meta.modified().ok().map(|t| crate::kernel::time::timestamp(DateTime::<Utc>::from(t))).unwrap_or_default();
        found.push(BackupInfo {
            automatic: name.starts_with(AUTO_PREFIX),
            file_name: name,
            path: entry.path().display().to_string(),
            size_bytes: meta.len(),
            made_at,
        });
    }
    found.sort_by(|a, b| b.made_at.cmp(&a.made_at).then(b.file_name.cmp(&a.file_name)));
    Ok(found)
}

/// Checks that `path` is a sound Regulars database this app can open,
/// plain (made before the shop was encrypted) or encrypted with `key`;
/// returns its schema version.
pub fn check(path: &Path, key: Option<&Key>) -> Result<i64> {
    let not_ours = || Error::invalid("file", "This file is not a Regulars backup.");
    if !path.is_file() {
        return Err(Error::invalid("file", "The backup file was not found."));
    }
    let conn = open_backup(path, key)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|_| not_ours())?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .map_err(|e| Error::invalid("file", format!("The backup is damaged and cannot be used: {e}")))?;
    if verdict != "ok" {
        return Err(Error::invalid("file", format!("The backup is damaged and cannot be used ({verdict}).")));
    }
    let has_customers: bool = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'customers'", [], |row| {
            row.get::<_, i64>(0)
        })
        .map_err(|_| not_ours())?
        > 0;
    if version < 1 || !has_customers {
        return Err(not_ours());
    }
    if version > store::schema_version() {
        return Err(Error::NewerSchema { found: version, known: store::schema_version() });
    }
    // Every table, column, index and trigger as this app's migrations make
    // them at that version: a file that merely has a `customers` table
    // (and perhaps no append-only trigger on the audit trail) is refused.
    if !store::schema_is_ours(&conn, version)? {
        return Err(Error::invalid(
            "file",
            "This file is not a Regulars backup: its tables are not the ones Regulars makes. Nothing was changed.",
        ));
    }
    Ok(version)
}

/// A backup opened to read: without a key when it is plain, else with the
/// shop's. One encrypted with another key (another shop's, or this shop's
/// before its key changed) is refused with a message that says so.
fn open_backup(path: &Path, key: Option<&Key>) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    let plain = store::is_plain(path).unwrap_or(false);
    match store::unlock(&conn, if plain { None } else { key }) {
        Ok(()) => Ok(conn),
        Err(Error::WrongKey) => Err(Error::invalid("file", "This backup is encrypted with another key: it is another shop's, or not a Regulars backup. Nothing was changed.")),
        Err(_) if !plain => Err(Error::invalid("file", "This file is not a Regulars backup, or it is encrypted with another key. Nothing was changed.")),
        Err(error) => Err(Error::invalid("file", format!("The backup is damaged and cannot be used: {error}"))),
    }
}

/// The settings rows a restore never takes from the restored file: where
/// this computer writes its calendar file and how many automatic backups
/// it keeps are this computer's, not the shop's (a crafted file could
/// otherwise point the calendar at any file the owner can write), and the
/// owner PIN with its wait after wrong tries is the owner's protection
/// now, not what it was when the backup was made. How this computer
/// updates itself and whether it was set to start at login once are its
/// own too (an older backup must not turn the daily check back on, or
/// start at login the owner turned off).
const KEPT_SETTINGS: [&str; 5] = [
    calendar::SETTINGS_KEY,
    SETTINGS_KEY,
    owner::SETTINGS_KEY,
    updates::AUTO_CHECK_KEY,
    updates::AUTOSTART_OFFERED_KEY,
];
/// Of those, the ones that are this computer's: never taken from a
/// restored file, even when the shop it replaces could not be read.
const THIS_COMPUTERS_SETTINGS: [&str; 4] =
    [calendar::SETTINGS_KEY, SETTINGS_KEY, updates::AUTO_CHECK_KEY, updates::AUTOSTART_OFFERED_KEY];

/// What a restore carries over from the shop it replaces.
struct Kept {
    settings: Vec<(&'static str, Option<String>)>,
    trail: Vec<audit::StoredLine>,
}

impl Kept {
    fn read(conn: &Connection) -> Result<Kept> {
        let settings = KEPT_SETTINGS.iter().map(|&key| Ok((key, settings::raw(conn, key)?))).collect::<Result<_>>()?;
        Ok(Kept { settings, trail: audit::every_line(conn)? })
    }
}

/// Makes the restored data keep what must survive a restore, in one
/// transaction, and adds the restore to the audit trail: this shop's
/// settings rows and trail when it could be read (`kept`); when it could
/// not (a damaged file), at least no device-local row from the file.
fn keep(conn: &mut Connection, kept: Option<&Kept>, backup_name: &str, now: DateTime<Utc>) -> Result<()> {
    store::write(conn, |tx| {
        match kept {
            Some(kept) => {
                for (key, value) in &kept.settings {
                    settings::put_raw(tx, key, value.as_deref(), now)?;
                }
                audit::replace_with(tx, &kept.trail)?;
            }
            None => {
                for key in THIS_COMPUTERS_SETTINGS {
                    settings::put_raw(tx, key, None, now)?;
                }
            }
        }
        // What went out after the backup was made is not in it: its
        // unfinished group messages wait for the owner (never sent twice).
        crate::records::mailings::hold_after_restore(tx, now)?;
        audit::append(tx, owner::who_does_owner_work(tx)?, "restored a backup", backup_name, now)
    })
}

/// Replaces the shop's data with the backup at `backup`, after checking
/// it (a sound file with this app's own schema) and saving the current
/// database into the backups folder (returned). The backup is copied,
/// migrated forward like any older shop and given what a restore keeps
/// (see `KEPT_SETTINGS`; the audit trail, with the restore's own line)
/// before it takes the shop's place in one step. `slot` is the app's
/// store: it is reopened on success. A store that could not be opened
/// (`None`) is moved aside as a file instead.
pub fn restore(
    slot: &mut Option<Store>,
    data_dir: &Path,
    backup: &Path,
    key: Option<&Key>,
    now: DateTime<Utc>,
) -> Result<PathBuf> {
    check(backup, key)?;
    // A file name only, for the trail: a folder's path can name a person.
    let backup_name = backup.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let saved =
        backups_dir(data_dir).join(format!("{BEFORE_RESTORE_PREFIX}{}.{EXTENSION}", now.format("%Y-%m-%d_%H%M%S")));
    let opened_as_file = slot.is_none();
    match slot.as_mut() {
        Some(store) => {
            let kept = Kept::read(store.conn())?;
            backup_to(store.conn(), &saved, key)?;
            let staged = staged_copy(backup, store.conn(), key, data_dir)?;
            let mut incoming = Store::open_with(staged.path(), key)?;
            keep(incoming.conn_mut(), Some(&kept), &backup_name, now)?;
            // One step for all pages: the copy is a single write transaction
            // on the open database, so it is all there or not at all.
            copy_all(incoming.conn(), store.conn_mut())?;
        }
        None => {
            let db = data_dir.join(store::DATABASE_FILE);
            std::fs::create_dir_all(backups_dir(data_dir))?;
            // The copy is made complete and on disk beside the database
            // first; only then is the old file moved aside and the copy
            // renamed into place. A full disk fails the copy and leaves the
            // shop as it was, never a partial file that would open as an
            // empty shop.
            let temp = data_dir.join(format!(".{}.restoring", store::DATABASE_FILE));
            copy_durably(backup, &temp)?;
            if db.exists() {
                std::fs::rename(&db, &saved)?;
                for suffix in ["-wal", "-shm"] {
                    let companion = data_dir.join(format!("{}{suffix}", store::DATABASE_FILE));
                    if companion.exists() {
                        std::fs::rename(&companion, PathBuf::from(format!("{}{suffix}", saved.display())))?;
                    }
                }
            }
            std::fs::rename(&temp, &db)?;
            sync_folder(data_dir);
        }
    }
    *slot = None; // close before reopening: one connection at a time
    let mut reopened = Store::open_with(&data_dir.join(store::DATABASE_FILE), key)?;
    if opened_as_file {
        keep(reopened.conn_mut(), None, &backup_name, now)?;
    }
    *slot = Some(reopened);
    tracing::info!(saved = %saved.file_name().unwrap_or_default().to_string_lossy(), "restored from a backup");
    Ok(saved)
}
