//! The loyalty program and its append-only points ledger.
//!
//! A balance is the sum of the ledger's `points`, the punch card the sum of
//! its `stamps`; rows are only ever inserted. Neither sum may go below zero:
//! a redeem or adjustment that would is refused, and an undone visit takes
//! back at most what is left. Writes that check a balance run in an
//! IMMEDIATE transaction, so two desks redeeming at once cannot overdraw.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::settings::{self, BusinessKind, StaffRef};
use crate::db::store;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::{derived_id, new_id};
use crate::kernel::time::timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PunchCard {
    /// Every `every`-th visit earns the reward.
    pub every: i64,
    pub reward: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Reward {
    /// Stable id so a renamed reward is still the same reward.
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub cost: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Tier {
    pub name: String,
    /// Lifetime points needed to reach this tier.
    pub threshold: i64,
    #[serde(default)]
    pub perk: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(rename = "LoyaltyProgram")]
pub struct Program {
    pub points_per_visit: i64,
    /// Points for each whole unit of currency spent (1.00 EUR -> n points).
    pub points_per_currency_unit: i64,
    pub punch_card: Option<PunchCard>,
    pub rewards: Vec<Reward>,
    pub tiers: Vec<Tier>,
    pub birthday_bonus: i64,
    pub referral_bonus: i64,
    /// What one visit is called in progress lines: "visit", "walk", "appointment".
    pub visit_word: String,
}

impl Default for Program {
    fn default() -> Self {
        Program::for_kind(BusinessKind::Other)
    }
}

fn reward(id: &str, name: &str, cost: i64) -> Reward {
    Reward { id: id.into(), name: name.into(), cost }
}

fn tier(name: &str, threshold: i64, perk: &str) -> Tier {
    Tier { name: name.into(), threshold, perk: perk.into() }
}

impl Program {
    /// A sensible starting program for each kind of business.
    pub fn for_kind(kind: BusinessKind) -> Program {
        // What every kind shares; each kind below says only how it differs.
        let common = Program {
            points_per_visit: 10,
            points_per_currency_unit: 1,
            punch_card: None,
            rewards: Vec::new(),
            tiers: vec![
                tier("Silver", 500, "5% off every purchase"),
                tier("Gold", 1500, "10% off and a free guest pass each month"),
            ],
            birthday_bonus: 50,
            referral_bonus: 100,
            visit_word: "visit".into(),
        };
        match kind {
            BusinessKind::Gym => Program {
                rewards: vec![
                    reward("smoothie", "Free smoothie", 100),
                    reward("guest-pass", "Guest pass", 150),
                    reward("pt", "Personal training session", 400),
                ],
                ..common
            },
            BusinessKind::Salon => Program {
                punch_card: Some(PunchCard { every: 6, reward: "free blow-dry".into() }),
                rewards: vec![
                    reward("treatment", "Free hair treatment", 150),
                    reward("product", "Product of your choice", 250),
                ],
                visit_word: "appointment".into(),
                ..common
            },
            BusinessKind::DogWalking => Program {
                points_per_currency_unit: 0,
                punch_card: Some(PunchCard { every: 10, reward: "free walk".into() }),
                rewards: vec![reward("bath", "Free bath and brush", 200), reward("treats", "Bag of treats", 80)],
                visit_word: "walk".into(),
                ..common
            },
            BusinessKind::Other => Program { rewards: vec![reward("thank-you", "Thank-you gift", 100)], ..common },
        }
    }

    fn plural_visits(&self, n: i64) -> String {
        let word = if self.visit_word.trim().is_empty() { "visit" } else { self.visit_word.trim() };
        if n == 1 {
            return format!("1 more {word}");
        }
        let plural = if word.ends_with('s') || word.ends_with('x') || word.ends_with("ch") || word.ends_with("sh") {
            format!("{word}es")
        } else {
            format!("{word}s")
        };
        format!("{n} more {plural}")
    }
}

const PROGRAM_KEY: &str = "loyalty";
const MAX_POINTS: i64 = 1_000_000;

/// The shop's program; the default for its kind until the owner saves one.
pub fn load_program(conn: &Connection) -> Result<Program> {
    match settings::load_json::<Program>(conn, PROGRAM_KEY)? {
        Some(program) => Ok(program),
        None => Ok(Program::for_kind(settings::load(conn)?.business_kind)),
    }
}

pub fn validate_program(program: &Program) -> Result<Program> {
    let mut clean = program.clone();
    let in_range = |field: &'static str, label: &str, value: i64, max: i64| {
        if (0..=max).contains(&value) {
            Ok(())
        } else {
            Err(Error::invalid(field, format!("{label} must be a whole number from 0 to {max}.")))
        }
    };
    in_range("points_per_visit", "Points per visit", program.points_per_visit, 10_000)?;
    in_range("points_per_currency_unit", "Points per unit spent", program.points_per_currency_unit, 1_000)?;
    in_range("birthday_bonus", "The birthday bonus", program.birthday_bonus, 100_000)?;
    in_range("referral_bonus", "The referral bonus", program.referral_bonus, 100_000)?;
    clean.visit_word = program.visit_word.trim().to_lowercase();
    if clean.visit_word.is_empty() || clean.visit_word.chars().count() > 30 {
        return Err(Error::invalid("visit_word", "Say what one visit is called, e.g. visit, walk or class."));
    }
    if let Some(card) = &program.punch_card {
        if !(2..=100).contains(&card.every) {
            return Err(Error::invalid("punch_card", "A punch card needs from 2 to 100 visits per reward."));
        }
        let reward = card.reward.trim();
        if reward.is_empty() || reward.chars().count() > 60 {
            return Err(Error::invalid("punch_card", "Name the punch-card reward (at most 60 characters)."));
        }
        clean.punch_card = Some(PunchCard { every: card.every, reward: reward.into() });
    }
    clean.rewards = Vec::new();
    for reward in &program.rewards {
        let name = reward.name.trim();
        if name.is_empty() {
            return Err(Error::invalid("rewards", "Every reward needs a name."));
        }
        if !(1..=MAX_POINTS).contains(&reward.cost) {
            return Err(Error::invalid("rewards", format!("\"{name}\" must cost from 1 to {MAX_POINTS} points.")));
        }
        if clean.rewards.iter().any(|r: &Reward| r.name.eq_ignore_ascii_case(name)) {
            return Err(Error::invalid("rewards", format!("\"{name}\" is listed twice.")));
        }
        let id = if reward.id.trim().is_empty() { new_id() } else { reward.id.clone() };
        clean.rewards.push(Reward { id, name: name.into(), cost: reward.cost });
    }
    clean.tiers = Vec::new();
    for tier in &program.tiers {
        let name = tier.name.trim();
        if name.is_empty() {
            return Err(Error::invalid("tiers", "Every tier needs a name."));
        }
        if !(1..=100 * MAX_POINTS).contains(&tier.threshold) {
            return Err(Error::invalid("tiers", format!("The \"{name}\" tier needs a threshold above 0 points.")));
        }
        if clean.tiers.iter().any(|t: &Tier| t.threshold == tier.threshold) {
            return Err(Error::invalid("tiers", format!("Two tiers start at {} points.", tier.threshold)));
        }
        clean.tiers.push(Tier { name: name.into(), threshold: tier.threshold, perk: tier.perk.trim().into() });
    }
    clean.tiers.sort_by_key(|t| t.threshold);
    clean.rewards.sort_by_key(|r| r.cost);
    Ok(clean)
}

/// Saves a new program. Past ledger entries keep the points they recorded.
pub fn save_program(conn: &mut Connection, program: &Program, now: DateTime<Utc>) -> Result<Program> {
    let clean = validate_program(program)?;
    settings::save_json(conn, PROGRAM_KEY, &clean, now)?;
    Ok(clean)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub balance: i64,
    pub stamps: i64,
    /// Everything earned, minus what was taken back; redeeming does not lower it.
    pub lifetime: i64,
}

pub fn totals(conn: &Connection, customer_id: &str) -> Result<Totals> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(points), 0), coalesce(sum(stamps), 0),
                    coalesce(sum(CASE WHEN kind = 'redeem' THEN 0 ELSE points END), 0)
             FROM points_ledger WHERE customer_id = ?1",
        )?
        .query_row([customer_id], |row| {
            Ok(Totals { balance: row.get(0)?, stamps: row.get(1)?, lifetime: row.get(2)? })
        })?)
}

