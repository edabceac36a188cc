//! Every source of reminders in one table (`SOURCES`): its key, the label
//! the Today list shows, how its reminders are collected from the data,
//! and what marking one done does to what it came from. `sync` runs every
//! collector in one transaction; `close` closes a reminder and its source
//! in one transaction.
//!
//! A new source is one entry here (and its rows in the tables it reads).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::db::{settings, store};
use crate::derived::rhythm;
use crate::kernel::error::{Error, Result};
use crate::kernel::labels::Labelled;
use crate::kernel::time::{local_to_utc, parse_time, timestamp};
use crate::records::reminders::{self, NewReminder, Rules, Source, Today};
use crate::records::{interactions, memberships, onboarding, passes, pets};

/// One kind of reminder: its source, and how its reminders are made and closed.
pub struct Entry {
    /// Stored in `reminders.source`; the label Today shows is the source's.
    pub source: Source,
    /// Adds the reminders the data calls for (a key already there adds nothing).
    collect: fn(&mut Pass) -> Result<()>,
    /// What "done" on the reminder does to its source row (`source_id`).
    on_done: Option<OnDone>,
}

/// Closes a source row (its id) when its reminder is marked done.
type OnDone = fn(&Connection, &str, DateTime<Utc>) -> Result<()>;

pub const SOURCES: [Entry; 11] = [
    Entry { source: Source::NextStep, collect: collect_next_steps, on_done: Some(next_step_done) },
    Entry {
        source: Source::Onboarding,
        collect: collect_onboarding_tasks,
        on_done: Some(onboarding::tick_from_reminder),
    },
    Entry { source: Source::Renewal, collect: collect_renewals, on_done: None },
    Entry { source: Source::Birthday, collect: collect_birthdays, on_done: None },
    Entry { source: Source::GoneQuiet, collect: collect_gone_quiet, on_done: None },
    Entry { source: Source::Complaint, collect: collect_complaint_checkpoints, on_done: None },
    Entry { source: Source::ReviewFollowUp, collect: collect_review_follow_ups, on_done: None },
    Entry { source: Source::PassLastSession, collect: collect_pass_last_sessions, on_done: None },
    Entry { source: Source::PassExpiring, collect: collect_passes_ending, on_done: None },
    Entry { source: Source::Vaccination, collect: collect_vaccinations, on_done: None },
    Entry { source: Source::Overdraft, collect: collect_overdrafts, on_done: None },
];

/// The label of a stored source word ("" for one this build does not know).
pub fn label_of(word: &str) -> &'static str {
    Source::from_word(word).map_or("", Labelled::label)
}

/// A next step's reminder done means the next step is done.
fn next_step_done(conn: &Connection, task_id: &str, now: DateTime<Utc>) -> Result<()> {
    interactions::complete_task(conn, task_id, "from the reminder", &timestamp(now))
}

const STATE_KEY: &str = "reminder_state";
/// Birthdays missed while the app was closed are still shown up to this far back.
const CATCH_UP_DAYS: i64 = 30;

/// How far `sync` has looked, so it reads only what is new.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct SyncState {
    /// Gone-quiet dates up to here have been turned into reminders.
    quiet_scanned_to: Option<String>,
    /// The last local date whose birthdays were looked at.
    birthdays_scanned_to: Option<NaiveDate>,
}

/// What every collector gets: the transaction, the time, the rules.
struct Pass<'a> {
    tx: &'a Connection,
    now: DateTime<Utc>,
    today: NaiveDate,
    tomorrow: NaiveDate,
    horizon: DateTime<Utc>,
    rules: &'a Rules,
    state: SyncState,
    /// A local date and time in the shop's time zone, as UTC.
    local: &'a dyn Fn(NaiveDate, NaiveTime) -> DateTime<Utc>,
    /// A UTC time as the shop's local date and time.
    local_of: &'a dyn Fn(DateTime<Utc>) -> NaiveDateTime,
    added: usize,
}

impl Pass<'_> {
    /// The rules' due hour on `date`, local time.
    fn at_hour(&self, date: NaiveDate) -> DateTime<Utc> {
        (self.local)(date, NaiveTime::from_hms_opt(self.rules.due_hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN))
    }

    fn add(&mut self, reminder: &NewReminder) -> Result<()> {
        self.added += usize::from(reminders::insert(self.tx, reminder, self.now)?);
        Ok(())
    }
}

