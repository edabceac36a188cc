//! Reminders from every source, stored once each, fired once each.
//!
//! `sync` turns what the data says (next steps, onboarding tasks, renewals,
//! birthdays, gone quiet, complaint checkpoints, review follow-ups) into rows
//! of `reminders`; a unique `dedup_key` per source,
//! customer and occasion makes a duplicate impossible however often it
//! runs. `take_due` marks what has fallen due as notified in the same
//! transaction that reads it, so nothing fires twice, across restarts too.
//! Time and the time zone are passed in.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::settings;
use crate::store::{new_id, timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// The hour (local) at which date-only reminders fall due.
    pub due_hour: u32,
    /// Remind this many days before a membership renews.
    pub renewal_days_ahead: i64,
    /// 0: on the birthday itself; n: n days ahead.
    pub birthday_days_ahead: i64,
    /// "Gone quiet" after this many times the customer's usual gap...
    pub quiet_multiplier: f64,
    /// ...once they have at least this many visits to know their rhythm...
    pub quiet_min_visits: i64,
    /// ...and never sooner than this many days after the last visit.
    pub quiet_min_days: i64,
    /// Customers with a short history: quiet after this many days.
    pub quiet_new_customer_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            due_hour: 9,
            renewal_days_ahead: 7,
            birthday_days_ahead: 0,
            quiet_multiplier: 2.0,
            quiet_min_visits: 4,
            quiet_min_days: 7,
            quiet_new_customer_days: 30,
        }
    }
}

const RULES_KEY: &str = "reminder_rules";
const STATE_KEY: &str = "reminder_state";
/// Birthdays missed while the app was closed are still shown up to this far back.
const CATCH_UP_DAYS: i64 = 30;

pub fn load_rules(conn: &Connection) -> Result<Rules> {
    Ok(settings::load_json(conn, RULES_KEY)?.unwrap_or_default())
}

/// Saves the rules and recomputes every customer's rhythm under them.
pub fn save_rules(conn: &mut Connection, rules: &Rules, now: DateTime<Utc>) -> Result<Rules> {
    if rules.due_hour > 23 {
        return Err(Error::invalid("due_hour", "The hour must be from 0 to 23."));
    }
    for (field, value, max) in [
        ("renewal_days_ahead", rules.renewal_days_ahead, 90),
        ("birthday_days_ahead", rules.birthday_days_ahead, 30),
        ("quiet_min_visits", rules.quiet_min_visits, 50),
        ("quiet_min_days", rules.quiet_min_days, 365),
        ("quiet_new_customer_days", rules.quiet_new_customer_days, 365),
    ] {
        if !(0..=max).contains(&value) {
            return Err(Error::invalid(field, format!("Use a whole number from 0 to {max}.")));
        }
    }
    if !(1.0..=10.0).contains(&rules.quiet_multiplier) {
        return Err(Error::invalid("quiet_multiplier", "Use a number from 1 to 10, like 2 or 2.5."));
    }
    if rules.quiet_min_visits < 2 {
        return Err(Error::invalid("quiet_min_visits", "At least 2 visits are needed to know a rhythm."));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    settings::save_json(&tx, RULES_KEY, rules, now)?;
    refresh_all_rhythms(&tx, rules)?;
    // Quiet dates moved: look at every customer again on the next sync.
    save_state(&tx, &SyncState::default(), now)?;
    tx.commit()?;
    Ok(rules.clone())
}

/// How far `sync` has looked, so it reads only what is new.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct SyncState {
    /// Gone-quiet dates up to here have been turned into reminders.
    quiet_scanned_to: Option<String>,
    /// The last local date whose birthdays were looked at.
    birthdays_scanned_to: Option<NaiveDate>,
}

fn load_state(conn: &Connection) -> Result<SyncState> {
    Ok(settings::load_json(conn, STATE_KEY)?.unwrap_or_default())
}

fn save_state(conn: &Connection, state: &SyncState, now: DateTime<Utc>) -> Result<()> {
    settings::save_json(conn, STATE_KEY, state, now)
}

/// A local date and time as UTC. A time that does not exist (the hour the
/// clocks skip in spring) moves one hour later; an ambiguous one (autumn)
/// takes the first.
pub fn local_to_utc<Tz: TimeZone>(tz: &Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive).earliest() {
        Some(at) => at.with_timezone(&Utc),
        None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&naive)),
    }
}

fn at_hour<Tz: TimeZone>(tz: &Tz, date: NaiveDate, hour: u32) -> DateTime<Utc> {
    local_to_utc(tz, date, NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN))
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(text, "%H:%M")).ok()
}

