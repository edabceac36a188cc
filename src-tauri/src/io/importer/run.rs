//! The import itself: one IMMEDIATE transaction, all accepted rows or
//! none, on two threads (one preparing, one writing), every card indexed
//! for search in it. Merges are recorded for `undo`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::mapping::{self, settle_reading, Reading};
use super::plan::{cells_summary, choice_for, DuplicateOf, Plan, Planner};
use super::read::read_file;
use super::rows::{consent_of, row_input};
use super::undo::{self, Added};
use super::{OnDuplicate, Options, Problem, Report, Table, MAX_LISTED};
use crate::db::{search, sharing, store};
use crate::derived::health;
use crate::features::reminder_sources;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::secret::Key;
use crate::kernel::text;
use crate::records::consent;
use crate::records::customers::{self, Card, CustomerInput};

pub fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Reads the file and imports it (see `import`).
/// `key` is the shop's (`None` for a plain file): the preparing thread
/// opens the file on a connection of its own.
pub fn import_file(
    conn: &mut Connection,
    key: Option<&Key>,
    path: &Path,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<Report> {
    let table = read_file(path)?;
    import(conn, key, &table, &file_name(path), options, now)
}

/// Imports a table in one transaction: every accepted row or none. Rows
/// the validation refuses are reported and left out; duplicates follow
/// the options. The batch is recorded for `undo`.
pub fn import(
    conn: &mut Connection,
    key: Option<&Key>,
    table: &Table,
    file_name: &str,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<Report> {
    import_with_progress(conn, key, table, file_name, options, now, &mut |_| {})
}

/// `import`, telling `progress` how many rows are written so far (every
/// `PROGRESS_EVERY` rows, inside the transaction, before the commit).
pub fn import_with_progress(
    conn: &mut Connection,
    key: Option<&Key>,
    table: &Table,
    file_name: &str,
    options: &Options,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize),
) -> Result<Report> {
    // No automatic checkpoint: the commit would otherwise run it over the
    // whole batch before returning; the scheduler's background checkpoint
    // (at most a minute later) does that work off the owner's wait. And a
    // large cache: a batch touches every index's pages over and over; with
    // the default 2 MB they are spilled to the WAL and read back mid-batch.
    let bulk = store::begin_bulk_writes(conn, IMPORT_CACHE_MB, 0)?;
    let result = import_in_transaction(conn, key, table, file_name, options, now, progress);
    store::end_bulk_writes(conn, bulk)?;
    result
}

pub const PROGRESS_EVERY: usize = 5000;

/// The page cache during an import.
const IMPORT_CACHE_MB: i64 = 256;

fn import_in_transaction(
    conn: &mut Connection,
    key: Option<&Key>,
    table: &Table,
    file_name: &str,
    options: &Options,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize),
) -> Result<Report> {
    let reading = settle_reading(conn, table, options, now)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // A shared shop sends the whole import as one change.
    sharing::begin(&tx, now)?;
    // Every card of an import is created at `now` with no contact yet, so
    // all start with the same health.
    let health = health::columns_for_new(&health::load_rules(&tx)?, now, None);
    let snapshot = open_snapshot(&tx, key)?;
    let batch_id = new_id();
    undo::open_batch(&tx, &batch_id, file_name, now)?;
    let context = Context { table, reading: &reading, options, health: &health, batch_id: &batch_id, now };
    let mut report = write_rows(&tx, snapshot, &context, progress)?;
    if report.imported + report.merged == 0 {
        // Nothing to undo: leave no empty batch behind.
        drop(tx);
        return Ok(report);
    }
    undo::close_batch(&tx, &batch_id, &report)?;
    // The owner confirmed this mapping: the next file with these headings starts from it.
    mapping::remember(&tx, &table.headers, &reading.mapping, now)?;
    // Cards with a birthday today or tomorrow may have arrived.
    reminder_sources::rescan_birthdays(&tx, now)?;
    sharing::seal(&tx)?;
    tx.commit()?;
    tracing::info!(batch = %batch_id, imported = report.imported, merged = report.merged, skipped = report.skipped, rejected = report.rejected, "import finished");
    report.batch_id = Some(batch_id);
    Ok(report)
}

/// Every row, on two threads: this one writes, the other reads, checks
/// and prepares the rows ahead of it (`prepare_chunks`), so the writer
/// only binds values and steps.
fn write_rows(
    tx: &Transaction,
    snapshot: Connection,
    context: &Context,
    progress: &mut dyn FnMut(usize),
) -> Result<Report> {
    let mut report = Report { batch_id: None, imported: 0, merged: 0, skipped: 0, rejected: 0, problems: Vec::new() };
    let (chunk_sender, chunks) = std::sync::mpsc::sync_channel(CHUNKS_AHEAD);
    std::thread::scope(|scope| {
        // Created here so that the writer's end goes when the writer is done.
        let (written_sender, written_chunks) = std::sync::mpsc::channel();
        scope.spawn(move || prepare_chunks(snapshot, context, chunk_sender, written_chunks));
        let mut writer = Writer {
            tx,
            context,
            report: &mut report,
            search: search::BatchIndex::default(),
            ids_by_row: HashMap::new(),
        };
        let mut rows_written = 0;
        for chunk in chunks {
            let chunk = chunk?;
            for (number, step) in &chunk {
                writer.write(*number, step)?;
            }
            // Handed back for the preparing thread to free (see `prepare_chunks`);
            // if it has finished, dropping it here costs nothing.
            let before = rows_written;
            rows_written += chunk.len();
            let _ = written_sender.send(chunk);
            if rows_written / PROGRESS_EVERY > before / PROGRESS_EVERY {
                progress(rows_written);
            }
        }
        writer.search.flush(tx)
    })?;
    Ok(report)
}

