//! Passes and packages: the pass types a shop sells (a settings row), the
//! passes sold and their append-only session ledger. The only writer of
//! `passes` and `pass_ledger`.
//!
//! What is left on a pass is the sum of its ledger (sold +n, used -1,
//! returned +1, expired -left, adjusted ±n with a reason); no row is ever
//! changed, so the history says what happened to every session. A session
//! is used inside the IMMEDIATE transaction of the check-in
//! (`features::desk`), which reads the sum first: two desks using the last
//! session at once are serialised and the second finds nothing left.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::settings::{self, StaffRef};
use crate::db::store;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::{derived_id, new_id};
use crate::kernel::money::parse_amount;
use crate::kernel::time::{stored_day, timestamp};

/// A pass the shop sells: "10-class pass, 120.00, 10 sessions, valid 3 months".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PassType {
    /// Stable, so a renamed type is still the same type.
    pub id: String,
    pub name: String,
    pub price_cents: i64,
    pub sessions: i64,
    /// 0: the pass never expires.
    pub valid_months: i64,
}

/// A pass type as typed in the settings (the price as text, "120" or "120,00").
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(default)]
pub struct PassTypeInput {
    pub id: Option<String>,
    pub name: String,
    pub price: String,
    pub sessions: i64,
    pub valid_months: i64,
}

const TYPES_KEY: &str = "pass_types";
const MAX_SESSIONS: i64 = 1000;

pub fn load_types(conn: &Connection) -> Result<Vec<PassType>> {
    Ok(settings::load_json(conn, TYPES_KEY)?.unwrap_or_default())
}

fn validate_types(inputs: &[PassTypeInput]) -> Result<Vec<PassType>> {
    let mut clean: Vec<PassType> = Vec::new();
    for input in inputs {
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(Error::invalid("pass_types", "Every pass needs a name of at most 60 characters."));
        }
        if clean.iter().any(|t| t.name.to_lowercase() == name.to_lowercase()) {
            return Err(Error::invalid("pass_types", format!("\"{name}\" is listed twice.")));
        }
        let price_cents = parse_amount(&input.price)
            .map_err(|_| {
                Error::invalid(
                    "pass_types",
                    format!("The price of \"{name}\" is not an amount; type it like 120 or 120.00."),
                )
            })?
            .unwrap_or(0);
        if price_cents > 100_000_000 {
            return Err(Error::invalid("pass_types", format!("The price of \"{name}\" is too large.")));
        }
        if !(1..=MAX_SESSIONS).contains(&input.sessions) {
            return Err(Error::invalid("pass_types", format!("\"{name}\" needs from 1 to {MAX_SESSIONS} sessions.")));
        }
        if !(0..=120).contains(&input.valid_months) {
            return Err(Error::invalid("pass_types", format!("\"{name}\": valid for 0 (no end) to 120 months.")));
        }
        let id = input.id.clone().filter(|id| !id.trim().is_empty()).unwrap_or_else(new_id);
        clean.push(PassType {
            id,
            name: name.to_string(),
            price_cents,
            sessions: input.sessions,
            valid_months: input.valid_months,
        });
    }
    Ok(clean)
}

/// Saves the pass types. Passes already sold keep what they were sold as.
pub fn save_types(conn: &mut Connection, inputs: &[PassTypeInput], now: DateTime<Utc>) -> Result<Vec<PassType>> {
    let clean = validate_types(inputs)?;
    settings::save_json(conn, TYPES_KEY, &clean, now)?;
    Ok(clean)
}

/// The last day a pass sold on `sold_on` can be used (`None`: never ends).
pub fn expiry(pass_type: &PassType, sold_on: NaiveDate) -> Option<NaiveDate> {
    let months = u32::try_from(pass_type.valid_months).ok().filter(|m| *m > 0)?;
    sold_on.checked_add_months(Months::new(months))
}

/// "3 March", or "3 March 2027" when it is not this year.
pub fn day_words(day: NaiveDate, today: NaiveDate) -> String {
    if day.year() == today.year() {
        day.format("%-d %B").to_string()
    } else {
        day.format("%-d %B %Y").to_string()
    }
}