/// One ledger entry to append.
pub struct Entry<'a> {
    pub customer_id: &'a str,
    pub kind: &'static str,
    pub points: i64,
    pub stamps: i64,
    pub memo: String,
    pub staff: &'a StaffRef,
    pub interaction_id: Option<&'a str>,
}

/// Appends one ledger row. Callers check the balance rules first, in the
/// same transaction.
pub fn append(conn: &Connection, entry: &Entry, now: DateTime<Utc>) -> Result<()> {
    append_with_id(conn, &new_id(), entry, now).map(|_| ())
}

/// Appends a bonus that is given once for `cause` (a referral's first
/// visit, one year's birthday): its id is derived from the cause, so two
/// devices of a shared shop that both give it give one row. When a row
/// for the cause is already here (its visit was undone and the bonus taken
/// back by a reversing row), this visit's own id makes it new again.
/// Returns whether it was added.
pub fn append_once(conn: &Connection, cause: &str, entry: &Entry, now: DateTime<Utc>) -> Result<bool> {
    let mut id = derived_id(cause);
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM points_ledger WHERE id = ?1)")?
        .query_row([&id], |row| row.get(0))?;
    if exists {
        id = derived_id(&format!("{cause}:{}", entry.interaction_id.unwrap_or_default()));
    }
    append_with_id(conn, &id, entry, now)
}