// ---------------------------------------------------------------------------
// Visit rhythm

/// Recomputes one customer's rhythm from their visits that still stand:
/// the median gap of their last visits, and when they count as gone quiet.
pub fn refresh_rhythm(conn: &Connection, customer_id: &str, rules: &Rules) -> Result<()> {
    let visits: Vec<String> = conn
        .prepare_cached(
            "SELECT happened_at FROM interactions
             WHERE customer_id = ?1 AND kind = 'visit' AND undone_at IS NULL
             ORDER BY happened_at DESC LIMIT 13",
        )?
        .query_map([customer_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let times: Vec<DateTime<Utc>> = visits
        .iter()
        .filter_map(|t| DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc)))
        .collect();
    let (last, gap, quiet_after) = match times.first() {
        None => (None, None, None),
        Some(last) => {
            let gap = usual_gap_days(&times, rules.quiet_min_visits);
            let threshold = match gap {
                Some(gap) => (gap * rules.quiet_multiplier).max(rules.quiet_min_days as f64),
                None => rules.quiet_new_customer_days as f64,
            };
            let after = *last + Duration::seconds((threshold * 86_400.0) as i64);
            (Some(timestamp(*last)), gap, Some(timestamp(after)))
        }
    };
    conn.prepare_cached("UPDATE customers SET last_visit_at = ?2, usual_gap_days = ?3, quiet_after = ?4 WHERE id = ?1")?
        .execute(params![customer_id, last, gap, quiet_after])?;
    Ok(())
}

/// The median gap in days between visits (newest first), or `None` while
/// there are fewer than `min_visits` visits to judge a rhythm from.
pub fn usual_gap_days(newest_first: &[DateTime<Utc>], min_visits: i64) -> Option<f64> {
    if (newest_first.len() as i64) < min_visits.max(2) {
        return None;
    }
    let mut gaps: Vec<f64> = newest_first
        .windows(2)
        .map(|pair| (pair[0] - pair[1]).num_seconds() as f64 / 86_400.0)
        .collect();
    gaps.sort_by(|a, b| a.total_cmp(b));
    let middle = gaps.len() / 2;
    let median = if gaps.len().is_multiple_of(2) { (gaps[middle - 1] + gaps[middle]) / 2.0 } else { gaps[middle] };
    Some(median.max(1.0 / 24.0))
}

pub fn refresh_all_rhythms(conn: &Connection, rules: &Rules) -> Result<()> {
    let ids: Vec<String> = conn
        .prepare("SELECT DISTINCT customer_id FROM interactions")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        refresh_rhythm(conn, &id, rules)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Turning data into reminders

struct NewReminder<'a> {
    key: String,
    customer_id: &'a str,
    source: &'static str,
    source_id: Option<&'a str>,
    title: String,
    detail: String,
    due_at: DateTime<Utc>,
}

fn insert(conn: &Connection, r: &NewReminder, now: DateTime<Utc>) -> Result<bool> {
    let stamp = timestamp(now);
    let added = conn
        .prepare_cached(
            "INSERT INTO reminders (id, dedup_key, customer_id, source, source_id, title, detail, due_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
             ON CONFLICT(dedup_key) DO NOTHING",
        )?
        .execute(params![new_id(), r.key, r.customer_id, r.source, r.source_id, r.title, r.detail, timestamp(r.due_at), stamp])?;
    Ok(added == 1)
}

