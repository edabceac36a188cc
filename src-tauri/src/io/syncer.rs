//! A shared shop's two directions over its link: `push` sends the outbox in
//! order (each change marked sent only once the server stored it), `pull`
//! applies what the stream holds after this device's position. The writer
//! is held only for one batch's read or apply, never across the network,
//! so the desk never waits on the server.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::db::sharing;
use crate::db::store::{self, Store};
use crate::features::sync;
use crate::io::logging;
use crate::io::nats_link::Link;
use crate::kernel::error::{Error, Result};
use crate::kernel::secret::Key;

/// How many changes one push takes at a time.
const BATCH: usize = 200;
/// How many changes one pull applies in one transaction. Larger batches
/// write fewer pages per change (a page touched by two of the batch's
/// changes is written once: 9.5 instead of 11 pages per check-in applied);
/// this many takes about 0.3 s, the longest the desk waits for the writer
/// while a device catches up.
const PULL_BATCH: usize = 500;
/// The largest message sent: under the 1 MB a NATS server takes by default,
/// with room for the headers. A larger change travels in parts.
const MAX_MESSAGE_BYTES: usize = 900 * 1024;

/// What the syncer needs from the app: its one writer, taken briefly.
pub trait Writer {
    fn with_writer<T>(&self, change: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T>;
    /// The database file and its key, for a connection beside the writer
    /// (`store::checkpoint_beside`).
    fn database(&self) -> (PathBuf, Option<Key>);
}

/// A store behind a mutex (the command-line tools, the tests).
impl Writer for Mutex<Store> {
    fn with_writer<T>(&self, change: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut store = self.lock().map_err(|_| Error::Panicked)?;
        change(store.conn_mut())
    }

    fn database(&self) -> (PathBuf, Option<Key>) {
        let store = self.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (store.path().to_path_buf(), store.key().cloned())
    }
}

pub struct Syncer {
    /// Shared with the fetch a pull starts while it applies a batch.
    link: Arc<Link>,
    key: Key,
    subject: String,
    /// The wall clock, which moves this device's clock past each change it
    /// applies (passed in: only the app's edge reads the clock).
    clock: fn() -> DateTime<Utc>,
}

/// A batch fetched from the stream and opened.
struct Fetched {
    changes: Vec<(u64, sharing::Change)>,
    /// The last stream position fetched, opened or not.
    last: u64,
    /// How many messages were fetched.
    count: usize,
}

/// What a pull brought.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Pulled {
    /// Changes applied (not counting this device's own, or repeats).
    pub applied: usize,
    /// Cards they changed, and customers deleted completely.
    pub customers: Vec<String>,
    pub erased: Vec<String>,
    /// Whether it was a catch-up (`store::begin_catch_up`), whose larger
    /// page cache was let go at its end.
    pub caught_up: bool,
}

impl Syncer {
    /// Over `link` (connected, its stream made), sealing with the shop's key.
    pub fn new(link: Link, key: Key, subject: &str, clock: fn() -> DateTime<Utc>) -> Syncer {
        Syncer { link: Arc::new(link), key, subject: subject.to_string(), clock }
    }

    pub fn link(&self) -> &Link {
        &self.link
    }

    /// Sends every waiting change, oldest first; returns how many. Stops at
    /// the first the server does not take (it is sent again next time; the
    /// server drops a second copy by its id).
    pub async fn push(&self, writer: &impl Writer) -> Result<usize> {
        let mut sent = 0;
        loop {
            let changes = writer.with_writer(|conn| sharing::waiting(conn, BATCH, store::schema_version()))?;
            if changes.is_empty() {
                return Ok(sent);
            }
            for change in &changes {
                let mut seq = 0;
                for (id, message) in sync::into_messages(change, &self.key, &self.subject, MAX_MESSAGE_BYTES)? {
                    seq = self.link.publish(&id, message).await?;
                }
                writer.with_writer(|conn| sync::sent(conn, &change.id, seq))?;
                sent += 1;
            }
        }
    }

