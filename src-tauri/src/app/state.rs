//! What every command works with: one writer connection for changes, a
//! few read connections for the screens, and the scheduler's wake-up.
//!
//! SQLite in WAL mode lets readers read beside the writer, so a search or
//! an opened card never waits for a write, an import or the automatic
//! backup (which, like the reminder pass, has its own connection).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::Notify;

use crate::app::files::Choices;
use crate::db::store::{self, Store};
use crate::io::vault::Ask;
use crate::kernel::error::{Error, Result};
use crate::kernel::secret::Key;

/// Read connections: the window asks for a few things at once at most
/// (a search while a card loads), and each costs a page cache.
const READERS: usize = 3;

/// How the shop stood when the window started.
pub enum Opened {
    Store(Store),
    /// Encrypted (or plain, awaiting consent to encrypt) and not open
    /// until the owner answers `ask`; `why` is said on screen.
    Ask { ask: Ask, why: String },
}

pub struct AppState {
    /// `None` when the database is not open: `gate` says what the owner
    /// must answer first, or `open_error` why it could not be opened.
    writer: Mutex<Option<Store>>,
    /// What the window must ask before the shop opens (`Ask::Nothing` once open).
    gate: Mutex<(Ask, String)>,
    /// Held by the one answer to the screens before the shop opens that is
    /// running, from its check of `gate` to the shop taken (see `through_door`).
    door: Mutex<()>,
    /// The shop's key, for the read connections (`None`: a plain file).
    key: Mutex<Option<Key>>,
    /// Whether the scheduler and the automatic backups run (started once,
    /// when the shop first opens).
    pub background_started: AtomicBool,
    /// Whether `writer` holds a store (read without taking its lock).
    is_open: AtomicBool,
    /// The database file the readers open, each on first use.
    database: PathBuf,
    readers: Vec<Mutex<Option<Connection>>>,
    open_error: Option<String>,
    /// Wakes the reminder scheduler after every change.
    wake: Arc<Notify>,
    /// Marks the reminders announced at this start ("while you were away").
    pub away_marker: String,
    pub data_dir: PathBuf,
    /// Files chosen in native dialogs, by the token the page holds.
    pub files: Choices,
    /// When the process started, to log how long the window took to be usable.
    pub started: std::time::Instant,
    /// Owner mode or desk mode (see `app::owner`).
    pub owner: OwnerSession,
}

impl AppState {
    /// The state over an opened store (or the reason it could not be opened).
    /// `started` is when the process started (for the start-up time in the log).
    pub fn new(opened: std::result::Result<Opened, String>, wake: Arc<Notify>, away_marker: String, data_dir: PathBuf, started: std::time::Instant) -> AppState {
        let (writer, gate, open_error) = match opened {
            Ok(Opened::Store(store)) => (Some(store), (Ask::Nothing, String::new()), None),
            Ok(Opened::Ask { ask, why }) => (None, (ask, why), None),
            Err(reason) => (None, (Ask::Nothing, String::new()), Some(reason)),
        };
        let database = data_dir.join(store::DATABASE_FILE);
        let key = writer.as_ref().and_then(|store| store.key().cloned());
        // One reader ready for the first search; the others open on first use.
        let first = writer.as_ref().and_then(|_| store::open_reader(&database, key.as_ref()).ok());
        let readers = std::iter::once(first).chain((1..READERS).map(|_| None)).map(Mutex::new).collect();
        AppState {
            is_open: AtomicBool::new(writer.is_some()),
            writer: Mutex::new(writer),
            gate: Mutex::new(gate),
            door: Mutex::new(()),
            key: Mutex::new(key),
            background_started: AtomicBool::new(false),
            database,
            readers,
            open_error,
            wake,
            away_marker,
            data_dir,
            files: Choices::default(),
            started,
            owner: Default::default(),
        }
    }

    fn not_open(&self) -> Error {
        if relock(&self.gate).0 != Ask::Nothing {
            return Error::Conflict("The shop's data is locked until its key is given.".into());
        }
        Error::Conflict(self.open_error.clone().unwrap_or_else(|| "The database is not open.".into()))
    }

    /// What the window must ask before the shop opens, and why.
    pub fn gate(&self) -> (Ask, String) {
        relock(&self.gate).clone()
    }

    /// The shop's key (`None` for a plain file or a shop not open).
    pub fn key(&self) -> Option<Key> {
        relock(&self.key).clone()
    }

    /// Runs one answer to the screens before the shop opens ("Encrypt my
    /// shop", "Not now", a passphrase, the recovery key) when the gate asks
    /// one of `allowed`, and takes the shop `open` returns. One runs at a
    /// time, holding the door from the check to the shop taken: a second
    /// answer while one runs is refused at once, so "Not now" pressed while
    /// the shop is being encrypted can neither open the plain file beside
    /// the conversion nor start anything on it.
    pub fn through_door(&self, allowed: &[Ask], open: impl FnOnce() -> Result<Store>) -> Result<()> {
        let _door = match self.door.try_lock() {
            Ok(held) => held,
            // A panicked answer left nothing half done that the gate does not show.
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => {
                return Err(Error::Conflict("The shop is being opened already (its data may be being encrypted). Wait a moment.".into()));
            }
        };
        if !allowed.contains(&self.gate().0) {
            return Err(Error::Conflict("The shop is already open.".into()));
        }
        self.open_store(open()?);
        Ok(())
    }

