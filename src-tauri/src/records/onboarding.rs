//! Onboarding plans: a template per business kind (editable in Settings),
//! a customer's plan with real due dates started from it, ticking tasks,
//! and the plan's completion, which other features (review requests) read
//! through `completed_since`.
//!
//! A plan copies its template when it starts: editing a template later
//! never changes what a customer was already promised. The first-value
//! milestone is stored as a task flagged `milestone`, so it has a due date,
//! an owner and a tick like any other task, and the card and the paper can
//! show it on its own.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::settings::{self, BusinessKind};
use crate::db::store;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::json;
use crate::kernel::time::timestamp;

// ---------------------------------------------------------------------------
// Templates

/// The promise block: what the shop promises a new customer, in their words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Promise {
    pub what_we_do: String,
    pub by_when: String,
    pub price_and_term: String,
    pub success: String,
    pub meetings: String,
    pub reply_time: String,
}

impl Promise {
    /// The promise as (label, text) pairs, in print order, empty ones left out.
    pub fn lines(&self) -> Vec<(&'static str, String)> {
        [
            ("What we will do", &self.what_we_do),
            ("By when", &self.by_when),
            ("Price and term", &self.price_and_term),
            ("What success means", &self.success),
            ("When we meet", &self.meetings),
            ("How fast we reply", &self.reply_time),
        ]
        .into_iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(label, text)| (label, text.trim().to_string()))
        .collect()
    }
}

