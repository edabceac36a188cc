//! What every command works with: one writer connection for changes, a
//! few read connections for the screens, and the scheduler's wake-up.
//!
//! SQLite in WAL mode lets readers read beside the writer, so a search or
//! an opened card never waits for a write, an import or the automatic
//! backup (which, like the reminder pass, has its own connection).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant, SystemTime};

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
/// The most each reader but the first keeps of decrypted pages: they serve
/// reads that overlap the first's (a list's photos while a card loads),
/// read once, and a 4 KB page read again costs about 3 µs.
const SPARE_READER_CACHE_MB: i64 = 8;

/// How the shop stood when the window started.
pub enum Opened {
    Store(Store),
    /// Encrypted (or plain, awaiting consent to encrypt) and not open
    /// until the owner answers `ask`; `why` is said on screen.
    Ask {
        ask: Ask,
        why: String,
    },
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
    /// A shared shop's engine and status (see `app::sync`).
    pub sharing: crate::app::sharing_status::Sharing,
}

impl AppState {
    /// The state over an opened store (or the reason it could not be opened).
    /// `started` is when the process started (for the start-up time in the log).
    pub fn new(
        opened: std::result::Result<Opened, String>,
        wake: Arc<Notify>,
        away_marker: String,
        data_dir: PathBuf,
        started: std::time::Instant,
    ) -> AppState {
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
            sharing: Default::default(),
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
    /// The shop's database file.
    pub fn database_path(&self) -> &std::path::Path {
        &self.database
    }

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
                return Err(Error::Conflict(
                    "The shop is being opened already (its data may be being encrypted). Wait a moment.".into(),
                ));
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
        let free = self.readers.iter().enumerate().find_map(|(n, reader)| match reader.try_lock() {
            Ok(slot) => Some((n, slot)),
            // A read that panicked poisoned its slot; the connection in it
            // is sound (its statements and read transaction ended as the
            // panic unwound), so the slot is used again.
            Err(TryLockError::Poisoned(poisoned)) => Some((n, poisoned.into_inner())),
            Err(TryLockError::WouldBlock) => None,
        });
        let (n, mut slot) = match free {
            Some(free) => free,
            None => (0, relock(&self.readers[0])),
        };
        let conn = match slot.take() {
            Some(conn) => conn,
            // The first keeps what the desk's type-ahead reads (warmed at
            // start); the others serve reads that overlap it.
            None if n == 0 => store::open_reader(&self.database, self.key().as_ref())?,
            None => store::open_spare_reader(&self.database, self.key().as_ref(), SPARE_READER_CACHE_MB)?,
        };
        let result = read(&conn);
        *slot = Some(conn);
        result
    }

    /// Runs a change on the one writer connection, then wakes the
    /// scheduler: any change may move a reminder (a next step, a birthday,
    /// a visit), so no command has to remember to say so; and, in a shared
    /// shop, the engine, which sends it.
    pub fn write<T>(&self, change: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let value = self.write_from_sync(change)?;
        self.sharing.wake();
        Ok(value)
    }

