//! The storage layer's foundation: opening the SQLite file, its pragmas and
//! the embedded migrations. Domain modules receive a `&Connection` (or a
//! transaction) from here; nothing outside the domain modules sees SQL.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::db::sharing;
use crate::kernel::error::{Error, Result};
use crate::kernel::secret::Key;

const NEW_FILE_PAGE_SIZE: i64 = 16_384;

/// How SQLCipher lays out an encrypted file: its page size and the HMAC
/// that authenticates each page. Neither can be read from the encrypted
/// file, so every keyed open names them (see `unlock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CipherFormat {
    page_size: i64,
    hmac: &'static str,
}

/// The format of every encrypted file this app writes: 4 KB pages, each
/// authenticated with HMAC-SHA256. Every page a change touches is
/// encrypted and authenticated whole, and a page read from the file is
/// checked and decrypted whole, so the page size is what an encrypted
/// write costs: at 100,000 customers a check-in writes about 20 pages and
/// reads about 15 whatever their size, and with 16 KB pages and
/// HMAC-SHA512 (SQLCipher's defaults) its median was 1.8 ms against
/// 0.7 ms with this format (`make bench`, the `check_in` line). SHA-256
/// with the processor's SHA instructions is twice as fast as SHA-512 here
/// and still a 256-bit MAC: a page changed on disk is refused either way.
const CIPHER_FORMAT: CipherFormat = CipherFormat { page_size: 4096, hmac: "HMAC_SHA256" };

/// The format encrypted files were written in before (16 KB pages,
/// HMAC-SHA512). Still read, for backups made then; a shop in it is
/// rewritten in `CIPHER_FORMAT` when it opens (`rewrite_in_current_format`).
const OLDER_CIPHER_FORMAT: CipherFormat = CipherFormat { page_size: 16_384, hmac: "HMAC_SHA512" };

/// The writer's page cache for an encrypted file at the desk: at most 8 MB
/// of decrypted pages, filled only as pages are read (see `keep_decrypted`).
/// Small on purpose. When a B-tree split puts pages in order, SQLite parks
/// one page for a moment at the number of the 1 GB lock page (262,145 with
/// 4 KB pages); the next commit then trims the cache back to the file's size
/// by walking every page it holds. About one check-in in seven pays that
/// walk, in proportion to the cache: at 100,000 customers a check-in's p99
/// was 1.38–1.41 ms with 32 MB and 0.89–1.11 ms with 8 MB (`make
/// bench-sync`, `check_in_sharing`, sharing off).
/// Work that writes much in a row keeps a larger cache for its duration:
/// an import (`importer::run`) and a catch-up (`begin_catch_up`).
const WRITER_CACHE_MB: i64 = 8;

/// The writer's page cache during a catch-up: a device back from a day away
/// applies thousands of changes to the same index pages. Applying 10,000
/// check-ins at 100,000 customers read 9 pages from the file per change
/// with 32 MB and 5 with 64 MB (`make bench-sync`), and each page read is
/// checked and decrypted again. The memory goes back when the
/// catch-up ends (`end_bulk_writes`, then `malloc_trim` in the app).
const CATCH_UP_CACHE_MB: i64 = 64;

/// A reader's page cache for an encrypted file. With 4 KB pages a page
/// read again costs about 3 µs to check and decrypt, and the type-ahead at
/// 100,000 customers measured the same with 16 MB as with 64 MB (`make
/// bench`, `search_*` lines), so each reader keeps 16 MB.
const READER_CACHE_MB: i64 = 16;

/// The most a WAL file keeps on disk after a checkpoint resets it (bytes).
const JOURNAL_SIZE_LIMIT: i64 = 4 * 1024 * 1024;

/// How long `truncate_wal` keeps trying: longer than a checkpoint beside
/// the writer takes after a catch-up (0.3 s on this machine's disk).
const TRUNCATE_TRYING: Duration = Duration::from_secs(3);

/// WAL pages after which the writer's commit moves them into the file.
const CHECKPOINT_PAGES: i64 = 10_000;

/// The same during a catch-up (`begin_catch_up`): 200 MB of WAL. A
/// device back from a day away rewrites the same pages of the card tables
/// and their indexes batch after batch; checkpointed five times less often,
/// each page goes into the file fewer times (with no automatic checkpoint
/// at all, the commits of 10,000 check-ins applied took 2.1 s instead of
/// 3.6 s, `make bench-sync`).
const CATCH_UP_CHECKPOINT_PAGES: i64 = 50_000;

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "regulars.sqlite3";

