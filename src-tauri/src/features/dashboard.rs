//! The home screen's figures, and the monthly activity they are read from.
//!
//! Everything here is read through indexes or small maintained tables, so
//! the dashboard answers in milliseconds at 100,000 customers and a million
//! visits:
//! - `activity_months` holds one row per customer and month they came in
//!   (a visit or purchase that stands); `month_stats` per month how many
//!   came in and how many of those also came the month before. `came_in`
//!   keeps both right in the transaction of every visit, undo and delete.
//! - at-risk, close-to-reward and top customers read the columns the
//!   health, loyalty and visits modules maintain on the customer row.
//!
//! Retention for a month = customers who came in that month and the month
//! before / customers who came in the month before. Months are UTC months.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::derived::activity::shift_month;
use crate::kernel::money::money;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::derived::health::{self, Colour};
use crate::features::reminder_sources::PASS_ENDING_DAYS;
use crate::kernel::error::Result;
use crate::kernel::time::timestamp;
use crate::records::feedback::{self, MonthScores};
use crate::records::{loyalty, passes};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Retention {
    pub month: String,
    pub label: String,
    /// Came in the month before.
    pub base: i64,
    /// ...and again this month.
    pub retained: i64,
    /// retained / base in whole percent; `None` when nobody came the month before.
    pub percent: Option<i64>,
}

