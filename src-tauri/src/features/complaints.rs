//! A complaint opened and closed: the complaint (`records::complaints`) and
//! the customer's health, which an open complaint turns red, in one
//! transaction.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;

use crate::db::store;
use crate::derived::health;
use crate::kernel::error::Result;
use crate::records::complaints::{self, Complaint, OpenInput};

pub fn open<Tz: TimeZone>(
    conn: &mut Connection,
    customer_id: &str,
    input: &OpenInput,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Result<Complaint> {
    let id = store::write(conn, |tx| {
        let id = complaints::open_in(tx, customer_id, input, now, tz)?;
        health::refresh(tx, customer_id)?;
        Ok(id)
    })?;
    complaints::get(conn, &id)
}

/// Closes a complaint with a recap of what changed.
pub fn close(
    conn: &mut Connection,
    complaint_id: &str,
    recap: &str,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Complaint> {
    store::write(conn, |tx| {
        let customer_id = complaints::close_in(tx, complaint_id, recap, staff_id, now)?;
        health::refresh(tx, &customer_id)
    })?;
    complaints::get(conn, complaint_id)
}
