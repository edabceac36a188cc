//! Front-desk lookup.
//!
//! Two indexes, both rewritten in the caller's transaction by `reindex`:
//! - `search_names`: every word-start of the folded name ("zoe muller",
//!   "muller"). A typed name prefix is then one B-tree range scan that comes
//!   back sorted, so ranking "name starts with" first costs nothing.
//! - `search_text` (FTS5, contentless): name, contact (email words and every
//!   suffix of the phone digits, so any run of digits is a prefix match),
//!   people/pets and note words. Queried unranked with a LIMIT, because
//!   `ORDER BY rank` sorts every match and a common word matches thousands.
//!
//! Tiers, filled in order until the limit: name prefix, then a full-text
//! match on name words in any order, email, people and pets, then anything
//! else (notes, tags). All tiers run for active customers first, then
//! again for archived ones if the limit is not reached yet.

use rusqlite::{params, Connection};
use serde::Serialize;

use crate::error::Result;
use crate::text;

pub const DEFAULT_LIMIT: usize = 20;

/// Why a customer matched, so the result list can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedOn {
    Name,
    Phone,
    Email,
    Person,
    /// A note, a tag, or words spread over several fields.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub id: String,
    pub display_name: String,
    pub phone: String,
    pub email: String,
    /// "Biscuit (dog), Mia (child)".
    pub people: String,
    pub matched_on: MatchedOn,
    /// For a note match: the note's words around the match.
    pub excerpt: Option<String>,
    pub archived: bool,
}

/// Rewrites a customer's entries in both search indexes.
pub fn reindex(conn: &Connection, customer_id: &str) -> Result<()> {
    write(conn, customer_id, true)
}

/// Indexes a customer created in this transaction, who has no entries
/// yet (a bulk import): the same as `reindex` without looking for old
/// entries to remove, which in the contentless full-text index costs a
/// search of every segment.
pub fn index_new(conn: &Connection, customer_id: &str) -> Result<()> {
    write(conn, customer_id, false)
}

fn write(conn: &Connection, customer_id: &str, replace: bool) -> Result<()> {
    let (pk, display_name, phone, email): (i64, String, String, String) = conn
        .prepare_cached("SELECT pk, display_name, phone_digits, email FROM customers WHERE id = ?1")?
        .query_row([customer_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?;
    if replace {
        remove(conn, pk)?;
    }

    let name_words = text::words(&display_name);
    let mut insert_key = conn.prepare_cached("INSERT INTO search_names (key, customer_pk) VALUES (?1, ?2)")?;
    for start in 0..name_words.len() {
        insert_key.execute(params![name_words[start..].join(" "), pk])?;
    }

    let mut contact = text::words(&email).join(" ");
    for start in 0..phone.len().saturating_sub(2) {
        contact.push(' ');
        contact.push_str(&phone[start..]);
    }

    let mut people = String::new();
    let mut notes = String::new();
    let mut stmt = conn.prepare_cached("SELECT name, kind, details FROM people WHERE customer_id = ?1")?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(row) = rows.next()? {
        for column in 0..2 {
            people.push_str(&text::fold(&row.get::<_, String>(column)?));
            people.push(' ');
        }
        notes.push_str(&text::fold(&row.get::<_, String>(2)?));
        notes.push(' ');
    }
    let mut stmt = conn.prepare_cached("SELECT body FROM notes WHERE customer_id = ?1")?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(row) = rows.next()? {
        notes.push_str(&text::fold(&row.get::<_, String>(0)?));
        notes.push(' ');
    }
    let (tags, heard_from): (String, String) = conn
        .prepare_cached("SELECT tags, heard_from FROM customers WHERE pk = ?1")?
        .query_row([pk], |row| Ok((row.get(0)?, row.get(1)?)))?;
    notes.push_str(&text::fold(&tags));
    notes.push(' ');
    notes.push_str(&text::fold(&heard_from));

    conn.prepare_cached("INSERT INTO search_text (rowid, name, contact, people, notes) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![pk, name_words.join(" "), contact, people, notes])?;
    Ok(())
}

/// Removes a customer from both search indexes.
pub fn remove(conn: &Connection, pk: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM search_names WHERE customer_pk = ?1")?.execute([pk])?;
    conn.prepare_cached("DELETE FROM search_text WHERE rowid = ?1")?.execute([pk])?;
    Ok(())
}

/// Finds customers as the front desk types. Results are ranked by tier
/// (name prefix, then name/phone/email/people, then notes); within the name
/// tier alphabetically. Archived customers are included and marked, after
/// every active match.
pub fn search(conn: &Connection, query: &str, limit: usize) -> Result<Vec<Hit>> {
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
            collect(conn, query, &words, archived, limit, &mut found)?;
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
    found: &mut Vec<(i64, MatchedOn)>,
) -> Result<()> {
    let push = |pk: i64, on: MatchedOn, found: &mut Vec<(i64, MatchedOn)>| {
        if found.len() < limit && !found.iter().any(|(seen, _)| *seen == pk) {
            found.push((pk, on));
        }
    };

    if text::looks_like_phone(query) {
        let digits = text::digits(query);
        if digits.len() >= 3 {
            let fts = format!("contact : \"{digits}\"*");
            for pk in fts_match(conn, &fts, archived, limit)? {
                push(pk, MatchedOn::Phone, found);
            }
        }
    } else {
        let prefix = words.join(" ");
        let mut stmt = conn.prepare_cached(
            "SELECT n.customer_pk FROM search_names n JOIN customers c ON c.pk = n.customer_pk
             WHERE n.key >= ?1 AND n.key < ?2 AND (c.archived_at IS NOT NULL) = ?4
             ORDER BY n.key LIMIT ?3",
        )?;
        let upper = format!("{prefix}\u{10FFFF}");
        let mut rows = stmt.query(params![prefix, upper, (limit * 2) as i64, archived])?;
        while let Some(row) = rows.next()? {
            push(row.get(0)?, MatchedOn::Name, found);
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
        for pk in fts_match(conn, &fts, archived, limit + found.len())? {
            push(pk, matched_on, found);
        }
    }
    Ok(())
}

fn fts_match(conn: &Connection, fts_query: &str, archived: bool, limit: usize) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.rowid FROM search_text s JOIN customers c ON c.pk = s.rowid
         WHERE search_text MATCH ?1 AND (c.archived_at IS NOT NULL) = ?3 LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![fts_query, limit as i64, archived], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn hydrate(conn: &Connection, pk: i64, matched_on: MatchedOn, words: &[String]) -> Result<Hit> {
    let mut hit = conn
        .prepare_cached("SELECT id, display_name, phone, email, archived_at IS NOT NULL FROM customers WHERE pk = ?1")?
        .query_row([pk], |row| {
            Ok(Hit {
                id: row.get(0)?,
                display_name: row.get(1)?,
                phone: row.get(2)?,
                email: row.get(3)?,
                people: String::new(),
                matched_on,
                excerpt: None,
                archived: row.get(4)?,
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
        let first = original
            .iter()
            .position(|o| text::words(o).iter().any(|n| n.starts_with(words[0].as_str())))
            .unwrap_or(0);
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