/// Numbered migrations, applied in order and never edited once released.
/// A migration may finish with a Rust step for what SQL cannot do (filling
/// the search index), run in the same transaction once every pending
/// migration's SQL has run (see `migrate`).
const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, sql: include_str!("../../migrations/0001_init.sql"), then: None },
    Migration { version: 2, sql: include_str!("../../migrations/0002_visits_loyalty.sql"), then: None },
    Migration { version: 3, sql: include_str!("../../migrations/0003_reminders.sql"), then: None },
    Migration { version: 4, sql: include_str!("../../migrations/0004_plans.sql"), then: None },
    Migration { version: 5, sql: include_str!("../../migrations/0005_import.sql"), then: None },
    Migration { version: 6, sql: include_str!("../../migrations/0006_health.sql"), then: None },
    Migration { version: 7, sql: include_str!("../../migrations/0007_outreach.sql"), then: None },
    Migration {
        version: 8,
        sql: include_str!("../../migrations/0008_search_keys.sql"),
        then: Some(crate::db::search::rebuild_all),
    },
    Migration { version: 9, sql: include_str!("../../migrations/0009_lighter_new_cards.sql"), then: None },
    Migration { version: 10, sql: include_str!("../../migrations/0010_photos.sql"), then: None },
    Migration { version: 11, sql: include_str!("../../migrations/0011_passes.sql"), then: None },
    Migration { version: 12, sql: include_str!("../../migrations/0012_pets.sql"), then: None },
    Migration { version: 13, sql: include_str!("../../migrations/0013_desk_habits.sql"), then: None },
    Migration { version: 14, sql: include_str!("../../migrations/0014_audit.sql"), then: None },
    Migration { version: 15, sql: include_str!("../../migrations/0015_preferred_name.sql"), then: None },
    Migration { version: 16, sql: include_str!("../../migrations/0016_sharing.sql"), then: None },
    Migration { version: 17, sql: include_str!("../../migrations/0017_sync_parts.sql"), then: None },
    Migration { version: 18, sql: include_str!("../../migrations/0018_devices.sql"), then: None },
    Migration { version: 19, sql: include_str!("../../migrations/0019_group_mail.sql"), then: None },
    Migration { version: 20, sql: include_str!("../../migrations/0020_card_visits_index.sql"), then: None },
    Migration {
        version: 21,
        sql: include_str!("../../migrations/0021_clocks_recorded_on_the_way_out.sql"),
        then: None,
    },
    Migration { version: 22, sql: include_str!("../../migrations/0022_one_ledger_index.sql"), then: None },
    Migration { version: 23, sql: include_str!("../../migrations/0023_unfired_reminders_index.sql"), then: None },
];

struct Migration {
    version: i64,
    sql: &'static str,
    then: Option<fn(&Connection) -> Result<()>>,
}

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.last().map_or(0, |migration| migration.version)
}

/// One open database: the app holds one of these behind a mutex, so there
/// is exactly one writer. (`Debug` shows the path; a key shows as `Key(…)`.)
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// `None` for a plain file (tests, benchmarks, a shop not yet converted).
    key: Option<Key>,
}