/// Brings the reminders table up to date with the data, looking one day
/// ahead so the scheduler knows when to wake. Returns how many were added.
pub fn sync<Tz: TimeZone>(conn: &mut Connection, now: DateTime<Utc>, tz: &Tz, rules: &Rules) -> Result<usize> {
    let today = now.with_timezone(tz).date_naive();
    let tomorrow = today + Duration::days(1);
    let horizon = now + Duration::days(1);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut state = load_state(&tx)?;
    let mut added = 0;

    // Next steps that are open and due by tomorrow.
    {
        let mut stmt = tx.prepare_cached(
            "SELECT t.id, t.customer_id, t.title, t.due_on, t.due_time FROM tasks t
             WHERE t.done_at IS NULL AND t.due_on <= ?1
               AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.dedup_key = 'task:' || t.id)",
        )?;
        let rows: Vec<(String, String, String, String, Option<String>)> = stmt
            .query_map([tomorrow.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, customer_id, title, due_on, due_time) in rows {
            let Ok(date) = NaiveDate::parse_from_str(&due_on, "%Y-%m-%d") else { continue };
            let due_at = match due_time.as_deref().and_then(parse_time) {
                Some(time) => local_to_utc(tz, date, time),
                None => at_hour(tz, date, rules.due_hour),
            };
            let r = NewReminder { key: format!("task:{id}"), customer_id: &customer_id, source: "next_step", source_id: Some(&id), title: format!("Next step: {title}"), detail: String::new(), due_at };
            added += usize::from(insert(&tx, &r, now)?);
        }
    }

    // Onboarding plan tasks that are open and due by tomorrow.
    {
        let mut stmt = tx.prepare_cached(
            "SELECT t.id, t.customer_id, t.title, t.due_on, t.owner_kind, t.owner_name, t.milestone
             FROM plan_tasks t JOIN plans p ON p.id = t.plan_id
             WHERE t.done_at IS NULL AND t.due_on <= ?1 AND p.cancelled_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.dedup_key = 'onboarding:' || t.id)",
        )?;
        let rows: Vec<(String, String, String, String, String, String, bool)> = stmt
            .query_map([tomorrow.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, customer_id, title, due_on, owner_kind, owner_name, milestone) in rows {
            let Ok(date) = NaiveDate::parse_from_str(&due_on, "%Y-%m-%d") else { continue };
            let detail = match owner_kind.as_str() {
                "customer" => "The customer's task: check it is done.".to_string(),
                "staff" if !owner_name.is_empty() => format!("For {owner_name}"),
                _ => String::new(),
            };
            let what = if milestone { "First win" } else { "Onboarding" };
            let r = NewReminder { key: format!("onboarding:{id}"), customer_id: &customer_id, source: "onboarding", source_id: Some(&id), title: format!("{what}: {title}"), detail, due_at: at_hour(tz, date, rules.due_hour) };
            added += usize::from(insert(&tx, &r, now)?);
        }
    }

    // Memberships renewing within the notice period.
    {
        let last_day = tomorrow + Duration::days(rules.renewal_days_ahead);
        let mut stmt = tx.prepare_cached(
            "SELECT id, customer_id, plan_name, price_cents, term, renews_on FROM memberships
             WHERE ended_at IS NULL AND renews_on <= ?1",
        )?;
        let rows: Vec<(String, String, String, i64, String, String)> = stmt
            .query_map([last_day.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let currency = settings::load(&tx)?.currency;
        for (id, customer_id, plan, price, term, renews_on) in rows {
            let Ok(date) = NaiveDate::parse_from_str(&renews_on, "%Y-%m-%d") else { continue };
            let remind_on = date - Duration::days(rules.renewal_days_ahead);
            let r = NewReminder {
                key: format!("renewal:{id}:{renews_on}"),
                customer_id: &customer_id,
                source: "renewal",
                source_id: Some(&id),
                title: format!("Renewal on {}: {plan}", date.format("%-d %B")),
                detail: crate::memberships::price_line(price, &currency, &term),
                due_at: at_hour(tz, remind_on, rules.due_hour),
            };
            added += usize::from(insert(&tx, &r, now)?);
        }
    }

    // Birthdays: every reminder day since the last look (at most a month
    // back, for a laptop that was closed), through tomorrow.
    {
        let from = state
            .birthdays_scanned_to
            .map(|d| d + Duration::days(1))
            .unwrap_or(today)
            .max(today - Duration::days(CATCH_UP_DAYS));
        let mut day = from;
        while day <= tomorrow {
            let birthday = day + Duration::days(rules.birthday_days_ahead);
            let mut days = vec![birthday.format("%m-%d").to_string()];
            // 29 February is celebrated on the 28th in other years.
            if birthday.month() == 2 && birthday.day() == 28 && NaiveDate::from_ymd_opt(birthday.year(), 2, 29).is_none() {
                days.push("02-29".into());
            }
            for month_day in days {
                let mut stmt = tx.prepare_cached(
                    "SELECT id, first_name, display_name, birthday FROM customers
                     WHERE substr(birthday, -5) = ?1 AND birthday IS NOT NULL AND archived_at IS NULL",
                )?;
                let rows: Vec<(String, String, String, String)> = stmt
                    .query_map([&month_day], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                for (id, first_name, display_name, iso) in rows {
                    let name = if first_name.is_empty() { display_name } else { first_name };
                    let turns = crate::customers::Birthday::from_iso(&iso)
                        .and_then(|b| b.year)
                        .map(|year| format!("Turns {}", birthday.year() - year))
                        .unwrap_or_default();
                    let title = if rules.birthday_days_ahead == 0 {
                        format!("{name}'s birthday today")
                    } else {
                        format!("{name}'s birthday on {}", birthday.format("%-d %B"))
                    };
                    let r = NewReminder { key: format!("birthday:{id}:{}", birthday.year()), customer_id: &id, source: "birthday", source_id: None, title, detail: turns, due_at: at_hour(tz, day, rules.due_hour) };
                    added += usize::from(insert(&tx, &r, now)?);
                }
            }
            day += Duration::days(1);
        }
        state.birthdays_scanned_to = Some(tomorrow);
    }

    // Gone quiet: customers whose quiet date passed since the last look.
    {
        let from = state.quiet_scanned_to.clone().unwrap_or_default();
        let to = timestamp(horizon);
        let mut stmt = tx.prepare_cached(
            "SELECT id, quiet_after, last_visit_at FROM customers
             WHERE quiet_after > ?1 AND quiet_after <= ?2 AND archived_at IS NULL",
        )?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map(params![from, to], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, quiet_after, last_visit) in rows {
            let Ok(quiet) = DateTime::parse_from_rfc3339(&quiet_after) else { continue };
            let quiet = quiet.with_timezone(&Utc);
            // Gathered at the day's due hour, so a shop with many quiet
            // customers gets one summary a morning, not a popup every few minutes.
            let quiet_day = quiet.with_timezone(tz).date_naive();
            let mut due = at_hour(tz, quiet_day, rules.due_hour);
            if due < quiet {
                due = at_hour(tz, quiet_day + Duration::days(1), rules.due_hour);
            }
            let r = NewReminder {
                key: format!("quiet:{id}:{last_visit}"),
                customer_id: &id,
                source: "gone_quiet",
                source_id: Some(&last_visit),
                title: "Gone quiet: time for a check-in".into(),
                detail: String::new(),
                due_at: due,
            };
            added += usize::from(insert(&tx, &r, now)?);
        }
        state.quiet_scanned_to = Some(to);
    }

    // Complaint checkpoints: each open complaint's next checkpoint, once.
    // Moving the checkpoint makes a new key; the old reminder was resolved.
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, customer_id, summary, owner_name, checkpoint_at FROM complaints
             WHERE closed_at IS NULL AND checkpoint_at <= ?1",
        )?;
        let rows: Vec<(String, String, String, String, String)> = stmt
            .query_map([timestamp(horizon)], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, customer_id, summary, owner, checkpoint_at) in rows {
            let Ok(due) = DateTime::parse_from_rfc3339(&checkpoint_at) else { continue };
            let short: String = summary.chars().take(60).collect();
            let r = NewReminder {
                key: format!("complaint:{id}:{checkpoint_at}"),
                customer_id: &customer_id,
                source: "complaint",
                source_id: Some(&id),
                title: format!("Complaint checkpoint: {short}"),
                detail: format!("Owner: {owner}"),
                due_at: due.with_timezone(&Utc),
            };
            added += usize::from(insert(&tx, &r, now)?);
        }
    }

    // One follow-up for a review request nobody has answered.
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, customer_id, channel, asked_at, follow_up_on FROM review_requests
             WHERE follow_up_on IS NOT NULL AND follow_up_on <= ?1 AND status = 'asked'",
        )?;
        let rows: Vec<(String, String, String, String, String)> = stmt
            .query_map([tomorrow.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, customer_id, channel, asked_at, follow_up_on) in rows {
            let Ok(date) = NaiveDate::parse_from_str(&follow_up_on, "%Y-%m-%d") else { continue };
            let asked = DateTime::parse_from_rfc3339(&asked_at).map(|t| t.with_timezone(tz).naive_local().format("%-d %B").to_string()).unwrap_or_default();
            let how = match channel.as_str() {
                "email" => " by email",
                "sms" => " by text message",
                "print" => " with a printed card",
                _ => "",
            };
            let r = NewReminder {
                key: format!("review:{id}"),
                customer_id: &customer_id,
                source: "review_follow_up",
                source_id: Some(&id),
                title: "Follow up on the review request".into(),
                detail: format!("Asked on {asked}{how}"),
                due_at: at_hour(tz, date, rules.due_hour),
            };
            added += usize::from(insert(&tx, &r, now)?);
        }
    }

    save_state(&tx, &state, now)?;
    tx.commit()?;
    Ok(added)
}

