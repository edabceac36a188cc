//! Complaints: what happened, one owner, the next checkpoint (a reminder),
//! short updates, and a recap of what changed when it is closed. An open
//! complaint makes the customer red and blocks review requests.

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::settings::{self, StaffRef};
use crate::db::store;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::time::timestamp;
use crate::records::reminders;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(rename = "ComplaintInput")]
pub struct OpenInput {
    /// What happened.
    pub summary: String,
    /// The staff member who owns it.
    pub owner_id: String,
    /// The next checkpoint: a local date (YYYY-MM-DD) and time (HH:MM).
    pub checkpoint_date: String,
    pub checkpoint_time: String,
    /// Who is at the desk.
    pub staff_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(rename = "ComplaintUpdateInput")]
pub struct UpdateInput {
    pub body: String,
    /// Optional: move the next checkpoint.
    pub checkpoint_date: String,
    pub checkpoint_time: String,
    pub staff_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Update {
    pub body: String,
    pub staff_name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Complaint {
    pub id: String,
    pub customer_id: String,
    pub summary: String,
    pub owner_name: String,
    pub checkpoint_at: Option<String>,
    pub opened_at: String,
    pub opened_by: String,
    pub closed_at: Option<String>,
    pub closed_by: String,
    pub recap: String,
    pub updates: Vec<Update>,
}

fn text(field: &'static str, label: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid(field, format!("{label} is needed.")));
    }
    if value.chars().count() > max {
        return Err(Error::invalid(field, format!("{label} can be at most {max} characters.")));
    }
    Ok(value.to_string())
}

/// The checkpoint as typed, in the shop's time zone, turned into UTC. It
/// must not be in the past: a checkpoint is a promise to look again.
fn checkpoint<Tz: TimeZone>(date: &str, time: &str, now: DateTime<Utc>, tz: &Tz) -> Result<DateTime<Utc>> {
    let date_text = date.trim();
    if date_text.is_empty() {
        return Err(Error::invalid("checkpoint_date", "Pick the day of the next checkpoint."));
    }
    let day = crate::kernel::time::parse_day("checkpoint_date", date_text)?;
    let time_text = time.trim();
    let at = if time_text.is_empty() {
        NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()
    } else {
        NaiveTime::parse_from_str(time_text, "%H:%M")
            .map_err(|_| Error::invalid("checkpoint_time", format!("\"{time_text}\" is not a time like 14:30.")))?
    };
    let when = crate::kernel::time::local_to_utc(tz, day, at);
    if when < now - chrono::Duration::minutes(1) {
        return Err(Error::invalid("checkpoint_date", "The next checkpoint must be from now on."));
    }
    Ok(when)
}

fn desk_name(staff: &StaffRef) -> String {
    if staff.name.is_empty() {
        "the desk".to_string()
    } else {
        staff.name.clone()
    }
}

/// Opens a complaint inside the caller's transaction; returns its id.
/// (`features::complaints::open` is the whole use case.)
pub fn open_in<Tz: TimeZone>(
    tx: &Connection,
    customer_id: &str,
    input: &OpenInput,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Result<String> {
    let summary = text("complaint_summary", "What happened", &input.summary, 1000)?;
    if input.owner_id.trim().is_empty() {
        return Err(Error::invalid("complaint_owner", "Choose who owns it (staff are set in Settings)."));
    }
    let when = checkpoint(&input.checkpoint_date, &input.checkpoint_time, now, tz)?;
    crate::records::customers::ensure_exists(tx, customer_id)?;
    let owner = settings::staff_ref(tx, Some(input.owner_id.trim()))
        .map_err(|_| Error::invalid("complaint_owner", "That staff member is not in the settings any more."))?;
    let desk = settings::staff_ref(tx, input.staff_id.as_deref())?;
    let id = new_id();
    let stamp = timestamp(now);
    tx.execute(
        "INSERT INTO complaints (id, customer_id, summary, owner_id, owner_name, checkpoint_at, opened_at, opened_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?7)",
        params![id, customer_id, summary, owner.id, owner.name, timestamp(when), stamp, desk_name(&desk)],
    )?;
    Ok(id)
}

fn owner_of(conn: &Connection, complaint_id: &str) -> Result<(String, Option<String>)> {
    conn.query_row("SELECT customer_id, closed_at FROM complaints WHERE id = ?1", [complaint_id], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })
    .optional()?
    .ok_or(Error::NotFound("This complaint"))
}

/// Adds a short update; a new checkpoint, if given, replaces the old one
/// (its reminder is closed and a new one will come).
pub fn add_update<Tz: TimeZone>(
    conn: &mut Connection,
    complaint_id: &str,
    input: &UpdateInput,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Result<Complaint> {
    let body = text("complaint_update", "The update", &input.body, 1000)?;
    let moved = if input.checkpoint_date.trim().is_empty() {
        None
    } else {
        Some(checkpoint(&input.checkpoint_date, &input.checkpoint_time, now, tz)?)
    };
    store::write(conn, |tx| {
        let (customer_id, closed_at) = owner_of(tx, complaint_id)?;
        if closed_at.is_some() {
            return Err(Error::Conflict("This complaint is closed.".into()));
        }
        let staff = settings::staff_ref(tx, input.staff_id.as_deref())?;
        let stamp = timestamp(now);
        tx.execute(
            "INSERT INTO complaint_updates (id, complaint_id, body, staff_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![new_id(), complaint_id, body, desk_name(&staff), stamp],
        )?;
        tx.execute("UPDATE complaints SET updated_at = ?2 WHERE id = ?1", params![complaint_id, stamp])?;
        if let Some(when) = moved {
            tx.execute(
                "UPDATE complaints SET checkpoint_at = ?2 WHERE id = ?1",
                params![complaint_id, timestamp(when)],
            )?;
            reminders::resolve(
                tx,
                &customer_id,
                crate::records::reminders::Source::Complaint,
                Some(complaint_id),
                now,
            )?;
        }
        Ok(())
    })?;
    get(conn, complaint_id)
}

/// Closes a complaint with a recap of what changed, inside the caller's
/// transaction; returns the customer's id. (`features::complaints::close`.)
pub fn close_in(
    tx: &Connection,
    complaint_id: &str,
    recap: &str,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String> {
    let recap = text("complaint_recap", "A recap of what changed", recap, 1000)?;
    let (customer_id, closed_at) = owner_of(tx, complaint_id)?;
    if closed_at.is_some() {
        return Err(Error::Conflict("This complaint is already closed.".into()));
    }
    let staff = settings::staff_ref(tx, staff_id)?;
    tx.execute(
        "UPDATE complaints SET closed_at = ?2, closed_by = ?3, recap = ?4, updated_at = ?2 WHERE id = ?1",
        params![complaint_id, timestamp(now), desk_name(&staff), recap],
    )?;
    reminders::resolve(tx, &customer_id, crate::records::reminders::Source::Complaint, Some(complaint_id), now)?;
    Ok(customer_id)
}

const COLUMNS: &str =
    "id, customer_id, summary, owner_name, checkpoint_at, opened_at, opened_by, closed_at, closed_by, recap";

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<Complaint> {
    Ok(Complaint {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        summary: row.get(2)?,
        owner_name: row.get(3)?,
        checkpoint_at: row.get(4)?,
        opened_at: row.get(5)?,
        opened_by: row.get(6)?,
        closed_at: row.get(7)?,
        closed_by: row.get(8)?,
        recap: row.get(9)?,
        updates: Vec::new(),
    })
}

fn with_updates(conn: &Connection, mut complaint: Complaint) -> Result<Complaint> {
    complaint.updates = conn
        .prepare_cached("SELECT body, staff_name, created_at FROM complaint_updates WHERE complaint_id = ?1 ORDER BY created_at, id")?
        .query_map([&complaint.id], |row| Ok(Update { body: row.get(0)?, staff_name: row.get(1)?, created_at: row.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(complaint)
}

pub fn get(conn: &Connection, complaint_id: &str) -> Result<Complaint> {
    let complaint = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM complaints WHERE id = ?1"))?
        .query_row([complaint_id], from_row)
        .optional()?
        .ok_or(Error::NotFound("This complaint"))?;
    with_updates(conn, complaint)
}

/// A customer's complaints: open ones first, then the latest closed.
pub fn for_customer(conn: &Connection, customer_id: &str) -> Result<Vec<Complaint>> {
    let list = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM complaints WHERE customer_id = ?1
             ORDER BY closed_at IS NOT NULL, coalesce(closed_at, opened_at) DESC LIMIT 20"
        ))?
        .query_map([customer_id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    list.into_iter().map(|c| with_updates(conn, c)).collect()
}

/// Whether the customer has a complaint open: review requests wait for it.
pub fn has_open(conn: &Connection, customer_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM complaints WHERE customer_id = ?1 AND closed_at IS NULL)")?
        .query_row([customer_id], |row| row.get(0))?)
}

/// When the customer's latest complaint was closed, if one was closed at or
/// after `since` (a solved problem is a moment to ask for a review).
pub fn resolved_since(conn: &Connection, customer_id: &str, since: DateTime<Utc>) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT max(closed_at) FROM complaints WHERE customer_id = ?1 AND closed_at >= ?2")?
        .query_row(params![customer_id, timestamp(since)], |row| row.get(0))?)
}