impl Store {
    /// Opens (creating if needed) the plain database in `data_dir` and
    /// migrates it. The app opens through `io::vault`, which gives the key.
    pub fn open_in(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir)?;
        Store::open(&data_dir.join(DATABASE_FILE))
    }

    /// `open_with` for a plain file.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, None)
    }

    /// Opens the database file at `path`, encrypted with `key` (a new file
    /// is created encrypted with it), and migrates it. A wrong key is
    /// `Error::WrongKey`; a file from a newer version of the app is refused
    /// before anything is written to it.
    pub fn open_with(path: &Path, key: Option<&Key>) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        if key.is_some() {
            // A copy left by a rewrite a crash interrupted holds the shop's
            // rows (erased ones too): it never outlives the next open.
            remove_rewrite_copy(path);
        }
        let format = unlock_in(&conn, key)?;
        if let (Some(key), Some(found)) = (key, format) {
            if found != CIPHER_FORMAT {
                drop(conn);
                rewrite_in_current_format(path, key)?;
                conn = Connection::open_with_flags(path, flags)?;
                conn.busy_timeout(Duration::from_secs(5))?;
                unlock(&conn, Some(key))?;
            }
        }

        // Read the version first: switching to WAL would already write.
        let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if found > schema_version() {
            return Err(Error::NewerSchema { found, known: schema_version() });
        }

        if found == 0 && key.is_none() {
            // A new file: 16 KB pages instead of 4 KB make the B-trees
            // shallower and a large import about 10% faster. (An existing
            // file keeps its page size; changing it means a VACUUM.)
            conn.pragma_update(None, "page_size", NEW_FILE_PAGE_SIZE)?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Checkpoints are the slow part of a write. The scheduler runs one
        // in the background at least every minute (`checkpoint`), so the
        // desk's writes only pay for one if a burst fills 40 MB of WAL.
        conn.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)?;
        // Deleted or overwritten rows (a note removed, a phone changed, a
        // customer erased) are overwritten with zeros instead of lingering
        // in free space where any reader of the file could find them.
        conn.pragma_update(None, "secure_delete", true)?;
        // A WAL file keeps old page images past a checkpoint until they are
        // overwritten; once reset, a WAL above this size is cut back to it.
        conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT)?;
        // With SQLite's default 2 MB (and 16 KB pages), a reminder pass
        // at 30,000 customers read 129 pages from the file each time (none
        // on a plain file), a check-in 26, and seeding took 4.6 times as
        // long as plain (`make bench`, `*_pages` lines).
        keep_decrypted(&conn, key, WRITER_CACHE_MB)?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate(&mut conn, found)?;
        sharing::make_capture_triggers(&conn)?;
        Ok(Store { conn, path: path.to_path_buf(), key: key.cloned() })
    }

    /// The key the file is encrypted with (`None` for a plain file).
    pub fn key(&self) -> Option<&Key> {
        self.key.as_ref()
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Moves what the WAL holds into the database file without waiting
    /// for readers (PASSIVE), off the interactive path.
    pub fn checkpoint(&self) -> Result<()> {
        checkpoint(&self.conn)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Lets go of the pages in this connection's cache, keeping its size:
    /// after work done once (the health of every card worked out after an
    /// upgrade), so the writer's cache holds what the desk's changes touch.
    pub fn release_page_cache(&self) -> Result<()> {
        let size: i64 = self.conn.query_row("PRAGMA cache_size", [], |row| row.get(0))?;
        self.conn.pragma_update(None, "cache_size", 0)?;
        self.conn.pragma_update(None, "cache_size", size)?;
        Ok(())
    }

    /// Keeps at most `megabytes` of decrypted pages in this connection's
    /// cache (the scheduler's: its passes read the same few hundred pages
    /// each time); a plain file keeps SQLite's default.
    pub fn limit_page_cache(&self, megabytes: i64) -> Result<()> {
        keep_decrypted(&self.conn, self.key.as_ref(), megabytes)
    }
}

/// `Store::checkpoint` on the writer's connection.
pub fn checkpoint(conn: &Connection) -> Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
    Ok(())
}

/// The writer's page cache and checkpoint spacing as they were before a
/// run of large writes, for `end_bulk_writes` to put back.
#[must_use = "end_bulk_writes puts the desk's settings back"]
pub struct BulkWrites {
    cache_size: i64,
    autocheckpoint: i64,
}

/// Readies the writer for large writes in a row (an import, a catch-up):
/// room for `cache_mb` of pages, and an automatic checkpoint every
/// `checkpoint_pages` pages of WAL (0: none), until `end_bulk_writes`.
pub fn begin_bulk_writes(conn: &Connection, cache_mb: i64, checkpoint_pages: i64) -> Result<BulkWrites> {
    let cache_size: i64 = conn.query_row("PRAGMA cache_size", [], |row| row.get(0))?;
    let autocheckpoint: i64 = conn.query_row("PRAGMA wal_autocheckpoint", [], |row| row.get(0))?;
    conn.pragma_update(None, "wal_autocheckpoint", checkpoint_pages)?;
    conn.pragma_update(None, "cache_size", -cache_mb * 1024)?;
    Ok(BulkWrites { cache_size, autocheckpoint })
}

/// Puts the writer's cache (letting go of the pages over it) and
/// checkpoint spacing back as they were.
pub fn end_bulk_writes(conn: &Connection, bulk: BulkWrites) -> Result<()> {
    conn.pragma_update(None, "cache_size", bulk.cache_size)?;
    conn.pragma_update(None, "wal_autocheckpoint", bulk.autocheckpoint)?;
    Ok(())
}