/// Prepared rows travel to the writer in chunks of this many: one message
/// (and at most one thread wake-up) per row costs as much as the writing.
/// It divides `PROGRESS_EVERY`, so progress is told in round numbers.
const STEPS_PER_CHUNK: usize = 250;
/// How many chunks may wait for the writer: enough that it never waits,
/// few enough that a big file is not held twice in memory.
const CHUNKS_AHEAD: usize = 4;

/// What both sides of an import read.
struct Context<'a> {
    table: &'a Table,
    reading: &'a Reading,
    options: &'a Options,
    health: &'a customers::StartingHealth,
    batch_id: &'a str,
    now: DateTime<Utc>,
}

/// What the writer does with one row, decided on the preparing thread.
// Most rows are a Create or a Merge, both large: boxing them would add an
// allocation per row and save nothing.
#[allow(clippy::large_enum_variant)]
enum Step {
    Reject(String),
    Skip,
    /// A new card, and what the row's consent column said (`rows::consent_of`).
    Create(customers::PreparedCard, Option<(bool, String)>),
    /// Into a stored card, or into the card an earlier row became.
    Merge {
        input: CustomerInput,
        notes: Vec<String>,
        into: DuplicateOf,
    },
}

/// A read-only connection that sees the shop as it was when the import's
/// transaction began (WAL readers keep their snapshot), so the preparing
/// thread matches duplicates against the stored customers exactly as the
/// preview did, however far the writer has got.
fn open_snapshot(tx: &Connection, key: Option<&Key>) -> Result<Connection> {
    let path = tx
        .path()
        .filter(|path| !path.is_empty())
        .ok_or_else(|| Error::Conflict("An import needs the shop's database file.".into()))?;
    let snapshot =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    snapshot.busy_timeout(std::time::Duration::from_secs(5))?;
    store::unlock(&snapshot, key)?;
    // The first read fixes the snapshot, before the writer writes anything.
    snapshot.execute_batch("BEGIN")?;
    snapshot.query_row("SELECT count(*) FROM customers WHERE pk = 0", [], |_| Ok(()))?;
    Ok(snapshot)
}

type Chunk = Vec<(usize, Step)>;

/// The preparing thread: every row in file order, read, checked, matched
/// and, for a new card, prepared. Stops early when the writer has stopped.
///
/// It also frees the chunks the writer hands back: glibc's malloc locks
/// the allocating thread's arena when another thread frees its memory,
/// and that lock, taken for every string, cost more than the second
/// thread saved.
fn prepare_chunks(
    snapshot: Connection,
    context: &Context,
    sender: SyncSender<Result<Chunk>>,
    written: Receiver<Chunk>,
) {
    let prepare = || -> Result<()> {
        let mut planner = Planner::new(&snapshot)?;
        for rows in context.table.rows.chunks(STEPS_PER_CHUNK) {
            written.try_iter().for_each(drop);
            let mut chunk = Vec::with_capacity(rows.len());
            for (number, cells) in rows {
                let step = match planner.plan(*number, row_input(cells, context.reading))? {
                    Plan::Rejected(reason) => Step::Reject(reason),
                    Plan::New(input, notes) => create_step(&input, notes, context)?,
                    Plan::Duplicate { input, notes, of, .. } => match choice_for(context.options, *number) {
                        OnDuplicate::Skip => Step::Skip,
                        OnDuplicate::Create => create_step(&input, notes, context)?,
                        OnDuplicate::Merge => Step::Merge { input, notes, into: of },
                    },
                };
                let step = match step {
                    Step::Create(card, _) => {
                        let consent = consent_of(cells, context.reading, &context.table.headers);
                        Step::Create(card, consent.map(|(agreed, heading)| (agreed, heading.to_string())))
                    }
                    other => other,
                };
                chunk.push((*number, step));
            }
            if sender.send(Ok(chunk)).is_err() {
                return Ok(()); // the writer stopped, with its own error
            }
        }
        Ok(())
    };
    if let Err(error) = prepare() {
        let _ = sender.send(Err(error));
    }
    // Done: the writer's loop ends when this sender goes, and then it
    // drops its end of `written`, which ends this one.
    drop(sender);
    written.iter().for_each(drop);
}

