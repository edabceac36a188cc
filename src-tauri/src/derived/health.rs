//! Relationship health: green, yellow or red, with the reasons in words.
//!
//! Signals come in two sorts. Events (an open complaint, late payments, a
//! poor feedback score) set a colour until the next event. Time (the visit
//! rhythm, days since the last contact, a renewal coming up) only ever makes
//! things worse as it passes, so it is captured as two moments: when the
//! customer turns yellow and when they turn red if nothing happens.
//! `refresh` stores, on the customer row, from when they are yellow and from
//! when red ("0" when an event already makes them so), in the same
//! transaction as any change that moves them, which lets the dashboard
//! count and list at-risk customers through indexes. The card
//! recomputes the same answer from the raw data (`assess`), and tests check
//! that both always agree.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::settings;
use crate::db::store;
use crate::kernel::error::{Error, Result};
use crate::kernel::labels::Labelled;
use crate::kernel::rhythm::quiet_detail;
use crate::kernel::time::timestamp;
use crate::records::customers::{self, StartingHealth};
use crate::records::pets;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct HealthRules {
    /// Yellow once the gap since the last visit passes this many times the
    /// customer's usual gap...
    pub rhythm_yellow_factor: f64,
    /// ...red past this many times...
    pub rhythm_red_factor: f64,
    /// ...and never yellow sooner than this many days after a visit (red:
    /// twice this), so a daily regular is not flagged after one missed day.
    pub rhythm_min_days: i64,
    /// No contact at all (visit, call, message, purchase) for this long.
    pub contact_yellow_days: i64,
    pub contact_red_days: i64,
    /// A membership renewing within this many days.
    pub renewal_days: i64,
    /// This many late payments in a row is red (one is yellow).
    pub late_payments_red: i64,
}

impl Default for HealthRules {
    fn default() -> Self {
        HealthRules {
            rhythm_yellow_factor: 1.5,
            rhythm_red_factor: 3.0,
            rhythm_min_days: 7,
            contact_yellow_days: 45,
            contact_red_days: 90,
            renewal_days: 14,
            late_payments_red: 2,
        }
    }
}

const RULES_KEY: &str = "health_rules";
/// Bumped when the meaning of the stored health columns changes, so
/// `ensure_fresh` recomputes them once.
const STORED_VERSION: i64 = 1;
const VERSION_KEY: &str = "health_version";

pub fn load_rules(conn: &Connection) -> Result<HealthRules> {
    Ok(settings::load_json(conn, RULES_KEY)?.unwrap_or_default())
}

pub fn validate_rules(rules: &HealthRules) -> Result<()> {
    let factor_ok = |f: f64| f.is_finite() && (1.0..=20.0).contains(&f);
    if !factor_ok(rules.rhythm_yellow_factor) {
        return Err(Error::invalid("rhythm_yellow_factor", "Use a number from 1 to 20, like 1.5."));
    }
    if !factor_ok(rules.rhythm_red_factor) || rules.rhythm_red_factor <= rules.rhythm_yellow_factor {
        return Err(Error::invalid("rhythm_red_factor", "Use a number from 1 to 20, larger than the yellow one."));
    }
    if !(1..=365).contains(&rules.rhythm_min_days) {
        return Err(Error::invalid("rhythm_min_days", "Use a number of days from 1 to 365."));
    }
    if !(1..=3650).contains(&rules.contact_yellow_days) {
        return Err(Error::invalid("contact_yellow_days", "Use a number of days from 1 to 3650."));
    }
    if !(1..=3650).contains(&rules.contact_red_days) || rules.contact_red_days <= rules.contact_yellow_days {
        return Err(Error::invalid("contact_red_days", "Use a number of days up to 3650, more than the yellow one."));
    }
    if !(0..=365).contains(&rules.renewal_days) {
        return Err(Error::invalid("renewal_days", "Use a number of days from 0 to 365."));
    }
    if !(1..=20).contains(&rules.late_payments_red) {
        return Err(Error::invalid("late_payments_red", "Use a number from 1 to 20."));
    }
    Ok(())
}