    /// Applies every change the stream holds after this device's position.
    /// A message that does not open with the shop's key (another shop's, or
    /// altered) is left and logged by its position, never applied.
    pub async fn pull(&self, writer: &impl Writer) -> Result<Pulled> {
        let mut pulled = Pulled::default();
        let mut catching_up = None;
        let done = self.pull_batches(writer, &mut pulled, &mut catching_up).await;
        pulled.caught_up = catching_up.is_some();
        let ended = match catching_up {
            Some(catch_up) => Self::end_catch_up(writer, catch_up),
            None => Ok(()),
        };
        // The batches' own failure is the one to tell.
        done?;
        ended?;
        Ok(pulled)
    }

    /// Puts the desk's settings back after a catch-up and leaves the WAL
    /// it gathered to a checkpoint beside the writer
    /// (`store::checkpoint_beside`), so the desk waits for none of it.
    fn end_catch_up(writer: &impl Writer, catch_up: store::BulkWrites) -> Result<()> {
        writer.with_writer(|conn| store::end_bulk_writes(conn, catch_up))?;
        let (database, key) = writer.database();
        tokio::task::spawn_blocking(move || {
            if let Err(error) = store::checkpoint_beside(&database, key.as_ref()) {
                tracing::warn!(
                    error = %logging::error_line(&error),
                    "the WAL of a catch-up could not be moved into the file beside the writer: its next commits will"
                );
            }
        });
        Ok(())
    }

    /// `pull`'s batches; a full first batch means a catch-up, which runs
    /// with the writer set for it (`catching_up`, `store::begin_catch_up`). The next
    /// batch is fetched and opened on another task while this one is
    /// applied, so the network and the unsealing wait for no one.
    async fn pull_batches(
        &self,
        writer: &impl Writer,
        pulled: &mut Pulled,
        catching_up: &mut Option<store::BulkWrites>,
    ) -> Result<()> {
        let after = writer.with_writer(|conn| Ok(sharing::device(conn)?.map_or(0, |d| d.applied_seq)))?;
        let mut next = self.fetch_opened(after);
        loop {
            let Fetched { changes, last, count } =
                next.await.map_err(|error| Error::Sync(format!("Fetching the shop's changes stopped: {error}")))??;
            if count == 0 {
                return Ok(());
            }
            if count == PULL_BATCH && catching_up.is_none() {
                *catching_up = Some(writer.with_writer(|conn| store::begin_catch_up(conn))?);
            }
            next = self.fetch_opened(last);
            // Messages left unopened are passed over too (`last`).
            let applied = match writer.with_writer(|conn| sync::apply_batch(conn, &changes, last, (self.clock)())) {
                Ok(applied) => applied,
                Err(error) => {
                    next.abort();
                    return Err(error);
                }
            };
            pulled.applied += applied.changes;
            pulled.customers.extend(applied.customers);
            pulled.erased.extend(applied.erased);
        }
    }

    /// The changes after `after` (at most a batch), fetched and opened on
    /// a task of their own. A message that does not open with the shop's
    /// key is left out and logged by its position.
    fn fetch_opened(&self, after: u64) -> tokio::task::JoinHandle<Result<Fetched>> {
        let (link, key, subject) = (Arc::clone(&self.link), self.key.clone(), self.subject.clone());
        tokio::spawn(async move {
            let messages = link.fetch_after(after, PULL_BATCH).await?;
            let mut fetched =
                Fetched { changes: Vec::with_capacity(messages.len()), last: after, count: messages.len() };
            for (seq, message) in messages {
                fetched.last = seq;
                match sync::unpack(&message, &key, &subject) {
                    Ok(change) => fetched.changes.push((seq, change)),
                    Err(Error::WrongKey) => {
                        tracing::warn!(seq, "a message in the shop's stream does not open with the shop's key: left");
                    }
                    Err(error) => return Err(error),
                }
            }
            Ok(fetched)
        })
    }
}
