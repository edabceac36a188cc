//! A customer's membership: plan, price, term and renewal date. The
//! reminders module reminds the shop some days before it renews.

use chrono::{DateTime, Months, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::money::parse_amount;
use crate::kernel::time::timestamp;
use crate::records::reminders;

pub const TERMS: [&str; 4] = ["week", "month", "quarter", "year"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct MembershipInput {
    pub plan_name: String,
    /// As typed: "49.90".
    pub price: String,
    pub term: String,
    /// YYYY-MM-DD.
    pub renews_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Membership {
    pub id: String,
    pub plan_name: String,
    pub price_cents: i64,
    pub term: String,
    pub renews_on: String,
}

/// The next renewal date after `date`: month ends stay month ends
/// (31 January + 1 month = 28 or 29 February).
pub fn next_renewal(date: NaiveDate, term: &str) -> Option<NaiveDate> {
    match term {
        "week" => date.checked_add_signed(chrono::Duration::days(7)),
        "month" => date.checked_add_months(Months::new(1)),
        "quarter" => date.checked_add_months(Months::new(3)),
        "year" => date.checked_add_months(Months::new(12)),
        _ => None,
    }
}

/// "49.90 EUR per month": the price and term in one line, as reminders and
/// messages say it.
pub fn price_line(price_cents: i64, currency: &str, term: &str) -> String {
    format!("{}.{:02} {currency} per {term}", price_cents / 100, price_cents % 100)
}

pub fn current(conn: &Connection, customer_id: &str) -> Result<Option<Membership>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, plan_name, price_cents, term, renews_on FROM memberships
             WHERE customer_id = ?1 AND ended_at IS NULL ORDER BY created_at DESC LIMIT 1",
        )?
        .query_row([customer_id], |row| {
            Ok(Membership {
                id: row.get(0)?,
                plan_name: row.get(1)?,
                price_cents: row.get(2)?,
                term: row.get(3)?,
                renews_on: row.get(4)?,
            })
        })
        .optional()?)
}

/// Sets (or replaces) the customer's membership. A replaced one ends now,
/// and its pending renewal reminder is closed.
/// Inside the caller's transaction (`features::memberships::set`).
pub fn set_in(tx: &Connection, customer_id: &str, input: &MembershipInput, now: DateTime<Utc>) -> Result<()> {
    let plan_name = input.plan_name.trim();
    if plan_name.is_empty() || plan_name.chars().count() > 80 {
        return Err(Error::invalid("plan_name", "Name the plan (at most 80 characters)."));
    }
    let price_cents = parse_amount(&input.price)
        .map_err(|_| Error::invalid("price", "Type the price like 49.90"))?
        .ok_or_else(|| Error::invalid("price", "Give the plan's price."))?;
    let term = TERMS
        .iter()
        .find(|t| **t == input.term.trim())
        .ok_or_else(|| Error::invalid("term", "Choose week, month, quarter or year."))?;
    let renews_on = crate::kernel::time::parse_day("renews_on", &input.renews_on)?;
    crate::records::customers::ensure_exists(tx, customer_id)?;
    let stamp = timestamp(now);
    tx.execute(
        "UPDATE memberships SET ended_at = ?2, updated_at = ?2 WHERE customer_id = ?1 AND ended_at IS NULL",
        params![customer_id, stamp],
    )?;
    reminders::resolve(tx, customer_id, crate::records::reminders::Source::Renewal, None, now)?;
    let id = new_id();
    tx.execute(
        "INSERT INTO memberships (id, customer_id, plan_name, price_cents, term, renews_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![id, customer_id, plan_name, price_cents, term, renews_on.to_string(), stamp],
    )?;
    Ok(())
}

/// The customer renewed: the date moves on by one term.
/// Inside the caller's transaction (`features::memberships::renew`).
pub fn renew_in(tx: &Connection, customer_id: &str, now: DateTime<Utc>) -> Result<()> {
    let membership = current(tx, customer_id)?.ok_or(Error::NotFound("A membership"))?;
    let date = crate::kernel::time::stored_day(&membership.renews_on)
        .ok_or_else(|| Error::Conflict("The stored renewal date is unreadable.".into()))?;
    let next = next_renewal(date, &membership.term)
        .ok_or_else(|| Error::Conflict("The renewal date cannot move on.".into()))?;
    tx.execute(
        "UPDATE memberships SET renews_on = ?2, updated_at = ?3 WHERE id = ?1",
        params![membership.id, next.to_string(), timestamp(now)],
    )?;
    reminders::resolve(tx, customer_id, crate::records::reminders::Source::Renewal, Some(&membership.id), now)?;
    Ok(())
}

/// Inside the caller's transaction (`features::memberships::end`).
pub fn end_in(tx: &Connection, customer_id: &str, now: DateTime<Utc>) -> Result<()> {
    tx.execute(
        "UPDATE memberships SET ended_at = ?2, updated_at = ?2 WHERE customer_id = ?1 AND ended_at IS NULL",
        params![customer_id, timestamp(now)],
    )?;
    reminders::resolve(tx, customer_id, crate::records::reminders::Source::Renewal, None, now)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewals_keep_month_ends() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(next_renewal(d(2027, 1, 31), "month"), Some(d(2027, 2, 28)));
        assert_eq!(next_renewal(d(2028, 1, 31), "month"), Some(d(2028, 2, 29)));
        assert_eq!(next_renewal(d(2027, 11, 30), "quarter"), Some(d(2028, 2, 29)));
        assert_eq!(next_renewal(d(2028, 2, 29), "year"), Some(d(2029, 2, 28)));
        assert_eq!(next_renewal(d(2027, 12, 29), "week"), Some(d(2028, 1, 5)));
    }
}
