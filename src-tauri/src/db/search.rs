//! Front-desk lookup.
//!
//! Three tables, all rewritten in the caller's transaction by `reindex`:
//! - `search_keys`: short keys looked up by typed prefix, one B-tree range
//!   scan each, already in order. Each key is marked with what it is:
//!   - `n zoe muller`, `n muller`: every word-start of the folded name, so
//!     "name starts with" ranks first at no cost; a preferred name is
//!     filed as a name of its own with the last name (`n liz taylor`);
//!   - `p 442079460958`, `p 2079460958`: the phone's digits from the start
//!     and from each of the next three digits, so a number stored with its
//!     country code is found by the national number too;
//!   - `e 859064970244`: the digits reversed, so the last digits find it.
//!
//!   Digits from the middle of a number are not found: every suffix as a
//!   full-text term made importing a spreadsheet more than twice as slow.
//! - `search_entries`: the keys each customer is filed under, so they can
//!   be removed without a second index on `search_keys`.
//! - `search_text` (FTS5, contentless): name words, email words,
//!   people/pets and other words (notes, tags, person details, "heard
//!   from"). Queried unranked with a LIMIT, because `ORDER BY rank` sorts
//!   every match and a common word matches thousands.
//!
//! Tiers, filled in order until the limit: name prefix (or phone digits),
//! then a full-text match on name words in any order, email, people and
//! pets, then anything else. All tiers run for active customers first, then
//! again for archived ones if the limit is not reached yet.
//!
//! Within a tier, the customers likeliest to be at the desk now come first
//! (`kernel::rhythm::desk_likelihood`: expected today by their weekdays or
//! their gap, weighed by their usual time of day; then frequent and
//! recent), then the name order. Only the first
//! `RANK_POOL` matches of a tier are weighed: a one-letter query matches
//! thousands, and reading them all would cost the keystroke its speed; by
//! the second or third letter a regular's name is within the pool.

use rayon::slice::ParallelSliceMut;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use chrono::{DateTime, Utc};

use crate::kernel::error::Result;
use crate::kernel::{rhythm, text};

pub const DEFAULT_LIMIT: usize = 20;

/// How many matches of a tier are weighed by likelihood (see the module
/// notes): of a name or phone key range, and of a full-text tier, whose
/// matches cost more to read and are rarely how a regular is found.
const RANK_POOL: usize = 150;
const TEXT_RANK_POOL: usize = 60;

/// Why a customer matched, so the result list can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MatchedOn {
    Name,
    Phone,
    Email,
    Person,
    /// A note, a tag, or words spread over several fields.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Hit {
    pub id: String,
    pub display_name: String,
    /// What the desk calls them ("Liz"); "" for none.
    pub preferred_name: String,
    pub phone: String,
    pub email: String,
    /// "Biscuit (dog), Mia (child)".
    pub people: String,
    pub matched_on: MatchedOn,
    /// For a note match: the note's words around the match.
    pub excerpt: Option<String>,
    pub archived: bool,
    /// The id of the customer's photo, if they have one: the list asks
    /// for its 64 px picture by it (`regulars-photo://`), after the results
    /// are shown, so the search itself reads no picture.
    pub photo: Option<String>,
}

/// What the indexes hold for one customer: read back from the card by
/// `reindex`, or handed over by a bulk create that has the values already.
#[derive(Debug, Default)]
pub struct Document {
    pub display_name: String,
    /// The name they go by with their last name ("Liz Taylor"), from
    /// `also_called`; "" without a preferred name.
    pub also_called: String,
    pub email: String,
    pub phone: String,
    /// Each person's or pet's name and kind ("Biscuit", "dog").
    pub people: Vec<(String, String)>,
    /// Everything else worth finding: notes, tags, person details, "heard from".
    pub other: Vec<String>,
}

/// The other name a customer is found by: their preferred name with their
/// last name ("Liz" and "Taylor" give "Liz Taylor"); "" without one.
pub fn also_called(preferred_name: &str, last_name: &str) -> String {
    if preferred_name.trim().is_empty() {
        return String::new();
    }
    format!("{} {}", preferred_name.trim(), last_name.trim()).trim_end().to_string()
}

/// Rewrites a customer's entries in every search index.
pub fn reindex(conn: &Connection, customer_id: &str) -> Result<()> {
    let (pk, document) = load(conn, customer_id)?;
    remove(conn, pk)?;
    index_new(conn, pk, &document)
}

