//! Asking for reviews at the right moment: after a visit marked as a win, a
//! solved complaint, a finished onboarding plan or a promoter score. Never
//! while a complaint is open, never twice within the cool-down. Also the
//! messages themselves: filled from a template, copied, opened in the mail
//! or SMS app (mailto:/sms: links), or printed as a card with a QR code.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::settings;
use crate::db::store;
use crate::features::templates::{self, Rendered};
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::qr::{qr, Qr};
use crate::kernel::time::timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct OutreachRules {
    /// Where customers leave a review (Google, Yelp ...): printed as a QR code.
    pub review_link: String,
    /// Never ask the same customer again within this many days.
    pub cool_down_days: i64,
    /// One follow-up this many days after asking, if they have not answered.
    pub follow_up_days: i64,
    /// A good moment (a win, a solved problem ...) stays good this many days.
    pub moment_days: i64,
}

impl Default for OutreachRules {
    fn default() -> Self {
        OutreachRules { review_link: String::new(), cool_down_days: 90, follow_up_days: 7, moment_days: 14 }
    }
}

const RULES_KEY: &str = "outreach_rules";

pub fn load_rules(conn: &Connection) -> Result<OutreachRules> {
    Ok(settings::load_json(conn, RULES_KEY)?.unwrap_or_default())
}

pub fn save_rules(conn: &mut Connection, rules: &OutreachRules, now: DateTime<Utc>) -> Result<OutreachRules> {
    let link = rules.review_link.trim().to_string();
    if (!link.is_empty() && !link.starts_with("https://") && !link.starts_with("http://"))
        || link.contains(char::is_whitespace)
        || link.len() > 500
    {
        return Err(Error::invalid(
            "review_link",
            "Paste the full web address of your review page, starting with https://",
        ));
    }
    if !(1..=730).contains(&rules.cool_down_days) {
        return Err(Error::invalid("cool_down_days", "Use a number of days from 1 to 730."));
    }
    if !(1..=90).contains(&rules.follow_up_days) {
        return Err(Error::invalid("follow_up_days", "Use a number of days from 1 to 90."));
    }
    if !(1..=90).contains(&rules.moment_days) {
        return Err(Error::invalid("moment_days", "Use a number of days from 1 to 90."));
    }
    let clean = OutreachRules { review_link: link, ..rules.clone() };
    store::write(conn, |tx| {
        settings::save_json(tx, RULES_KEY, &clean, now)?;
        Ok(())
    })?;
    Ok(clean)
}

// ---------------------------------------------------------------------------
// Eligibility

/// The moments and blocks that decide whether to ask, for one customer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moments {
    /// The latest visit marked as a win: when, and its summary.
    pub win: Option<(DateTime<Utc>, String)>,
    pub complaint_solved: Option<DateTime<Utc>>,
    pub onboarding_done: Option<DateTime<Utc>>,
    /// The latest promoter answer (NPS 9-10, CSAT 5): when and the score.
    pub promoter: Option<(DateTime<Utc>, i64)>,
    pub complaint_open: bool,
    pub last_asked: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Eligibility {
    /// Worth asking now, because of these moments (newest first).
    Ask { reasons: Vec<String>, since: String },
    /// Not now, and why.
    Wait { why: String },
    /// Nothing happened lately that makes it a good moment.
    NoMoment,
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%-d %b").to_string()
}

/// The rules, on times passed in.
pub fn eligibility(m: &Moments, rules: &OutreachRules, now: DateTime<Utc>) -> Eligibility {
    if m.complaint_open {
        return Eligibility::Wait { why: "Not while a complaint is open.".into() };
    }
    if let Some(asked) = m.last_asked {
        let again = asked + Duration::days(rules.cool_down_days);
        if now < again {
            return Eligibility::Wait {
                why: format!(
                    "Asked on {}; the {}-day cool-down ends on {}.",
                    day(asked),
                    rules.cool_down_days,
                    again.format("%-d %b %Y")
                ),
            };
        }
    }
    let fresh = |at: DateTime<Utc>| at <= now && now - at <= Duration::days(rules.moment_days);
    let mut moments: Vec<(DateTime<Utc>, String)> = Vec::new();
    if let Some((at, summary)) = &m.win {
        if fresh(*at) {
            let what = if summary.trim().is_empty() { String::new() } else { format!(": {}", summary.trim()) };
            moments.push((*at, format!("A win on {}{what}", day(*at))));
        }
    }
    if let Some(at) = m.complaint_solved.filter(|at| fresh(*at)) {
        moments.push((at, format!("Their complaint was solved on {}", day(at))));
    }
    if let Some(at) = m.onboarding_done.filter(|at| fresh(*at)) {
        moments.push((at, format!("Finished their welcome plan on {}", day(at))));
    }
    if let Some((at, score)) = m.promoter.filter(|(at, _)| fresh(*at)) {
        moments.push((at, format!("Gave {score} out of 10 on {}", day(at))));
    }
    moments.sort_by_key(|m| std::cmp::Reverse(m.0));
    match moments.first() {
        None => Eligibility::NoMoment,
        Some((since, _)) => {
            Eligibility::Ask { since: timestamp(*since), reasons: moments.into_iter().map(|(_, r)| r).collect() }
        }
    }
}