    /// Takes the shop opened after the window asked for its key (or the
    /// owner's consent): the writer, the readers' key, and no more gate.
    fn open_store(&self, store: Store) {
        let mut writer = relock(&self.writer);
        *relock(&self.key) = store.key().cloned();
        for reader in &self.readers {
            *relock(reader) = None;
        }
        *writer = Some(store);
        *relock(&self.gate) = (Ask::Nothing, String::new());
        self.is_open.store(true, Ordering::Release);
    }

    /// Runs a read on a free read connection (or waits for the next one).
    /// A read connection is opened on first use, so one is there after a
    /// restore too.
    pub fn read<T>(&self, read: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if !self.is_open.load(Ordering::Acquire) {
            return Err(self.not_open());
        }
        // The first free connection, in order: one desk typing reuses the
        // first one, whose page cache is warm (for an encrypted shop the
        // pages in it are decrypted already); only reads at the same time
        // spill over to the others.
        let free = self.readers.iter().find_map(|reader| match reader.try_lock() {
            Ok(slot) => Some(slot),
            // A read that panicked poisoned its slot; the connection in it
            // is sound (its statements and read transaction ended as the
            // panic unwound), so the slot is used again.
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        });
        let mut slot = match free {
            Some(slot) => slot,
            None => relock(&self.readers[0]),
        };
        let conn = match slot.take() {
            Some(conn) => conn,
            None => store::open_reader(&self.database, self.key().as_ref())?,
        };
        let result = read(&conn);
        *slot = Some(conn);
        result
    }

    /// Runs a change on the one writer connection, then wakes the
    /// scheduler: any change may move a reminder (a next step, a birthday,
    /// a visit), so no command has to remember to say so.
    pub fn write<T>(&self, change: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let value = {
            let mut writer = relock(&self.writer);
            let store = writer.as_mut().ok_or_else(|| self.not_open())?;
            let conn = store.conn_mut();
            // A transaction rolls back as a panic unwinds through it; one a
            // panic left open anyway (begun by hand) is undone here, so a
            // change never commits half of an earlier one.
            if !conn.is_autocommit() {
                tracing::warn!("a change left a transaction open: rolled back");
                conn.execute_batch("ROLLBACK")?;
            }
            change(conn)?
        };
        self.wake_scheduler();
        Ok(value)
    }

    /// The writer's slot itself, for a restore that replaces the store.
    pub fn replace_store<T>(&self, replace: impl FnOnce(&mut Option<Store>) -> Result<T>) -> Result<T> {
        let value = {
            let mut writer = relock(&self.writer);
            let replaced = replace(&mut writer);
            self.is_open.store(writer.is_some(), Ordering::Release);
            replaced?
        };
        self.wake_scheduler();
        Ok(value)
    }

    pub fn wake_scheduler(&self) {
        self.wake.notify_one();
    }
}

/// A panic while holding a lock leaves SQLite consistent (every change is
/// a transaction), so a poisoned lock is safe to take again.
fn relock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Owner mode's end, in memory only: a restart starts at the desk (see
/// `app::owner`).
#[derive(Default)]
pub struct OwnerSession {
    /// `None` is desk mode.
    open: Mutex<Option<Open>>,
}

#[derive(Clone, Copy)]
struct Open {
    /// Owner mode ends then, unless used before.
    end: Instant,
    /// How much longer each use keeps it open.
    idle: Duration,
}

impl OwnerSession {
    /// Opens owner mode until it goes unused for `idle` (`app::owner::idle`).
    pub fn open_for(&self, idle: Duration) {
        *relock(&self.open) = Some(Open { end: Instant::now() + idle, idle });
    }

    pub fn lock(&self) {
        *relock(&self.open) = None;
    }

    /// Whether owner mode is open; if it is, this use keeps it open for
    /// its idle time from now. Once past its end it is closed for good.
    pub fn use_now(&self) -> bool {
        let mut open = relock(&self.open);
        match *open {
            Some(Open { end, idle }) if Instant::now() < end => {
                *open = Some(Open { end: Instant::now() + idle, idle });
                true
            }
            _ => {
                *open = None;
                false
            }
        }
    }

    pub fn seconds_left(&self) -> Option<u64> {
        relock(&self.open).and_then(|open| open.end.checked_duration_since(Instant::now())).map(|left| left.as_secs())
    }
}

#[cfg(test)]
mod owner_session_tests {
    use super::*;

    #[test]
    fn owner_mode_ends_when_unused_and_use_keeps_it_open() {
        let session = OwnerSession::default();
        assert!(!session.use_now(), "desk mode until unlocked");
        session.open_for(Duration::from_secs(300));
        assert!(session.use_now(), "open");
        assert!(session.seconds_left().is_some_and(|left| left > 200));
        session.open_for(Duration::from_millis(120));
        std::thread::sleep(Duration::from_millis(80));
        assert!(session.use_now(), "used before its end: open for another 120 ms from now");
        std::thread::sleep(Duration::from_millis(80));
        assert!(session.use_now(), "still open, 160 ms after it was opened");
        std::thread::sleep(Duration::from_millis(200));
        assert!(!session.use_now(), "locked itself");
        assert_eq!(session.seconds_left(), None);
        session.open_for(Duration::from_secs(300));
        session.lock();
        assert!(!session.use_now(), "locked at once");
    }
}