/// Brings the reminders table up to date with the data, looking one day
/// ahead so the scheduler knows when to wake. Returns how many were added.
pub fn sync<Tz: TimeZone>(conn: &mut Connection, now: DateTime<Utc>, tz: &Tz, rules: &Rules) -> Result<usize> {
    let today = now.with_timezone(tz).date_naive();
    let local = |date: NaiveDate, time: NaiveTime| local_to_utc(tz, date, time);
    let local_of = |at: DateTime<Utc>| at.with_timezone(tz).naive_local();
    store::write(conn, |tx| {
        let state = settings::load_json(tx, STATE_KEY)?.unwrap_or_default();
        // Passes past their last day have their unused sessions written
        // off first, so the collectors below see what is really left.
        let expired = passes::expire_due(tx, today, now)?;
        if expired > 0 {
            tracing::info!(passes = expired, "passes expired");
        }
        let mut pass = Pass {
            tx,
            now,
            today,
            tomorrow: today + Duration::days(1),
            horizon: now + Duration::days(1),
            rules,
            state,
            local: &local,
            local_of: &local_of,
            added: 0,
        };
        for source in &SOURCES {
            // One source that fails (a row it cannot read, a bug) must not
            // stop the others, or no reminder would ever fire again: it is
            // logged and the pass goes on. SQLite undoes the failed
            // statement alone; what the source added before it stays.
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (source.collect)(&mut pass))) {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::error!(source = ?source.source, %error, "a reminder source failed; the others went on")
                }
                Err(_) => tracing::error!(source = ?source.source, "a reminder source panicked; the others went on"),
            }
        }
        settings::save_json(tx, STATE_KEY, &pass.state, now)?;
        Ok(pass.added)
    })
}

/// Closes a reminder: done or dismissed. Done also closes what it came
/// from (a next step, an onboarding task), in the same transaction.
pub fn close(conn: &mut Connection, id: &str, dismissed: bool, now: DateTime<Utc>) -> Result<()> {
    store::write(conn, |tx| {
        let (source, source_id) = reminders::close(tx, id, dismissed, now)?;
        let on_done = SOURCES.iter().find(|s| Some(s.source) == Source::from_word(&source)).and_then(|s| s.on_done);
        if let (false, Some(on_done), Some(source_id)) = (dismissed, on_done, source_id) {
            on_done(tx, &source_id, now)?;
        }
        Ok(())
    })
}

/// The Today list, each reminder labelled with its source's name.
pub fn today<Tz: TimeZone>(conn: &Connection, now: DateTime<Utc>, tz: &Tz, away_marker: Option<&str>) -> Result<Today> {
    let mut today = reminders::today(conn, now, tz, away_marker)?;
    for reminder in today.away.iter_mut().chain(today.overdue.iter_mut()).chain(today.today.iter_mut()) {
        reminder.label = label_of(&reminder.source).to_string();
    }
    Ok(today)
}

/// A birthday was added or changed (an edit, an import): the next pass
/// looks at the days it has already scanned (today and tomorrow) again, so
/// a birthday typed in today still reminds. Inside the caller's transaction.
/// Passes in between cost nothing extra: only a change asks for this.
pub fn rescan_birthdays(conn: &Connection, now: DateTime<Utc>) -> Result<()> {
    let mut state: SyncState = settings::load_json(conn, STATE_KEY)?.unwrap_or_default();
    if let Some(scanned_to) = state.birthdays_scanned_to {
        state.birthdays_scanned_to = Some(scanned_to - Duration::days(2));
        settings::save_json(conn, STATE_KEY, &state, now)?;
    }
    Ok(())
}

/// Saves the reminder rules and recomputes every customer's rhythm under them.
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
    store::write(conn, |tx| {
        settings::save_json(tx, reminders::RULES_KEY, rules, now)?;
        rhythm::refresh_all_rhythms(tx, rules)?;
        // Quiet dates moved: look at every customer again on the next sync.
        settings::save_json(tx, STATE_KEY, &SyncState::default(), now)?;
        Ok(rules.clone())
    })
}