fn append_with_id(conn: &Connection, id: &str, entry: &Entry, now: DateTime<Utc>) -> Result<bool> {
    let stamp = timestamp(now);
    let added = conn
        .prepare_cached(
            "INSERT INTO points_ledger (id, customer_id, kind, points, stamps, memo, staff_id, staff_name,
                                    interaction_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            id,
            entry.customer_id,
            entry.kind,
            entry.points,
            entry.stamps,
            entry.memo,
            entry.staff.id,
            entry.staff.name,
            entry.interaction_id,
            stamp
        ])?;
    if added == 0 {
        return Ok(false);
    }
    // The balances the dashboard reads ("close to a reward") move with the ledger.
    crate::records::customers::add_to_balances(conn, entry.customer_id, entry.points, entry.stamps)?;
    Ok(true)
}

/// What a visit or purchase earns under `program`: (points, stamps, memo).
pub fn earning(program: &Program, kind: &str, amount_cents: Option<i64>, currency: &str) -> (i64, i64, String) {
    let mut points = 0;
    let mut parts = Vec::new();
    if kind == "visit" && program.points_per_visit > 0 {
        points += program.points_per_visit;
        parts.push(format!("{} for the {}", program.points_per_visit, program.visit_word));
    }
    if matches!(kind, "visit" | "purchase") && program.points_per_currency_unit > 0 {
        if let Some(cents) = amount_cents.filter(|c| *c >= 100) {
            let spent = cents / 100 * program.points_per_currency_unit;
            points += spent;
            parts.push(format!("{spent} for {}.{:02} {currency} spent", cents / 100, cents % 100));
        }
    }
    let stamps = i64::from(kind == "visit" && program.punch_card.is_some());
    if stamps > 0 {
        parts.push("1 stamp".into());
    }
    (points, stamps, parts.join(", "))
}

/// The birthday bonus is due on a visit within 7 days of the birthday, once
/// a year: the birthday it is for, when it is due.
pub fn birthday_bonus_due(
    conn: &Connection,
    customer_id: &str,
    birthday_iso: Option<&str>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>> {
    let Some(birthday) = birthday_iso.and_then(crate::kernel::birthday::Birthday::from_iso) else {
        return Ok(None);
    };
    // 29 February counts as 28 February in other years.
    let in_year = |year: i32| {
        NaiveDate::from_ymd_opt(year, birthday.month, birthday.day)
            .or_else(|| NaiveDate::from_ymd_opt(year, birthday.month, birthday.day - 1))
    };
    // The nearest birthday may fall in last or next year: 28 December is
    // within a week of a 1 January birthday. (Looking only at this year's
    // date refused the bonus across New Year.)
    let nearest =
        (today.year() - 1..=today.year() + 1).filter_map(in_year).min_by_key(|date| (today - *date).num_days().abs());
    let Some(date) = nearest else { return Ok(None) };
    if (today - date).num_days().abs() > 7 {
        return Ok(None);
    }
    // Once per birthday: no bonus since shortly before this birthday's week
    // (7 more days of margin for the shop's date against UTC timestamps;
    // the previous birthday's week is about a year earlier). Counting from
    // 1 January instead gave a second bonus for one birthday spanning New
    // Year. A bonus whose visit was undone was taken back with it, so it
    // does not count: a mistaken check-in must not use up the bonus.
    let since = (date - chrono::Duration::days(14)).format("%Y-%m-%d").to_string();
    let already: Option<i64> = conn
        .prepare_cached(
            "SELECT 1 FROM points_ledger l WHERE l.customer_id = ?1 AND l.kind = 'bonus'
               AND l.memo LIKE 'Birthday bonus%' AND l.created_at >= ?2
               AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.id = l.interaction_id AND i.undone_at IS NOT NULL)
             LIMIT 1",
        )?
        .query_row(params![customer_id, since], |row| row.get(0))
        .optional()?;
    Ok(already.is_none().then_some(date))
}