/// Saves the thresholds and recomputes every customer's stored health under
/// them, in one transaction.
pub fn save_rules(conn: &mut Connection, rules: &HealthRules, now: DateTime<Utc>) -> Result<HealthRules> {
    validate_rules(rules)?;
    store::write(conn, |tx| {
        settings::save_json(tx, RULES_KEY, rules, now)?;
        refresh_all(tx, rules)?;
        Ok(())
    })?;
    Ok(rules.clone())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    Green = 0,
    Yellow = 1,
    Red = 2,
}

impl Labelled for Colour {
    const ALL: &'static [Colour] = &[Colour::Green, Colour::Yellow, Colour::Red];

    fn label(self) -> &'static str {
        match self {
            Colour::Green => "Doing well",
            Colour::Yellow => "Needs attention",
            Colour::Red => "At risk",
        }
    }
}

/// Which signal a reason comes from; it picks the suggested next action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    Complaint,
    Feedback,
    Payment,
    Rhythm,
    Contact,
    Renewal,
    Vaccination,
}

impl Signal {
    pub fn action(self) -> &'static str {
        match self {
            Signal::Complaint => "Follow up on the open complaint",
            Signal::Feedback => "Call to hear what went wrong",
            Signal::Payment => "Have a friendly word about payment",
            Signal::Rhythm | Signal::Contact => "Send a \u{201c}we miss you\u{201d} message",
            Signal::Renewal => "Talk about the renewal",
            Signal::Vaccination => "Ask for the new vaccination record",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Reason {
    pub colour: Colour,
    pub signal: Signal,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Health {
    pub colour: Colour,
    /// Worst first.
    pub reasons: Vec<Reason>,
    /// One suggested next action, from the worst reason.
    pub action: Option<String>,
}

/// Everything health is judged from, read for one customer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    pub created_at: Option<DateTime<Utc>>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub last_visit_at: Option<DateTime<Utc>>,
    pub usual_gap_days: Option<f64>,
    pub open_complaint_since: Option<DateTime<Utc>>,
    /// The newest payments that still stand, newest first: true = late.
    pub recent_payments: Vec<(bool, DateTime<Utc>)>,
    /// The latest feedback answer: kind ("nps"/"csat") and score.
    pub latest_feedback: Option<(String, i64)>,
    pub renews_on: Option<NaiveDate>,
    /// The pets' vaccinations that count (`records::pets`): pet, vaccine, last day covered.
    pub vaccines: Vec<(String, String, NaiveDate)>,
}

/// The stored form: the colour from events and when time turns it worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub base: Colour,
    pub yellow_at: Option<DateTime<Utc>>,
    pub red_at: Option<DateTime<Utc>>,
}

impl Stored {
    pub fn colour_at(&self, now: DateTime<Utc>) -> Colour {
        let by_time = if self.red_at.is_some_and(|t| now >= t) {
            Colour::Red
        } else if self.yellow_at.is_some_and(|t| now >= t) {
            Colour::Yellow
        } else {
            Colour::Green
        };
        self.base.max(by_time)
    }
}

fn days(n: f64) -> Duration {
    Duration::seconds((n * 86_400.0).round() as i64)
}

fn min_time(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// When the rhythm turns yellow and red: (yellow_at, red_at).
fn rhythm_moments(s: &Signals, rules: &HealthRules) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    match (s.last_visit_at, s.usual_gap_days) {
        (Some(last), Some(gap)) => {
            let min = rules.rhythm_min_days as f64;
            let yellow = last + days((gap * rules.rhythm_yellow_factor).max(min));
            let red = last + days((gap * rules.rhythm_red_factor).max(2.0 * min));
            (Some(yellow), Some(red))
        }
        _ => (None, None),
    }
}

fn contact_start(s: &Signals) -> Option<DateTime<Utc>> {
    s.last_contact_at.or(s.created_at)
}

fn contact_moments(s: &Signals, rules: &HealthRules) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    match contact_start(s) {
        Some(from) => (
            Some(from + Duration::days(rules.contact_yellow_days)),
            Some(from + Duration::days(rules.contact_red_days)),
        ),
        None => (None, None),
    }
}

