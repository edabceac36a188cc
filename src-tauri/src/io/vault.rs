//! Where the shop key lives and what opening a data folder needs.
//!
//! The shop file, its WAL and its backups are encrypted with SQLCipher
//! under one random 256-bit key (`kernel::secret::Key`). The key is kept:
//!
//! - in the operating system's keychain (`keyring`: Secret Service on
//!   Linux, Keychain on macOS, Credential Manager on Windows), under an
//!   account name of the shop's own; or
//! - nowhere, where no keychain answers: the owner types a passphrase at
//!   each start, and Argon2id turns it into the key with the parameters
//!   kept beside the file.
//!
//! `encryption.json` beside the file says which (never the key). Whatever
//! keeps it, the key itself, written out as the recovery key, opens the
//! file and its backups on any computer. Nothing here falls back to a
//! plain file: a shop without a key it can get is asked for one.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::settings;
use crate::db::store::{self, Store};
use crate::io::backup;
use crate::kernel::error::{Error, Result};
use crate::kernel::secret::{self, Kdf, Key};
use ts_rs::TS;

/// Beside the shop file: how its key is kept (no secret in it).
pub const VAULT_FILE: &str = "encryption.json";
/// The keychain's service name for every shop; each shop has its account.
const SERVICE: &str = "app.regulars.desktop";
/// The encrypted copy a conversion writes before it takes the file's place.
pub const CONVERTING_SUFFIX: &str = ".encrypting";
/// The settings row that remembers the recovery sheet was saved.
const SHEET_KEY: &str = "recovery_sheet";

/// The operating system's keychain, or a stand-in in tests.
pub trait Keychain: Send + Sync {
    /// The key kept for `account`; `Ok(None)` when there is none; `Err`
    /// (why, without secrets) when the keychain does not answer.
    fn load(&self, account: &str) -> std::result::Result<Option<Key>, String>;
    fn save(&self, account: &str, key: &Key) -> std::result::Result<(), String>;
}

/// The system keychain through the `keyring` crate.
pub struct SystemKeychain;

impl Keychain for SystemKeychain {
    fn load(&self, account: &str) -> std::result::Result<Option<Key>, String> {
        let entry = keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(hex) => Key::from_recovery(&zeroize::Zeroizing::new(hex))
                .map(Some)
                .map_err(|_| "the keychain's entry is damaged".to_string()),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(error.to_string()),
        }
    }

    fn save(&self, account: &str, key: &Key) -> std::result::Result<(), String> {
        let entry = keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())?;
        entry.set_password(&key.hex()).map_err(|e| e.to_string())
    }
}

/// How the key of an encrypted shop is kept (the content of `VAULT_FILE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "keeper", rename_all = "snake_case")]
pub enum Keeper {
    Keychain { account: String },
    Passphrase { kdf: Kdf },
}

/// What the window must ask before the shop opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    /// Nothing: the shop is open.
    Nothing,
    /// A new shop where no keychain answers: choose a passphrase.
    NewPassphrase,
    /// A shop from before encryption: the owner's consent to encrypt it.
    Convert,
    /// The passphrase (or the recovery key).
    Passphrase,
    /// The recovery key: the keychain does not have it (a new computer, a
    /// restored folder) or does not answer.
    RecoveryKey,
}

/// What the data folder holds, and the key when it can be had without asking.
#[derive(Debug)]
pub enum Door {
    /// No shop yet.
    New,
    /// A plain shop from before encryption.
    Plain,
    /// An encrypted shop and its key from the keychain.
    Open(Key),
    /// An encrypted shop whose key must be typed; `why` is said on screen.
    Ask { ask: Ask, why: String },
}

pub fn database(dir: &Path) -> PathBuf {
    dir.join(store::DATABASE_FILE)
}

fn converting(dir: &Path) -> PathBuf {
    dir.join(format!("{}{CONVERTING_SUFFIX}", store::DATABASE_FILE))
}