/// Closes a source's open reminders when what they asked for has happened
/// (the next step was done, the customer came back, the membership moved).
pub fn resolve(conn: &Connection, customer_id: &str, source: &str, source_id: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "UPDATE reminders SET done_at = ?4, updated_at = ?4
         WHERE customer_id = ?1 AND source = ?2 AND (?3 IS NULL OR source_id = ?3)
           AND done_at IS NULL AND dismissed_at IS NULL",
    )?
    .execute(params![customer_id, source, source_id, timestamp(now)])?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Firing and listing

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reminder {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub source: String,
    pub title: String,
    pub detail: String,
    /// When it is due (the snooze time, if snoozed).
    pub due_at: String,
    pub snoozed: bool,
}

const REMINDER_COLUMNS: &str = "r.id, r.customer_id, c.display_name, r.source, r.title, r.detail,
    coalesce(r.snoozed_until, r.due_at), r.snoozed_until IS NOT NULL, c.last_visit_at, c.usual_gap_days";

fn reminder_from_row(row: &rusqlite::Row, now: DateTime<Utc>) -> rusqlite::Result<Reminder> {
    let source: String = row.get(3)?;
    let mut detail: String = row.get(5)?;
    if source == "gone_quiet" {
        let last: Option<String> = row.get(8)?;
        let gap: Option<f64> = row.get(9)?;
        detail = quiet_detail(last.as_deref(), gap, now);
    }
    Ok(Reminder {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        customer_name: row.get(2)?,
        source,
        title: row.get(4)?,
        detail,
        due_at: row.get(6)?,
        snoozed: row.get(7)?,
    })
}