/// Renewals are judged by calendar day: yellow from midnight (UTC) of the
/// day `renewal_days` before the renewal date.
fn renewal_yellow_at(s: &Signals, rules: &HealthRules) -> Option<DateTime<Utc>> {
    let day = s.renews_on? - Duration::days(rules.renewal_days);
    Some(Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0)?))
}

/// Midnight (UTC) at the start of `day`, as renewals are judged.
fn midnight(day: Option<NaiveDate>) -> Option<DateTime<Utc>> {
    Some(Utc.from_utc_datetime(&day?.and_hms_opt(0, 0, 0)?))
}

/// A vaccination turns the card yellow `pets::DUE_DAYS` days before its
/// last day and red the day after it: (yellow_at, red_at) of the first.
fn vaccine_moments(s: &Signals) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let first = s.vaccines.iter().map(|(_, _, expires)| *expires).min();
    let yellow = first.and_then(|day| day.checked_sub_signed(Duration::days(crate::records::pets::DUE_DAYS)));
    (midnight(yellow), midnight(first.and_then(|day| day.succ_opt())))
}

fn late_in_a_row(s: &Signals) -> i64 {
    s.recent_payments.iter().take_while(|(late, _)| *late).count() as i64
}

fn feedback_colour(kind: &str, score: i64) -> Colour {
    match kind {
        "nps" if score <= 6 => Colour::Red,
        "csat" if score <= 2 => Colour::Red,
        "csat" if score == 3 => Colour::Yellow,
        _ => Colour::Green,
    }
}

/// The colour events give, and the moments time makes it worse.
pub fn stored_form(s: &Signals, rules: &HealthRules) -> Stored {
    let mut base = Colour::Green;
    if s.open_complaint_since.is_some() {
        base = Colour::Red;
    }
    let late = late_in_a_row(s);
    if late >= rules.late_payments_red {
        base = base.max(Colour::Red);
    } else if late >= 1 {
        base = base.max(Colour::Yellow);
    }
    if let Some((kind, score)) = &s.latest_feedback {
        base = base.max(feedback_colour(kind, *score));
    }
    let (rhythm_yellow, rhythm_red) = rhythm_moments(s, rules);
    let (contact_yellow, contact_red) = contact_moments(s, rules);
    let (vaccine_yellow, vaccine_red) = vaccine_moments(s);
    Stored {
        base,
        yellow_at: min_time(
            min_time(min_time(rhythm_yellow, contact_yellow), renewal_yellow_at(s, rules)),
            vaccine_yellow,
        ),
        red_at: min_time(min_time(rhythm_red, contact_red), vaccine_red),
    }
}

fn day_label<Tz: TimeZone>(at: DateTime<Utc>, now: DateTime<Utc>, tz: &Tz) -> String {
    let day = at.with_timezone(tz).date_naive();
    let today = now.with_timezone(tz).date_naive();
    match (today - day).num_days() {
        0 => "today".into(),
        1 => "yesterday".into(),
        2..=6 => day.format("%A").to_string(),
        _ if day.year() == today.year() => day.format("%-d %b").to_string(),
        _ => day.format("%-d %b %Y").to_string(),
    }
}