/// A stored day as a date within `kernel::time::YEARS`, or `None` (logged
/// with the row's id): a day out of range, from an older file or a
/// hand-edited database, skips its row instead of overflowing the date
/// arithmetic and stopping the pass.
fn readable_day(text: &str, source: Source, id: &str) -> Option<NaiveDate> {
    let day = crate::kernel::time::stored_day(text);
    if day.is_none() {
        tracing::warn!(?source, id, "a stored date is unreadable or out of range; its reminder is skipped");
    }
    day
}

/// Next steps that are open and due by tomorrow.
fn collect_next_steps(pass: &mut Pass) -> Result<()> {
    let mut stmt = pass.tx.prepare_cached(&format!(
        "SELECT t.id, t.customer_id, t.title, t.due_on, t.due_time FROM tasks t
         WHERE t.done_at IS NULL AND t.due_on <= ?1
           AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.dedup_key = '{prefix}' || t.id)",
        prefix = Source::NextStep.key("")
    ))?;
    let rows: Vec<(String, String, String, String, Option<String>)> = stmt
        .query_map([pass.tomorrow.to_string()], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, customer_id, title, due_on, due_time) in rows {
        let Some(date) = readable_day(&due_on, Source::NextStep, &id) else { continue };
        let due_at = match due_time.as_deref().and_then(parse_time) {
            Some(time) => (pass.local)(date, time),
            None => pass.at_hour(date),
        };
        let r = NewReminder {
            key: Source::NextStep.key(&id),
            customer_id: &customer_id,
            source: Source::NextStep,
            source_id: Some(&id),
            title: format!("Next step: {title}"),
            detail: String::new(),
            due_at,
        };
        pass.add(&r)?;
    }
    Ok(())
}

/// Onboarding plan tasks that are open and due by tomorrow.
fn collect_onboarding_tasks(pass: &mut Pass) -> Result<()> {
    let mut stmt = pass.tx.prepare_cached(&format!(
        "SELECT t.id, t.customer_id, t.title, t.due_on, t.owner_kind, t.owner_name, t.milestone
         FROM plan_tasks t JOIN plans p ON p.id = t.plan_id
         WHERE t.done_at IS NULL AND t.due_on <= ?1 AND p.cancelled_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.dedup_key = '{prefix}' || t.id)",
        prefix = Source::Onboarding.key("")
    ))?;
    let rows: Vec<(String, String, String, String, String, String, bool)> = stmt
        .query_map([pass.tomorrow.to_string()], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, customer_id, title, due_on, owner_kind, owner_name, milestone) in rows {
        let Some(date) = readable_day(&due_on, Source::Onboarding, &id) else { continue };
        let detail = match owner_kind.as_str() {
            "customer" => "The customer's task: check it is done.".to_string(),
            "staff" if !owner_name.is_empty() => format!("For {owner_name}"),
            _ => String::new(),
        };
        let what = if milestone { "First win" } else { "Onboarding" };
        let r = NewReminder {
            key: Source::Onboarding.key(&id),
            customer_id: &customer_id,
            source: Source::Onboarding,
            source_id: Some(&id),
            title: format!("{what}: {title}"),
            detail,
            due_at: pass.at_hour(date),
        };
        pass.add(&r)?;
    }
    Ok(())
}

