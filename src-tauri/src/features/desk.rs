//! The desk's changes to the history: log a visit, call, message or
//! purchase (and the one-keystroke check-in), undo one, tick a next step
//! off, and the past visits of the sample shop and the benchmark seed.
//!
//! Logging is one transaction: the interaction and its next step
//! (`records::interactions`), the points it earns and a birthday bonus
//! when due (`records::loyalty`), the referrer's bonus on a first visit
//! (`records::referrals`), and the figures that move with it: last
//! contact and spend (`records::customers`), rhythm, monthly activity and
//! health (`derived`). An undo marks the interaction undone and takes the
//! points back with a ledger entry; nothing is deleted.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::settings::{self, StaffRef};
use crate::db::store;
use crate::derived::{activity, health, rhythm};
use crate::features::card_view::{self, CardChange, CardView};
use crate::kernel::error::{Error, Result};
use crate::kernel::money::parse_amount;
use crate::kernel::text;
use crate::kernel::time::timestamp;
use crate::records::interactions::{self, NewInteraction, NewTask, CAME_IN, KINDS};
use crate::records::loyalty::{self, Entry, Program};
use crate::records::passes::{self, PassType};
use crate::records::{customers, referrals, reminders};

/// The UTC month ("2026-11") of a stored timestamp, for the monthly figures.
fn month_of(stamp: &str) -> String {
    stamp.chars().take(7).collect()
}

/// The one-line log form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct LogInput {
    pub kind: String,
    pub summary: String,
    /// "12.50", "12,50", "12" or empty.
    pub amount: String,
    pub staff_id: Option<String>,
    pub next_step: String,
    /// YYYY-MM-DD, or YYYY-MM-DDTHH:MM for a time of day; required with a next step.
    pub next_step_due: String,
    /// The payment came late (a health signal); needs an amount.
    pub paid_late: bool,
    /// A visit that went especially well: a good moment to ask for a review.
    pub win: bool,
}

struct CleanLog {
    kind: &'static str,
    summary: String,
    amount_cents: Option<i64>,
    paid_late: bool,
    win: bool,
    next_step: Option<(String, NaiveDate, Option<String>)>,
}