/// Who does a task: `"customer"`, `""` (anyone at the shop) or a staff id.
pub const OWNER_CUSTOMER: &str = "customer";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TaskTemplate {
    pub title: String,
    #[serde(default)]
    pub owner: String,
    /// Due this many days after the plan's start date (0: on the day).
    pub due_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MilestoneTemplate {
    pub title: String,
    #[serde(default)]
    pub owner: String,
    pub due_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlanTemplate {
    pub kind: BusinessKind,
    #[serde(default)]
    pub welcome: String,
    #[serde(default)]
    pub promise: Promise,
    pub milestone: MilestoneTemplate,
    #[serde(default)]
    pub tasks: Vec<TaskTemplate>,
}

const TEMPLATES_KEY: &str = "plan_templates";
pub const MAX_TASKS: usize = 40;
pub const MAX_TITLE: usize = 300;
const MAX_WELCOME: usize = 600;
const MAX_PROMISE: usize = 200;
const MAX_DAYS: i64 = 365;

fn task(title: &str, owner: &str, due_days: i64) -> TaskTemplate {
    TaskTemplate { title: title.into(), owner: owner.into(), due_days }
}

/// The built-in template for a kind of business.
pub fn default_template(kind: BusinessKind) -> PlanTemplate {
    let c = OWNER_CUSTOMER;
    match kind {
        BusinessKind::Gym => PlanTemplate {
            kind,
            welcome: "Welcome to the gym! We are glad you are here. This page shows your first weeks with us: \
                      what we do, what you do, and when. Tick each box when it is done."
                .into(),
            promise: Promise {
                what_we_do: "Show you around, set up a training plan that fits you, and check in on how it goes.".into(),
                by_when: "Your plan is ready after your first week.".into(),
                price_and_term: "As on your membership: monthly, cancel any time with one month's notice.".into(),
                success: "You train twice a week and feel at home here.".into(),
                meetings: "A 15-minute check-in at the end of week one, then once a month.".into(),
                reply_time: "We answer messages within one working day.".into(),
            },
            milestone: MilestoneTemplate { title: "First full workout on your own plan".into(), owner: c.into(), due_days: 7 },
            tasks: vec![
                task("Welcome and a 15-minute tour of the gym", "", 0),
                task("Set up your locker and app login", c, 0),
                task("Talk about your goals and write your first-week plan", "", 1),
                task("Come for two workouts in your first week", c, 6),
                task("Milestone check-in: how did week one go?", "", 7),
            ],
        },
        BusinessKind::Salon => PlanTemplate {
            kind,
            welcome: "Welcome to the salon! Here is what happens in your first weeks, so you always know what comes next."
                .into(),
            promise: Promise {
                what_we_do: "Listen to what you want, suggest a look that suits you, and keep it looking good.".into(),
                by_when: "Your style plan is agreed at your first visit.".into(),
                price_and_term: "You pay per visit; prices as on our price list.".into(),
                success: "You leave happy and know when to come back.".into(),
                meetings: "A short chat at every visit; a check-in call after the first one.".into(),
                reply_time: "We answer messages the same day.".into(),
            },
            milestone: MilestoneTemplate { title: "Your first visit with your new look".into(), owner: String::new(), due_days: 0 },
            tasks: vec![
                task("Consultation: what you would like and what suits you", "", 0),
                task("Patch test for colour (if needed)", "", 0),
                task("Send a photo of how it looks after a few days", c, 3),
                task("Check-in call: happy with it?", "", 5),
                task("Book your next visit", c, 14),
            ],
        },
        BusinessKind::DogWalking => PlanTemplate {
            kind,
            welcome: "Welcome! Your dog is in good hands. This page shows the first weeks: the meet-and-greet, the first walks and how we keep you posted."
                .into(),
            promise: Promise {
                what_we_do: "Walk your dog safely on the agreed days and tell you how every walk went.".into(),
                by_when: "Regular walks start after the meet-and-greet.".into(),
                price_and_term: "Per walk, billed monthly; cancel a walk up to 24 hours before.".into(),
                success: "Your dog is happy, tired and waits at the door for us.".into(),
                meetings: "A meet-and-greet first, then a short catch-up after week one.".into(),
                reply_time: "We answer messages within two hours during walking hours.".into(),
            },
            milestone: MilestoneTemplate { title: "First group walk".into(), owner: String::new(), due_days: 5 },
            tasks: vec![
                task("Meet-and-greet at your home", "", 0),
                task("Leave a key or door code, and vet details", c, 1),
                task("First solo walk, with photos", "", 2),
                task("Catch-up after week one", "", 7),
            ],
        },
        BusinessKind::Other => PlanTemplate {
            kind,
            welcome: "Welcome! Here is what happens in your first weeks with us.".into(),
            promise: Promise {
                what_we_do: "Get to know what you need and deliver it well.".into(),
                by_when: "Within your first two weeks.".into(),
                price_and_term: String::new(),
                success: "You get what you came for.".into(),
                meetings: "A check-in after the first week.".into(),
                reply_time: "We answer messages within one working day.".into(),
            },
            milestone: MilestoneTemplate { title: "Your first result".into(), owner: String::new(), due_days: 7 },
            tasks: vec![task("Welcome and first conversation", "", 0), task("Check-in after week one", "", 7)],
        },
    }
}

const KINDS: [BusinessKind; 4] =
    [BusinessKind::Gym, BusinessKind::Salon, BusinessKind::DogWalking, BusinessKind::Other];

/// Every kind's template: the saved one, else the built-in default.
pub fn templates(conn: &Connection) -> Result<Vec<PlanTemplate>> {
    let saved: Vec<PlanTemplate> = settings::load_json(conn, TEMPLATES_KEY)?.unwrap_or_default();
    Ok(KINDS
        .iter()
        .map(|kind| saved.iter().find(|t| t.kind == *kind).cloned().unwrap_or_else(|| default_template(*kind)))
        .collect())
}

pub fn template(conn: &Connection, kind: BusinessKind) -> Result<PlanTemplate> {
    Ok(templates(conn)?.into_iter().find(|t| t.kind == kind).unwrap_or_else(|| default_template(kind)))
}

fn check_len(field: &'static str, what: &str, text: &str, max: usize) -> Result<String> {
    let text = text.trim().to_string();
    if text.chars().count() > max {
        return Err(Error::invalid(field, format!("{what} can be at most {max} characters.")));
    }
    Ok(text)
}

fn check_days(field: &'static str, days: i64) -> Result<i64> {
    if !(0..=MAX_DAYS).contains(&days) {
        return Err(Error::invalid(field, format!("Use a number of days from 0 to {MAX_DAYS} after the start.")));
    }
    Ok(days)
}

fn check_owner(conn: &Connection, field: &'static str, owner: &str) -> Result<String> {
    let owner = owner.trim();
    if owner.is_empty() || owner == OWNER_CUSTOMER {
        return Ok(owner.to_string());
    }
    let active: Option<i64> = conn
        .prepare_cached("SELECT active FROM staff WHERE id = ?1")?
        .query_row([owner], |row| row.get(0))
        .optional()?;
    match active {
        Some(1) => Ok(owner.to_string()),
        _ => Err(Error::invalid(field, "This staff member is not in the settings any more; choose another owner.")),
    }
}

/// Checks a template and returns it cleaned (trimmed, empty tasks dropped).
pub fn validate_template(conn: &Connection, template: &PlanTemplate) -> Result<PlanTemplate> {
    let p = &template.promise;
    let promise = Promise {
        what_we_do: check_len("what_we_do", "This line", &p.what_we_do, MAX_PROMISE)?,
        by_when: check_len("by_when", "This line", &p.by_when, MAX_PROMISE)?,
        price_and_term: check_len("price_and_term", "This line", &p.price_and_term, MAX_PROMISE)?,
        success: check_len("success", "This line", &p.success, MAX_PROMISE)?,
        meetings: check_len("meetings", "This line", &p.meetings, MAX_PROMISE)?,
        reply_time: check_len("reply_time", "This line", &p.reply_time, MAX_PROMISE)?,
    };
    let milestone_title = check_len("milestone_title", "The first win", &template.milestone.title, MAX_TITLE)?;
    if milestone_title.is_empty() {
        return Err(Error::invalid("milestone_title", "Say what the customer's first small win is."));
    }
    let milestone = MilestoneTemplate {
        title: milestone_title,
        owner: check_owner(conn, "milestone_owner", &template.milestone.owner)?,
        due_days: check_days("milestone_days", template.milestone.due_days)?,
    };
    let mut tasks = Vec::new();
    for t in &template.tasks {
        let title = check_len("tasks", "A task", &t.title, MAX_TITLE)?;
        if title.is_empty() {
            continue;
        }
        tasks.push(TaskTemplate {
            title,
            owner: check_owner(conn, "tasks", &t.owner)?,
            due_days: check_days("tasks", t.due_days)?,
        });
    }
    if tasks.len() > MAX_TASKS {
        return Err(Error::invalid("tasks", format!("A plan can have at most {MAX_TASKS} tasks.")));
    }
    Ok(PlanTemplate {
        kind: template.kind,
        welcome: check_len("welcome", "The welcome message", &template.welcome, MAX_WELCOME)?,
        promise,
        milestone,
        tasks,
    })
}

/// Validates and stores one kind's template; the others stay as they were.
pub fn save_template(conn: &mut Connection, template: &PlanTemplate, now: DateTime<Utc>) -> Result<PlanTemplate> {
    store::write(conn, |tx| {
        let clean = validate_template(tx, template)?;
        let mut all = templates(tx)?;
        all.retain(|t| t.kind != clean.kind);
        all.push(clean.clone());
        settings::save_json(tx, TEMPLATES_KEY, &all, now)?;
        Ok(clean)
    })
}

/// Puts one kind's template back to the built-in default.
pub fn reset_template(conn: &mut Connection, kind: BusinessKind, now: DateTime<Utc>) -> Result<PlanTemplate> {
    store::write(conn, |tx| {
        let mut all = templates(tx)?;
        all.retain(|t| t.kind != kind);
        settings::save_json(tx, TEMPLATES_KEY, &all, now)?;
        Ok(())
    })?;
    Ok(default_template(kind))
}

// ---------------------------------------------------------------------------
// How to reach the shop (printed at the foot of the plan)

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ShopContact {
    pub phone: String,
    pub email: String,
    pub address: String,
    pub website: String,
}

const CONTACT_KEY: &str = "shop_contact";

pub fn contact(conn: &Connection) -> Result<ShopContact> {
    Ok(settings::load_json(conn, CONTACT_KEY)?.unwrap_or_default())
}

pub fn validate_contact(input: &ShopContact) -> Result<ShopContact> {
    let phone = check_len("contact_phone", "The phone number", &input.phone, 30)?;
    if !phone.is_empty() {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
        if !allowed || digits < 5 {
            return Err(Error::invalid("contact_phone", "Type a phone number with digits, like +44 20 7946 0000."));
        }
    }
    let email = check_len("contact_email", "The email address", &input.email, 120)?;
    if !email.is_empty() {
        let ok = match email.split_once('@') {
            Some((user, domain)) => {
                !user.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.chars().any(char::is_whitespace)
                    && !domain.contains('@')
            }
            None => false,
        };
        if !ok {
            return Err(Error::invalid("contact_email", "Type an email address like hello@example.com."));
        }
    }
    let address = check_len("contact_address", "The address", &input.address.replace(['\n', '\r'], ", "), 160)?;
    let website = check_len("contact_website", "The website", &input.website, 120)?;
    if website.chars().any(char::is_whitespace) {
        return Err(Error::invalid("contact_website", "A website has no spaces, like example.com."));
    }
    Ok(ShopContact { phone, email, address, website })
}

pub fn save_contact(conn: &Connection, input: &ShopContact, now: DateTime<Utc>) -> Result<ShopContact> {
    let clean = validate_contact(input)?;
    settings::save_json(conn, CONTACT_KEY, &clean, now)?;
    Ok(clean)
}

// ---------------------------------------------------------------------------
// A customer's plan

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PlanTask {
    pub id: String,
    pub title: String,
    /// "customer", "staff" or "shop".
    pub owner_kind: String,
    /// For the desk: "Customer", a staff name, or "The shop".
    pub owner_label: String,
    pub due_on: NaiveDate,
    /// "Mon 23 Nov", ready to show.
    pub due_label: String,
    pub milestone: bool,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
    /// Not done and due before today.
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Plan {
    pub id: String,
    pub customer_id: String,
    pub start_on: NaiveDate,
    /// "Monday 23 November 2026", ready to show.
    pub start_label: String,
    pub welcome: String,
    pub promise: Promise,
    /// Every task in due order, the milestone among them.
    pub tasks: Vec<PlanTask>,
    pub done: usize,
    pub total: usize,
    pub overdue: usize,
    /// "3 of 6 done" / "All done".
    pub progress_label: String,
    pub completed_at: Option<String>,
}

impl Plan {
    pub fn milestone(&self) -> Option<&PlanTask> {
        self.tasks.iter().find(|t| t.milestone)
    }
}

/// Starts a plan for a customer from the shop's template for its kind,
/// with real due dates counted from `start_on`.
pub fn start(
    conn: &mut Connection,
    customer_id: &str,
    start_on: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Plan> {
    // Task due dates are the start plus some days: far out of range, that
    // sum would overflow.
    let start_on = crate::kernel::time::check_day("start_on", start_on)?;
    store::write(conn, |tx| {
        crate::records::customers::display_name(tx, customer_id)?;
        if open_plan_id(tx, customer_id)?.is_some() {
            return Err(Error::Conflict(
                "This customer already has a plan in progress. Remove it first to start a new one.".into(),
            ));
        }
        let kind = settings::load(tx)?.business_kind;
        let template = template(tx, kind)?;
        let plan_id = new_id();
        let stamp = timestamp(now);
        let promise = json::encode(&template.promise)?;
        tx.execute(
            "INSERT INTO plans (id, customer_id, start_on, welcome, promise, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![plan_id, customer_id, start_on.to_string(), template.welcome, promise, stamp],
        )?;
        // Tasks in due order; on the same day the template's order, the
        // milestone after the tasks of its day.
        let mut rows: Vec<(i64, usize, &str, &str, bool)> = template
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.due_days, i, t.title.as_str(), t.owner.as_str(), false))
            .collect();
        let m = &template.milestone;
        rows.push((m.due_days, usize::MAX, m.title.as_str(), m.owner.as_str(), true));
        rows.sort_by_key(|(days, i, ..)| (*days, *i));
        let mut insert = tx.prepare_cached(
            "INSERT INTO plan_tasks (id, plan_id, customer_id, position, title, owner_kind, owner_staff_id, owner_name, due_on, milestone, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        )?;
        for (position, (days, _, title, owner, milestone)) in rows.into_iter().enumerate() {
            let (owner_kind, staff_id, owner_name) = match owner {
                "" => ("shop", None, String::new()),
                OWNER_CUSTOMER => ("customer", None, String::new()),
                id => match settings::staff_ref(tx, Some(id)) {
                    Ok(staff) => ("staff", Some(id.to_string()), staff.name),
                    // A staff member removed since the template was saved: the shop.
                    Err(_) => ("shop", None, String::new()),
                },
            };
            let due_on = start_on + Duration::days(days);
            insert.execute(params![
                new_id(),
                plan_id,
                customer_id,
                position as i64,
                title,
                owner_kind,
                staff_id,
                owner_name,
                due_on.to_string(),
                milestone,
                stamp
            ])?;
        }
        drop(insert);
        plan_by_id(tx, &plan_id, today)
    })
}

fn open_plan_id(conn: &Connection, customer_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM plans WHERE customer_id = ?1 AND completed_at IS NULL AND cancelled_at IS NULL",
        )?
        .query_row([customer_id], |row| row.get(0))
        .optional()?)
}

/// The customer's current plan (in progress, else the last one completed).
pub fn for_customer(conn: &Connection, customer_id: &str, today: NaiveDate) -> Result<Option<Plan>> {
    let id: Option<String> = conn
        .prepare_cached(
            "SELECT id FROM plans WHERE customer_id = ?1 AND cancelled_at IS NULL
             ORDER BY completed_at IS NOT NULL, created_at DESC LIMIT 1",
        )?
        .query_row([customer_id], |row| row.get(0))
        .optional()?;
    id.map(|id| plan_by_id(conn, &id, today)).transpose()
}

fn parse_date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
}

