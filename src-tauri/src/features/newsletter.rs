//! Write once, personal for each: a message for a group, its placeholders
//! (the templates' own, `features::templates`) filled for every member who
//! may receive news, a preview for the first three, and the queue. A member
//! for whom a placeholder has no value is listed and skipped, never sent a
//! message with a hole. Every message ends with a line saying how to stop.
//! Consent recorded on the card is here too: one transaction with its line
//! in the audit trail.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::{settings, store};
use crate::features::groups::{self, GroupFilter};
use crate::features::templates;
use crate::kernel::error::{Error, Result};
use crate::records::{audit, consent, customers, loyalty, mailings, memberships};

/// How many customers the preview shows.
pub const PREVIEWED: usize = 3;
const SUBJECT_MAX: usize = 200;
const BODY_MAX: usize = 20_000;

/// A message as the owner wrote it, for a group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(rename = "MessageDraft")]
pub struct Draft {
    pub filter: GroupFilter,
    /// The group's name as the history of messages shows it ("" when not saved).
    pub group_name: String,
    pub subject: String,
    pub body: String,
}

/// One customer's message as it will be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Personalised {
    pub customer_id: String,
    pub name: String,
    pub address: String,
    pub subject: String,
    pub body: String,
}

/// A member left out because a placeholder has no value for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Skipped {
    pub customer_id: String,
    pub name: String,
    /// The placeholders without a value ("pet_name").
    pub missing: Vec<String>,
}

/// Everything the send screen shows before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "GroupPreview")]
pub struct Preview {
    /// Up to three messages as they will be sent.
    pub samples: Vec<Personalised>,
    /// How many will be sent.
    pub ready: i64,
    /// Skipped for a placeholder without a value, listed.
    pub skipped: Vec<Skipped>,
    /// Left out for lack of consent (never agreed, or asked to stop).
    pub no_consent: i64,
    /// Left out: agreed, but no email address.
    pub no_address: i64,
}

/// Everything a message needs beyond the draft: who signs, the link, the
/// shop's own address (for the line on how to stop), the clock and zone.
pub struct Context<'a, Tz: TimeZone> {
    pub staff_name: &'a str,
    pub review_link: &'a str,
    pub shop_address: &'a str,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub tz: &'a Tz,
}

/// The draft's words checked: a clear message next to the field.
pub fn validate(draft: &Draft) -> Result<()> {
    if draft.subject.trim().is_empty() || draft.subject.chars().count() > SUBJECT_MAX {
        return Err(Error::invalid("subject", format!("Write a subject of at most {SUBJECT_MAX} characters.")));
    }
    if draft.subject.contains(['\r', '\n']) {
        return Err(Error::invalid("subject", "A subject is one line."));
    }
    if draft.body.trim().is_empty() || draft.body.chars().count() > BODY_MAX {
        return Err(Error::invalid("body", format!("Write the message, in at most {BODY_MAX} characters.")));
    }
    templates::check_slots("subject", &draft.subject)?;
    templates::check_slots("body", &draft.body)?;
    groups::validate(&draft.filter)
}

/// The line at the foot of every message: how to stop.
pub fn footer(shop_name: &str, shop_address: &str) -> String {
    let shop = if shop_name.trim().is_empty() { "us" } else { shop_name.trim() };
    format!(
        "\n\n--\nYou receive news from {shop} because you said yes. To stop, reply to {shop_address} with \"unsubscribe\" or tell us at the desk."
    )
}

/// One member's placeholder values, with their name and address.
pub struct Filled {
    pub values: BTreeMap<String, String>,
    pub name: String,
    pub address: String,
}

