//! Who came in which month, kept as small tables so the dashboard's
//! retention reads a handful of rows: `activity_months` holds one row per
//! customer and month they came in (a visit or purchase that stands);
//! `month_stats` per month how many came in and how many of those also came
//! the month before. `came_in` keeps both right in the transaction of every
//! visit, undo and erase.

use chrono::{Months, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};

use crate::kernel::error::Result;
use crate::records::interactions::CAME_IN;

pub fn shift_month(month: &str, by: i32) -> Option<String> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let moved = if by >= 0 {
        first.checked_add_months(Months::new(by as u32))?
    } else {
        first.checked_sub_months(Months::new((-by) as u32))?
    };
    Some(moved.format("%Y-%m").to_string())
}

fn active_in(conn: &Connection, customer_id: &str, month: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM activity_months WHERE customer_id = ?1 AND month = ?2)")?
        .query_row(params![customer_id, month], |row| row.get(0))?)
}

fn bump_stats(conn: &Connection, month: &str, active: i64, retained: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO month_stats (month, active, retained) VALUES (?1, ?2, ?3)
         ON CONFLICT (month) DO UPDATE SET active = active + ?2, retained = retained + ?3",
    )?
    .execute(params![month, active, retained])?;
    Ok(())
}

/// Records `delta` visits (negative: undone) for a customer in a month and
/// keeps the month's active and retained counts right.
pub fn came_in(conn: &Connection, customer_id: &str, month: &str, delta: i64) -> Result<()> {
    if delta == 0 {
        return Ok(());
    }
    let before: i64 = conn
        .prepare_cached("SELECT visits FROM activity_months WHERE customer_id = ?1 AND month = ?2")?
        .query_row(params![customer_id, month], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    let after = (before + delta).max(0);
    if after > 0 {
        conn.prepare_cached(
            "INSERT INTO activity_months (customer_id, month, visits) VALUES (?1, ?2, ?3)
             ON CONFLICT (customer_id, month) DO UPDATE SET visits = ?3",
        )?
        .execute(params![customer_id, month, after])?;
    } else {
        conn.prepare_cached("DELETE FROM activity_months WHERE customer_id = ?1 AND month = ?2")?
            .execute(params![customer_id, month])?;
    }
    // Only a month that starts or stops counting moves the figures.
    let change = match (before > 0, after > 0) {
        (false, true) => 1,
        (true, false) => -1,
        _ => return Ok(()),
    };
    let previous = shift_month(month, -1);
    let next = shift_month(month, 1);
    let retained_here = match &previous {
        Some(p) if active_in(conn, customer_id, p)? => change,
        _ => 0,
    };
    bump_stats(conn, month, change, retained_here)?;
    if let Some(n) = &next {
        if active_in(conn, customer_id, n)? {
            bump_stats(conn, n, 0, change)?;
        }
    }
    Ok(())
}

/// Counts a customer into the monthly figures again from their
/// interactions that still stand (after `forget_customer`): how a device
/// of a shared shop settles the figures once it has applied another
/// device's visits, whatever order they arrived in.
pub fn recount_customer(conn: &Connection, customer_id: &str) -> Result<()> {
    let months: Vec<(String, i64)> = conn
        .prepare_cached(
            "SELECT substr(happened_at, 1, 7), count(*) FROM interactions
             WHERE customer_id = ?1 AND undone_at IS NULL AND kind IN (?2, ?3) GROUP BY 1",
        )?
        .query_map(params![customer_id, CAME_IN[0], CAME_IN[1]], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (month, visits) in months {
        came_in(conn, customer_id, &month, visits)?;
    }
    Ok(())
}

/// Takes a customer out of the monthly figures (before deleting them).
pub fn forget_customer(conn: &Connection, customer_id: &str) -> Result<()> {
    let months: Vec<(String, i64)> = conn
        .prepare_cached("SELECT month, visits FROM activity_months WHERE customer_id = ?1")?
        .query_map([customer_id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (month, visits) in months {
        came_in(conn, customer_id, &month, -visits)?;
    }
    Ok(())
}
