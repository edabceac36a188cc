//! Message templates: a default set per business kind, placeholders filled
//! from the card, and the rule that a message with a hole in it is never
//! sent. A placeholder is `{name}` with a known name; anything else between
//! braces is an error when the template is saved.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::db::settings::{self, BusinessKind};
use crate::db::store;
use crate::kernel::error::{Error, Result};
use crate::records::customers;
use ts_rs::TS;

/// Every template, in the order the editor lists them.
pub const KEYS: [(&str, &str); 8] = [
    ("kick_off", "Kick-off"),
    ("welcome", "Welcome"),
    ("apology", "Apology and update"),
    ("renewal", "Renewal reminder"),
    ("review_request", "Review request"),
    ("referral_thanks", "Referral thank-you"),
    ("birthday", "Birthday"),
    ("we_miss_you", "We miss you"),
];

/// The placeholders a template may use, with what fills them.
pub const PLACEHOLDERS: [(&str, &str); 16] = [
    ("first_name", "the customer's first name"),
    ("preferred_name", "what they like to be called (else their first name)"),
    ("full_name", "the customer's full name"),
    ("goal", "what success looks like for them (first-visit answers)"),
    ("last_win", "their latest visit marked as a win"),
    ("pet_name", "the name of their pet"),
    ("shop_name", "your shop's name"),
    ("staff_name", "who is at the desk"),
    ("reward_progress", "how close they are to the next reward"),
    ("review_link", "your review link (Settings)"),
    ("plan_name", "their membership plan"),
    ("plan_price", "the plan's price and term"),
    ("renewal_date", "when the membership renews"),
    ("referred_name", "the friend they referred"),
    ("complaint", "their open complaint, in their words"),
    ("next_update", "when we update them next (the complaint's checkpoint)"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "MessageTemplate")]
pub struct Template {
    pub key: String,
    pub subject: String,
    pub body: String,
}

const TEMPLATES_KEY: &str = "message_templates";

fn t(key: &str, subject: &str, body: &str) -> Template {
    Template { key: key.into(), subject: subject.into(), body: body.into() }
}

/// The default set, in plain friendly words, for a kind of business.
pub fn defaults(kind: BusinessKind) -> Vec<Template> {
    let (visit, place) = match kind {
        BusinessKind::Gym => ("session", "the gym"),
        BusinessKind::Salon => ("appointment", "the salon"),
        BusinessKind::DogWalking => ("walk", "our walks"),
        BusinessKind::Other => ("visit", "the shop"),
    };
    let we_miss_you = match kind {
        BusinessKind::DogWalking => "Hi {first_name}, we have not seen {pet_name} in a while and we miss those walks! Shall we book the next one? {staff_name} at {shop_name}".to_string(),
        _ => format!("Hi {{first_name}}, we have not seen you at {place} for a while and we miss you. Shall we book your next {visit}? {{staff_name}} at {{shop_name}}"),
    };
    let welcome = match kind {
        BusinessKind::DogWalking => "Welcome to {shop_name}, {first_name}! We can't wait to meet {pet_name}. If anything comes up, just reply to this message. {staff_name}".to_string(),
        _ => format!("Welcome to {{shop_name}}, {{first_name}}! We are glad you are here. Your first {visit} is all about {{goal}}. If anything comes up, just reply to this message. {{staff_name}}"),
    };
    vec![
        t("kick_off", "Your plan with {shop_name}", &format!("Hi {{first_name}}, here is what we agreed: we start with {{goal}}. Your first {visit} is booked and we will check in with you after your first week. Questions? Just reply. {{staff_name}}")),
        t("welcome", "Welcome to {shop_name}", &welcome),
        t("apology", "About your complaint", "Hi {first_name}, we are sorry about this: {complaint}. Here is what we are doing about it, and we will update you again by {next_update}. {staff_name} at {shop_name}"),
        t("renewal", "Your {plan_name} renews on {renewal_date}", "Hi {first_name}, a quick heads-up: your {plan_name} ({plan_price}) renews on {renewal_date}. Nothing to do if you are staying with us! {shop_name}"),
        t("review_request", "Would you tell others about {shop_name}?", "Hi {first_name}, it was great to see {last_win}. If you have a minute, a short review helps us a lot: {review_link} Thank you! {staff_name}"),
        t("referral_thanks", "Thank you for sending {referred_name} our way", "Hi {first_name}, thank you for telling {referred_name} about us! We added your referral bonus. {reward_progress}. {staff_name} at {shop_name}"),
        t("birthday", "Happy birthday, {first_name}!", "Happy birthday, {first_name}! Everyone at {shop_name} wishes you a great day. Your birthday bonus is waiting for you."),
        t("we_miss_you", "We miss you, {first_name}", &we_miss_you),
    ]
}