/// What the card and the check-in say about a pass: "7 of 10 left, until 3 March".
pub fn left_words(left: i64, sessions: i64, expires_on: Option<NaiveDate>, today: NaiveDate) -> String {
    match expires_on {
        Some(day) if day < today => {
            if left > 0 {
                format!("Expired {} with {left} of {sessions} unused", day_words(day, today))
            } else {
                format!("Expired {}", day_words(day, today))
            }
        }
        _ if left <= 0 => format!("All {sessions} used"),
        Some(day) => format!("{left} of {sessions} left, until {}", day_words(day, today)),
        None => format!("{left} of {sessions} left"),
    }
}

struct LedgerEntry<'a> {
    pass_id: &'a str,
    customer_id: &'a str,
    kind: &'static str,
    sessions: i64,
    memo: String,
    staff: &'a StaffRef,
    interaction_id: Option<&'a str>,
}

fn append(conn: &Connection, entry: &LedgerEntry, now: DateTime<Utc>) -> Result<()> {
    append_with_id(conn, &new_id(), entry, now)
}

/// `id` is derived from the cause for a row that happens once (a pass's
/// expiry), so two devices of a shared shop that both write it write one.
fn append_with_id(conn: &Connection, id: &str, entry: &LedgerEntry, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO pass_ledger (id, pass_id, customer_id, kind, sessions, memo, staff_id, staff_name, interaction_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        id,
        entry.pass_id,
        entry.customer_id,
        entry.kind,
        entry.sessions,
        entry.memo,
        entry.staff.id,
        entry.staff.name,
        entry.interaction_id,
        timestamp(now)
    ])?;
    Ok(())
}

/// Sessions left on the pass `p`, as an SQL expression over `pass_ledger l`:
/// the sum of its ledger. Every query that weighs what is left uses it.
pub const LEFT: &str = "(SELECT coalesce(sum(l.sessions), 0) FROM pass_ledger l WHERE l.pass_id = p.id)";

/// Sessions left on a pass: the sum of its ledger.
pub fn left(conn: &Connection, pass_id: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT coalesce(sum(sessions), 0) FROM pass_ledger WHERE pass_id = ?1")?
        .query_row([pass_id], |row| row.get(0))?)
}

/// Records a pass sold (inside the sale's transaction): the pass and its
/// "sold" ledger row. Returns the pass id.
#[allow(clippy::too_many_arguments)]
pub fn sell_in(
    conn: &Connection,
    customer_id: &str,
    pass_type: &PassType,
    interaction_id: &str,
    staff: &StaffRef,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    let stamp = timestamp(now);
    conn.prepare_cached(
        "INSERT INTO passes (id, customer_id, type_id, name, sessions, price_cents, sold_on, expires_on, interaction_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        id,
        customer_id,
        pass_type.id,
        pass_type.name,
        pass_type.sessions,
        pass_type.price_cents,
        today.to_string(),
        expiry(pass_type, today).map(|d| d.to_string()),
        interaction_id,
        stamp
    ])?;
    let memo = format!("Sold: {} ({} sessions)", pass_type.name, pass_type.sessions);
    append(
        conn,
        &LedgerEntry {
            pass_id: &id,
            customer_id,
            kind: "sold",
            sessions: pass_type.sessions,
            memo,
            staff,
            interaction_id: Some(interaction_id),
        },
        now,
    )?;
    Ok(id)
}

/// A session just used, as the check-in reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Used {
    pub pass_id: String,
    pub name: String,
    pub left: i64,
    pub sessions: i64,
    /// "10-class pass: 7 of 10 left, until 3 March".
    pub said: String,
}

