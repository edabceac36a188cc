//! A feedback answer recorded: the answer and its follow-up
//! (`records::feedback`) and the customer's health, in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use crate::db::store;
use crate::derived::health;
use crate::kernel::error::Result;
use crate::records::feedback::{self, FeedbackInput, PastAnswer, Recorded};

/// Records an answer; a detractor answer opens a follow-up task.
pub fn record(
    conn: &mut Connection,
    customer_id: &str,
    input: &FeedbackInput,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Recorded> {
    store::write(conn, |tx| {
        let recorded = feedback::record_in(tx, customer_id, input, now, today)?;
        health::refresh(tx, customer_id)?;
        Ok(recorded)
    })
}

/// What the feedback form says once an answer is saved.
pub fn said(recorded: &Recorded) -> String {
    match &recorded.follow_up {
        Some(follow_up) => format!("Saved. A follow-up was added: {follow_up}."),
        None => format!("Saved: {}.", recorded.answer.label),
    }
}

/// Stores past answers (sample shop, benchmarks) in one transaction and
/// brings each customer's stored health up to date.
pub fn insert_past(conn: &mut Connection, answers: &[PastAnswer]) -> Result<()> {
    store::write(conn, |tx| {
        let rules = health::load_rules(tx)?;
        for customer_id in feedback::insert_past_in(tx, answers)? {
            health::refresh_with(tx, &customer_id, &rules)?;
        }
        Ok(())
    })
}