/// "No visit in 34 days, usually every 7", worked out at the time it is read.
pub fn quiet_detail(last_visit: Option<&str>, usual_gap_days: Option<f64>, now: DateTime<Utc>) -> String {
    let Some(last) = last_visit.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
        return "No visit yet".into();
    };
    let days = (now - last.with_timezone(&Utc)).num_days();
    let since = if days == 1 { "No visit in 1 day".to_string() } else { format!("No visit in {days} days") };
    match usual_gap_days {
        Some(gap) => {
            let gap = gap.round().max(1.0) as i64;
            if gap == 1 { format!("{since}, usually every day") } else { format!("{since}, usually every {gap}") }
        }
        None => format!("{since} (new customer)"),
    }
}

/// The earliest time a reminder that has not fired yet falls due.
pub fn next_due(conn: &Connection) -> Result<Option<DateTime<Utc>>> {
    let next: Option<String> = conn
        .prepare_cached(
            "SELECT min(coalesce(snoozed_until, due_at)) FROM reminders
             WHERE done_at IS NULL AND dismissed_at IS NULL AND notified_at IS NULL",
        )?
        .query_row([], |row| row.get(0))?;
    Ok(next.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc)))
}

/// Everything due by `now` that has not fired, marked as fired (`how`:
/// "live", or "away:<start>" for the start-up summary) in the same
/// transaction, so a crash after this can only lose a notification, never
/// repeat one.
pub fn take_due(conn: &mut Connection, now: DateTime<Utc>, how: &str) -> Result<Vec<Reminder>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let stamp = timestamp(now);
    let due: Vec<Reminder> = {
        let sql = format!(
            "SELECT {REMINDER_COLUMNS} FROM reminders r JOIN customers c ON c.id = r.customer_id
             WHERE r.done_at IS NULL AND r.dismissed_at IS NULL AND r.notified_at IS NULL
               AND coalesce(r.snoozed_until, r.due_at) <= ?1
             ORDER BY coalesce(r.snoozed_until, r.due_at)"
        );
        let mut stmt = tx.prepare_cached(&sql)?;
        let rows = stmt.query_map([&stamp], |row| reminder_from_row(row, now))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut mark = tx.prepare_cached("UPDATE reminders SET notified_at = ?2, notified_how = ?3, updated_at = ?2 WHERE id = ?1")?;
    for reminder in &due {
        mark.execute(params![reminder.id, stamp, how])?;
    }
    drop(mark);
    tx.commit()?;
    Ok(due)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Today {
    /// Fell due while the app was closed; shown once per start.
    pub away: Vec<Reminder>,
    pub overdue: Vec<Reminder>,
    pub today: Vec<Reminder>,
    /// Open reminders not listed because a group hit its limit.
    pub more: i64,
}

const GROUP_LIMIT: usize = 100;

/// The Today view: open reminders due by the end of the local day.
pub fn today<Tz: TimeZone>(conn: &Connection, now: DateTime<Utc>, tz: &Tz, away_marker: Option<&str>) -> Result<Today> {
    let local_today = now.with_timezone(tz).date_naive();
    let start_of_day = local_to_utc(tz, local_today, NaiveTime::MIN);
    let end_of_day = local_to_utc(tz, local_today + Duration::days(1), NaiveTime::MIN);
    let sql = format!(
        "SELECT {REMINDER_COLUMNS}, r.notified_how FROM reminders r JOIN customers c ON c.id = r.customer_id
         WHERE r.done_at IS NULL AND r.dismissed_at IS NULL AND coalesce(r.snoozed_until, r.due_at) < ?1
         ORDER BY coalesce(r.snoozed_until, r.due_at)"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([timestamp(end_of_day)])?;
    let mut view = Today { away: Vec::new(), overdue: Vec::new(), today: Vec::new(), more: 0 };
    let start = timestamp(start_of_day);
    while let Some(row) = rows.next()? {
        let how: Option<String> = row.get(10)?;
        let reminder = reminder_from_row(row, now)?;
        let group = if away_marker.is_some() && how.as_deref() == away_marker {
            &mut view.away
        } else if reminder.due_at < start {
            &mut view.overdue
        } else {
            &mut view.today
        };
        if group.len() < GROUP_LIMIT {
            group.push(reminder);
        } else {
            view.more += 1;
        }
    }
    Ok(view)
}

/// The number of open reminders due by now, for the badge on "Today".
pub fn due_count(conn: &Connection, now: DateTime<Utc>) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM reminders WHERE done_at IS NULL AND dismissed_at IS NULL
             AND coalesce(snoozed_until, due_at) <= ?1",
        )?
        .query_row([timestamp(now)], |row| row.get(0))?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Snooze {
    OneHour,
    TomorrowMorning,
    NextWeek,
}

/// Snoozes a reminder; it fires again (once) when the snooze ends.
pub fn snooze<Tz: TimeZone>(conn: &Connection, id: &str, how: Snooze, now: DateTime<Utc>, tz: &Tz, rules: &Rules) -> Result<DateTime<Utc>> {
    let today = now.with_timezone(tz).date_naive();
    let until = match how {
        Snooze::OneHour => now + Duration::hours(1),
        Snooze::TomorrowMorning => at_hour(tz, today + Duration::days(1), rules.due_hour),
        Snooze::NextWeek => at_hour(tz, today + Duration::days(7), rules.due_hour),
    };
    let changed = conn.execute(
        "UPDATE reminders SET snoozed_until = ?2, notified_at = NULL, notified_how = NULL, updated_at = ?3
         WHERE id = ?1 AND done_at IS NULL AND dismissed_at IS NULL",
        params![id, timestamp(until), timestamp(now)],
    )?;
    if changed == 0 {
        return Err(Error::NotFound("This reminder"));
    }
    Ok(until)
}

/// Done: the thing was done. Dismissed: not needed. Either way it is closed.
pub fn close(conn: &Connection, id: &str, dismissed: bool, now: DateTime<Utc>) -> Result<()> {
    let column = if dismissed { "dismissed_at" } else { "done_at" };
    let changed = conn.execute(
        &format!("UPDATE reminders SET {column} = ?2, updated_at = ?2 WHERE id = ?1 AND done_at IS NULL AND dismissed_at IS NULL"),
        params![id, timestamp(now)],
    )?;
    if changed == 0 {
        return Err(Error::NotFound("This reminder"));
    }
    // A next step's reminder done means the next step is done.
    if !dismissed {
        let task: Option<Option<String>> = conn
            .query_row("SELECT source_id FROM reminders WHERE id = ?1 AND source = 'next_step'", [id], |row| row.get(0))
            .optional()?;
        if let Some(Some(task_id)) = task {
            conn.execute(
                "UPDATE tasks SET done_at = ?2, done_by = 'from the reminder', updated_at = ?2 WHERE id = ?1 AND done_at IS NULL",
                params![task_id, timestamp(now)],
            )?;
        }
        // An onboarding task's reminder done means the task is ticked.
        let plan_task: Option<Option<String>> = conn
            .query_row("SELECT source_id FROM reminders WHERE id = ?1 AND source = 'onboarding'", [id], |row| row.get(0))
            .optional()?;
        if let Some(Some(task_id)) = plan_task {
            crate::onboarding::tick_from_reminder(conn, &task_id, now)?;
        }
    }
    Ok(())
}