/// Indexes a customer created in this transaction, who has no entries
/// yet: `reindex` without reading the card back or looking for old
/// entries, which in the contentless full-text index costs a search of
/// every segment.
pub fn index_new(conn: &Connection, pk: i64, document: &Document) -> Result<()> {
    let entry = Entry::of(document);
    write_entry(conn, pk, &entry)?;
    insert_keys(conn, entry.keys.iter().map(|key| (key.as_str(), pk)))
}

/// What one customer is filed under, worked out from their `Document`
/// without touching the database, so a bulk import can prepare it on
/// another thread while the writer writes.
#[derive(Debug)]
pub struct Entry {
    keys: Vec<String>,
    /// The keys one per line, as `search_entries` keeps them.
    listed: String,
    name: String,
    contact: String,
    people: String,
    other: String,
}

impl Entry {
    pub fn of(document: &Document) -> Entry {
        let mut name_words = text::words(&document.display_name);
        let also_words = text::words(&document.also_called);
        let fold_all = |texts: &mut dyn Iterator<Item = &String>| {
            let mut folded = String::new();
            for text in texts {
                folded.push_str(&text::fold(text));
                folded.push(' ');
            }
            folded
        };
        let keys = keys(&name_words, &also_words, &document.phone);
        // The full-text name holds the words of the other name too, once.
        for word in also_words {
            if !name_words.contains(&word) {
                name_words.push(word);
            }
        }
        Entry {
            listed: keys.join("\n"),
            keys,
            name: name_words.join(" "),
            contact: text::words(&document.email).join(" "),
            people: fold_all(&mut document.people.iter().flat_map(|(name, kind)| [name, kind])),
            other: fold_all(&mut document.other.iter()),
        }
    }
}

/// Indexes many new customers in one transaction (an import): like
/// `index_new`, except that the keys wait in memory until `flush`, which
/// writes them in key order. Filed one customer at a time they land all
/// over the key B-tree; sorted, it fills page by page.
#[derive(Default)]
pub struct BatchIndex {
    /// The waiting keys end to end. One buffer instead of a string per key
    /// keeps them close together in memory, which made sorting and writing
    /// 800,000 of them markedly faster.
    text: String,
    /// Each waiting key: where it is in `text`, and its customer.
    pending: Vec<(std::ops::Range<usize>, i64)>,
}

impl BatchIndex {
    pub fn add(&mut self, conn: &Connection, pk: i64, entry: &Entry) -> Result<()> {
        write_entry(conn, pk, entry)?;
        for key in &entry.keys {
            let start = self.text.len();
            self.text.push_str(key);
            self.pending.push((start..self.text.len(), pk));
        }
        Ok(())
    }

    /// Writes the waiting keys. Call it before the transaction commits,
    /// and before anything re-indexes a customer added to this batch.
    pub fn flush(&mut self, conn: &Connection) -> Result<()> {
        let text = &self.text;
        // On every core: during an import's last flush the other thread is idle.
        self.pending
            .par_sort_unstable_by(|(a, a_pk), (b, b_pk)| text[a.clone()].cmp(&text[b.clone()]).then(a_pk.cmp(b_pk)));
        insert_keys(conn, self.pending.iter().map(|(range, pk)| (&text[range.clone()], *pk)))?;
        self.pending.clear();
        self.text.clear();
        Ok(())
    }
}

/// Fills the indexes from scratch, after a migration changed their shape.
pub fn rebuild_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM search_keys; DELETE FROM search_entries;
         INSERT INTO search_text (search_text) VALUES ('delete-all');",
    )?;
    let ids: Vec<String> =
        conn.prepare("SELECT id FROM customers")?.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut batch = BatchIndex::default();
    for id in ids {
        let (pk, document) = load(conn, &id)?;
        batch.add(conn, pk, &Entry::of(&document))?;
    }
    batch.flush(conn)
}

fn load(conn: &Connection, customer_id: &str) -> Result<(i64, Document)> {
    let (pk, mut document): (i64, Document) = conn
        .prepare_cached(
            "SELECT pk, display_name, phone, email, tags, heard_from, preferred_name, last_name
             FROM customers WHERE id = ?1",
        )?
        .query_row([customer_id], |row| {
            let document = Document {
                display_name: row.get(1)?,
                also_called: also_called(&row.get::<_, String>(6)?, &row.get::<_, String>(7)?),
                phone: row.get(2)?,
                email: row.get(3)?,
                people: Vec::new(),
                // Tags are stored as a JSON list; its words are what is indexed.
                other: vec![row.get(4)?, row.get(5)?],
            };
            Ok((row.get(0)?, document))
        })?;
    let mut stmt = conn.prepare_cached("SELECT name, kind, details FROM people WHERE customer_id = ?1")?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(row) = rows.next()? {
        document.people.push((row.get(0)?, row.get(1)?));
        document.other.push(row.get(2)?);
    }
    let mut stmt = conn.prepare_cached("SELECT body FROM notes WHERE customer_id = ?1")?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(row) = rows.next()? {
        document.other.push(row.get(0)?);
    }
    Ok((pk, document))
}