/// Health now, with reasons in plain words. `tz` only shapes the words
/// ("since Monday"); the colour does not depend on it.
pub fn evaluate<Tz: TimeZone>(s: &Signals, rules: &HealthRules, now: DateTime<Utc>, tz: &Tz) -> Health {
    let mut reasons = Vec::new();
    if let Some(since) = s.open_complaint_since {
        let text = format!("Complaint open since {}", day_label(since, now, tz));
        reasons.push(Reason { colour: Colour::Red, signal: Signal::Complaint, text });
    }
    if let Some((kind, score)) = &s.latest_feedback {
        let colour = feedback_colour(kind, *score);
        if colour > Colour::Green {
            let out_of = if kind == "nps" { 10 } else { 5 };
            reasons.push(Reason {
                colour,
                signal: Signal::Feedback,
                text: format!("Latest feedback: {score} out of {out_of}"),
            });
        }
    }
    let late = late_in_a_row(s);
    if late >= 1 {
        let colour = if late >= rules.late_payments_red { Colour::Red } else { Colour::Yellow };
        let text = if late == 1 {
            let when = s.recent_payments.first().map(|(_, at)| day_label(*at, now, tz)).unwrap_or_default();
            format!("Last payment was late ({when})")
        } else {
            format!("Last {late} payments were late")
        };
        reasons.push(Reason { colour, signal: Signal::Payment, text });
    }
    let time_colour = |yellow: Option<DateTime<Utc>>, red: Option<DateTime<Utc>>| {
        Stored { base: Colour::Green, yellow_at: yellow, red_at: red }.colour_at(now)
    };
    let (rhythm_yellow, rhythm_red) = rhythm_moments(s, rules);
    let rhythm = time_colour(rhythm_yellow, rhythm_red);
    if rhythm > Colour::Green {
        let last = s.last_visit_at.map(timestamp);
        reasons.push(Reason {
            colour: rhythm,
            signal: Signal::Rhythm,
            text: quiet_detail(last.as_deref(), s.usual_gap_days, now),
        });
    }
    let (contact_yellow, contact_red) = contact_moments(s, rules);
    let contact = time_colour(contact_yellow, contact_red);
    // Said once: a regular who stopped coming is explained by their rhythm.
    if contact > rhythm {
        let text = match (s.last_contact_at, s.created_at) {
            (Some(last), _) => format!("No contact in {} days", (now - last).num_days()),
            (None, Some(joined)) => format!("No contact since joining {} days ago", (now - joined).num_days()),
            (None, None) => "No contact yet".into(),
        };
        reasons.push(Reason { colour: contact, signal: Signal::Contact, text });
    }
    if let (Some(renews), Some(yellow_at)) = (s.renews_on, renewal_yellow_at(s, rules)) {
        if now >= yellow_at {
            let today = now.date_naive();
            let left = (renews - today).num_days();
            let text = match left {
                0 => "Membership renews today".to_string(),
                1 => "Membership renews tomorrow".to_string(),
                2.. => format!("Membership renews in {left} days ({})", renews.format("%-d %b")),
                -1 => "Membership renewal was due yesterday".to_string(),
                _ => format!("Membership renewal was due {} days ago", -left),
            };
            reasons.push(Reason { colour: Colour::Yellow, signal: Signal::Renewal, text });
        }
    }
    // Each vaccination that is due or expired, in its own words, with the
    // pet's name (a card may have two dogs). Judged by UTC day like renewals.
    let today = now.date_naive();
    let mut vaccines = s.vaccines.clone();
    vaccines.sort_by_key(|(_, _, expires)| *expires);
    for (pet, name, expires) in &vaccines {
        let yellow_from = expires.checked_sub_signed(Duration::days(crate::records::pets::DUE_DAYS));
        let colour = if today > *expires {
            Colour::Red
        } else if yellow_from.is_some_and(|from| today >= from) {
            Colour::Yellow
        } else {
            continue;
        };
        let words = crate::records::pets::vaccine_words(name, *expires, today);
        reasons.push(Reason { colour, signal: Signal::Vaccination, text: format!("{words} ({pet})") });
    }
    // Worst first; the order above breaks ties (complaints lead).
    reasons.sort_by_key(|r| std::cmp::Reverse(r.colour));
    let colour = reasons.first().map_or(Colour::Green, |r| r.colour);
    let action = reasons.first().map(|r| r.signal.action().to_string());
    Health { colour, reasons, action }
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc))
}