/// What fills the placeholders `slots` for each of `ids`, in order. Names,
/// pets, the shop and memberships are read with one small query each; the
/// rarer placeholders fall back on `templates::values_for`.
pub fn values_for_many<Tz: TimeZone>(
    conn: &Connection,
    ids: &[String],
    slots: &[String],
    ctx: &Context<'_, Tz>,
) -> Result<Vec<Filled>> {
    let shop = settings::load(conn)?;
    let wants = |name: &str| slots.iter().any(|s| s == name);
    let rare = ["last_win", "referred_name", "complaint", "next_update"].iter().any(|name| wants(name));
    let program = if wants("reward_progress") { Some(loyalty::load_program(conn)?) } else { None };
    let mut all = Vec::with_capacity(ids.len());
    for id in ids {
        let names = names_of(conn, id)?;
        let (name, address) = (names.display.clone(), names.email.clone());
        if rare {
            let values = templates::values_for(conn, id, ctx.staff_name, ctx.review_link, ctx.tz)?;
            all.push(Filled { values, name, address });
            continue;
        }
        let mut v = BTreeMap::new();
        let mut put = |key: &str, value: String| {
            if !value.trim().is_empty() {
                v.insert(key.to_string(), value);
            }
        };
        let Names { first, display, preferred, goal, .. } = names;
        let first = if first.is_empty() { display.clone() } else { first };
        put("preferred_name", if preferred.is_empty() { first.clone() } else { preferred });
        put("first_name", first);
        put("full_name", display);
        put("goal", goal);
        put("shop_name", shop.shop_name.clone());
        put("staff_name", signed_by(ctx.staff_name, &shop.shop_name));
        put("review_link", ctx.review_link.to_string());
        if wants("pet_name") {
            put("pet_name", pet_name_of(conn, id)?.unwrap_or_default());
        }
        if let Some(program) = &program {
            let status = loyalty::status(conn, program, id)?;
            put("reward_progress", status.ready.first().or(status.progress.first()).cloned().unwrap_or_default());
        }
        if ["plan_name", "plan_price", "renewal_date"].iter().any(|name| wants(name)) {
            if let Some(m) = memberships::current(conn, id)? {
                put("plan_name", m.plan_name.clone());
                put("plan_price", memberships::price_line(m.price_cents, &shop.currency, &m.term));
                if let Ok(date) = NaiveDate::parse_from_str(&m.renews_on, "%Y-%m-%d") {
                    put("renewal_date", date.format("%-d %B").to_string());
                }
            }
        }
        all.push(Filled { values: v, name, address });
    }
    Ok(all)
}

/// Who signs: the staff member, or the team when nobody is chosen.
fn signed_by(staff_name: &str, shop_name: &str) -> String {
    if staff_name.trim().is_empty() {
        format!("The {shop_name} team")
    } else {
        staff_name.to_string()
    }
}

/// What one card's own columns give a message, read in one query.
struct Names {
    first: String,
    display: String,
    preferred: String,
    goal: String,
    email: String,
}

fn names_of(conn: &Connection, id: &str) -> Result<Names> {
    conn.prepare_cached(
        "SELECT first_name, display_name, preferred_name,
                coalesce(json_extract(discovery, '$.success_looks_like'), ''), email
         FROM customers WHERE id = ?1",
    )?
    .query_row([id], |row| {
        Ok(Names {
            first: row.get(0)?,
            display: row.get(1)?,
            preferred: row.get(2)?,
            goal: row.get(3)?,
            email: row.get(4)?,
        })
    })
    .optional()?
    .ok_or(Error::NotFound("This customer"))
}

fn pet_name_of(conn: &Connection, id: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT name, kind FROM people WHERE customer_id = ?1 ORDER BY position")?;
    let mut rows = stmt.query([id])?;
    while let Some(row) = rows.next()? {
        if templates::is_pet_kind(&row.get::<_, String>(1)?) {
            return Ok(Some(row.get(0)?));
        }
    }
    Ok(None)
}