pub fn title_of(key: &str) -> Option<&'static str> {
    KEYS.iter().find(|(k, _)| *k == key).map(|(_, title)| *title)
}

/// The shop's templates: saved ones, and the kind's defaults for the rest.
pub fn load(conn: &Connection) -> Result<Vec<Template>> {
    let saved: Vec<Template> = settings::load_json(conn, TEMPLATES_KEY)?.unwrap_or_default();
    let kind = settings::load(conn)?.business_kind;
    Ok(defaults(kind)
        .into_iter()
        .map(|default| saved.iter().find(|s| s.key == default.key).cloned().unwrap_or(default))
        .collect())
}

pub fn get(conn: &Connection, key: &str) -> Result<Template> {
    load(conn)?.into_iter().find(|t| t.key == key).ok_or(Error::NotFound("This template"))
}

/// Parts of a text: literal text, or a placeholder name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part<'a> {
    Text(&'a str),
    Slot(&'a str),
}

/// `{name}` with a name of lowercase letters and underscores is a slot;
/// every other brace is plain text.
fn parts(text: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    // Every index here is a character boundary: `open` is where an ASCII
    // '{' starts, and `name_len` ends a run of ASCII letters and '_'.
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let name_len = after.find(|c: char| !(c.is_ascii_lowercase() || c == '_')).unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('}') {
            if open > 0 {
                out.push(Part::Text(&rest[..open]));
            }
            out.push(Part::Slot(&after[..name_len]));
            rest = &after[name_len + 1..];
        } else {
            out.push(Part::Text(&rest[..=open]));
            rest = after;
        }
    }
    if !rest.is_empty() {
        out.push(Part::Text(rest));
    }
    out
}

fn is_known(name: &str) -> bool {
    PLACEHOLDERS.iter().any(|(known, _)| *known == name)
}

/// Refuses a template with an unknown placeholder, an empty body, or text too long.
pub fn validate(template: &Template) -> Result<()> {
    if title_of(&template.key).is_none() {
        return Err(Error::invalid("template", "Choose one of the templates."));
    }
    if template.body.trim().is_empty() {
        return Err(Error::invalid("template_body", "The message needs some words."));
    }
    for (field, text, max) in [("template_subject", &template.subject, 200), ("template_body", &template.body, 2000)] {
        if text.chars().count() > max {
            return Err(Error::invalid(field, format!("This can be at most {max} characters.")));
        }
        for part in parts(text) {
            if let Part::Slot(name) = part {
                if !is_known(name) {
                    return Err(Error::invalid(
                        field,
                        format!("{{{name}}} is not a placeholder this app knows. Use one from the list."),
                    ));
                }
            }
        }
    }
    Ok(())
}

pub fn save(conn: &mut Connection, template: &Template, now: DateTime<Utc>) -> Result<Template> {
    let clean = Template {
        key: template.key.clone(),
        subject: template.subject.trim().to_string(),
        body: template.body.trim().to_string(),
    };
    validate(&clean)?;
    let mut all = load(conn)?;
    for existing in all.iter_mut() {
        if existing.key == clean.key {
            *existing = clean.clone();
        }
    }
    store::write(conn, |tx| {
        settings::save_json(tx, TEMPLATES_KEY, &all, now)?;
        Ok(())
    })?;
    Ok(clean)
}

/// One piece of a rendered message; `missing` marks a placeholder that has
/// no value for this customer (shown as `{name}` and flagged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Piece {
    pub text: String,
    pub missing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "RenderedText")]
pub struct Rendered {
    /// The text with every known value filled in and holes left as `{name}`.
    pub text: String,
    pub pieces: Vec<Piece>,
    /// Placeholders without a value, in order, each once.
    pub missing: Vec<String>,
}

/// Fills `text` from `values`. A value that is empty counts as missing.
pub fn render(text: &str, values: &BTreeMap<String, String>) -> Rendered {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for part in parts(text) {
        let (piece, hole) = match part {
            Part::Text(literal) => (literal.to_string(), false),
            Part::Slot(name) => match values.get(name).filter(|v| !v.trim().is_empty()) {
                Some(value) => (value.clone(), false),
                None => {
                    if !missing.iter().any(|m| m == name) {
                        missing.push(name.to_string());
                    }
                    (format!("{{{name}}}"), true)
                }
            },
        };
        match pieces.last_mut() {
            Some(last) if !last.missing && !hole => last.text.push_str(&piece),
            _ => pieces.push(Piece { text: piece, missing: hole }),
        }
    }
    Rendered { text: pieces.iter().map(|p| p.text.as_str()).collect(), pieces, missing }
}