pub fn plan_by_id(conn: &Connection, plan_id: &str, today: NaiveDate) -> Result<Plan> {
    let (customer_id, start_on, welcome, promise, completed_at): (String, String, String, String, Option<String>) =
        conn.prepare_cached("SELECT customer_id, start_on, welcome, promise, completed_at FROM plans WHERE id = ?1")?
            .query_row([plan_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))
            .optional()?
            .ok_or(Error::NotFound("This plan"))?;
    let promise: Promise = serde_json::from_str(&promise).unwrap_or_default();
    let mut stmt = conn.prepare_cached(
        "SELECT id, title, owner_kind, owner_name, due_on, milestone, done_at, done_by
         FROM plan_tasks WHERE plan_id = ?1 ORDER BY position",
    )?;
    let tasks: Vec<PlanTask> = stmt
        .query_map([plan_id], |row| {
            let owner_kind: String = row.get(2)?;
            let owner_name: String = row.get(3)?;
            let due_on = parse_date(&row.get::<_, String>(4)?);
            let done_at: Option<String> = row.get(6)?;
            Ok(PlanTask {
                id: row.get(0)?,
                title: row.get(1)?,
                owner_label: owner_label(&owner_kind, &owner_name, false),
                owner_kind,
                due_on,
                due_label: due_on.format("%a %-d %b").to_string(),
                milestone: row.get(5)?,
                overdue: done_at.is_none() && due_on < today,
                done_at,
                done_by: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let total = tasks.len();
    let done = tasks.iter().filter(|t| t.done_at.is_some()).count();
    let overdue = tasks.iter().filter(|t| t.overdue).count();
    let progress_label =
        if total > 0 && done == total { "All done".to_string() } else { format!("{done} of {total} done") };
    Ok(Plan {
        id: plan_id.to_string(),
        customer_id,
        start_label: parse_date(&start_on).format("%A %-d %B %Y").to_string(),
        start_on: parse_date(&start_on),
        welcome,
        promise,
        tasks,
        done,
        total,
        overdue,
        progress_label,
        completed_at,
    })
}

/// Who does a task, for the desk or (`for_customer`) on the customer's paper.
pub fn owner_label(kind: &str, name: &str, for_customer: bool) -> String {
    match (kind, for_customer) {
        ("customer", true) => "You".into(),
        ("customer", false) => "Customer".into(),
        ("staff", _) if !name.is_empty() => name.into(),
        (_, true) => "Us".into(),
        (_, false) => "The shop".into(),
    }
}

/// Ticks a task: records who (the staff member at the desk) and when,
/// closes its reminder, and completes the plan when it was the last one.
/// Returns the customer's id.
pub fn tick(conn: &mut Connection, task_id: &str, staff_id: Option<&str>, now: DateTime<Utc>) -> Result<String> {
    store::write(conn, |tx| {
        let staff = settings::staff_ref(tx, staff_id)?;
        let who = if staff.name.is_empty() { "the desk".to_string() } else { staff.name };
        let customer_id = tick_in(tx, task_id, &who, now)?;
        Ok(customer_id)
    })
}

/// The tick itself, inside the caller's transaction.
fn tick_in(conn: &Connection, task_id: &str, who: &str, now: DateTime<Utc>) -> Result<String> {
    let (customer_id, plan_id): (String, String) = conn
        .prepare_cached(
            "SELECT t.customer_id, t.plan_id FROM plan_tasks t JOIN plans p ON p.id = t.plan_id
             WHERE t.id = ?1 AND p.cancelled_at IS NULL",
        )?
        .query_row([task_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?
        .ok_or(Error::NotFound("This plan task"))?;
    let stamp = timestamp(now);
    conn.prepare_cached(
        "UPDATE plan_tasks SET done_at = ?2, done_by = ?3, updated_at = ?2 WHERE id = ?1 AND done_at IS NULL",
    )?
    .execute(params![task_id, stamp, who])?;
    crate::records::reminders::resolve(
        conn,
        &customer_id,
        crate::records::reminders::Source::Onboarding,
        Some(task_id),
        now,
    )?;
    let open: i64 = conn
        .prepare_cached("SELECT count(*) FROM plan_tasks WHERE plan_id = ?1 AND done_at IS NULL")?
        .query_row([&plan_id], |row| row.get(0))?;
    if open == 0 {
        conn.prepare_cached(
            "UPDATE plans SET completed_at = ?2, updated_at = ?2 WHERE id = ?1 AND completed_at IS NULL",
        )?
        .execute(params![plan_id, stamp])?;
    }
    Ok(customer_id)
}

/// A reminder for an onboarding task was marked done in Today: tick the
/// task, inside the caller's transaction (`features::reminder_sources::close`).
/// A task already gone (its plan cancelled) leaves nothing to tick.
pub fn tick_from_reminder(conn: &Connection, task_id: &str, now: DateTime<Utc>) -> Result<()> {
    match tick_in(conn, task_id, "from the reminder", now) {
        Ok(_) | Err(Error::NotFound(_)) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Takes a tick back (a mis-click). A completed plan is open again.
pub fn untick(conn: &mut Connection, task_id: &str, now: DateTime<Utc>) -> Result<String> {
    store::write(conn, |tx| {
        let (customer_id, plan_id): (String, String) = tx
            .query_row(
                "SELECT t.customer_id, t.plan_id FROM plan_tasks t JOIN plans p ON p.id = t.plan_id
                 WHERE t.id = ?1 AND p.cancelled_at IS NULL",
                [task_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?
            .ok_or(Error::NotFound("This plan task"))?;
        // Reopening a completed plan must not clash with a newer plan in progress.
        let other_open: Option<String> = open_plan_id(tx, &customer_id)?;
        if other_open.as_deref().is_some_and(|id| id != plan_id) {
            return Err(Error::Conflict("A newer plan is in progress; this one can no longer change.".into()));
        }
        let stamp = timestamp(now);
        tx.execute(
            "UPDATE plan_tasks SET done_at = NULL, done_by = NULL, updated_at = ?2 WHERE id = ?1",
            params![task_id, stamp],
        )?;
        tx.execute("UPDATE plans SET completed_at = NULL, updated_at = ?2 WHERE id = ?1", params![plan_id, stamp])?;
        Ok(customer_id)
    })
}

/// Removes a customer's plan in progress (kept as cancelled); its open
/// reminders are dismissed.
pub fn cancel(conn: &mut Connection, customer_id: &str, now: DateTime<Utc>) -> Result<()> {
    store::write(conn, |tx| {
        let plan_id = open_plan_id(tx, customer_id)?.ok_or(Error::NotFound("A plan in progress"))?;
        let stamp = timestamp(now);
        tx.execute("UPDATE plans SET cancelled_at = ?2, updated_at = ?2 WHERE id = ?1", params![plan_id, stamp])?;
        let open_tasks: Vec<String> = tx
            .prepare("SELECT id FROM plan_tasks WHERE plan_id = ?1")?
            .query_map([&plan_id], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for task_id in &open_tasks {
            crate::records::reminders::dismiss(
                tx,
                customer_id,
                crate::records::reminders::Source::Onboarding,
                Some(task_id),
                now,
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

/// When the customer's onboarding plan was completed, if that happened at
/// or after `since` (`None`: ever). The latest completion wins. This is the
/// "finished onboarding" event other features (review requests) ask about.
pub fn completed_since(
    conn: &Connection,
    customer_id: &str,
    since: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>> {
    let since = since.map(timestamp).unwrap_or_default();
    let at: Option<String> = conn
        .prepare_cached(
            "SELECT max(completed_at) FROM plans
             WHERE customer_id = ?1 AND cancelled_at IS NULL AND completed_at >= ?2",
        )?
        .query_row(params![customer_id, since], |row| row.get(0))?;
    Ok(at.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc)))
}

/// Every plan completed at or after `since`: (customer id, completed at),
/// oldest first, for features that scan for the event in bulk.
pub fn completions_since(conn: &Connection, since: DateTime<Utc>) -> Result<Vec<(String, DateTime<Utc>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, completed_at FROM plans
         WHERE completed_at >= ?1 AND cancelled_at IS NULL ORDER BY completed_at",
    )?;
    let rows: Vec<(String, String)> =
        stmt.query_map([timestamp(since)], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, at)| DateTime::parse_from_rfc3339(&at).ok().map(|at| (id, at.with_timezone(&Utc))))
        .collect())
}

/// Finds a customer for the command line: an exact id, else an exact
/// (accent- and case-insensitive) name that only one customer has.
pub fn find_customer(conn: &Connection, id_or_name: &str) -> Result<String> {
    let wanted = id_or_name.trim();
    let by_id: Option<String> = conn
        .prepare_cached("SELECT id FROM customers WHERE id = ?1")?
        .query_row([wanted], |row| row.get(0))
        .optional()?;
    if let Some(id) = by_id {
        return Ok(id);
    }
    let folded = crate::kernel::text::fold(wanted);
    let ids: Vec<String> = conn
        .prepare_cached("SELECT id FROM customers WHERE sort_name = ?1 LIMIT 3")?
        .query_map([&folded], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.as_slice() {
        [id] => Ok(id.clone()),
        [] => Err(Error::invalid("customer", format!("No customer has the id or name \"{wanted}\"."))),
        _ => Err(Error::invalid("customer", format!("More than one customer is called \"{wanted}\"; use the id."))),
    }
}