/// Takes back what an interaction earned, at most down to zero.
pub fn reverse_interaction(
    conn: &Connection,
    customer_id: &str,
    interaction_id: &str,
    staff: &StaffRef,
    now: DateTime<Utc>,
) -> Result<(i64, i64)> {
    let (earned, stamps): (i64, i64) = conn
        .prepare_cached(
            "SELECT coalesce(sum(points), 0), coalesce(sum(stamps), 0) FROM points_ledger
             WHERE interaction_id = ?1 AND kind IN ('earn', 'bonus', 'reverse')",
        )?
        .query_row([interaction_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let now_totals = totals(conn, customer_id)?;
    let points_back = earned.min(now_totals.balance).max(0);
    let stamps_back = stamps.min(now_totals.stamps).max(0);
    if points_back == 0 && stamps_back == 0 && earned == 0 && stamps == 0 {
        return Ok((0, 0));
    }
    let mut memo = format!("Visit undone: {points_back} points taken back");
    if points_back < earned {
        memo.push_str(&format!(" (of {earned}; the rest was already redeemed)"));
    }
    if stamps > 0 {
        memo.push_str(&format!(", {stamps_back} stamp{} removed", if stamps_back == 1 { "" } else { "s" }));
    }
    append(
        conn,
        &Entry {
            customer_id,
            kind: "reverse",
            points: -points_back,
            stamps: -stamps_back,
            memo,
            staff,
            interaction_id: Some(interaction_id),
        },
        now,
    )?;
    Ok((points_back, stamps_back))
}

/// What the desk redeems: a reward from the catalogue or the punch-card reward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Redeemable {
    Reward(String),
    PunchCard,
}

/// Redeems a reward. Refused, changing nothing, when the balance is short.
pub fn redeem(
    conn: &mut Connection,
    customer_id: &str,
    what: &Redeemable,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let program = load_program(conn)?;
    store::write(conn, |tx| {
        crate::records::customers::ensure_exists(tx, customer_id)?;
        let staff = settings::staff_ref(tx, staff_id)?;
        let totals = totals(tx, customer_id)?;
        let entry = match what {
            Redeemable::Reward(id) => {
                let reward = program
                    .rewards
                    .iter()
                    .find(|r| &r.id == id)
                    .ok_or_else(|| Error::invalid("reward", "This reward is no longer in the program."))?;
                if totals.balance < reward.cost {
                    return Err(Error::invalid(
                        "reward",
                        format!("{} needs {} points; the balance is {}.", reward.name, reward.cost, totals.balance),
                    ));
                }
                Entry {
                    customer_id,
                    kind: "redeem",
                    points: -reward.cost,
                    stamps: 0,
                    memo: format!("Redeemed: {}", reward.name),
                    staff: &staff,
                    interaction_id: None,
                }
            }
            Redeemable::PunchCard => {
                let card = program
                    .punch_card
                    .as_ref()
                    .ok_or_else(|| Error::invalid("reward", "The loyalty program has no punch card."))?;
                if totals.stamps < card.every {
                    return Err(Error::invalid(
                        "reward",
                        format!("The {} needs {} stamps; the card has {}.", card.reward, card.every, totals.stamps),
                    ));
                }
                Entry {
                    customer_id,
                    kind: "redeem",
                    points: 0,
                    stamps: -card.every,
                    memo: format!("Redeemed: {} (punch card)", card.reward),
                    staff: &staff,
                    interaction_id: None,
                }
            }
        };
        append(tx, &entry, now)?;
        Ok(())
    })?;
    Ok(())
}

/// A manual correction with a required reason; never below zero.
pub fn adjust(
    conn: &mut Connection,
    customer_id: &str,
    points: i64,
    reason: &str,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid("reason", "Say why the points change; the reason is kept in the history."));
    }
    if reason.chars().count() > 200 {
        return Err(Error::invalid("reason", "The reason can be at most 200 characters."));
    }
    if points == 0 || points.abs() > MAX_POINTS {
        return Err(Error::invalid(
            "points",
            format!("Give a number of points from -{MAX_POINTS} to {MAX_POINTS}, not 0."),
        ));
    }
    store::write(conn, |tx| {
        crate::records::customers::ensure_exists(tx, customer_id)?;
        let staff = settings::staff_ref(tx, staff_id)?;
        let balance = totals(tx, customer_id)?.balance;
        if balance + points < 0 {
            return Err(Error::invalid("points", format!("The balance is {balance}; it cannot go below zero.")));
        }
        let memo = format!("Adjusted: {reason}");
        append(
            tx,
            &Entry { customer_id, kind: "adjust", points, stamps: 0, memo, staff: &staff, interaction_id: None },
            now,
        )?;
        Ok(())
    })?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LedgerLine {
    pub kind: String,
    pub points: i64,
    pub stamps: i64,
    pub memo: String,
    pub staff_name: String,
    pub created_at: String,
}