/// Every key the customer is found by (see the module notes), from the
/// folded words of their name, of the name they go by, and their phone.
fn keys(name_words: &[String], also_words: &[String], phone: &str) -> Vec<String> {
    let mut keys: Vec<String> =
        (0..name_words.len()).map(|start| format!("{NAME} {}", name_words[start..].join(" "))).collect();
    for start in 0..also_words.len() {
        // "n taylor" is there already from the name.
        let key = format!("{NAME} {}", also_words[start..].join(" "));
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let digits = text::digits(phone);
    if digits.len() >= MIN_PHONE_DIGITS {
        for start in 0..=3.min(digits.len() - MIN_PHONE_DIGITS) {
            // `digits` holds ASCII digits only: any byte index is a character boundary.
            keys.push(format!("{PHONE_START} {}", &digits[start..]));
        }
        keys.push(phone_end_key(&digits));
    }
    keys
}

const NAME: char = 'n';
const PHONE_START: char = 'p';
const PHONE_END: char = 'e';

/// A number is not filed under a start this short: past its first digits
/// it would match almost every number.
const MIN_PHONE_DIGITS: usize = 3;

fn phone_end_key(digits: &str) -> String {
    format!("{PHONE_END} {}", digits.chars().rev().collect::<String>())
}

/// Writes the customer's entry (which keys they are filed under) and their
/// full-text row; the keys themselves are filed by the caller, now or later.
fn write_entry(conn: &Connection, pk: i64, entry: &Entry) -> Result<()> {
    conn.prepare_cached("INSERT INTO search_entries (customer_pk, keys) VALUES (?1, ?2)")?
        .execute(params![pk, entry.listed])?;
    conn.prepare_cached("INSERT INTO search_text (rowid, name, contact, people, notes) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![pk, entry.name, entry.contact, entry.people, entry.other])?;
    Ok(())
}

fn insert_keys<'a>(conn: &Connection, keys: impl Iterator<Item = (&'a str, i64)>) -> Result<()> {
    // Two words of a name can give the same key ("Anna Anna"); one is enough.
    let mut insert = conn.prepare_cached("INSERT OR IGNORE INTO search_keys (key, customer_pk) VALUES (?1, ?2)")?;
    for (key, pk) in keys {
        insert.execute(params![key, pk])?;
    }
    Ok(())
}

/// Removes a customer from every search index.
pub fn remove(conn: &Connection, pk: i64) -> Result<()> {
    let keys: Option<String> = conn
        .prepare_cached("SELECT keys FROM search_entries WHERE customer_pk = ?1")?
        .query_row([pk], |row| row.get(0))
        .optional()?;
    let mut delete = conn.prepare_cached("DELETE FROM search_keys WHERE key = ?1 AND customer_pk = ?2")?;
    for key in keys.iter().flat_map(|keys| keys.split('\n')) {
        delete.execute(params![key, pk])?;
    }
    conn.prepare_cached("DELETE FROM search_entries WHERE customer_pk = ?1")?.execute([pk])?;
    conn.prepare_cached("DELETE FROM search_text WHERE rowid = ?1")?.execute([pk])?;
    Ok(())
}

/// Rewrites the full-text index as one segment, leaving out every deleted
/// row. The index is contentless, so a delete cannot find the words it
/// filed (FTS5's own `secure-delete` needs the text): it only marks the
/// row as gone, and the words stay in the file until segments are merged.
/// An erase runs this in its transaction (about a second at 100,000
/// customers), and the connection's `secure_delete` zeroes the old pages.
pub fn purge_deleted(conn: &Connection) -> Result<()> {
    conn.execute("INSERT INTO search_text (search_text) VALUES ('optimize')", [])?;
    Ok(())
}