fn parse(at: Option<String>) -> Option<DateTime<Utc>> {
    at.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc))
}

/// Reads one customer's moments.
pub fn moments(conn: &Connection, customer_id: &str) -> Result<Moments> {
    let win: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT happened_at, summary FROM interactions WHERE customer_id = ?1 AND win = 1 AND undone_at IS NULL
             ORDER BY happened_at DESC LIMIT 1",
        )?
        .query_row([customer_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let solved: Option<String> = conn
        .prepare_cached("SELECT max(closed_at) FROM complaints WHERE customer_id = ?1")?
        .query_row([customer_id], |row| row.get(0))?;
    let promoter: Option<(String, i64)> = conn
        .prepare_cached(
            "SELECT answered_at, CASE kind WHEN 'nps' THEN score ELSE score * 2 END FROM feedback
             WHERE customer_id = ?1 AND ((kind = 'nps' AND score >= 9) OR (kind = 'csat' AND score = 5))
             ORDER BY answered_at DESC LIMIT 1",
        )?
        .query_row([customer_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let last_asked: Option<String> = conn
        .prepare_cached("SELECT max(asked_at) FROM review_requests WHERE customer_id = ?1")?
        .query_row([customer_id], |row| row.get(0))?;
    Ok(Moments {
        win: win.and_then(|(at, summary)| parse(Some(at)).map(|at| (at, summary))),
        complaint_solved: parse(solved),
        onboarding_done: onboarding_done(conn, customer_id)?,
        promoter: promoter.and_then(|(at, score)| parse(Some(at)).map(|at| (at, score))),
        complaint_open: crate::records::complaints::has_open(conn, customer_id)?,
        last_asked: parse(last_asked),
    })
}

/// When the customer finished their welcome plan, if they did.
fn onboarding_done(conn: &Connection, customer_id: &str) -> Result<Option<DateTime<Utc>>> {
    crate::records::onboarding::completed_since(conn, customer_id, None)
}

pub fn check(conn: &Connection, customer_id: &str, now: DateTime<Utc>) -> Result<Eligibility> {
    Ok(eligibility(&moments(conn, customer_id)?, &load_rules(conn)?, now))
}

/// What the card's review panel shows: whether to ask now, and the requests so far.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReviewStatus {
    pub eligibility: Eligibility,
    pub requests: Vec<ReviewRequest>,
}

pub fn status(conn: &Connection, customer_id: &str, now: DateTime<Utc>) -> Result<ReviewStatus> {
    Ok(ReviewStatus { eligibility: check(conn, customer_id, now)?, requests: for_customer(conn, customer_id)? })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "ReviewCandidate")]
pub struct Candidate {
    pub customer_id: String,
    pub name: String,
    pub reasons: Vec<String>,
    pub since: String,
}

/// Who is worth asking now and why, newest moment first. Only customers
/// with a recent moment are looked at, each through indexes.
pub fn candidates(conn: &Connection, now: DateTime<Utc>, limit: usize) -> Result<Vec<Candidate>> {
    let rules = load_rules(conn)?;
    let from = timestamp(now - Duration::days(rules.moment_days));
    let mut ids: Vec<String> =
        crate::records::onboarding::completions_since(conn, now - Duration::days(rules.moment_days))?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
    ids.dedup(); // oldest first per plan; a customer with two plans appears once
    for sql in [
        "SELECT DISTINCT customer_id FROM interactions WHERE win = 1 AND undone_at IS NULL AND happened_at >= ?1",
        "SELECT DISTINCT customer_id FROM complaints WHERE closed_at >= ?1",
        "SELECT DISTINCT customer_id FROM feedback WHERE answered_at >= ?1 AND ((kind = 'nps' AND score >= 9) OR (kind = 'csat' AND score = 5))",
    ] {
        let found: Vec<String> = conn.prepare_cached(sql)?.query_map([&from], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
        for id in found {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let mut out = Vec::new();
    for id in ids {
        if let Eligibility::Ask { reasons, since } = eligibility(&moments(conn, &id)?, &rules, now) {
            let name = crate::records::customers::display_name(conn, &id)?;
            out.push(Candidate { customer_id: id, name, reasons, since });
        }
    }
    out.sort_by(|a, b| b.since.cmp(&a.since));
    out.truncate(limit);
    Ok(out)
}

// ---------------------------------------------------------------------------
// Messages and links

/// Characters left as they are in a mailto:/sms: query value (RFC 3986
/// unreserved); everything else is percent-encoded as UTF-8, so spaces
/// become %20 (not +) and line breaks %0A.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// In the address part of mailto: also keep '@' and '+'.
const ADDRESS: &AsciiSet = &QUERY_VALUE.remove(b'@').remove(b'+');

pub fn mailto(email: &str, subject: &str, body: &str) -> String {
    format!(
        "mailto:{}?subject={}&body={}",
        utf8_percent_encode(email.trim(), ADDRESS),
        utf8_percent_encode(subject, QUERY_VALUE),
        utf8_percent_encode(&body.replace("\r\n", "\n").replace('\n', "\r\n"), QUERY_VALUE)
    )
}

/// An sms: link (RFC 5724) to the phone number's digits, with a leading +
/// kept for international numbers.
pub fn sms(phone: &str, body: &str) -> String {
    let plus = if phone.trim_start().starts_with('+') { "+" } else { "" };
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("sms:{plus}{digits}?body={}", utf8_percent_encode(body, QUERY_VALUE))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "ComposedMessage")]
pub struct Composed {
    pub key: String,
    pub title: String,
    pub subject: Rendered,
    pub body: Rendered,
    /// Placeholders with no value, subject and body together; while any
    /// remain the message cannot be sent.
    pub missing: Vec<String>,
    pub mailto: Option<String>,
    pub sms: Option<String>,
}

/// A template filled for a customer, with its links when it can be sent.
pub fn compose<Tz: TimeZone>(
    conn: &Connection,
    customer_id: &str,
    key: &str,
    staff_id: Option<&str>,
    tz: &Tz,
) -> Result<Composed> {
    let template = templates::get(conn, key)?;
    compose_from(conn, customer_id, &template, staff_id, tz)
}

/// The same for a template being edited (the live preview).
pub fn compose_from<Tz: TimeZone>(
    conn: &Connection,
    customer_id: &str,
    template: &templates::Template,
    staff_id: Option<&str>,
    tz: &Tz,
) -> Result<Composed> {
    let staff = settings::staff_ref(conn, staff_id)?;
    let values = templates::values_for(conn, customer_id, &staff.name, &load_rules(conn)?.review_link, tz)?;
    let subject = templates::render(&template.subject, &values);
    let body = templates::render(&template.body, &values);
    let mut missing = subject.missing.clone();
    for name in &body.missing {
        if !missing.contains(name) {
            missing.push(name.clone());
        }
    }
    let card = crate::records::customers::get(conn, customer_id)?;
    let sendable = missing.is_empty();
    Ok(Composed {
        key: template.key.clone(),
        title: templates::title_of(&template.key).unwrap_or_default().to_string(),
        mailto: (sendable && !card.email.is_empty()).then(|| mailto(&card.email, &subject.text, &body.text)),
        sms: (sendable && card.phone.chars().any(|c| c.is_ascii_digit())).then(|| sms(&card.phone, &body.text)),
        subject,
        body,
        missing,
    })
}

/// Refuses a message with holes, naming them.
pub fn ensure_complete(composed: &Composed) -> Result<()> {
    if composed.missing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = composed
        .missing
        .iter()
        .map(|m| templates::PLACEHOLDERS.iter().find(|(k, _)| k == m).map_or(m.clone(), |(_, what)| what.to_string()))
        .collect();
    Err(Error::invalid(
        "message",
        format!("This message has gaps: {}. Fill them on the card (or in Settings) first.", names.join(", ")),
    ))
}

/// The shop's review link as a QR code, refused while no link is set.
pub fn review_qr(conn: &Connection) -> Result<Qr> {
    let link = load_rules(conn)?.review_link;
    if link.is_empty() {
        return Err(Error::invalid("review_link", "Add your review link in Settings first."));
    }
    qr(&link)
}

// ---------------------------------------------------------------------------
// Review requests

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReviewRequest {
    pub id: String,
    pub reason: String,
    pub channel: String,
    pub status: String,
    pub asked_at: String,
    pub staff_name: String,
    pub follow_up_on: Option<String>,
    pub answered_at: Option<String>,
}

pub const CHANNELS: [&str; 4] = ["copy", "email", "sms", "print"];
pub const STATUSES: [&str; 4] = ["asked", "reviewed", "declined", "no_answer"];

/// Records that the customer was asked, after checking the rules and that
/// the message is complete. `today` is the shop's date, for the follow-up.
#[allow(clippy::too_many_arguments)]
pub fn ask<Tz: TimeZone>(
    conn: &mut Connection,
    customer_id: &str,
    channel: &str,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
    today: NaiveDate,
    tz: &Tz,
) -> Result<ReviewRequest> {
    if !CHANNELS.contains(&channel) {
        return Err(Error::invalid("channel", "Choose copy, email, text message or print."));
    }
    let rules = load_rules(conn)?;
    if let Eligibility::Wait { why } = eligibility(&moments(conn, customer_id)?, &rules, now) {
        return Err(Error::Conflict(why));
    }
    let composed = compose(conn, customer_id, "review_request", staff_id, tz)?;
    ensure_complete(&composed)?;
    if channel == "email" && composed.mailto.is_none() {
        return Err(Error::invalid("channel", "This customer has no email address on the card."));
    }
    if channel == "sms" && composed.sms.is_none() {
        return Err(Error::invalid("channel", "This customer has no phone number on the card."));
    }
    store::write(conn, |tx| {
        // Checked again inside the transaction, so two desks cannot both ask.
        let reason = match eligibility(&moments(tx, customer_id)?, &rules, now) {
            Eligibility::Wait { why } => return Err(Error::Conflict(why)),
            Eligibility::Ask { reasons, .. } => reasons.join("; "),
            Eligibility::NoMoment => "Asked from the card".to_string(),
        };
        let staff = settings::staff_ref(tx, staff_id)?;
        let id = new_id();
        let stamp = timestamp(now);
        let follow_up = (today + Duration::days(rules.follow_up_days)).to_string();
        tx.execute(
            "INSERT INTO review_requests (id, customer_id, reason, channel, asked_at, staff_name, follow_up_on, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?5, ?5)",
            params![id, customer_id, reason, channel, stamp, staff.name, follow_up],
        )?;
        get(tx, &id)
    })
}

/// Records the answer: reviewed, declined or no answer. The follow-up is
/// no longer needed.
pub fn set_status(conn: &mut Connection, request_id: &str, status: &str, now: DateTime<Utc>) -> Result<ReviewRequest> {
    if !STATUSES.contains(&status) {
        return Err(Error::invalid("status", "Choose asked, reviewed, declined or no answer."));
    }
    store::write(conn, |tx| {
        let customer_id = customer_of_request(tx, request_id)?;
        let stamp = timestamp(now);
        let answered = status != "asked";
        tx.execute(
            "UPDATE review_requests SET status = ?2, updated_at = ?3,
                 answered_at = CASE WHEN ?4 THEN ?3 ELSE NULL END,
                 follow_up_on = CASE WHEN ?4 THEN NULL ELSE follow_up_on END
             WHERE id = ?1",
            params![request_id, status, stamp, answered],
        )?;
        if answered {
            crate::records::reminders::resolve(
                tx,
                &customer_id,
                crate::records::reminders::Source::ReviewFollowUp,
                Some(request_id),
                now,
            )?;
        }
        Ok(())
    })?;
    get(conn, request_id)
}

const COLUMNS: &str = "id, reason, channel, status, asked_at, staff_name, follow_up_on, answered_at";

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<ReviewRequest> {
    Ok(ReviewRequest {
        id: row.get(0)?,
        reason: row.get(1)?,
        channel: row.get(2)?,
        status: row.get(3)?,
        asked_at: row.get(4)?,
        staff_name: row.get(5)?,
        follow_up_on: row.get(6)?,
        answered_at: row.get(7)?,
    })
}

/// Whose card a review request is on.
pub fn customer_of_request(conn: &Connection, request_id: &str) -> Result<String> {
    conn.query_row("SELECT customer_id FROM review_requests WHERE id = ?1", [request_id], |row| row.get(0))
        .optional()?
        .ok_or(Error::NotFound("This review request"))
}

pub fn get(conn: &Connection, id: &str) -> Result<ReviewRequest> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM review_requests WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound("This review request"))
}

pub fn for_customer(conn: &Connection, customer_id: &str) -> Result<Vec<ReviewRequest>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM review_requests WHERE customer_id = ?1 ORDER BY asked_at DESC LIMIT 10"
        ))?
        .query_map([customer_id], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_encode_everything_but_the_plain_characters() {
        assert_eq!(
            mailto("zoe+gym@example.com", "Hi Zoë", "Line one & two\nNext? 100% = yes"),
            "mailto:zoe+gym@example.com?subject=Hi%20Zo%C3%AB&body=Line%20one%20%26%20two%0D%0ANext%3F%20100%25%20%3D%20yes"
        );
        assert_eq!(sms("+1 (555) 014-2211", "Hi 👋"), "sms:+15550142211?body=Hi%20%F0%9F%91%8B");
        assert_eq!(sms("(555) 014", "a&b"), "sms:555014?body=a%26b");
    }
}