/// Uses one session from the customer's usable pass that expires first
/// (one without an end last; the older first among equals), inside the
/// visit's transaction. `None` when no pass has a session left today.
pub fn use_session_in(
    conn: &Connection,
    customer_id: &str,
    interaction_id: &str,
    staff: &StaffRef,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<Used>> {
    let found: Option<(String, String, i64, Option<String>, i64)> = conn
        .prepare_cached(&format!(
            "SELECT p.id, p.name, p.sessions, p.expires_on,
                    {LEFT} AS remaining
             FROM passes p
             WHERE p.customer_id = ?1 AND (p.expires_on IS NULL OR p.expires_on >= ?2) AND remaining > 0
             ORDER BY p.expires_on IS NULL, p.expires_on, p.created_at, p.id LIMIT 1"
        ))?
        .query_row(params![customer_id, today.to_string()], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
        })
        .optional()?;
    let Some((pass_id, name, sessions, expires_on, before)) = found else { return Ok(None) };
    let memo = format!("Used: {name}");
    append(
        conn,
        &LedgerEntry {
            pass_id: &pass_id,
            customer_id,
            kind: "used",
            sessions: -1,
            memo,
            staff,
            interaction_id: Some(interaction_id),
        },
        now,
    )?;
    let left = before - 1;
    let said = format!("{name}: {}", left_words(left, sessions, expires_on.as_deref().and_then(stored_day), today));
    Ok(Some(Used { pass_id, name, left, sessions, said }))
}