/// Every member who may receive news, personalised, and those skipped for
/// a hole; `limit` stops after that many ready (the preview).
pub fn personalise<Tz: TimeZone>(
    conn: &Connection,
    draft: &Draft,
    ctx: &Context<'_, Tz>,
    limit: Option<usize>,
) -> Result<(Vec<Personalised>, Vec<Skipped>)> {
    validate(draft)?;
    let ids = groups::receiving_ids(conn, &draft.filter, ctx.now, ctx.today)?;
    let mut slots = templates::slots_in(&draft.subject);
    slots.extend(templates::slots_in(&draft.body));
    let shop_name = settings::load(conn)?.shop_name;
    let foot = footer(&shop_name, ctx.shop_address);
    let mut ready = Vec::new();
    let mut skipped = Vec::new();
    for chunk in ids.chunks(500) {
        for (id, filled) in chunk.iter().zip(values_for_many(conn, chunk, &slots, ctx)?) {
            let Filled { values, name, address } = filled;
            let subject = templates::render(&draft.subject, &values);
            let body = templates::render(&draft.body, &values);
            if !subject.missing.is_empty() || !body.missing.is_empty() {
                let mut missing = subject.missing;
                for name in body.missing {
                    if !missing.contains(&name) {
                        missing.push(name);
                    }
                }
                skipped.push(Skipped { customer_id: id.clone(), name, missing });
                continue;
            }
            if limit.is_some_and(|n| ready.len() >= n) {
                continue;
            }
            let body = format!("{}{foot}", body.text);
            ready.push(Personalised { customer_id: id.clone(), name, address, subject: subject.text, body });
        }
    }
    Ok((ready, skipped))
}

/// The preview: three messages as they will go, the count ready, who is
/// skipped and who is left out.
pub fn preview<Tz: TimeZone>(conn: &Connection, draft: &Draft, ctx: &Context<'_, Tz>) -> Result<Preview> {
    let (all, skipped) = personalise(conn, draft, ctx, None)?;
    let count = groups::count(conn, &draft.filter, ctx.now, ctx.today)?;
    Ok(Preview {
        ready: all.len() as i64,
        samples: all.into_iter().take(PREVIEWED).collect(),
        skipped,
        no_consent: count.no_consent,
        no_address: count.no_address,
    })
}

/// Queues the message for every member it is ready for, in one transaction
/// with its line in the audit trail (who sent what to how many). Returns
/// the message's id.
pub fn queue<Tz: TimeZone>(conn: &mut Connection, draft: &Draft, ctx: &Context<'_, Tz>, who: &str) -> Result<String> {
    let (ready, skipped) = personalise(conn, draft, ctx, None)?;
    if ready.is_empty() {
        return Err(Error::invalid("group", "Nobody in this group can receive this message."));
    }
    let rows: Vec<mailings::Personal> = ready
        .into_iter()
        .map(|p| mailings::Personal {
            customer_id: p.customer_id,
            address: p.address,
            subject: p.subject,
            body: p.body,
        })
        .collect();
    store::write(conn, |tx| {
        let id = mailings::queue(tx, draft.subject.trim(), &draft.body, draft.group_name.trim(), &rows, ctx.now)?;
        let detail = format!("message {id} to {} customers ({} skipped)", rows.len(), skipped.len());
        audit::append(tx, who, "sent a group message", &detail, ctx.now)?;
        Ok(id)
    })
}

/// Records on the card that the customer agreed to news by email (asked at
/// the desk) or asked to stop, with its line in the audit trail, in one
/// transaction. Returns the customer's id.
pub fn set_consent(
    conn: &mut Connection,
    customer_id: &str,
    agreed: bool,
    who: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    store::write(conn, |tx| {
        customers::ensure_exists(tx, customer_id)?;
        let (changed, action) = if agreed {
            (consent::agree(tx, customer_id, consent::AT_THE_DESK, now)?, "recorded consent to news by email")
        } else {
            (consent::withdraw(tx, customer_id, now)?, "recorded a stop to news by email")
        };
        if changed {
            audit::append(tx, who, action, &format!("customer {customer_id}"), now)?;
        }
        Ok(customer_id.to_string())
    })
}