    /// `write` without waking the sharing engine: its own applies.
    pub fn write_from_sync<T>(&self, change: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
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

/// A moment on two clocks. Owner mode's idle time is measured on both and
/// the larger counts: the wall clock (`SystemTime`) runs on while a laptop
/// sleeps, which `Instant` does not on Linux or macOS, so a laptop closed
/// in owner mode wakes locked; `Instant` never jumps, so a wall clock set
/// back by hand cannot stretch the time. A wall clock that went back
/// before owner mode's last use ends it at once: its time cannot be trusted.
#[derive(Clone, Copy, Debug)]
pub struct Moment {
    pub wall: SystemTime,
    pub steady: Instant,
}

impl Moment {
    pub fn now() -> Moment {
        Moment { wall: SystemTime::now(), steady: Instant::now() }
    }

    /// How long since `earlier`, the larger of the two clocks; `None` when
    /// the wall clock is behind `earlier`.
    fn since(&self, earlier: &Moment) -> Option<Duration> {
        let wall = self.wall.duration_since(earlier.wall).ok()?;
        Some(wall.max(self.steady.saturating_duration_since(earlier.steady)))
    }
}

/// Owner mode's end, in memory only: a restart starts at the desk (see
/// `app::owner`). Only what a person does counts as use (`used`); asking
/// whether it is open (`is_open`) never keeps it open. Every method takes
/// the moment, so the tests can pass one in.
#[derive(Default)]
pub struct OwnerSession {
    /// `None` is desk mode.
    open: Mutex<Option<Open>>,
}

#[derive(Clone, Copy)]
struct Open {
    /// Opened or last used then.
    used: Moment,
    /// Owner mode ends this long after its last use.
    idle: Duration,
}

impl Open {
    /// How long is left at `now`; `None` once it has ended.
    fn left(&self, now: &Moment) -> Option<Duration> {
        self.idle.checked_sub(now.since(&self.used)?).filter(|left| !left.is_zero())
    }
}

impl OwnerSession {
    /// Opens owner mode until it goes unused for `idle` (`app::owner::idle`).
    pub fn open_for(&self, idle: Duration, now: Moment) {
        *relock(&self.open) = Some(Open { used: now, idle });
    }

    pub fn lock(&self) {
        *relock(&self.open) = None;
    }

    /// How long owner mode stays open from now unless used; `None` in desk
    /// mode. Once past its end it is closed for good.
    pub fn left(&self, now: Moment) -> Option<Duration> {
        let mut open = relock(&self.open);
        let left = open.as_ref().and_then(|open| open.left(&now));
        if left.is_none() {
            *open = None;
        }
        left
    }

    /// Whether owner mode is open at `now`; this is not use.
    pub fn is_open(&self, now: Moment) -> bool {
        self.left(now).is_some()
    }

    /// A person used the app (a key, a click): if owner mode is still
    /// open, it stays open for its idle time from `now`. Whether it is open.
    pub fn used(&self, now: Moment) -> bool {
        let mut open = relock(&self.open);
        match open.as_mut() {
            Some(session) if session.left(&now).is_some() => {
                session.used = now;
                true
            }
            _ => {
                *open = None;
                false
            }
        }
    }

    pub fn seconds_left(&self, now: Moment) -> Option<u64> {
        self.left(now).map(|left| left.as_secs())
    }

    /// The idle time owner mode was opened with, while it is open.
    pub fn idle(&self, now: Moment) -> Option<Duration> {
        self.left(now)?;
        relock(&self.open).map(|open| open.idle)
    }
}

#[cfg(test)]
mod owner_session_tests {
    use super::*;

    /// `base` moved on by `wall` on the wall clock and `steady` on the steady one.
    fn later(base: Moment, wall: u64, steady: u64) -> Moment {
        Moment { wall: base.wall + Duration::from_secs(wall), steady: base.steady + Duration::from_secs(steady) }
    }

    #[test]
    fn owner_mode_ends_when_nobody_uses_it_and_use_keeps_it_open() {
        let session = OwnerSession::default();
        let start = Moment::now();
        assert!(!session.is_open(start), "desk mode until unlocked");
        assert!(!session.used(start), "use does not open it");
        session.open_for(Duration::from_secs(300), start);
        assert_eq!(session.seconds_left(later(start, 100, 100)), Some(200));
        assert!(session.is_open(later(start, 299, 299)), "asking is not use");
        assert!(session.used(later(start, 200, 200)), "used before its end");
        assert!(session.is_open(later(start, 499, 499)), "open for another 300 s from the use");
        assert!(!session.is_open(later(start, 500, 500)), "locked itself 300 s after the last use");
        assert!(!session.used(later(start, 200, 200)), "once ended it stays ended, whatever the clock says later");
        assert_eq!(session.seconds_left(later(start, 200, 200)), None);
        session.open_for(Duration::from_secs(300), start);
        session.lock();
        assert!(!session.is_open(start), "locked at once");
    }

    #[test]
    fn asking_again_and_again_never_keeps_it_open() {
        let session = OwnerSession::default();
        let start = Moment::now();
        session.open_for(Duration::from_secs(5), start);
        // Reminders firing every 3 s make the page read Today; none of that is use.
        for second in (0..5).step_by(3) {
            assert!(session.is_open(later(start, second, second)));
        }
        assert!(!session.is_open(later(start, 6, 6)));
    }

    #[test]
    fn time_asleep_counts_and_a_clock_set_back_ends_owner_mode() {
        let session = OwnerSession::default();
        let start = Moment::now();
        session.open_for(Duration::from_secs(300), start);
        // A laptop closed for an hour: the steady clock stood still, the wall clock did not.
        assert!(!session.is_open(later(start, 3_600, 1)), "the sleep counts");

        session.open_for(Duration::from_secs(300), start);
        // The wall clock set back an hour: owner mode ends at once.
        let back =
            Moment { wall: start.wall - Duration::from_secs(3_600), steady: start.steady + Duration::from_secs(1) };
        assert!(!session.used(back), "a clock that went back ends it");

        session.open_for(Duration::from_secs(300), later(start, 600, 0));
        // Set back by less than the time since: the steady clock still counts the real time.
        assert!(!session.is_open(later(start, 650, 400)), "the steady clock's 400 s count");
    }
}