/// Reads one customer's signals.
pub fn load_signals(conn: &Connection, customer_id: &str, rules: &HealthRules) -> Result<Signals> {
    type Row = (Option<String>, Option<String>, Option<String>, Option<f64>);
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT created_at, last_contact_at, last_visit_at, usual_gap_days FROM customers WHERE id = ?1",
        )?
        .query_row([customer_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
        .optional()?;
    let (created, contact, visit, gap) = row.ok_or(Error::NotFound("This customer"))?;
    let complaint: Option<String> = conn
        .prepare_cached("SELECT min(opened_at) FROM complaints WHERE customer_id = ?1 AND closed_at IS NULL")?
        .query_row([customer_id], |row| row.get(0))?;
    let recent_payments = conn
        .prepare_cached(
            "SELECT paid_late, happened_at FROM interactions
             WHERE customer_id = ?1 AND amount_cents IS NOT NULL AND undone_at IS NULL
             ORDER BY happened_at DESC LIMIT ?2",
        )?
        .query_map(params![customer_id, rules.late_payments_red.max(1)], |row| {
            Ok((row.get::<_, bool>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(late, at)| parse_time(Some(at)).map(|at| (late, at)))
        .collect();
    let latest_feedback = conn
        .prepare_cached("SELECT kind, score FROM feedback WHERE customer_id = ?1 ORDER BY answered_at DESC, created_at DESC LIMIT 1")?
        .query_row([customer_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let renews: Option<String> = conn
        .prepare_cached("SELECT min(renews_on) FROM memberships WHERE customer_id = ?1 AND ended_at IS NULL")?
        .query_row([customer_id], |row| row.get(0))?;
    let vaccines = pets::counting_for_customer(conn, customer_id)?
        .into_iter()
        .map(|v| (v.pet_name, v.name, v.expires_on))
        .collect();
    Ok(Signals {
        created_at: parse_time(created),
        last_contact_at: parse_time(contact),
        last_visit_at: parse_time(visit),
        usual_gap_days: gap,
        open_complaint_since: parse_time(complaint),
        recent_payments,
        latest_feedback,
        renews_on: renews.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        vaccines,
    })
}

/// The card's health: recomputed from the raw data.
pub fn assess<Tz: TimeZone>(conn: &Connection, customer_id: &str, now: DateTime<Utc>, tz: &Tz) -> Result<Health> {
    let rules = load_rules(conn)?;
    let signals = load_signals(conn, customer_id, &rules)?;
    Ok(evaluate(&signals, &rules, now, tz))
}

/// Sorts before every timestamp: "since always".
const ALWAYS: &str = "0";

impl Stored {
    /// From when the customer is at least yellow, and from when red, as
    /// stored: the event colour folded into the moments, so "red now" is
    /// `health_red_from <= now` and needs one index.
    fn columns(&self) -> (Option<String>, Option<String>) {
        let from = |colour: Colour, at: Option<DateTime<Utc>>| -> Option<String> {
            if self.base >= colour {
                Some(ALWAYS.to_string())
            } else {
                at.map(timestamp)
            }
        };
        (from(Colour::Yellow, min_time(self.yellow_at, self.red_at)), from(Colour::Red, self.red_at))
    }
}

fn write_stored(conn: &Connection, customer_id: &str, stored: &Stored) -> Result<()> {
    let (yellow_from, red_from) = stored.columns();
    customers::set_health_moments(conn, customer_id, yellow_from.as_deref(), red_from.as_deref())
}

/// Recomputes one customer's stored health. Call it inside the transaction
/// of any change to their visits, contacts, payments, feedback, complaints
/// or membership.
pub fn refresh(conn: &Connection, customer_id: &str) -> Result<()> {
    let rules = load_rules(conn)?;
    refresh_with(conn, customer_id, &rules)
}

pub fn refresh_with(conn: &Connection, customer_id: &str, rules: &HealthRules) -> Result<()> {
    let signals = load_signals(conn, customer_id, rules)?;
    write_stored(conn, customer_id, &stored_form(&signals, rules))
}

/// The stored health columns (`health_yellow_from`, `health_red_from`) of
/// a customer just added (by hand, seed or import): with no history yet
/// only the contact clock runs. Written with the new row instead of a full
/// `refresh`, and from rules the caller reads once, so bulk inserts stay fast.
pub fn columns_for_new(
    rules: &HealthRules,
    created_at: DateTime<Utc>,
    last_contact_at: Option<DateTime<Utc>>,
) -> StartingHealth {
    let signals = Signals { created_at: Some(created_at), last_contact_at, ..Signals::default() };
    let (yellow_from, red_from) = stored_form(&signals, rules).columns();
    StartingHealth { yellow_from, red_from }
}

pub fn refresh_all(conn: &Connection, rules: &HealthRules) -> Result<()> {
    let ids: Vec<String> =
        conn.prepare("SELECT id FROM customers")?.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    for id in ids {
        refresh_with(conn, &id, rules)?;
    }
    Ok(())
}

/// After an upgrade (or a change in how health is stored) fills the stored
/// health of every customer once. Cheap when nothing is to do.
pub fn ensure_fresh(conn: &mut Connection, now: DateTime<Utc>) -> Result<()> {
    let version: Option<i64> = settings::load_json(conn, VERSION_KEY)?;
    if version == Some(STORED_VERSION) {
        return Ok(());
    }
    store::write(conn, |tx| {
        let rules = load_rules(tx)?;
        refresh_all(tx, &rules)?;
        settings::save_json(tx, VERSION_KEY, &STORED_VERSION, now)?;
        Ok(())
    })?;
    Ok(())
}

/// The colour the stored columns give at `now` (what the dashboard counts).
pub fn stored_colour(conn: &Connection, customer_id: &str, now: DateTime<Utc>) -> Result<Colour> {
    let now = timestamp(now);
    let row: Option<(bool, bool)> = conn
        .prepare_cached("SELECT coalesce(health_red_from <= ?2, 0), coalesce(health_yellow_from <= ?2, 0) FROM customers WHERE id = ?1")?
        .query_row(params![customer_id, now], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    Ok(match row.ok_or(Error::NotFound("This customer"))? {
        (true, _) => Colour::Red,
        (false, true) => Colour::Yellow,
        _ => Colour::Green,
    })
}

// ---------------------------------------------------------------------------
// The weekly review

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReviewLine {
    pub customer_id: String,
    pub name: String,
    pub lifetime_cents: i64,
    pub health: Health,
}

/// SQL conditions on the stored columns, shared with the dashboard. `?1` is now.
pub const RED_SQL: &str = "health_red_from <= ?1";
pub const YELLOW_SQL: &str = "health_yellow_from <= ?1 AND (health_red_from IS NULL OR health_red_from > ?1)";

/// Red then yellow customers, most valuable first, each with its reasons
/// and one suggested action.
pub fn review_list<Tz: TimeZone>(
    conn: &Connection,
    now: DateTime<Utc>,
    tz: &Tz,
    limit: usize,
) -> Result<Vec<ReviewLine>> {
    let rules = load_rules(conn)?;
    let mut lines = Vec::new();
    for condition in [RED_SQL, YELLOW_SQL] {
        let left = limit.saturating_sub(lines.len());
        if left == 0 {
            break;
        }
        // Read from the covering health indexes; names are looked up for
        // the few rows kept.
        let sql = format!(
            "SELECT pk, lifetime_cents FROM customers
             WHERE archived_at IS NULL AND {condition} ORDER BY lifetime_cents DESC, pk LIMIT ?2"
        );
        let rows: Vec<(i64, i64)> = conn
            .prepare_cached(&sql)?
            .query_map(params![timestamp(now), left as i64], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (pk, lifetime_cents) in rows {
            let (customer_id, name): (String, String) = conn
                .prepare_cached("SELECT id, display_name FROM customers WHERE pk = ?1")?
                .query_row([pk], |row| Ok((row.get(0)?, row.get(1)?)))?;
            let health = evaluate(&load_signals(conn, &customer_id, &rules)?, &rules, now, tz);
            lines.push(ReviewLine { customer_id, name, lifetime_cents, health });
        }
    }
    Ok(lines)
}

/// How many customers are red and how many yellow (not red) at `now`.
/// Yellow-from is never later than red-from, so yellow = at least yellow - red.
pub fn counts(conn: &Connection, now: DateTime<Utc>) -> Result<(i64, i64)> {
    let now = timestamp(now);
    let count = |sql: &str| -> Result<i64> { Ok(conn.prepare_cached(sql)?.query_row([&now], |row| row.get(0))?) };
    let red = count("SELECT count(*) FROM customers WHERE archived_at IS NULL AND health_red_from <= ?1")?;
    let at_least_yellow =
        count("SELECT count(*) FROM customers WHERE archived_at IS NULL AND health_yellow_from <= ?1")?;
    Ok((red, at_least_yellow - red))
}