/// Retention for the last `months` months, oldest first; the last one is
/// the month so far.
pub fn retention(conn: &Connection, today: NaiveDate, months: u32) -> Result<Vec<Retention>> {
    let mut out = Vec::new();
    for back in (0..months).rev() {
        let start = feedback::month_start(today, back);
        let month = start.format("%Y-%m").to_string();
        let previous = shift_month(&month, -1).unwrap_or_default();
        let stats = |m: &str| -> Result<(i64, i64)> {
            Ok(conn
                .prepare_cached("SELECT active, retained FROM month_stats WHERE month = ?1")?
                .query_row([m], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?
                .unwrap_or((0, 0)))
        };
        let (base, _) = stats(&previous)?;
        let (_, retained) = stats(&month)?;
        let percent = (base > 0).then(|| (retained as f64 * 100.0 / base as f64).round() as i64);
        out.push(Retention { month, label: start.format("%b").to_string(), base, retained, percent });
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(rename = "DashboardLine")]
pub struct Line {
    pub customer_id: String,
    pub name: String,
    /// What to say about them, ready to show.
    pub detail: String,
    /// For money lines (top customers): the amount, formatted by the window
    /// like every other amount.
    pub amount_cents: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Dashboard {
    pub due_today: i64,
    pub due: Vec<Line>,
    pub red: i64,
    pub yellow: i64,
    /// The most valuable at-risk customers, red first.
    pub at_risk: Vec<Line>,
    pub new_this_month: i64,
    pub new_last_month: i64,
    pub retention: Vec<Retention>,
    pub scores: Vec<MonthScores>,
    /// NPS over all answers of those months, steadier than one month's.
    pub nps_year: Option<i64>,
    pub close_to_reward: i64,
    pub close: Vec<Line>,
    pub top: Vec<Line>,
    /// Passes with one session left or ending within a week.
    pub passes_running_out: i64,
    pub passes: Vec<Line>,
    pub currency: String,
}

fn lines(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    detail: impl Fn(&rusqlite::Row) -> rusqlite::Result<String>,
) -> Result<Vec<Line>> {
    Ok(conn
        .prepare_cached(sql)?
        .query_map(args, |row| {
            Ok(Line { customer_id: row.get(0)?, name: row.get(1)?, detail: detail(row)?, amount_cents: None })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

fn count(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<i64> {
    Ok(conn.prepare_cached(sql)?.query_row(args, |row| row.get(0))?)
}

/// Everything the home screen shows. `tz` is the shop's time zone.
pub fn build<Tz: TimeZone>(conn: &Connection, now: DateTime<Utc>, tz: &Tz) -> Result<Dashboard> {
    let today = now.with_timezone(tz).date_naive();
    let end_of_today = crate::kernel::time::local_to_utc(tz, today + chrono::Duration::days(1), chrono::NaiveTime::MIN);
    let currency = crate::db::settings::load(conn)?.currency;
    let (due_today, due) = due_by(conn, end_of_today)?;
    let (red, yellow) = health::counts(conn, now)?;
    let month_start = feedback::month_start(today, 0);
    let last_month_start = feedback::month_start(today, 1);
    let new_this_month =
        count(conn, "SELECT count(*) FROM customers WHERE created_at >= ?1", [month_start.to_string()])?;
    let new_last_month = count(
        conn,
        "SELECT count(*) FROM customers WHERE created_at >= ?1 AND created_at < ?2",
        [last_month_start.to_string(), month_start.to_string()],
    )?;
    let (close_to_reward, close) = close_to_a_reward(conn)?;
    let (passes_running_out, running) = passes::running_out(conn, today, PASS_ENDING_DAYS, 5)?;
    let passes = running
        .into_iter()
        .map(|p| Line { customer_id: p.customer_id, name: p.customer_name, detail: p.detail, amount_cents: None })
        .collect();
    let scores = feedback::monthly(conn, today, 12)?;
    Ok(Dashboard {
        due_today,
        due,
        red,
        yellow,
        at_risk: at_risk(conn, now, tz)?,
        new_this_month,
        new_last_month,
        retention: retention(conn, today, 6)?,
        nps_year: feedback::nps(
            scores.iter().map(|m| m.promoters).sum(),
            scores.iter().map(|m| m.detractors).sum(),
            scores.iter().map(|m| m.nps_answers).sum(),
        ),
        scores,
        close_to_reward,
        close,
        top: top_spenders(conn, &currency)?,
        passes_running_out,
        passes,
        currency,
    })
}

/// How many reminders are due by the end of today, and the first five.
fn due_by(conn: &Connection, end_of_today: DateTime<Utc>) -> Result<(i64, Vec<Line>)> {
    let due_sql = "FROM reminders r JOIN customers c ON c.id = r.customer_id
         WHERE r.done_at IS NULL AND r.dismissed_at IS NULL AND coalesce(r.snoozed_until, r.due_at) < ?1";
    // Counted from the open-reminders index alone (a reminder's customer always exists).
    let due_today = count(
        conn,
        "SELECT count(*) FROM reminders WHERE done_at IS NULL AND dismissed_at IS NULL AND coalesce(snoozed_until, due_at) < ?1",
        [timestamp(end_of_today)],
    )?;
    let due = lines(
        conn,
        &format!("SELECT r.customer_id, c.display_name, r.title {due_sql} ORDER BY coalesce(r.snoozed_until, r.due_at) LIMIT 5"),
        [timestamp(end_of_today)],
        |row| row.get(2),
    )?;
    Ok((due_today, due))
}

/// The five customers most at risk, each with their colour and first reason.
fn at_risk<Tz: TimeZone>(conn: &Connection, now: DateTime<Utc>, tz: &Tz) -> Result<Vec<Line>> {
    Ok(health::review_list(conn, now, tz, 5)?
        .into_iter()
        .map(|line| {
            let colour = if line.health.colour == Colour::Red { "Red" } else { "Yellow" };
            let why = line.health.reasons.first().map(|r| r.text.clone()).unwrap_or_default();
            Line {
                customer_id: line.customer_id,
                name: line.name,
                detail: format!("{colour}: {why}"),
                amount_cents: None,
            }
        })
        .collect())
}

/// Close to a reward: one stamp short on the punch card, or within a
/// fifth of the cheapest reward's cost. How many, and up to five of them.
fn close_to_a_reward(conn: &Connection) -> Result<(i64, Vec<Line>)> {
    let program = loyalty::load_program(conn)?;
    let mut close = Vec::new();
    let mut close_to_reward = 0;
    // (A card that rewards every visit has no "one short".)
    if let Some(card) = program.punch_card.as_ref().filter(|card| card.every > 1) {
        let short = card.every - 1;
        // `> 0` as in the partial stamps index (migration 9), so it is used.
        close_to_reward += count(
            conn,
            "SELECT count(*) FROM customers WHERE archived_at IS NULL AND stamps_balance > 0 AND stamps_balance = ?1",
            [short],
        )?;
        let detail = format!("1 more {} to a {}", program.visit_word, card.reward);
        // Without the `> 0` on purpose: this walks the lifetime index, most
        // valuable first, and stops at five; the stamps index would fetch
        // and sort every customer one short.
        close.extend(lines(
            conn,
            "SELECT id, display_name FROM customers WHERE archived_at IS NULL AND stamps_balance = ?1 ORDER BY lifetime_cents DESC LIMIT 5",
            [short],
            |_| Ok(detail.clone()),
        )?);
    }
    if let Some(reward) = program.rewards.iter().min_by_key(|r| r.cost) {
        let from = reward.cost - (reward.cost / 5).max(1);
        let args = params![from, reward.cost];
        close_to_reward += count(
            conn,
            "SELECT count(*) FROM customers WHERE archived_at IS NULL AND points_balance >= ?1 AND points_balance < ?2",
            args,
        )?;
        let name = reward.name.clone();
        let cost = reward.cost;
        close.extend(lines(
            conn,
            "SELECT id, display_name, points_balance FROM customers
             WHERE archived_at IS NULL AND points_balance >= ?1 AND points_balance < ?2 ORDER BY points_balance DESC LIMIT 5",
            params![from, reward.cost],
            |row| Ok(format!("{} more points to {name}", cost - row.get::<_, i64>(2)?)),
        )?);
    }
    close.truncate(5);

    Ok((close_to_reward, close))
}

/// The five customers who spent most.
fn top_spenders(conn: &Connection, currency: &str) -> Result<Vec<Line>> {
    Ok(conn
        .prepare_cached("SELECT id, display_name, lifetime_cents FROM customers WHERE archived_at IS NULL AND lifetime_cents > 0 ORDER BY lifetime_cents DESC LIMIT 5")?
        .query_map([], |row| {
            let cents: i64 = row.get(2)?;
            Ok(Line { customer_id: row.get(0)?, name: row.get(1)?, detail: money(cents, currency), amount_cents: Some(cents) })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_shift_across_years() {
        assert_eq!(shift_month("2026-01", -1).as_deref(), Some("2025-12"));
        assert_eq!(shift_month("2025-12", 1).as_deref(), Some("2026-01"));
    }

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(12_345_678, "EUR"), "123,456.78 EUR");
        assert_eq!(money(5, "USD"), "0.05 USD");
        assert_eq!(money(100_000, "USD"), "1,000.00 USD");
    }
}