/// An undone visit gives back the session it used (once), inside the undo's
/// transaction. Returns how many sessions came back.
pub fn return_for_interaction(
    conn: &Connection,
    customer_id: &str,
    interaction_id: &str,
    staff: &StaffRef,
    now: DateTime<Utc>,
) -> Result<i64> {
    let rows: Vec<(String, String, i64)> = conn
        .prepare_cached(
            "SELECT l.pass_id, p.name, sum(l.sessions) FROM pass_ledger l JOIN passes p ON p.id = l.pass_id
             WHERE l.interaction_id = ?1 AND l.kind IN ('used', 'returned') GROUP BY l.pass_id",
        )?
        .query_map([interaction_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut back = 0;
    for (pass_id, name, net) in rows.into_iter().filter(|(_, _, net)| *net < 0) {
        let memo = format!("Visit undone: session back on {name}");
        append(
            conn,
            &LedgerEntry {
                pass_id: &pass_id,
                customer_id,
                kind: "returned",
                sessions: -net,
                memo,
                staff,
                interaction_id: Some(interaction_id),
            },
            now,
        )?;
        back += -net;
    }
    Ok(back)
}

/// An undone sale voids the pass it sold: what is left is taken off with
/// an adjustment that says why. Returns the customer's passes voided.
pub fn void_sale(
    conn: &Connection,
    customer_id: &str,
    interaction_id: &str,
    staff: &StaffRef,
    now: DateTime<Utc>,
) -> Result<usize> {
    let passes: Vec<String> = conn
        .prepare_cached("SELECT id FROM passes WHERE interaction_id = ?1")?
        .query_map([interaction_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for pass_id in &passes {
        let left = left(conn, pass_id)?;
        if left > 0 {
            let memo = "Adjusted: the sale was undone".to_string();
            append(
                conn,
                &LedgerEntry {
                    pass_id,
                    customer_id,
                    kind: "adjusted",
                    sessions: -left,
                    memo,
                    staff,
                    interaction_id: Some(interaction_id),
                },
                now,
            )?;
        }
    }
    Ok(passes.len())
}

/// Writes off the sessions left on passes whose last day is before `today`
/// (an "expired" row each, once: an expired pass then has none left).
/// Returns how many passes expired.
pub fn expire_due(conn: &Connection, today: NaiveDate, now: DateTime<Utc>) -> Result<usize> {
    let rows: Vec<(String, String, String, i64)> = conn
        .prepare_cached(&format!(
            "SELECT p.id, p.customer_id, p.name, {LEFT} AS remaining
             FROM passes p WHERE p.expires_on IS NOT NULL AND p.expires_on < ?1 AND remaining > 0"
        ))?
        .query_map([today.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let nobody = StaffRef::default();
    for (pass_id, customer_id, name, left) in &rows {
        let memo = format!("Expired: {name}, {left} unused");
        append_with_id(
            conn,
            &derived_id(&format!("pass-expired:{pass_id}")),
            &LedgerEntry {
                pass_id,
                customer_id,
                kind: "expired",
                sessions: -left,
                memo,
                staff: &nobody,
                interaction_id: None,
            },
            now,
        )?;
    }
    Ok(rows.len())
}

/// A correction with a required reason (a session given as a goodwill
/// gesture, a miscount); never below zero. One transaction.
pub fn adjust(
    conn: &mut Connection,
    pass_id: &str,
    sessions: i64,
    reason: &str,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(Error::invalid(
            "reason",
            "Say why the sessions change (at most 200 characters); the reason is kept.",
        ));
    }
    if sessions == 0 || sessions.abs() > MAX_SESSIONS {
        return Err(Error::invalid(
            "sessions",
            format!("Give a number of sessions from -{MAX_SESSIONS} to {MAX_SESSIONS}, not 0."),
        ));
    }
    store::write(conn, |tx| {
        let customer_id: String = tx
            .prepare_cached("SELECT customer_id FROM passes WHERE id = ?1")?
            .query_row([pass_id], |row| row.get(0))
            .optional()?
            .ok_or(Error::NotFound("This pass"))?;
        let staff = settings::staff_ref(tx, staff_id)?;
        let now_left = left(tx, pass_id)?;
        if now_left + sessions < 0 {
            return Err(Error::invalid("sessions", format!("The pass has {now_left} left; it cannot go below zero.")));
        }
        let memo = format!("Adjusted: {reason}");
        append(
            tx,
            &LedgerEntry {
                pass_id,
                customer_id: &customer_id,
                kind: "adjusted",
                sessions,
                memo,
                staff: &staff,
                interaction_id: None,
            },
            now,
        )?;
        Ok(customer_id)
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PassLedgerLine {
    pub kind: String,
    pub sessions: i64,
    pub memo: String,
    pub staff_name: String,
    pub created_at: String,
}

/// A pass as the card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PassView {
    pub id: String,
    pub name: String,
    pub sessions: i64,
    pub left: i64,
    pub sold_on: String,
    pub expires_on: Option<String>,
    /// Can be used today: not expired and a session left.
    pub usable: bool,
    /// "7 of 10 left, until 3 March".
    pub said: String,
    /// Newest first.
    pub ledger: Vec<PassLedgerLine>,
}

/// How many passes the card lists (usable first, then the newest ended).
const SHOWN: i64 = 6;

/// The customer's passes: the usable ones (first to expire first), then
/// the most recent that ended.
pub fn for_customer(conn: &Connection, customer_id: &str, today: NaiveDate) -> Result<Vec<PassView>> {
    type Row = (String, String, i64, String, Option<String>, i64);
    let rows: Vec<Row> = conn
        .prepare_cached(&format!(
            "SELECT p.id, p.name, p.sessions, p.sold_on, p.expires_on,
                    {LEFT}
             FROM passes p WHERE p.customer_id = ?1 ORDER BY p.created_at DESC, p.id DESC LIMIT 50"
        ))?
        .query_map([customer_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut views = Vec::new();
    for (id, name, sessions, sold_on, expires_on, left) in rows {
        let expires = expires_on.as_deref().and_then(stored_day);
        let usable = left > 0 && expires.is_none_or(|day| day >= today);
        let ledger = conn
            .prepare_cached(
                "SELECT kind, sessions, memo, staff_name, created_at FROM pass_ledger WHERE pass_id = ?1
                 ORDER BY created_at DESC, id DESC LIMIT 12",
            )?
            .query_map([&id], |row| {
                Ok(PassLedgerLine {
                    kind: row.get(0)?,
                    sessions: row.get(1)?,
                    memo: row.get(2)?,
                    staff_name: row.get(3)?,
                    created_at: row.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let said = left_words(left, sessions, expires, today);
        views.push(PassView { id, name, sessions, left, sold_on, expires_on, usable, said, ledger });
    }
    // Usable first, the first to expire first (as a check-in picks them).
    views.sort_by(|a, b| {
        b.usable.cmp(&a.usable).then_with(|| match (a.usable, &a.expires_on, &b.expires_on) {
            (true, Some(x), Some(y)) => x.cmp(y),
            (true, Some(_), None) => std::cmp::Ordering::Less,
            (true, None, Some(_)) => std::cmp::Ordering::Greater,
            _ => std::cmp::Ordering::Equal,
        })
    });
    views.truncate(SHOWN as usize);
    Ok(views)
}

/// A pass running out, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningOut {
    pub customer_id: String,
    pub customer_name: String,
    pub detail: String,
}

/// Usable passes with at most one session left or ending within `days`,
/// the first to end first; and how many there are.
pub fn running_out(conn: &Connection, today: NaiveDate, days: i64, limit: usize) -> Result<(i64, Vec<RunningOut>)> {
    let soon = (today + chrono::Duration::days(days)).to_string();
    let rows: Vec<(String, String, String, i64, Option<String>, i64)> = conn
        .prepare_cached(&format!(
            "SELECT * FROM (
                SELECT p.customer_id, c.display_name, p.name, p.sessions, p.expires_on,
                       {LEFT} AS remaining
                FROM passes p JOIN customers c ON c.id = p.customer_id
                WHERE (p.expires_on IS NULL OR p.expires_on >= ?1) AND c.archived_at IS NULL)
             WHERE remaining > 0 AND (remaining <= 1 OR expires_on <= ?2)
             ORDER BY expires_on IS NULL, expires_on, remaining"
        ))?
        .query_map(params![today.to_string(), soon], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let count = rows.len() as i64;
    let lines = rows
        .into_iter()
        .take(limit)
        .map(|(customer_id, customer_name, name, sessions, expires_on, left)| RunningOut {
            customer_id,
            customer_name,
            detail: format!(
                "{name}: {}",
                left_words(left, sessions, expires_on.as_deref().and_then(stored_day), today)
            ),
        })
        .collect();
    Ok((count, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn words_say_what_is_left_and_until_when() {
        let today = day(2026, 12, 2);
        assert_eq!(left_words(7, 10, Some(day(2027, 3, 3)), today), "7 of 10 left, until 3 March 2027");
        assert_eq!(left_words(7, 10, Some(day(2026, 12, 24)), today), "7 of 10 left, until 24 December");
        assert_eq!(left_words(5, 5, None, today), "5 of 5 left");
        assert_eq!(left_words(0, 10, Some(day(2026, 12, 24)), today), "All 10 used");
        assert_eq!(left_words(2, 10, Some(day(2026, 12, 1)), today), "Expired 1 December with 2 of 10 unused");
    }

    #[test]
    fn expiry_counts_months_and_zero_never_ends() {
        let t =
            |months| PassType { id: "x".into(), name: "p".into(), price_cents: 0, sessions: 10, valid_months: months };
        assert_eq!(expiry(&t(3), day(2026, 12, 3)), Some(day(2027, 3, 3)));
        assert_eq!(expiry(&t(1), day(2026, 1, 31)), Some(day(2026, 2, 28)));
        assert_eq!(expiry(&t(0), day(2026, 1, 31)), None);
    }

    #[test]
    fn types_are_checked_and_named_in_the_message() {
        let input = |name: &str, price: &str, sessions, months| PassTypeInput {
            id: None,
            name: name.into(),
            price: price.into(),
            sessions,
            valid_months: months,
        };
        let ok = validate_types(&[input("10-class pass", "120", 10, 3), input("5 walks", "75,50", 5, 0)]).unwrap();
        assert_eq!(ok[1].price_cents, 7550);
        for bad in [
            input("", "1", 1, 1),
            input("x", "abc", 1, 1),
            input("x", "1", 0, 1),
            input("x", "1", 1, 121),
            input("x", "1", 1, -1),
        ] {
            assert!(matches!(validate_types(&[bad]), Err(Error::Invalid { field: "pass_types", .. })));
        }
        assert!(validate_types(&[input("Pass", "1", 1, 1), input("pass", "1", 1, 1)]).is_err());
    }
}