/// Whether a person's kind makes them the `{pet_name}`.
pub fn is_pet_kind(kind: &str) -> bool {
    const PETS: [&str; 9] = ["dog", "cat", "pet", "puppy", "kitten", "rabbit", "horse", "bird", "hamster"];
    let kind = kind.to_lowercase();
    PETS.iter().any(|pet| kind.contains(pet))
}

/// The placeholders a text uses, each once, in order.
pub fn slots_in(text: &str) -> Vec<String> {
    let mut slots: Vec<String> = Vec::new();
    for part in parts(text) {
        if let Part::Slot(name) = part {
            if !slots.iter().any(|s| s == name) {
                slots.push(name.to_string());
            }
        }
    }
    slots
}

/// Refuses a text with a placeholder this app does not know.
pub fn check_slots(field: &'static str, text: &str) -> Result<()> {
    match slots_in(text).into_iter().find(|name| !is_known(name)) {
        Some(name) => Err(Error::invalid(
            field,
            format!("{{{name}}} is not a placeholder this app knows. Use one from the list."),
        )),
        None => Ok(()),
    }
}

/// What fills the placeholders for one customer, read from the card and
/// everything around it. Values that do not exist are simply absent.
pub fn values_for<Tz: TimeZone>(
    conn: &Connection,
    customer_id: &str,
    staff_name: &str,
    review_link: &str,
    tz: &Tz,
) -> Result<BTreeMap<String, String>> {
    let card = customers::get(conn, customer_id)?;
    let shop = settings::load(conn)?;
    let mut v = BTreeMap::new();
    let mut put = |key: &str, value: String| {
        if !value.trim().is_empty() {
            v.insert(key.to_string(), value);
        }
    };
    let first_name = if card.first_name.is_empty() { card.display_name.clone() } else { card.first_name.clone() };
    put(
        "preferred_name",
        if card.preferred_name.is_empty() { first_name.clone() } else { card.preferred_name.clone() },
    );
    put("first_name", first_name);
    put("full_name", card.display_name.clone());
    put("goal", card.discovery.success_looks_like.clone());
    put("shop_name", shop.shop_name.clone());
    // Nobody chosen at the desk: the message is signed by the team.
    put(
        "staff_name",
        if staff_name.trim().is_empty() { format!("The {} team", shop.shop_name) } else { staff_name.to_string() },
    );
    if let Some(pet) = card.people.iter().find(|p| is_pet_kind(&p.kind)) {
        put("pet_name", pet.name.clone());
    }
    let last_win: Option<String> = conn
        .prepare_cached(
            "SELECT summary FROM interactions WHERE customer_id = ?1 AND win = 1 AND undone_at IS NULL
             ORDER BY happened_at DESC LIMIT 1",
        )?
        .query_row([customer_id], |row| row.get(0))
        .ok();
    if let Some(win) = last_win {
        put("last_win", win);
    }
    let program = crate::records::loyalty::load_program(conn)?;
    let status = crate::records::loyalty::status(conn, &program, customer_id)?;
    if let Some(line) = status.ready.first().or(status.progress.first()) {
        put("reward_progress", line.clone());
    }
    put("review_link", review_link.to_string());
    if let Some(m) = crate::records::memberships::current(conn, customer_id)? {
        put("plan_name", m.plan_name.clone());
        put("plan_price", crate::records::memberships::price_line(m.price_cents, &shop.currency, &m.term));
        if let Ok(date) = chrono::NaiveDate::parse_from_str(&m.renews_on, "%Y-%m-%d") {
            put("renewal_date", date.format("%-d %B").to_string());
        }
    }
    if let Some(name) = crate::records::referrals::latest_referred_name(conn, customer_id)? {
        put("referred_name", name);
    }
    if let Some(open) =
        crate::records::complaints::for_customer(conn, customer_id)?.into_iter().find(|c| c.closed_at.is_none())
    {
        put("complaint", open.summary.trim_end_matches('.').to_string());
        if let Some(at) = open.checkpoint_at.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
            put("next_update", at.with_timezone(tz).naive_local().format("%A %-d %B, %H:%M").to_string());
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_that_are_not_names_stay_text() {
        assert_eq!(parts("a {b} c"), vec![Part::Text("a "), Part::Slot("b"), Part::Text(" c")]);
        assert_eq!(
            parts("{ x } {X} {a"),
            vec![Part::Text("{"), Part::Text(" x } {"), Part::Text("X} {"), Part::Text("a")]
        );
    }

    #[test]
    fn every_default_uses_only_known_placeholders() {
        for kind in [BusinessKind::Gym, BusinessKind::Salon, BusinessKind::DogWalking, BusinessKind::Other] {
            let all = defaults(kind);
            assert_eq!(all.len(), KEYS.len());
            for template in all {
                validate(&template).unwrap_or_else(|e| panic!("{kind:?} {}: {e}", template.key));
            }
        }
    }
}