/// Finds customers as the front desk types. Results are ranked by tier
/// (name prefix, then name/phone/email/people, then notes); within a tier
/// the customers likeliest at the desk at `now` first, then by name.
/// `now: None` leaves out the likelihood (name order only: what the desk
/// had before, kept as the replay benchmark's baseline). Archived
/// customers are included and marked, after every active match.
pub fn search(conn: &Connection, query: &str, limit: usize, now: Option<DateTime<Utc>>) -> Result<Vec<Hit>> {
    let words = text::words(query);
    let limit = limit.clamp(1, 100);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    // Active customers first, archived ones only to fill what is left.
    // Each pass filters in SQL: sorting archived ones last after the tier
    // queries' LIMIT let a page of archived matches push an active
    // customer out of the list altogether.
    let mut found: Vec<(i64, MatchedOn)> = Vec::new();
    for archived in [false, true] {
        if found.len() < limit {
            collect(conn, query, &words, archived, limit, now, &mut found)?;
        }
    }

    let mut hits = Vec::with_capacity(found.len());
    for (pk, matched_on) in found {
        hits.push(hydrate(conn, pk, matched_on, &words)?);
    }
    Ok(hits)
}

/// Fills `found` up to `limit` with the active (or the archived) customers
/// matching the query, tier by tier.
fn collect(
    conn: &Connection,
    query: &str,
    words: &[String],
    archived: bool,
    limit: usize,
    now: Option<DateTime<Utc>>,
    found: &mut Vec<(i64, MatchedOn)>,
) -> Result<()> {
    let pool = if now.is_some() { RANK_POOL } else { limit * 2 };
    let push = |pk: i64, on: MatchedOn, found: &mut Vec<(i64, MatchedOn)>| {
        if found.len() < limit && !found.iter().any(|(seen, _)| *seen == pk) {
            found.push((pk, on));
        }
    };

    if text::looks_like_phone(query) {
        // Numbers that start with the digits, then numbers that end with them.
        let digits = text::digits(query);
        for prefix in [format!("{PHONE_START} {digits}"), phone_end_key(&digits)] {
            for pk in likeliest(key_range(conn, &prefix, archived, pool)?, now) {
                push(pk, MatchedOn::Phone, found);
            }
        }
    } else {
        for pk in likeliest(key_range(conn, &format!("{NAME} {}", words.join(" ")), archived, pool)?, now) {
            push(pk, MatchedOn::Name, found);
        }
    }

    let terms = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" AND ");
    // Out-of-order name words, then email, then people and pets, then
    // anything (a note, a tag, or words spread over several fields).
    let tiers = [
        (format!("name : ({terms})"), MatchedOn::Name),
        (format!("contact : ({terms})"), MatchedOn::Email),
        (format!("people : ({terms})"), MatchedOn::Person),
        (terms.clone(), MatchedOn::Other),
    ];
    for (fts, matched_on) in tiers {
        if found.len() >= limit {
            break;
        }
        let wanted = if now.is_some() { TEXT_RANK_POOL.max(limit + found.len()) } else { limit + found.len() };
        for pk in likeliest(fts_match(conn, &fts, archived, wanted)?, now) {
            push(pk, matched_on, found);
        }
    }
    Ok(())
}

/// A match as a tier finds it: the customer and what their likelihood
/// is worked out from (their last visit, usual gap and habits).
struct Candidate {
    pk: i64,
    last_visit_at: Option<String>,
    usual_gap_days: Option<f64>,
    habits: rhythm::Habits,
}

/// The candidates' customers, likeliest at the desk first; equally likely
/// ones (most customers, who have no rhythm) keep the tier's order.
fn likeliest(candidates: Vec<Candidate>, now: Option<DateTime<Utc>>) -> Vec<i64> {
    let Some(now) = now else {
        return candidates.into_iter().map(|c| c.pk).collect();
    };
    let mut weighed: Vec<(f64, i64)> = candidates
        .into_iter()
        .map(|c| (rhythm::desk_likelihood(c.last_visit_at.as_deref(), c.usual_gap_days, c.habits, now), c.pk))
        .collect();
    // Stable: the tier's own order breaks ties.
    weighed.sort_by(|a, b| b.0.total_cmp(&a.0));
    weighed.into_iter().map(|(_, pk)| pk).collect()
}

fn candidate(row: &rusqlite::Row) -> rusqlite::Result<Candidate> {
    Ok(Candidate {
        pk: row.get(0)?,
        last_visit_at: row.get(1)?,
        usual_gap_days: row.get(2)?,
        habits: rhythm::Habits { usual_minute: row.get(3)?, usual_weekdays: row.get(4)? },
    })
}