/// Readies the writer for a catch-up: `CATCH_UP_CACHE_MB` of pages and
/// checkpoints spaced out, until `end_bulk_writes`. What the last batches
/// left in the WAL is moved into the file by `checkpoint_beside`, not by
/// the writer.
pub fn begin_catch_up(conn: &Connection) -> Result<BulkWrites> {
    begin_bulk_writes(conn, CATCH_UP_CACHE_MB, CATCH_UP_CHECKPOINT_PAGES)
}

/// Moves what the WAL holds into the database file on a connection of its
/// own, beside the writer. After a catch-up the WAL holds up to 200 MB:
/// checkpointed on the writer, it kept the desk waiting about 0.3 s at
/// the end of 10,000 changes applied (`make bench-sync`). `PASSIVE`, so
/// it waits for no one and no one waits for it: meanwhile the writer's
/// own automatic checkpoint finds it busy and leaves the WAL to it, and
/// an erase's `truncate_wal` tries again until it is done. The pages it
/// copies are the WAL's, encrypted as they are.
pub fn checkpoint_beside(path: &Path, key: Option<&Key>) -> Result<()> {
    let conn = open_unlocked(path, key, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    checkpoint(&conn)
}

/// A read-only connection to an opened database, for screens that only
/// read and the benchmarks, keeping up to 16 MB of decrypted pages for an
/// encrypted file. In WAL mode it reads
/// beside the writer: neither waits for the other.
pub fn open_reader(path: &Path, key: Option<&Key>) -> Result<Connection> {
    open_spare_reader(path, key, READER_CACHE_MB)
}

/// A read connection for the reads that come at the same time as another
/// (the list's photos while a card loads): it keeps at most `megabytes`
/// of pages, so the pictures it reads once do not stay in memory.
pub fn open_spare_reader(path: &Path, key: Option<&Key>, megabytes: i64) -> Result<Connection> {
    let conn = open_streaming_reader(path, key)?;
    keep_decrypted(&conn, key, megabytes)?;
    Ok(conn)
}

/// Gives a connection to an encrypted file (`key`) room for `megabytes` of
/// decrypted pages. The operating system caches the file's encrypted pages
/// only, so a page read again is checked and decrypted again (its HMAC and
/// AES: about 3 µs for 4 KB); the default 2 MB holds fewer pages than one
/// type-ahead or reminder pass reads. A plain file keeps SQLite's default.
fn keep_decrypted(conn: &Connection, key: Option<&Key>, megabytes: i64) -> Result<()> {
    if key.is_some() {
        conn.pragma_update(None, "cache_size", -megabytes * 1024)?;
    }
    Ok(())
}

/// A read-only connection that reads the file once through (the automatic
/// backup's copy): SQLite's small default cache, since no page it reads is
/// read again, so the copy leaves no cache of pages behind in memory.
pub fn open_streaming_reader(path: &Path, key: Option<&Key>) -> Result<Connection> {
    let conn = open_unlocked(path, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// A connection to an existing shop file beside the writer (`access`:
/// read-only or read-write), waiting up to 5 s on a lock, keyed and checked.
fn open_unlocked(path: &Path, key: Option<&Key>, access: OpenFlags) -> Result<Connection> {
    let flags = access | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    unlock(&conn, key)?;
    Ok(conn)
}

/// Gives a new connection its key (nothing for a plain file) and checks
/// it: SQLCipher reads nothing until keyed, and a wrong key shows on the
/// first read as "not a database". Sorting and temporary indexes stay in
/// memory on every connection, so no temporary file ever holds plain text.
pub fn unlock(conn: &Connection, key: Option<&Key>) -> Result<()> {
    unlock_in(conn, key).map(|_| ())
}

/// `unlock`, answering the format the file turned out to be in (`None`
/// for a plain file). A new, empty file takes `CIPHER_FORMAT`; a file the
/// key does not open in it is tried in the older format before the key
/// is called wrong.
fn unlock_in(conn: &Connection, key: Option<&Key>) -> Result<Option<CipherFormat>> {
    let Some(key) = key else {
        open_check(conn)?;
        return Ok(None);
    };
    for format in [CIPHER_FORMAT, OLDER_CIPHER_FORMAT] {
        give_key(conn, key, format)?;
        match open_check(conn) {
            Ok(()) => return Ok(Some(format)),
            Err(Error::WrongKey) => continue,
            Err(error) => return Err(error),
        }
    }
    Err(Error::WrongKey)
}

/// Keys a connection for `format`. Calling it again on the same
/// connection (after a failed first read) replaces the key and settings.
fn give_key(conn: &Connection, key: &Key, format: CipherFormat) -> Result<()> {
    {
        // The raw-key form `x'…'`: used as the key, not derived. Given
        // through `sqlite3_key`, not `PRAGMA key`: a pragma's text is copied
        // into memory SQLite and rusqlite free without wiping, while
        // SQLCipher wipes its own copy of a key when it lets it go, and
        // ours is wiped on drop.
        let literal = key.sql_literal();
        // SAFETY: the handle is this open connection's, used on this thread
        // only for the call; the pointer and length describe `literal`,
        // which outlives the call (SQLCipher copies the key).
        let code = unsafe {
            rusqlite::ffi::sqlite3_key(conn.handle(), literal.as_ptr().cast(), literal.len() as std::os::raw::c_int)
        };
        if code != rusqlite::ffi::SQLITE_OK {
            return Err(Error::Conflict(format!("The shop's key could not be given to SQLite (code {code}).")));
        }
        conn.execute_batch(&format!(
            "PRAGMA cipher_page_size = {}; PRAGMA cipher_hmac_algorithm = {};",
            format.page_size, format.hmac
        ))?;
    }
    Ok(())
}

/// The first read of a newly opened connection: a wrong key (or format)
/// shows here as "not a database".
fn open_check(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())) {
        Ok(()) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(failure, _)) if failure.code == rusqlite::ErrorCode::NotADatabase => {
            Err(Error::WrongKey)
        }
        Err(error) => Err(error.into()),
    }
}