fn create_step(input: &CustomerInput, notes: Vec<String>, context: &Context) -> Result<Step> {
    match customers::prepare(input, notes, context.health.clone(), context.batch_id, context.now) {
        Ok(card) => Ok(Step::Create(card, None)),
        Err(Error::Invalid { reason, .. }) => Ok(Step::Reject(reason)),
        Err(other) => Err(other),
    }
}

/// The writing side, inside the import's transaction.
struct Writer<'a> {
    tx: &'a Transaction<'a>,
    context: &'a Context<'a>,
    report: &'a mut Report,
    search: search::BatchIndex,
    /// The card each written row became, for a later row that repeats it.
    ids_by_row: HashMap<usize, String>,
}

impl Writer<'_> {
    fn write(&mut self, number: usize, step: &Step) -> Result<()> {
        match step {
            Step::Reject(reason) => self.reject(number, reason.clone()),
            Step::Skip => self.report.skipped += 1,
            Step::Create(card, consent) => self.create(number, card, consent.as_ref())?,
            Step::Merge { input, notes, into } => {
                let target = match into {
                    DuplicateOf::Stored { id, .. } => Some(id.clone()),
                    DuplicateOf::Row(row) => self.ids_by_row.get(row).cloned(),
                };
                match target {
                    Some(id) => self.merge(number, &id, input, notes)?,
                    // The earlier row it repeats did not become a card: this one does.
                    None => self.write(number, &create_step(input, notes.clone(), self.context)?)?,
                }
            }
        }
        Ok(())
    }

    /// A new card; a "yes" in the row's consent column is kept as its
    /// consent to news by email, saying which column it came from (a card
    /// already on file keeps the consent recorded on it).
    fn create(
        &mut self,
        number: usize,
        card: &customers::PreparedCard,
        consent: Option<&(bool, String)>,
    ) -> Result<()> {
        customers::insert_prepared(self.tx, card, &mut self.search)?;
        if let Some((true, heading)) = consent {
            let heading: String = heading.chars().take(80).collect();
            consent::agree(self.tx, &card.id, &format!("import: the \"{heading}\" column"), self.context.now)?;
        }
        self.ids_by_row.insert(number, card.id.clone());
        self.report.imported += 1;
        Ok(())
    }

    fn merge(&mut self, number: usize, id: &str, input: &CustomerInput, notes: &[String]) -> Result<()> {
        let tx = self.tx;
        // The card may be one this import created, whose keys still wait.
        self.search.flush(tx)?;
        let before = customers::get(tx, id)?;
        let merged = merge_input(&before, input);
        let known_notes: HashSet<&str> = before.notes.iter().map(|n| n.body.as_str()).collect();
        let new_notes: Vec<String> = notes.iter().filter(|n| !known_notes.contains(n.as_str())).cloned().collect();
        match customers::update_in(tx, id, &merged, &new_notes, self.context.now) {
            Ok(note_ids) => {
                let after = customers::get(tx, id)?;
                let people = after
                    .people
                    .iter()
                    .filter(|p| !before.people.iter().any(|b| b.id == p.id))
                    .map(|p| p.id.clone())
                    .collect();
                let added = Added { people, notes: note_ids };
                undo::record_merge(tx, self.context.batch_id, &before, &added, self.context.now)?;
                self.ids_by_row.insert(number, id.to_string());
                self.report.merged += 1;
            }
            Err(Error::Invalid { reason, .. }) => {
                self.reject(number, format!("Could not merge into {}: {reason}", before.display_name))
            }
            Err(other) => return Err(other),
        }
        Ok(())
    }

    fn reject(&mut self, row: usize, reason: String) {
        self.report.rejected += 1;
        if self.report.problems.len() < MAX_LISTED {
            self.report.problems.push(Problem { row, reason, cells: cells_summary(self.context.table, row) });
        }
    }
}

/// The stored card with the file's values filling what is empty; tags,
/// people and pets added when not already there.
fn merge_input(card: &Card, file: &CustomerInput) -> CustomerInput {
    let mut merged = CustomerInput::from(card);
    for (slot, new) in [
        (&mut merged.first_name, &file.first_name),
        (&mut merged.last_name, &file.last_name),
        (&mut merged.preferred_name, &file.preferred_name),
        (&mut merged.phone, &file.phone),
        (&mut merged.email, &file.email),
        (&mut merged.best_time, &file.best_time),
        (&mut merged.heard_from, &file.heard_from),
    ] {
        if slot.trim().is_empty() {
            slot.clone_from(new);
        }
    }
    if card.birthday.is_none() {
        merged.birthday_day.clone_from(&file.birthday_day);
        merged.birthday_month.clone_from(&file.birthday_month);
        merged.birthday_year.clone_from(&file.birthday_year);
    }
    merged.tags.extend(file.tags.iter().cloned());
    for person in &file.people {
        if !merged.people.iter().any(|p| text::fold(&p.name) == text::fold(&person.name)) {
            merged.people.push(person.clone());
        }
    }
    merged
}