fn validate(input: &LogInput) -> Result<CleanLog> {
    let kind = KINDS
        .iter()
        .find(|k| **k == input.kind.trim())
        .copied()
        .ok_or_else(|| Error::invalid("kind", "Choose visit, call, message or purchase."))?;
    let summary = input.summary.trim().to_string();
    if summary.chars().count() > 500 {
        return Err(Error::invalid("summary", "The summary can be at most 500 characters."));
    }
    let amount_cents = parse_amount(&input.amount)?;
    if input.win && kind != "visit" {
        return Err(Error::invalid("win", "Only a visit can be marked as a win."));
    }
    if input.paid_late && amount_cents.is_none() {
        return Err(Error::invalid("paid_late", "Only a payment can be late: type the amount too."));
    }
    let step = input.next_step.trim();
    let due = input.next_step_due.trim();
    let next_step = match (step.is_empty(), due.is_empty()) {
        (true, true) => None,
        (true, false) => return Err(Error::invalid("next_step", "Say what the next step is, or clear its date.")),
        (false, true) => return Err(Error::invalid("next_step_due", "Give the next step a due date.")),
        (false, false) => {
            if step.chars().count() > 300 {
                return Err(Error::invalid("next_step", "The next step can be at most 300 characters."));
            }
            let bad = || {
                Error::invalid(
                    "next_step_due",
                    "Give a date like 2026-03-14 (optionally with a time, 2026-03-14T18:30), between the years 1900 and 2200.",
                )
            };
            let (date_text, time_text) = match due.split_once('T') {
                Some((date, time)) => (date, Some(time)),
                None => (due, None),
            };
            let date = crate::kernel::time::stored_day(date_text).ok_or_else(bad)?;
            let time = match time_text {
                None => None,
                Some(time) => {
                    let parsed = chrono::NaiveTime::parse_from_str(time, "%H:%M:%S")
                        .or_else(|_| chrono::NaiveTime::parse_from_str(time, "%H:%M"))
                        .map_err(|_| bad())?;
                    Some(parsed.format("%H:%M:%S").to_string())
                }
            };
            Some((step.to_string(), date, time))
        }
    };
    Ok(CleanLog { kind, summary, amount_cents, paid_late: input.paid_late, win: input.win, next_step })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Logged {
    pub interaction_id: String,
    pub points: i64,
    pub stamps: i64,
    /// Points this visit gave the customer who referred them (their first visit).
    pub referral_bonus: i64,
    pub birthday_bonus: i64,
    /// The pass session this visit used: "10-class pass: 7 of 10 left, until 3 March".
    pub pass: Option<passes::Used>,
}

/// `insert` for a customer named by id, inside the caller's transaction:
/// their birthday (for the birthday rule) and the reminder rules are read
/// here, so a log and a pass sale read them alike.
#[allow(clippy::too_many_arguments)]
fn insert_for(
    tx: &Connection,
    program: &Program,
    currency: &str,
    customer_id: &str,
    clean: &CleanLog,
    staff: &StaffRef,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Logged> {
    let birthday: Option<Option<String>> = tx
        .prepare_cached("SELECT birthday FROM customers WHERE id = ?1")?
        .query_row([customer_id], |row| row.get(0))
        .optional()?;
    let birthday = birthday.ok_or(Error::NotFound("This customer"))?;
    let rules = reminders::load_rules(tx)?;
    insert(tx, program, currency, customer_id, birthday.as_deref(), clean, staff, &rules, now, today)
}

/// Logs an interaction with everything it causes, in one transaction.
/// `today` is the shop's local date, for the birthday rule.
pub fn log(
    conn: &mut Connection,
    customer_id: &str,
    input: &LogInput,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Logged> {
    let clean = validate(input)?;
    let program = loyalty::load_program(conn)?;
    let currency = settings::load(conn)?.currency;
    store::write(conn, |tx| {
        let staff = settings::staff_ref(tx, input.staff_id.as_deref())?;
        insert_for(tx, &program, &currency, customer_id, &clean, &staff, now, today)
    })
}

#[allow(clippy::too_many_arguments)]
fn insert(
    conn: &Connection,
    program: &Program,
    currency: &str,
    customer_id: &str,
    birthday: Option<&str>,
    clean: &CleanLog,
    staff: &StaffRef,
    rules: &reminders::Rules,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Logged> {
    let stamp = timestamp(now);
    let id = interactions::insert(
        conn,
        &NewInteraction {
            customer_id,
            kind: clean.kind,
            summary: &clean.summary,
            amount_cents: clean.amount_cents,
            staff,
            at: &stamp,
            paid_late: clean.paid_late,
            win: clean.win,
        },
    )?;

    let (points, stamps, memo) = loyalty::earning(program, clean.kind, clean.amount_cents, currency);
    if points > 0 || stamps > 0 {
        let memo = format!("{}: {memo}", text::capitalised(clean.kind));
        loyalty::append(
            conn,
            &Entry { customer_id, kind: "earn", points, stamps, memo, staff, interaction_id: Some(&id) },
            now,
        )?;
    }
    let mut birthday_bonus = 0;
    let due = if clean.kind == "visit" && program.birthday_bonus > 0 {
        loyalty::birthday_bonus_due(conn, customer_id, birthday, today)?
    } else {
        None
    };
    if let Some(birthday_on) = due {
        birthday_bonus = program.birthday_bonus;
        let memo = format!("Birthday bonus: {birthday_bonus} points");
        loyalty::append_once(
            conn,
            &format!("birthday-bonus:{customer_id}:{birthday_on}"),
            &Entry {
                customer_id,
                kind: "bonus",
                points: birthday_bonus,
                stamps: 0,
                memo,
                staff,
                interaction_id: Some(&id),
            },
            now,
        )?;
    }
    if let Some((title, due_on, due_time)) = &clean.next_step {
        let task = NewTask {
            customer_id,
            interaction_id: Some(&id),
            source: "next_step",
            title,
            due_on: *due_on,
            due_time: due_time.as_deref(),
            staff,
            at: &stamp,
        };
        interactions::insert_task(conn, &task)?;
    }
    customers::record_contact(conn, customer_id, &stamp, clean.amount_cents, true)?;
    if clean.kind == "visit" {
        // They came back: their rhythm moves on and a "gone quiet" reminder is answered.
        rhythm::refresh_rhythm(conn, customer_id, rules)?;
        reminders::resolve(conn, customer_id, crate::records::reminders::Source::GoneQuiet, None, now)?;
    }
    if CAME_IN.contains(&clean.kind) {
        activity::came_in(conn, customer_id, &month_of(&stamp), 1)?;
    }
    let referral_bonus = if clean.kind == "visit" {
        // A referred customer's first visit: their referrer's bonus, once.
        referrals::award_on_visit(conn, customer_id, program, staff, now)?.map(|(_, points)| points).unwrap_or(0)
    } else {
        0
    };
    // A visit not paid for at the desk uses a session from the pass that
    // expires first (a visit with an amount was paid on the spot).
    let pass = if clean.kind == "visit" && clean.amount_cents.is_none() {
        passes::use_session_in(conn, customer_id, &id, staff, today, now)?
    } else {
        None
    };
    health::refresh(conn, customer_id)?;
    Ok(Logged { interaction_id: id, points, stamps, birthday_bonus, referral_bonus, pass })
}

/// The desk's one-keystroke check-in: a visit with no amount.
pub fn check_in(
    conn: &mut Connection,
    customer_id: &str,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Logged> {
    let input = LogInput {
        kind: "visit".into(),
        summary: "Check-in".into(),
        staff_id: staff_id.map(String::from),
        ..Default::default()
    };
    log(conn, customer_id, &input, now, today)
}

/// What the desk sees after a check-in, made here so the button, Ctrl+Enter
/// and the search list all say the same: the sentence, the reward lines
/// (ready first, then progress) and the card as it is now.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CheckedIn {
    pub logged: Logged,
    /// "Zoë Müller checked in: +10 points (balance 130)."
    pub said: String,
    pub rewards: Vec<String>,
    pub view: CardView,
}

/// Checks a customer in and reads back what the desk shows: one call.
pub fn check_in_and_show<Tz: TimeZone>(
    conn: &mut Connection,
    customer_id: &str,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
    today: NaiveDate,
    tz: &Tz,
) -> Result<CheckedIn> {
    let logged = check_in(conn, customer_id, staff_id, now, today)?;
    let view = card_view::load(conn, customer_id, now, today, tz)?;
    let said = checked_in_sentence(&view.card.display_name, &logged, view.activity.loyalty.balance);
    let status = &view.activity.loyalty;
    let rewards = status.ready.iter().chain(status.progress.iter()).cloned().collect();
    Ok(CheckedIn { logged, said, rewards, view })
}

/// Logs from the card's form and reads back the card: the sentence the
/// form shows ("Visit logged: +10 points.") and the card as it is now.
pub fn log_and_show<Tz: TimeZone>(
    conn: &mut Connection,
    customer_id: &str,
    input: &LogInput,
    now: DateTime<Utc>,
    today: NaiveDate,
    tz: &Tz,
) -> Result<CardChange> {
    let logged = log(conn, customer_id, input, now, today)?;
    let view = card_view::load(conn, customer_id, now, today, tz)?;
    Ok(CardChange { said: logged_sentence(input.kind.trim(), &logged), view })
}

fn logged_sentence(kind: &str, logged: &Logged) -> String {
    let what = match kind {
        "visit" => "Visit",
        "call" => "Call",
        "message" => "Message",
        "purchase" => "Purchase",
        _ => "Interaction",
    };
    let earned = logged.points + logged.birthday_bonus;
    let mut said = if earned != 0 { format!("{what} logged: +{earned} points.") } else { format!("{what} logged.") };
    if let Some(used) = &logged.pass {
        said.push_str(&format!(" {}.", used.said));
    }
    if logged.referral_bonus != 0 {
        said.push_str(&format!(
            " Their first visit: the friend who referred them got {} points.",
            logged.referral_bonus
        ));
    }
    said
}

fn checked_in_sentence(name: &str, logged: &Logged, balance: i64) -> String {
    let mut parts = vec![format!("{name} checked in")];
    let earned = logged.points + logged.birthday_bonus;
    if earned != 0 {
        parts.push(format!("+{earned} points (balance {balance})"));
    }
    if logged.birthday_bonus != 0 {
        parts.push("happy birthday bonus included".to_string());
    }
    let mut said = format!("{}.", parts.join(": "));
    if let Some(used) = &logged.pass {
        said.push_str(&format!(" {}.", used.said));
    }
    said
}

/// Undoes an interaction logged by mistake: it stays in the history marked
/// undone, its points are taken back, its open next steps are closed.
/// Returns whose card it was.
pub fn undo(conn: &mut Connection, interaction_id: &str, staff_id: Option<&str>, now: DateTime<Utc>) -> Result<String> {
    store::write(conn, |tx| {
        let interaction = interactions::get(tx, interaction_id)?;
        if interaction.undone_at.is_some() {
            return Err(Error::Conflict("This was already undone.".into()));
        }
        let customer_id = interaction.customer_id.as_str();
        let staff = settings::staff_ref(tx, staff_id)?;
        let stamp = timestamp(now);
        let who = if staff.name.is_empty() { "the desk".to_string() } else { staff.name.clone() };
        let closed_tasks = interactions::mark_undone(tx, interaction_id, &format!("Undone by {who}"), &stamp)?;
        loyalty::reverse_interaction(tx, customer_id, interaction_id, &staff, now)?;
        // The session a visit used comes back; a sale undone voids its pass.
        passes::return_for_interaction(tx, customer_id, interaction_id, &staff, now)?;
        passes::void_sale(tx, customer_id, interaction_id, &staff, now)?;
        for task_id in &closed_tasks {
            reminders::dismiss(tx, customer_id, crate::records::reminders::Source::NextStep, Some(task_id), now)?;
        }
        rhythm::refresh_rhythm(tx, customer_id, &reminders::load_rules(tx)?)?;
        customers::take_back_contact(tx, customer_id, interaction.amount_cents, now)?;
        if CAME_IN.contains(&interaction.kind.as_str()) {
            activity::came_in(tx, customer_id, &month_of(&interaction.happened_at), -1)?;
        }
        health::refresh(tx, customer_id)?;
        Ok(customer_id.to_string())
    })
}

/// Sells a pass of the shop's type `type_id`: a purchase on the history
/// for its price (with the points a purchase earns) and the pass with its
/// sessions, in one transaction. A new pass answers the reminders that
/// the customer's passes were running out. Returns the pass id.
pub fn sell_pass(
    conn: &mut Connection,
    customer_id: &str,
    type_id: &str,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<String> {
    let types = passes::load_types(conn)?;
    let pass_type: &PassType = types
        .iter()
        .find(|t| t.id == type_id)
        .ok_or_else(|| Error::invalid("pass_type", "This pass is no longer sold: choose one from the list."))?;
    let program = loyalty::load_program(conn)?;
    let currency = settings::load(conn)?.currency;
    let clean = CleanLog {
        kind: "purchase",
        summary: format!("{} ({} sessions)", pass_type.name, pass_type.sessions),
        amount_cents: Some(pass_type.price_cents).filter(|cents| *cents > 0),
        paid_late: false,
        win: false,
        next_step: None,
    };
    store::write(conn, |tx| {
        let staff = settings::staff_ref(tx, staff_id)?;
        let logged = insert_for(tx, &program, &currency, customer_id, &clean, &staff, now, today)?;
        let pass_id = passes::sell_in(tx, customer_id, pass_type, &logged.interaction_id, &staff, today, now)?;
        for source in
            [crate::records::reminders::Source::PassLastSession, crate::records::reminders::Source::PassExpiring]
        {
            reminders::resolve(tx, customer_id, source, None, now)?;
        }
        tracing::info!(customer = customer_id, pass = pass_id.as_str(), sessions = pass_type.sessions, "pass sold");
        Ok(pass_id)
    })
}

/// Ticks a next step off, recording who and when.
pub fn complete_task(
    conn: &mut Connection,
    task_id: &str,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String> {
    store::write(conn, |tx| {
        let staff = settings::staff_ref(tx, staff_id)?;
        let customer_id = interactions::task_owner(tx, task_id)?;
        let who = if staff.name.is_empty() { "the desk".to_string() } else { staff.name };
        interactions::complete_task(tx, task_id, &who, &timestamp(now))?;
        reminders::resolve(tx, &customer_id, crate::records::reminders::Source::NextStep, Some(task_id), now)?;
        Ok(customer_id)
    })
}

/// A visit from before the app, for the sample shop and the benchmark seed
/// (and later the spreadsheet import).
#[derive(Debug, Clone)]
pub struct PastVisit {
    pub customer_id: String,
    pub kind: &'static str,
    pub summary: String,
    pub amount_cents: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Records past interactions with the points they earn under the current
/// program, and moves each customer's last contact forward. One transaction.
pub fn record_past(conn: &mut Connection, visits: &[PastVisit]) -> Result<()> {
    let program = loyalty::load_program(conn)?;
    let currency = settings::load(conn)?.currency;
    let nobody = StaffRef::default();
    store::write(conn, |tx| {
        let mut latest: std::collections::HashMap<&str, DateTime<Utc>> = std::collections::HashMap::new();
        let mut spent: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        let mut months: std::collections::HashMap<(&str, String), i64> = std::collections::HashMap::new();
        for visit in visits {
            if !KINDS.contains(&visit.kind) {
                return Err(Error::invalid("kind", format!("\"{}\" is not an interaction kind.", visit.kind)));
            }
            let stamp = timestamp(visit.at);
            let new = NewInteraction {
                customer_id: &visit.customer_id,
                kind: visit.kind,
                summary: &visit.summary,
                amount_cents: visit.amount_cents,
                staff: &nobody,
                at: &stamp,
                paid_late: false,
                win: false,
            };
            let id = interactions::insert(tx, &new)?;
            let (points, stamps, memo) = loyalty::earning(&program, visit.kind, visit.amount_cents, &currency);
            if points > 0 || stamps > 0 {
                let memo = format!("{}: {memo}", text::capitalised(visit.kind));
                let entry = Entry {
                    customer_id: &visit.customer_id,
                    kind: "earn",
                    points,
                    stamps,
                    memo,
                    staff: &nobody,
                    interaction_id: Some(&id),
                };
                loyalty::append(tx, &entry, visit.at)?;
            }
            *spent.entry(visit.customer_id.as_str()).or_default() += visit.amount_cents.unwrap_or(0);
            if CAME_IN.contains(&visit.kind) {
                *months.entry((visit.customer_id.as_str(), month_of(&stamp))).or_default() += 1;
            }
            let newest = latest.entry(visit.customer_id.as_str()).or_insert(visit.at);
            if visit.at > *newest {
                *newest = visit.at;
            }
        }
        let rules = reminders::load_rules(tx)?;
        for (customer_id, at) in &latest {
            customers::record_contact(
                tx,
                customer_id,
                &timestamp(*at),
                Some(spent.get(customer_id).copied().unwrap_or(0)),
                false,
            )?;
            rhythm::refresh_rhythm(tx, customer_id, &rules)?;
        }
        for ((customer_id, month), count) in &months {
            activity::came_in(tx, customer_id, month, *count)?;
        }
        let health_rules = health::load_rules(tx)?;
        for customer_id in latest.keys() {
            health::refresh_with(tx, customer_id, &health_rules)?;
        }
        Ok(())
    })
}