/// Reads once what a type-ahead reads (every search key, the columns of
/// every customer it weighs and shows, their people), so that this
/// connection's page cache holds it. For an encrypted shop each of those
/// pages is then decrypted once, at start, instead of on a keystroke.
/// Returns how many rows it read.
pub fn warm_up(conn: &Connection) -> Result<i64> {
    let keys: i64 = conn.query_row("SELECT count(*) FROM search_keys WHERE key >= ''", [], |row| row.get(0))?;
    let customers: i64 = conn.query_row(
        "SELECT count(*) FROM customers WHERE length(display_name) + ifnull(usual_minute, 0) + ifnull(usual_gap_days, 0) >= 0",
        [],
        |row| row.get(0),
    )?;
    let people: i64 = conn.query_row("SELECT count(*) FROM people WHERE length(name) >= 0", [], |row| row.get(0))?;
    Ok(keys + customers + people)
}

/// Customers filed under a key that starts with `prefix`, in key order.
fn key_range(conn: &Connection, prefix: &str, archived: bool, limit: usize) -> Result<Vec<Candidate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.customer_pk, c.last_visit_at, c.usual_gap_days, c.usual_minute, c.usual_weekdays FROM search_keys k JOIN customers c ON c.pk = k.customer_pk
         WHERE k.key >= ?1 AND k.key < ?2 AND (c.archived_at IS NOT NULL) = ?4 ORDER BY k.key LIMIT ?3",
    )?;
    let upper = format!("{prefix}\u{10FFFF}");
    let rows = stmt.query_map(params![prefix, upper, limit as i64, archived], candidate)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn fts_match(conn: &Connection, fts_query: &str, archived: bool, limit: usize) -> Result<Vec<Candidate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.rowid, c.last_visit_at, c.usual_gap_days, c.usual_minute, c.usual_weekdays FROM search_text s JOIN customers c ON c.pk = s.rowid
         WHERE search_text MATCH ?1 AND (c.archived_at IS NOT NULL) = ?3 LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![fts_query, limit as i64, archived], candidate)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn hydrate(conn: &Connection, pk: i64, matched_on: MatchedOn, words: &[String]) -> Result<Hit> {
    let mut hit = conn
        .prepare_cached(
            "SELECT id, display_name, phone, email, archived_at IS NOT NULL,
                    (SELECT p.id FROM photos p WHERE p.customer_id = customers.id AND ifnull(p.person_id, '') = ''),
                    preferred_name
             FROM customers WHERE pk = ?1",
        )?
        .query_row([pk], |row| {
            Ok(Hit {
                id: row.get(0)?,
                display_name: row.get(1)?,
                preferred_name: row.get(6)?,
                phone: row.get(2)?,
                email: row.get(3)?,
                people: String::new(),
                matched_on,
                excerpt: None,
                archived: row.get(4)?,
                photo: row.get(5)?,
            })
        })?;
    let mut stmt = conn.prepare_cached("SELECT name, kind FROM people WHERE customer_id = ?1 ORDER BY position")?;
    let people: Vec<String> = stmt
        .query_map([&hit.id], |row| {
            let (name, kind): (String, String) = (row.get(0)?, row.get(1)?);
            Ok(if kind.is_empty() { name } else { format!("{name} ({kind})") })
        })?
        .collect::<rusqlite::Result<_>>()?;
    hit.people = people.join(", ");
    if matched_on == MatchedOn::Other {
        hit.excerpt = note_excerpt(conn, &hit.id, words)?;
    }
    Ok(hit)
}

/// The words of the first note that contains every typed word, around the
/// first match, so the desk sees why this customer came up.
fn note_excerpt(conn: &Connection, customer_id: &str, words: &[String]) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM notes WHERE customer_id = ?1 ORDER BY created_at DESC")?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(row) = rows.next()? {
        let body: String = row.get(0)?;
        let note_words = text::words(&body);
        let contains = |w: &String| note_words.iter().any(|n| n.starts_with(w.as_str()));
        if !words.iter().all(contains) {
            continue;
        }
        let original: Vec<&str> = body.split_whitespace().collect();
        let first =
            original.iter().position(|o| text::words(o).iter().any(|n| n.starts_with(words[0].as_str()))).unwrap_or(0);
        let start = first.saturating_sub(4);
        let end = (first + 6).min(original.len());
        let mut excerpt = original[start..end].join(" ");
        if start > 0 {
            excerpt.insert_str(0, "… ");
        }
        if end < original.len() {
            excerpt.push_str(" …");
        }
        return Ok(Some(excerpt));
    }
    Ok(None)
}
