//! Feedback answers: NPS (0-10, "how likely are you to recommend us?") and
//! CSAT (1-5, "how satisfied were you?"), with the shop's monthly figures.
//! A detractor answer opens a follow-up task; a promoter answer makes the
//! customer worth asking for a review.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::settings;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::time::timestamp;
use crate::records::interactions::{self, NewTask};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FeedbackInput {
    /// "nps" or "csat".
    pub kind: String,
    /// As typed.
    pub score: String,
    pub comment: String,
    pub staff_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Answer {
    pub id: String,
    pub kind: String,
    pub score: i64,
    pub comment: String,
    pub staff_name: String,
    pub answered_at: String,
    /// "Promoter", "Passive", "Detractor" for NPS; "Satisfied" ... for CSAT.
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub answer: Answer,
    /// The title of the follow-up task a low score opened.
    pub follow_up: Option<String>,
}

pub fn is_detractor(kind: &str, score: i64) -> bool {
    match kind {
        "nps" => score <= 6,
        _ => score <= 2,
    }
}

pub fn is_promoter(kind: &str, score: i64) -> bool {
    match kind {
        "nps" => score >= 9,
        _ => score >= 5,
    }
}

fn label(kind: &str, score: i64) -> String {
    let word = match kind {
        "nps" if score >= 9 => "Promoter",
        "nps" if score >= 7 => "Passive",
        "nps" => "Detractor",
        _ if score >= 4 => "Satisfied",
        _ if score == 3 => "Neutral",
        _ => "Unhappy",
    };
    word.to_string()
}

fn validate(input: &FeedbackInput) -> Result<(&'static str, i64, String)> {
    let (kind, range) = match input.kind.trim() {
        "nps" => ("nps", 0..=10),
        "csat" => ("csat", 1..=5),
        _ => return Err(Error::invalid("feedback_kind", "Choose NPS (0-10) or satisfaction (1-5).")),
    };
    let text = input.score.trim();
    let score: i64 = text.parse().map_err(|_| {
        Error::invalid(
            "score",
            if text.is_empty() { "Type the score.".to_string() } else { format!("\"{text}\" is not a whole number.") },
        )
    })?;
    if !range.contains(&score) {
        return Err(Error::invalid("score", format!("The score is from {} to {}.", range.start(), range.end())));
    }
    let comment = input.comment.trim().to_string();
    if comment.chars().count() > 1000 {
        return Err(Error::invalid("feedback_comment", "The comment can be at most 1000 characters."));
    }
    Ok((kind, score, comment))
}

/// Records an answer inside the caller's transaction. A detractor answer
/// opens a follow-up task (due today, so it reminds the shop).
/// (`features::feedback::record` also moves health.)
pub fn record_in(
    tx: &Connection,
    customer_id: &str,
    input: &FeedbackInput,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Recorded> {
    let (kind, score, comment) = validate(input)?;
    crate::records::customers::ensure_exists(tx, customer_id)?;
    let staff = settings::staff_ref(tx, input.staff_id.as_deref())?;
    let stamp = timestamp(now);
    let id = new_id();
    let mut follow_up = None;
    let mut task_id = None;
    if is_detractor(kind, score) {
        let out_of = if kind == "nps" { 10 } else { 5 };
        let title = format!("Follow up on their feedback ({score} out of {out_of})");
        let task = NewTask {
            customer_id,
            interaction_id: None,
            source: "feedback",
            title: &title,
            due_on: today,
            due_time: None,
            staff: &staff,
            at: &stamp,
        };
        task_id = Some(interactions::insert_task(tx, &task)?);
        follow_up = Some(title);
    }
    tx.execute(
        "INSERT INTO feedback (id, customer_id, kind, score, comment, staff_id, staff_name, answered_at, task_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?8)",
        params![id, customer_id, kind, score, comment, staff.id, staff.name, stamp, task_id],
    )?;
    count_answer(tx, &stamp, kind, score, 1)?;
    let answer = Answer {
        id,
        kind: kind.into(),
        score,
        comment,
        staff_name: staff.name,
        answered_at: stamp,
        label: label(kind, score),
    };
    Ok(Recorded { answer, follow_up })
}

/// Keeps `feedback_months` in step: `delta` answers of this kind and score
/// in the month of `answered_at`.
fn count_answer(conn: &Connection, answered_at: &str, kind: &str, score: i64, delta: i64) -> Result<()> {
    let month: String = answered_at.chars().take(7).collect();
    conn.prepare_cached(
        "INSERT INTO feedback_months (month, kind, score, answers) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (month, kind, score) DO UPDATE SET answers = answers + ?4",
    )?
    .execute(params![month, kind, score, delta])?;
    Ok(())
}

/// Takes a customer's answers out of the monthly counts (before deleting them).
pub fn forget_customer(conn: &Connection, customer_id: &str) -> Result<()> {
    let answers: Vec<(String, String, i64)> = conn
        .prepare_cached("SELECT answered_at, kind, score FROM feedback WHERE customer_id = ?1")?
        .query_map([customer_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (at, kind, score) in answers {
        count_answer(conn, &at, &kind, score, -1)?;
    }
    Ok(())
}

/// Counts a customer's answers into the monthly counts again (after
/// `forget_customer`; a shared shop's device settling what it applied).
pub fn recount_customer(conn: &Connection, customer_id: &str) -> Result<()> {
    let answers: Vec<(String, String, i64)> = conn
        .prepare_cached("SELECT answered_at, kind, score FROM feedback WHERE customer_id = ?1")?
        .query_map([customer_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (at, kind, score) in answers {
        count_answer(conn, &at, &kind, score, 1)?;
    }
    Ok(())
}

/// An answer from the past (sample shops, benchmarks): stored as given,
/// with no follow-up task.
#[derive(Debug, Clone)]
pub struct PastAnswer {
    pub customer_id: String,
    pub kind: &'static str,
    pub score: i64,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// Stores past answers inside the caller's transaction; returns the
/// customers they are about (`features::feedback::insert_past`).
pub fn insert_past_in(tx: &Connection, answers: &[PastAnswer]) -> Result<Vec<String>> {
    let mut touched = std::collections::BTreeSet::new();
    for answer in answers {
        let range = if answer.kind == "nps" { 0..=10 } else { 1..=5 };
        if !range.contains(&answer.score) {
            return Err(Error::invalid("score", format!("{} is out of range for {}.", answer.score, answer.kind)));
        }
        let stamp = timestamp(answer.at);
        tx.prepare_cached(
            "INSERT INTO feedback (id, customer_id, kind, score, comment, answered_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6)",
        )?
        .execute(params![new_id(), answer.customer_id, answer.kind, answer.score, answer.comment, stamp])?;
        count_answer(tx, &stamp, answer.kind, answer.score, 1)?;
        touched.insert(answer.customer_id.clone());
    }
    Ok(touched.into_iter().collect())
}

pub fn for_customer(conn: &Connection, customer_id: &str, limit: usize) -> Result<Vec<Answer>> {
    let rows = conn
        .prepare_cached(
            "SELECT id, kind, score, comment, staff_name, answered_at FROM feedback
             WHERE customer_id = ?1 ORDER BY answered_at DESC LIMIT ?2",
        )?
        .query_map(params![customer_id, limit as i64], |row| {
            let kind: String = row.get(1)?;
            let score: i64 = row.get(2)?;
            Ok(Answer {
                id: row.get(0)?,
                label: label(&kind, score),
                kind,
                score,
                comment: row.get(3)?,
                staff_name: row.get(4)?,
                answered_at: row.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// When the customer last gave a promoter answer (NPS 9-10, CSAT 5), if at
/// or after `since`: the review-request rules ask about this.
pub fn promoter_answer_since(conn: &Connection, customer_id: &str, since: DateTime<Utc>) -> Result<Option<String>> {
    let answers = conn
        .prepare_cached("SELECT kind, score, answered_at FROM feedback WHERE customer_id = ?1 AND answered_at >= ?2 ORDER BY answered_at DESC")?
        .query_map(params![customer_id, timestamp(since)], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(answers.into_iter().find(|(kind, score, _)| is_promoter(kind, *score)).map(|(_, _, at)| at))
}

/// NPS: the share of promoters minus the share of detractors, in whole
/// percent (rounded half away from zero). `None` without answers.
pub fn nps(promoters: i64, detractors: i64, answers: i64) -> Option<i64> {
    if answers <= 0 {
        return None;
    }
    Some(((promoters - detractors) as f64 * 100.0 / answers as f64).round() as i64)
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MonthScores {
    /// "2026-11".
    pub month: String,
    /// "Nov".
    pub label: String,
    pub nps_answers: i64,
    pub promoters: i64,
    pub detractors: i64,
    pub nps: Option<i64>,
    pub csat_answers: i64,
    /// Mean CSAT score, one decimal.
    pub csat_average: Option<f64>,
}

/// The first day of the month `back` months before the month of `today`.
pub fn month_start(today: NaiveDate, back: u32) -> NaiveDate {
    let first = today.with_day0(0).unwrap_or(today);
    first.checked_sub_months(Months::new(back)).unwrap_or(first)
}

/// NPS and CSAT for each of the last `months` months (UTC months), oldest
/// first, from the maintained monthly counts.
pub fn monthly(conn: &Connection, today: NaiveDate, months: u32) -> Result<Vec<MonthScores>> {
    let months = months.max(1);
    let first = month_start(today, months - 1);
    let mut out: Vec<MonthScores> = (0..months)
        .map(|i| {
            let start = month_start(today, months - 1 - i);
            MonthScores {
                month: start.format("%Y-%m").to_string(),
                label: start.format("%b").to_string(),
                nps_answers: 0,
                promoters: 0,
                detractors: 0,
                nps: None,
                csat_answers: 0,
                csat_average: None,
            }
        })
        .collect();
    let mut csat_sums = vec![0i64; out.len()];
    let mut stmt = conn
        .prepare_cached("SELECT month, kind, score, answers FROM feedback_months WHERE month >= ?1 AND answers != 0")?;
    let rows = stmt
        .query_map([first.format("%Y-%m").to_string()], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?, row.get::<_, i64>(3)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (month, kind, score, count) in rows {
        let Some(index) = out.iter().position(|m| m.month == month) else { continue };
        let m = &mut out[index];
        if kind == "nps" {
            m.nps_answers += count;
            if is_promoter("nps", score) {
                m.promoters += count;
            } else if is_detractor("nps", score) {
                m.detractors += count;
            }
        } else {
            m.csat_answers += count;
            csat_sums[index] += score * count;
        }
    }
    for (m, sum) in out.iter_mut().zip(csat_sums) {
        m.nps = nps(m.promoters, m.detractors, m.nps_answers);
        if m.csat_answers > 0 {
            m.csat_average = Some((sum as f64 / m.csat_answers as f64 * 10.0).round() / 10.0);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nps_is_promoters_minus_detractors_in_percent() {
        assert_eq!(nps(0, 0, 0), None);
        assert_eq!(nps(5, 3, 10), Some(20));
        assert_eq!(nps(0, 3, 3), Some(-100));
        assert_eq!(nps(1, 0, 3), Some(33));
        assert_eq!(nps(2, 1, 3), Some(33));
        assert_eq!(nps(1, 2, 8), Some(-13)); // -12.5 rounds away from zero
    }

    #[test]
    fn month_starts_cross_years() {
        let today = NaiveDate::from_ymd_opt(2026, 2, 17).unwrap();
        assert_eq!(month_start(today, 0), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        assert_eq!(month_start(today, 2), NaiveDate::from_ymd_opt(2025, 12, 1).unwrap());
    }
}
