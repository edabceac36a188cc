//! A shared shop's two directions over its link: `push` sends the outbox in
//! order (each change marked sent only once the server stored it), `pull`
//! applies what the stream holds after this device's position. The writer
//! is held only for one change's read or apply, never across the network,
//! so the desk never waits on the server.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::db::sharing;
use crate::db::store::{self, Store};
use crate::features::sync::{self, Applied};
use crate::io::nats_link::Link;
use crate::kernel::error::{Error, Result};
use crate::kernel::secret::Key;

/// How many changes one push takes at a time.
const BATCH: usize = 200;
/// How many changes one pull applies in one transaction. Larger batches
/// write fewer pages per change (a card's pages touched by two of its
/// changes are written once: 8 instead of 11 pages per check-in applied);
/// this many takes about 0.3 s, the longest the desk waits for the writer
/// while a device catches up.
const PULL_BATCH: usize = 500;
/// The largest message sent: under the 1 MB a NATS server takes by default,
/// with room for the headers. A larger change travels in parts.
const MAX_MESSAGE_BYTES: usize = 900 * 1024;

/// What the syncer needs from the app: its one writer, taken briefly.
pub trait Writer {
    fn with_writer<T>(&self, change: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T>;
}

/// A store behind a mutex (the command-line tools, the tests).
impl Writer for Mutex<Store> {
    fn with_writer<T>(&self, change: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut store = self.lock().map_err(|_| Error::Panicked)?;
        change(store.conn_mut())
    }
}

pub struct Syncer {
    link: Link,
    key: Key,
    subject: String,
    /// The wall clock, which moves this device's clock past each change it
    /// applies (passed in: only the app's edge reads the clock).
    clock: fn() -> DateTime<Utc>,
}

/// What a pull brought.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Pulled {
    /// Changes applied (not counting this device's own, or repeats).
    pub applied: usize,
    /// Cards they changed, and customers deleted completely.
    pub customers: Vec<String>,
    pub erased: Vec<String>,
}

impl Syncer {
    /// Over `link` (connected, its stream made), sealing with the shop's key.
    pub fn new(link: Link, key: Key, subject: &str, clock: fn() -> DateTime<Utc>) -> Syncer {
        Syncer { link, key, subject: subject.to_string(), clock }
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
        let mut catching_up = false;
        let done = self.pull_batches(writer, &mut pulled, &mut catching_up).await;
        if catching_up {
            writer.with_writer(|conn| store::end_spaced_checkpoints(conn))?;
        }
        done.map(|()| pulled)
    }

    /// `pull`'s batches; a full first batch means a catch-up, which runs
    /// with the writer's checkpoints spaced out (`catching_up`).
    async fn pull_batches(&self, writer: &impl Writer, pulled: &mut Pulled, catching_up: &mut bool) -> Result<()> {
        loop {
            let after = writer.with_writer(|conn| Ok(sharing::device(conn)?.map_or(0, |d| d.applied_seq)))?;
            let messages = self.link.fetch_after(after, PULL_BATCH).await?;
            if messages.is_empty() {
                return Ok(());
            }
            if messages.len() == PULL_BATCH && !*catching_up {
                writer.with_writer(|conn| store::space_checkpoints(conn))?;
                *catching_up = true;
            }
            let mut batch = Vec::with_capacity(messages.len());
            let mut last = after;
            for (seq, message) in messages {
                last = seq;
                match sync::unpack(&message, &self.key, &self.subject) {
                    Ok(change) => batch.push((seq, change)),
                    Err(Error::WrongKey) => {
                        tracing::warn!(seq, "a message in the shop's stream does not open with the shop's key: left");
                    }
                    Err(error) => return Err(error),
                }
            }
            // Messages left unopened are passed over too (`last`).
            let applied: Applied = writer.with_writer(|conn| sync::apply_batch(conn, &batch, last, (self.clock)()))?;
            pulled.applied += applied.changes;
            pulled.customers.extend(applied.customers);
            pulled.erased.extend(applied.erased);
        }
    }
}