pub fn recent_ledger(conn: &Connection, customer_id: &str, limit: usize) -> Result<Vec<LedgerLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, points, stamps, memo, staff_name, created_at FROM points_ledger
         WHERE customer_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![customer_id, limit as i64], |row| {
        Ok(LedgerLine {
            kind: row.get(0)?,
            points: row.get(1)?,
            stamps: row.get(2)?,
            memo: row.get(3)?,
            staff_name: row.get(4)?,
            created_at: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RewardView {
    pub id: String,
    pub name: String,
    pub cost: i64,
    pub available: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PunchView {
    pub every: i64,
    /// Stamps toward the next free reward (0..every).
    pub stamps: i64,
    pub reward: String,
    pub free_available: i64,
}

/// Everything the card shows about loyalty, in words ready to display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Status {
    pub balance: i64,
    pub lifetime: i64,
    pub tier: Option<Tier>,
    /// "350 more points to Gold".
    pub next_tier: Option<String>,
    pub punch: Option<PunchView>,
    pub rewards: Vec<RewardView>,
    /// "2 more walks to a free walk", "40 more points to Free smoothie".
    pub progress: Vec<String>,
    /// "A free walk is ready!", "Free smoothie is available".
    pub ready: Vec<String>,
    pub ledger: Vec<LedgerLine>,
}

/// "1 more point", "40 more points" (it said "1 more points").
fn more_points(n: i64) -> String {
    if n == 1 {
        "1 more point".into()
    } else {
        format!("{n} more points")
    }
}

pub fn status(conn: &Connection, program: &Program, customer_id: &str) -> Result<Status> {
    let totals = totals(conn, customer_id)?;
    let tier = program.tiers.iter().rev().find(|t| totals.lifetime >= t.threshold).cloned();
    let next_tier = program
        .tiers
        .iter()
        .find(|t| totals.lifetime < t.threshold)
        .map(|t| format!("{} to {}", more_points(t.threshold - totals.lifetime), t.name));
    let mut progress = Vec::new();
    let mut ready = Vec::new();
    let punch = program.punch_card.as_ref().map(|card| {
        let stamps = totals.stamps.max(0);
        let free = stamps / card.every;
        let toward = stamps % card.every;
        if free > 0 {
            ready.push(if free == 1 {
                format!("A {} is ready!", card.reward)
            } else {
                format!("{free} × {} ready!", card.reward)
            });
        }
        progress.push(format!("{} to a {}", program.plural_visits(card.every - toward), card.reward));
        PunchView { every: card.every, stamps: toward, reward: card.reward.clone(), free_available: free }
    });
    let rewards: Vec<RewardView> = program
        .rewards
        .iter()
        .map(|r| RewardView {
            id: r.id.clone(),
            name: r.name.clone(),
            cost: r.cost,
            available: totals.balance >= r.cost,
        })
        .collect();
    for reward in rewards.iter().filter(|r| r.available) {
        ready.push(format!("{} is available", reward.name));
    }
    if let Some(next) = program.rewards.iter().filter(|r| r.cost > totals.balance).min_by_key(|r| r.cost) {
        progress.push(format!("{} to {}", more_points(next.cost - totals.balance), next.name));
    }
    Ok(Status {
        balance: totals.balance,
        lifetime: totals.lifetime,
        tier,
        next_tier,
        punch,
        rewards,
        progress,
        ready,
        ledger: recent_ledger(conn, customer_id, 15)?,
    })
}