/// Memberships renewing within the notice period.
fn collect_renewals(pass: &mut Pass) -> Result<()> {
    let last_day = pass.tomorrow + Duration::days(pass.rules.renewal_days_ahead);
    let mut stmt = pass.tx.prepare_cached(
        "SELECT id, customer_id, plan_name, price_cents, term, renews_on FROM memberships
         WHERE ended_at IS NULL AND renews_on <= ?1",
    )?;
    let rows: Vec<(String, String, String, i64, String, String)> = stmt
        .query_map([last_day.to_string()], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let currency = settings::load(pass.tx)?.currency;
    for (id, customer_id, plan, price, term, renews_on) in rows {
        let Some(date) = readable_day(&renews_on, Source::Renewal, &id) else { continue };
        let remind_on = date - Duration::days(pass.rules.renewal_days_ahead);
        let r = NewReminder {
            key: Source::Renewal.key(format_args!("{id}:{renews_on}")),
            customer_id: &customer_id,
            source: Source::Renewal,
            source_id: Some(&id),
            title: format!("Renewal on {}: {plan}", date.format("%-d %B")),
            detail: memberships::price_line(price, &currency, &term),
            due_at: pass.at_hour(remind_on),
        };
        pass.add(&r)?;
    }
    Ok(())
}

/// Birthdays: every reminder day since the last look (at most a month
/// back, for a laptop that was closed), through tomorrow. A card whose
/// birthday changes calls `rescan_birthdays`, so today and tomorrow are
/// looked at again on the next pass.
fn collect_birthdays(pass: &mut Pass) -> Result<()> {
    let from = pass
        .state
        .birthdays_scanned_to
        .map(|d| d + Duration::days(1))
        .unwrap_or(pass.today)
        .max(pass.today - Duration::days(CATCH_UP_DAYS));
    let mut day = from;
    while day <= pass.tomorrow {
        let birthday = day + Duration::days(pass.rules.birthday_days_ahead);
        let mut days = vec![birthday.format("%m-%d").to_string()];
        // 29 February is celebrated on the 28th in other years.
        if birthday.month() == 2 && birthday.day() == 28 && NaiveDate::from_ymd_opt(birthday.year(), 2, 29).is_none() {
            days.push("02-29".into());
        }
        for month_day in days {
            let mut stmt = pass.tx.prepare_cached(
                "SELECT id, first_name, display_name, birthday FROM customers
                 WHERE substr(birthday, -5) = ?1 AND birthday IS NOT NULL AND archived_at IS NULL",
            )?;
            let rows: Vec<(String, String, String, String)> = stmt
                .query_map([&month_day], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (id, first_name, display_name, iso) in rows {
                let name = if first_name.is_empty() { display_name } else { first_name };
                let turns = crate::kernel::birthday::Birthday::from_iso(&iso)
                    .and_then(|b| b.year)
                    .map(|year| format!("Turns {}", birthday.year() - year))
                    .unwrap_or_default();
                let title = if pass.rules.birthday_days_ahead == 0 {
                    format!("{name}'s birthday today")
                } else {
                    format!("{name}'s birthday on {}", birthday.format("%-d %B"))
                };
                let r = NewReminder {
                    key: Source::Birthday.key(format_args!("{id}:{}", birthday.year())),
                    customer_id: &id,
                    source: Source::Birthday,
                    source_id: None,
                    title,
                    detail: turns,
                    due_at: pass.at_hour(day),
                };
                pass.add(&r)?;
            }
        }
        day += Duration::days(1);
    }
    pass.state.birthdays_scanned_to = Some(pass.tomorrow);
    Ok(())
}

/// Gone quiet: customers whose quiet date passed since the last look.
fn collect_gone_quiet(pass: &mut Pass) -> Result<()> {
    let from = pass.state.quiet_scanned_to.clone().unwrap_or_default();
    let to = timestamp(pass.horizon);
    let mut stmt = pass.tx.prepare_cached(
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
        let quiet_day = (pass.local_of)(quiet).date();
        let mut due = pass.at_hour(quiet_day);
        if due < quiet {
            due = pass.at_hour(quiet_day + Duration::days(1));
        }
        let r = NewReminder {
            key: Source::GoneQuiet.key(format_args!("{id}:{last_visit}")),
            customer_id: &id,
            source: Source::GoneQuiet,
            source_id: Some(&last_visit),
            title: "Gone quiet: time for a check-in".into(),
            detail: String::new(),
            due_at: due,
        };
        pass.add(&r)?;
    }
    pass.state.quiet_scanned_to = Some(to);
    Ok(())
}

/// Complaint checkpoints: each open complaint's next checkpoint, once.
/// Moving the checkpoint makes a new key; the old reminder was resolved.
fn collect_complaint_checkpoints(pass: &mut Pass) -> Result<()> {
    let mut stmt = pass.tx.prepare_cached(
        "SELECT id, customer_id, summary, owner_name, checkpoint_at FROM complaints
         WHERE closed_at IS NULL AND checkpoint_at <= ?1",
    )?;
    let rows: Vec<(String, String, String, String, String)> = stmt
        .query_map([timestamp(pass.horizon)], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, customer_id, summary, owner, checkpoint_at) in rows {
        let Ok(due) = DateTime::parse_from_rfc3339(&checkpoint_at) else { continue };
        let short: String = summary.chars().take(60).collect();
        let r = NewReminder {
            key: Source::Complaint.key(format_args!("{id}:{checkpoint_at}")),
            customer_id: &customer_id,
            source: Source::Complaint,
            source_id: Some(&id),
            title: format!("Complaint checkpoint: {short}"),
            detail: format!("Owner: {owner}"),
            due_at: due.with_timezone(&Utc),
        };
        pass.add(&r)?;
    }
    Ok(())
}

/// One follow-up for a review request nobody has answered.
fn collect_review_follow_ups(pass: &mut Pass) -> Result<()> {
    let mut stmt = pass.tx.prepare_cached(
        "SELECT id, customer_id, channel, asked_at, follow_up_on FROM review_requests
         WHERE follow_up_on IS NOT NULL AND follow_up_on <= ?1 AND status = 'asked'",
    )?;
    let rows: Vec<(String, String, String, String, String)> = stmt
        .query_map([pass.tomorrow.to_string()], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, customer_id, channel, asked_at, follow_up_on) in rows {
        let Ok(date) = NaiveDate::parse_from_str(&follow_up_on, "%Y-%m-%d") else { continue };
        let asked = DateTime::parse_from_rfc3339(&asked_at)
            .map(|t| (pass.local_of)(t.with_timezone(&Utc)).format("%-d %B").to_string())
            .unwrap_or_default();
        let how = match channel.as_str() {
            "email" => " by email",
            "sms" => " by text message",
            "print" => " with a printed card",
            _ => "",
        };
        let r = NewReminder {
            key: Source::ReviewFollowUp.key(&id),
            customer_id: &customer_id,
            source: Source::ReviewFollowUp,
            source_id: Some(&id),
            title: "Follow up on the review request".into(),
            detail: format!("Asked on {asked}{how}"),
            due_at: pass.at_hour(date),
        };
        pass.add(&r)?;
    }
    Ok(())
}

/// Days before a pass ends with sessions left that it reminds.
pub const PASS_ENDING_DAYS: i64 = 7;
/// How far back a lapsed vaccination still gets its reminder (one recorded
/// late, or a laptop that was closed); older ones show red on the card.
const VACCINE_CATCH_UP_DAYS: i64 = 60;

/// A pass with one session left, once per pass.
fn collect_pass_last_sessions(pass: &mut Pass) -> Result<()> {
    let mut stmt = pass.tx.prepare_cached(&format!(
        "SELECT * FROM (
            SELECT p.id, p.customer_id, p.name, p.expires_on,
                   {left} AS remaining
            FROM passes p
            WHERE (p.expires_on IS NULL OR p.expires_on >= ?1)
              AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.dedup_key = '{prefix}' || p.id))
         WHERE remaining = 1",
        left = passes::LEFT,
        prefix = Source::PassLastSession.key("")
    ))?;
    let rows: Vec<(String, String, String, Option<String>)> = stmt
        .query_map([pass.today.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, customer_id, name, expires_on) in rows {
        let detail = expires_on
            .as_deref()
            .and_then(crate::kernel::time::stored_day)
            .map(|day| format!("Until {}", passes::day_words(day, pass.today)))
            .unwrap_or_default();
        let r = NewReminder {
            key: Source::PassLastSession.key(&id),
            customer_id: &customer_id,
            source: Source::PassLastSession,
            source_id: Some(&id),
            title: format!("One session left on the {name}"),
            detail,
            due_at: pass.at_hour(pass.today),
        };
        pass.add(&r)?;
    }
    Ok(())
}

/// A balance below zero: in a shared shop, two desks offline that both
/// redeemed points or used a pass's last session. Never corrected
/// silently: the card shows it and the owner is reminded, once per
/// balance (a balance that moves again asks again).
fn collect_overdrafts(pass: &mut Pass) -> Result<()> {
    let points: Vec<(String, i64, i64)> = pass
        .tx
        .prepare_cached(
            // Named: the planner otherwise walks customers_points (every
            // card, 65,000 pages at 100,000 customers) on each pass.
            "SELECT id, points_balance, stamps_balance FROM customers INDEXED BY customers_overdrawn
             WHERE (points_balance < 0 OR stamps_balance < 0) AND archived_at IS NULL",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (customer_id, points, stamps) in points {
        let shown = if points < 0 { format!("{points} points") } else { format!("{stamps} stamps") };
        pass.add(&NewReminder {
            key: Source::Overdraft.key(format!("points:{customer_id}:{points}:{stamps}")),
            customer_id: &customer_id,
            source: Source::Overdraft,
            source_id: None,
            title: format!("Loyalty balance overdrawn: {shown}"),
            detail: "Two desks redeemed while offline. Adjust the balance, or leave it to be earned back.".into(),
            due_at: pass.now,
        })?;
    }
    let overdrawn: Vec<(String, String, String, i64)> = pass
        .tx
        .prepare_cached(&format!(
            "SELECT * FROM (SELECT p.id, p.customer_id, p.name, {left} AS remaining FROM passes p) WHERE remaining < 0",
            left = passes::LEFT
        ))?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (pass_id, customer_id, name, remaining) in overdrawn {
        pass.add(&NewReminder {
            key: Source::Overdraft.key(format!("pass:{pass_id}:{remaining}")),
            customer_id: &customer_id,
            source: Source::Overdraft,
            source_id: Some(&pass_id),
            title: format!("The {name} is overdrawn: {remaining} sessions"),
            detail: "Two desks used its last session while offline. Sell a new pass or adjust this one.".into(),
            due_at: pass.now,
        })?;
    }
    Ok(())
}

/// A pass ending within a week with sessions left, once per pass.
fn collect_passes_ending(pass: &mut Pass) -> Result<()> {
    let last_day = pass.tomorrow + Duration::days(PASS_ENDING_DAYS);
    let mut stmt = pass.tx.prepare_cached(&format!(
        "SELECT * FROM (
            SELECT p.id, p.customer_id, p.name, p.expires_on,
                   {left} AS remaining
            FROM passes p
            WHERE p.expires_on >= ?1 AND p.expires_on <= ?2
              AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.dedup_key = '{prefix}' || p.id))
         WHERE remaining > 0",
        left = passes::LEFT,
        prefix = Source::PassExpiring.key("")
    ))?;
    let rows: Vec<(String, String, String, String, i64)> = stmt
        .query_map([pass.today.to_string(), last_day.to_string()], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, customer_id, name, expires_on, remaining) in rows {
        let Some(day) = readable_day(&expires_on, Source::PassExpiring, &id) else { continue };
        let sessions = if remaining == 1 { "1 session".to_string() } else { format!("{remaining} sessions") };
        let r = NewReminder {
            key: Source::PassExpiring.key(&id),
            customer_id: &customer_id,
            source: Source::PassExpiring,
            source_id: Some(&id),
            title: format!("The {name} ends on {}", passes::day_words(day, pass.today)),
            detail: format!("{sessions} left"),
            due_at: pass.at_hour(day - Duration::days(PASS_ENDING_DAYS)),
        };
        pass.add(&r)?;
    }
    Ok(())
}

/// A vaccination that counts and expires within `pets::DUE_DAYS`, once each.
fn collect_vaccinations(pass: &mut Pass) -> Result<()> {
    let settings = pets::load_settings(pass.tx)?;
    let from = pass.today - Duration::days(VACCINE_CATCH_UP_DAYS);
    let until = pass.tomorrow + Duration::days(pets::DUE_DAYS);
    for vaccine in pets::current_expiring_between(pass.tx, from, until, &settings)? {
        let r = NewReminder {
            key: Source::Vaccination.key(&vaccine.id),
            customer_id: &vaccine.customer_id,
            source: Source::Vaccination,
            source_id: Some(&vaccine.id),
            title: format!(
                "{} ({})",
                pets::vaccine_words(&vaccine.name, vaccine.expires_on, pass.today),
                vaccine.pet_name
            ),
            detail: "Ask for the new vaccination record".into(),
            due_at: pass.at_hour(vaccine.expires_on - Duration::days(pets::DUE_DAYS)),
        };
        pass.add(&r)?;
    }
    Ok(())
}