/// Whether the file at `path` is a plain SQLite database (its first bytes
/// are SQLite's header in clear); an encrypted one begins with random bytes.
pub fn is_plain(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path)?;
    let read = file.read(&mut header)?;
    Ok(read == header.len() && &header == b"SQLite format 3\0")
}

/// Copies the whole WAL into the database file and cuts the WAL to zero
/// bytes, so no old page image (of a customer just erased) stays in it.
/// Waits for readers (the busy timeout), and tries again for up to
/// `TRUNCATE_TRYING` while another checkpoint (`checkpoint_beside`) runs;
/// returns whether it succeeded. A WAL still in use is cut back at its
/// next reset (`journal_size_limit`) instead.
pub fn truncate_wal(conn: &Connection) -> Result<bool> {
    let started = std::time::Instant::now();
    loop {
        // (busy, WAL frames, frames checkpointed); busy = 1 when a reader,
        // a writer or another checkpoint kept this one from finishing.
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
        if busy == 0 {
            return Ok(true);
        }
        if started.elapsed() >= TRUNCATE_TRYING {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Applies every migration newer than `current` in one transaction, so a
/// crash or error leaves the file at the old version, never half-migrated.
fn migrate(conn: &mut Connection, current: i64) -> Result<()> {
    let pending: Vec<&Migration> = MIGRATIONS.iter().filter(|migration| migration.version > current).collect();
    if pending.is_empty() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // A Rust step is this build's code, which reads this build's schema:
    // version 8's index rebuild reads the preferred name of version 15. So
    // the steps run after all the SQL, in order, in the same transaction.
    let mut steps = Vec::new();
    for migration in pending {
        tx.execute_batch(migration.sql)?;
        steps.extend(migration.then);
        tx.pragma_update(None, "user_version", migration.version)?;
        tracing::info!(version = migration.version, "applied database migration");
    }
    for step in steps {
        step(&tx)?;
    }
    tx.commit()?;
    Ok(())
}

/// The schema objects (tables, indexes, triggers, views) as the migrations
/// up to `version` make them: type, name and the exact SQL text SQLite
/// keeps. SQLite's own objects (`sqlite_%`: automatic indexes, statistics)
/// follow from these and are left out.
fn schema_of(conn: &Connection) -> Result<Vec<(String, String, Option<String>)>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether the database on `conn`, which says it is at schema `version`,
/// has exactly the tables, columns, indexes and triggers this app's
/// migrations make at that version: a file that only looks like a shop
/// (a missing append-only trigger, an extra trigger of its own, a column
/// more or less) is not one. The reference is built in memory from the
/// embedded migrations, so it can never drift from them.
pub fn schema_is_ours(conn: &Connection, version: i64) -> Result<bool> {
    if !(1..=schema_version()).contains(&version) {
        return Ok(false);
    }
    let mut reference = Connection::open_in_memory()?;
    {
        let tx = reference.transaction()?;
        for migration in MIGRATIONS.iter().filter(|migration| migration.version <= version) {
            tx.execute_batch(migration.sql)?;
        }
        tx.commit()?;
    }
    Ok(schema_of(conn)? == schema_of(&reference)?)
}

/// Runs `change` as one transaction and commits it; an error (or a panic)
/// rolls all of it back. Always IMMEDIATE: the write lock is taken before
/// the first read, so a check such as "the balance covers this redeem"
/// cannot be overtaken by another desk between the read and the write.
/// In a shared shop, what it changed leaves as one change (`sharing::begin`).
pub fn write<T>(conn: &mut Connection, change: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    sharing::begin(&tx, chrono::Utc::now())?;
    let value = change(&tx)?;
    sharing::seal(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// Writes an encrypted copy of the database at `source` (plain when
/// `source_key` is `None`, else encrypted with it, in either format) to
/// `dest` (a new file), encrypted with `key` in `CIPHER_FORMAT`, with
/// SQLCipher's `sqlcipher_export`: every table, index, trigger and row,
/// and the schema version. The source is read, not changed; `dest` holds
/// only encrypted pages.
pub fn export_encrypted(source: &Path, source_key: Option<&Key>, dest: &Path, key: &Key) -> Result<()> {
    let _ = std::fs::remove_file(dest);
    if !source.is_file() {
        return Err(Error::NotFound("The shop file"));
    }
    // CREATE: the flags apply to the attached copy, which is new.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(source, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    unlock(&conn, source_key)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let dest_text = dest.to_str().ok_or_else(|| Error::Conflict("The data folder's path is not valid text.".into()))?;
    // The key as a bound value, never in the statement's text (see `unlock`).
    conn.execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", [dest_text, key.sql_literal().as_str()])?;
    let exported = conn
        .execute_batch(&format!(
            "PRAGMA encrypted.cipher_page_size = {}; PRAGMA encrypted.cipher_hmac_algorithm = {};",
            CIPHER_FORMAT.page_size, CIPHER_FORMAT.hmac
        ))
        .and_then(|()| conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(())))
        .and_then(|()| conn.execute_batch(&format!("PRAGMA encrypted.user_version = {version};")));
    conn.execute_batch("DETACH DATABASE encrypted")?;
    exported?;
    Ok(())
}

/// Where `rewrite_in_current_format` writes its copy: beside the shop.
fn rewrite_copy(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.rewriting", path.display()))
}

fn remove_rewrite_copy(path: &Path) {
    let _ = std::fs::remove_file(rewrite_copy(path));
}

/// Rewrites the encrypted shop at `path`, found in an older format, in
/// `CIPHER_FORMAT`, once: its WAL is folded in, a copy is exported beside
/// it, checked (`integrity_check`, every table's row count) and renamed
/// over it in one step, so a crash leaves the old file or the new one.
/// Nothing is written in clear: the copy is encrypted with the same key.
fn rewrite_in_current_format(path: &Path, key: &Key) -> Result<()> {
    let copy = rewrite_copy(path);
    {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        unlock(&conn, Some(key))?;
        conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    }
    export_encrypted(path, Some(key), &copy, key)?;
    let checked = (|| -> Result<()> {
        let old = open_streaming_reader(path, Some(key))?;
        // Keyed once, here: the format it opens in is the check.
        let new =
            Connection::open_with_flags(&copy, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        if unlock_in(&new, Some(key))? != Some(CIPHER_FORMAT) {
            return Err(Error::Conflict("The shop's rewritten copy is not in the current format.".into()));
        }
        let verdict: String = new.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if verdict != "ok" || row_counts(&old)? != row_counts(&new)? {
            return Err(Error::Conflict(format!(
                "The shop's rewritten copy failed its check ({verdict}); the shop was left as it was."
            )));
        }
        std::fs::File::open(&copy)?.sync_all()?;
        Ok(())
    })();
    if let Err(error) = checked {
        remove_rewrite_copy(path);
        return Err(error);
    }
    std::fs::rename(&copy, path)?;
    #[cfg(unix)]
    if let Some(Ok(folder)) = path.parent().map(std::fs::File::open) {
        let _ = folder.sync_all();
    }
    tracing::info!(
        page_size = CIPHER_FORMAT.page_size,
        "the shop's file was rewritten in the current encrypted format"
    );
    Ok(())
}

/// Each table's row count, by name: what a copy must hold to be the same shop.
pub fn row_counts(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names
        .into_iter()
        .map(|name| {
            let count: i64 =
                conn.query_row(&format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\"")), [], |row| {
                    row.get(0)
                })?;
            Ok((name, count))
        })
        .collect()
}