pub fn read_keeper(dir: &Path) -> Result<Option<Keeper>> {
    match std::fs::read(dir.join(VAULT_FILE)) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|_| {
            Error::Conflict(format!(
                "{VAULT_FILE} in the data folder is damaged. Start with the recovery key after moving it aside."
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Written whole or not at all (a temporary file renamed into place).
fn write_keeper(dir: &Path, keeper: &Keeper) -> Result<()> {
    let temp = dir.join(format!(".{VAULT_FILE}.partial"));
    let bytes = serde_json::to_vec_pretty(keeper).map_err(|e| Error::Conflict(e.to_string()))?;
    {
        use std::io::Write;
        let mut file = crate::io::safe_file::create_new(&temp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&temp, dir.join(VAULT_FILE))?;
    backup::sync_folder(dir);
    Ok(())
}

/// Looks at the data folder: a new shop, a plain one, or an encrypted one
/// with its key from the keychain or a question for the owner.
///
/// A folder whose shop file is gone (deleted, moved away, a failed disk)
/// but whose `encryption.json` is there is not a new shop: its backups
/// were made under that key, so the shop starts again under the same key
/// (from the keychain, or typed and checked against the newest backup),
/// and `encryption.json` is never overwritten while they may need it.
pub fn look(dir: &Path, keychain: &dyn Keychain) -> Result<Door> {
    finish_join(dir)?;
    let db = database(dir);
    let file_missing = shop_file_missing(dir);
    if !file_missing && store::is_plain(&db)? {
        return Ok(Door::Plain);
    }
    let keeper = read_keeper(dir)?;
    if file_missing && keeper.is_none() {
        return Ok(Door::New);
    }
    if file_missing {
        tracing::warn!(
            "the shop file is missing but its key settings are here: the shop starts again under the same key"
        );
    }
    Ok(match keeper {
        Some(Keeper::Passphrase { .. }) if file_missing => Door::Ask {
            ask: Ask::Passphrase,
            why: "The shop's data file is missing. Type the passphrase: the shop starts again under the same key, so its backups can be restored in Data.".into(),
        },
        Some(Keeper::Passphrase { .. }) => Door::Ask { ask: Ask::Passphrase, why: "This shop's data is encrypted with a passphrase.".into() },
        Some(Keeper::Keychain { account }) => match keychain.load(&account) {
            Ok(Some(key)) => Door::Open(key),
            Ok(None) => Door::Ask {
                ask: Ask::RecoveryKey,
                why: "This computer's keychain does not hold the key to this shop's data (a new computer, or a restored folder).".into(),
            },
            Err(why) => {
                tracing::warn!(error = %why, "the keychain did not answer");
                Door::Ask { ask: Ask::RecoveryKey, why: "The keychain of this computer did not answer, so the key to the shop's data could not be read.".into() }
            }
        },
        None => Door::Ask { ask: Ask::RecoveryKey, why: "This shop's data is encrypted and this computer does not know its key.".into() },
    })
}

/// Whether the data folder has no shop file (or an empty one).
fn shop_file_missing(dir: &Path) -> bool {
    std::fs::metadata(database(dir)).map(|meta| meta.len() == 0).unwrap_or(true)
}

/// The newest encrypted backup in the data folder's backups, if any.
fn newest_encrypted_backup(dir: &Path) -> Option<PathBuf> {
    backup::list(dir)
        .ok()?
        .into_iter()
        .map(|listed| PathBuf::from(listed.path))
        .find(|path| store::is_plain(path).is_ok_and(|plain| !plain))
}

/// Keeps `key` in the keychain under a new account and reads it back;
/// `Err` (why) when no keychain answers.
fn keep_in_keychain(keychain: &dyn Keychain, account: &str, key: &Key) -> std::result::Result<(), String> {
    keychain.save(account, key)?;
    match keychain.load(account)? {
        Some(kept) if kept.same_as(key) => Ok(()),
        _ => Err("the keychain did not give the key back".into()),
    }
}

/// A shared shop this device joined, made ready beside the shop file
/// (`io::sharing_setup::join`), takes the place of the new, empty shop at
/// the next start, before anything opens either.
pub const JOINING_SUFFIX: &str = ".joining";

pub fn joining_file(dir: &Path) -> PathBuf {
    dir.join(format!("{}{JOINING_SUFFIX}", store::DATABASE_FILE))
}

fn finish_join(dir: &Path) -> Result<()> {
    let joining = joining_file(dir);
    if !joining.is_file() {
        return Ok(());
    }
    let db = database(dir);
    for suffix in ["", "-wal", "-shm"] {
        match std::fs::remove_file(format!("{}{suffix}", db.display())) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error.into()),
        }
    }
    std::fs::rename(&joining, &db)?;
    backup::sync_folder(dir);
    tracing::info!("the joined shop took the new shop's place");
    Ok(())
}

/// Keeps the key of a shop this device joins in the keychain, under this
/// data folder's account, so the next start opens the joined shop without
/// asking. A shop kept by a passphrase has no keychain to keep it in.
pub fn keep_joined_key(dir: &Path, key: &Key, keychain: &dyn Keychain) -> Result<()> {
    let account = match read_keeper(dir)? {
        Some(Keeper::Keychain { account }) => account,
        Some(Keeper::Passphrase { .. }) => {
            return Err(Error::Conflict(
                "This computer keeps its shop with a passphrase because no keychain answered; joining a shared shop needs the system keychain."
                    .into(),
            ))
        }
        None => new_account(),
    };
    keep_in_keychain(keychain, &account, key)
        .map_err(|why| Error::Conflict(format!("The key could not be kept in this computer's keychain ({why}).")))?;
    write_keeper(dir, &Keeper::Keychain { account })
}

fn new_account() -> String {
    format!("shop-{}", crate::kernel::ids::new_id())
}

/// How the key of a new (or newly encrypted) shop will be kept: the
/// keychain when it answers (the key is generated and stored there now),
/// else the passphrase when one was given. With neither, the window must
/// ask for a passphrase (`Ask::NewPassphrase`).
pub fn new_key(keychain: &dyn Keychain, passphrase: Option<(&str, &str)>) -> Result<(Key, Keeper)> {
    if let Some((passphrase, repeated)) = passphrase {
        secret::check_passphrase(passphrase, repeated)?;
        let kdf = Kdf::new();
        let key = Key::from_passphrase(passphrase, &kdf)?;
        return Ok((key, Keeper::Passphrase { kdf }));
    }
    let key = Key::generate();
    let account = new_account();
    match keep_in_keychain(keychain, &account, &key) {
        Ok(()) => Ok((key, Keeper::Keychain { account })),
        Err(why) => {
            tracing::warn!(error = %why, "no keychain answered");
            Err(Error::invalid("passphrase", "This computer has no keychain that answers, so the shop's key cannot be kept there. Choose a passphrase instead: it is asked at every start."))
        }
    }
}

/// Creates a new encrypted shop with `key` kept by `keeper`.
pub fn create(dir: &Path, key: &Key, keeper: &Keeper) -> Result<Store> {
    std::fs::create_dir_all(dir)?;
    if !matches!(look(dir, &NoKeychain)?, Door::New) {
        return Err(Error::Conflict("There is already a shop in the data folder.".into()));
    }
    write_keeper(dir, keeper)?;
    Store::open_with(&database(dir), Some(key))
}

/// Opens an encrypted shop with what the owner typed: the passphrase (for
/// a passphrase shop) or the recovery key. A recovery key that opens it
/// is then kept in the keychain, when one answers, so the next start asks
/// nothing (a passphrase shop stays one).
pub fn unlock(dir: &Path, typed: &str, keychain: &dyn Keychain) -> Result<Store> {
    let keeper = read_keeper(dir)?;
    // What was typed, as a recovery key and (for a passphrase shop) as a
    // passphrase: a passphrase may look like a recovery key.
    let mut candidates = Vec::new();
    let as_recovery = Key::from_recovery(typed);
    if let Some(Keeper::Passphrase { kdf }) = &keeper {
        if typed.is_empty() {
            return Err(Error::invalid("passphrase", "Type the passphrase."));
        }
        candidates.extend(as_recovery.ok());
        candidates.push(Key::from_passphrase(typed, kdf)?);
    } else {
        candidates.push(as_recovery?);
    }
    let field = if matches!(keeper, Some(Keeper::Passphrase { .. })) { "passphrase" } else { "recovery_key" };
    if shop_file_missing(dir) {
        // Opening makes a new file under whatever key is tried, so the key
        // is first checked against the newest backup: the shop must start
        // again under the key its backups need, never a mistyped one.
        // Without a backup there is nothing to check against, and the key
        // the keeper describes (the passphrase's, else the recovery key) is
        // taken.
        candidates = match newest_encrypted_backup(dir) {
            Some(newest) => {
                let opens = |key: &Key| store::open_reader(&newest, Some(key)).is_ok();
                let right = candidates.into_iter().find(|candidate| opens(candidate));
                vec![right.ok_or_else(|| Error::invalid(field, Error::WrongKey.to_string()))?]
            }
            None => candidates.pop().into_iter().collect(),
        };
    }
    let mut opened = None;
    for candidate in candidates {
        match Store::open_with(&database(dir), Some(&candidate)) {
            Ok(store) => {
                opened = Some((store, candidate));
                break;
            }
            Err(Error::WrongKey) => continue,
            Err(error) => return Err(error),
        }
    }
    let (store, key) = opened.ok_or_else(|| Error::invalid(field, Error::WrongKey.to_string()))?;
    if !matches!(keeper, Some(Keeper::Passphrase { .. })) {
        let account = match keeper {
            Some(Keeper::Keychain { account }) => account,
            _ => new_account(),
        };
        match keep_in_keychain(keychain, &account, &key) {
            Ok(()) => write_keeper(dir, &Keeper::Keychain { account })?,
            Err(why) => {
                tracing::warn!(error = %why, "the recovery key opened the shop; no keychain answered to keep it")
            }
        }
    }
    tracing::info!("the shop was opened with a typed key");
    Ok(store)
}

/// The steps of converting a plain shop, in order; a crash after any of
/// them leaves the plain shop or the encrypted one, never neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The encrypted copy is written beside the plain file.
    Exported,
    /// The copy passed `integrity_check` and has every table's rows.
    Verified,
    /// The key is kept (keychain or passphrase settings written).
    KeyKept,
    /// The copy took the plain file's place (one rename).
    Swapped,
    /// The plain backups are gone.
    BackupsRemoved,
}

pub const STEPS: [Step; 5] = [Step::Exported, Step::Verified, Step::KeyKept, Step::Swapped, Step::BackupsRemoved];

/// Encrypts a plain shop in place: exports it into a new encrypted file,
/// checks the copy (`integrity_check`, row counts per table), keeps the
/// key, renames the copy over the plain file and removes the plain
/// backups. `after` hears each step (the command line prints them; the
/// crash test kills the process there). Returns the open encrypted shop.
pub fn convert(dir: &Path, key: &Key, keeper: &Keeper, after: &mut dyn FnMut(Step)) -> Result<Store> {
    let db = database(dir);
    let copy = converting(dir);
    if !store::is_plain(&db)? {
        return Err(Error::Conflict("The shop's data is already encrypted.".into()));
    }
    // A WAL beside the plain file is folded into it and removed first: a
    // stale WAL must never sit beside the encrypted file that replaces it.
    {
        let plain = rusqlite::Connection::open(&db)?;
        plain.busy_timeout(std::time::Duration::from_secs(5))?;
        plain.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    store::export_encrypted(&db, None, &copy, key)?;
    after(Step::Exported);

    let verified = (|| -> Result<()> {
        let plain = store::open_reader(&db, None)?;
        let encrypted = store::open_reader(&copy, Some(key))?;
        let verdict: String = encrypted.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if verdict != "ok" {
            return Err(Error::Conflict(format!(
                "The encrypted copy failed its check ({verdict}); the shop was left as it was."
            )));
        }
        if store::row_counts(&plain)? != store::row_counts(&encrypted)? {
            return Err(Error::Conflict(
                "The encrypted copy does not hold every row; the shop was left as it was.".into(),
            ));
        }
        std::fs::File::open(&copy)?.sync_all()?;
        Ok(())
    })();
    if let Err(error) = verified {
        let _ = std::fs::remove_file(&copy);
        return Err(error);
    }
    after(Step::Verified);

    write_keeper(dir, keeper)?;
    after(Step::KeyKept);

    std::fs::rename(&copy, &db)?;
    backup::sync_folder(dir);
    after(Step::Swapped);

    let removed = remove_plain_backups(dir)?;
    after(Step::BackupsRemoved);
    tracing::info!(plain_backups_removed = removed, "the shop's data is now encrypted");
    Store::open_with(&db, Some(key))
}

/// Finishes what a crash left of a conversion: before the swap, the
/// encrypted copy is removed (the plain shop stands); after it, the plain
/// backups it had yet to remove.
pub fn tidy(dir: &Path) {
    match store::is_plain(&database(dir)) {
        Ok(true) => {
            let _ = std::fs::remove_file(converting(dir));
        }
        Ok(false) => {
            if let Err(error) = remove_plain_backups(dir) {
                tracing::warn!(error = %crate::io::logging::error_line(&error), "plain backups could not be removed");
            }
        }
        Err(_) => {} // no shop file yet
    }
}

/// Deletes every plain backup in the backups folder (the ones made before
/// the shop was encrypted); returns how many.
pub fn remove_plain_backups(dir: &Path) -> Result<usize> {
    let folder = backup::backups_dir(dir);
    let Ok(entries) = std::fs::read_dir(&folder) else { return Ok(0) };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() && store::is_plain(&path).unwrap_or(false) {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// A keychain that never answers: for looking at a folder without asking
/// the system's keychain anything.
pub struct NoKeychain;

impl Keychain for NoKeychain {
    fn load(&self, _: &str) -> std::result::Result<Option<Key>, String> {
        Err("no keychain".into())
    }
    fn save(&self, _: &str, _: &Key) -> std::result::Result<(), String> {
        Err("no keychain".into())
    }
}

/// When the owner saved the recovery sheet, if they did.
pub fn sheet_saved(conn: &rusqlite::Connection) -> Result<Option<String>> {
    settings::load_json(conn, SHEET_KEY)
}

pub fn mark_sheet_saved(conn: &rusqlite::Connection, now: DateTime<Utc>) -> Result<()> {
    settings::save_json(conn, SHEET_KEY, &crate::kernel::time::timestamp(now), now)
}
