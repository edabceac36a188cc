//! Groups: a saved filter over the cards (tags, health, not seen, renewing,
//! a pass running out, birthdays, a pet's vaccination, promoters, referred,
//! new), every condition chosen at once (AND). Archived customers are never
//! in a group (deleted ones are gone). The count says how many in the group
//! may receive news (agreed to news by email, with an address) and how many
//! are left out for lack of consent or of an address.
//!
//! A group is one SQL query made from the filter, so choosing 10,000
//! customers is one read.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::{settings, store};
use crate::derived::health::{RED_SQL, YELLOW_SQL};
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::time::timestamp;
use crate::records::consent::CONSENTED_SQL;
use crate::records::pets;

/// The settings row of the saved groups (shared by the shop's devices).
pub const SETTINGS_KEY: &str = "mail_groups";
/// The longest span of days a filter takes.
const MAX_DAYS: u32 = 3_650;
/// How many members the list beside the count shows.
pub const LISTED: usize = 200;

/// Who is in a group: every condition set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct GroupFilter {
    /// Has every one of these tags (any case).
    pub tags: Vec<String>,
    /// "green", "yellow", "red", or "" for any.
    pub health: String,
    /// No visit (nor, for a new card, any record) for at least this many days.
    pub not_seen_days: Option<u32>,
    /// A membership that renews within this many days from today.
    pub renewing_within_days: Option<u32>,
    /// A pass that runs out (its last day) within this many days from today.
    pub pass_ending_within_days: Option<u32>,
    pub birthday_this_month: bool,
    /// A pet's required vaccination that runs out within this many days
    /// (or has run out already).
    pub vaccination_due_within_days: Option<u32>,
    /// Their latest NPS answer was 9 or 10.
    pub promoters: bool,
    /// Someone referred them.
    pub referred: bool,
    /// Their card was made this month.
    pub new_this_month: bool,
}

/// A group the owner saved, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SavedGroup {
    pub id: String,
    pub name: String,
    pub filter: GroupFilter,
}

/// One member as the list beside the count shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Member {
    pub customer_id: String,
    pub name: String,
    /// Agreed to news by email and has an address.
    pub will_receive: bool,
}

/// The live count and the first members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GroupCount {
    /// Everyone in the group.
    pub total: i64,
    /// Those who agreed to news by email and have an address.
    pub consenting: i64,
    /// Left out: never agreed, or asked to stop.
    pub no_consent: i64,
    /// Left out: agreed, but no email address on the card.
    pub no_address: i64,
    /// The first `LISTED` members, by name.
    pub members: Vec<Member>,
}

/// The filter's days checked: a clear message next to the field.
pub fn validate(filter: &GroupFilter) -> Result<()> {
    let days = [
        ("not_seen_days", filter.not_seen_days),
        ("renewing_within_days", filter.renewing_within_days),
        ("pass_ending_within_days", filter.pass_ending_within_days),
        ("vaccination_due_within_days", filter.vaccination_due_within_days),
    ];
    for (field, value) in days {
        if value.is_some_and(|d| d > MAX_DAYS) {
            return Err(Error::invalid(field, format!("Choose at most {MAX_DAYS} days.")));
        }
    }
    if !["", "green", "yellow", "red"].contains(&filter.health.as_str()) {
        return Err(Error::invalid("health", "Choose green, yellow, red or any."));
    }
    if filter.tags.len() > 20 || filter.tags.iter().any(|t| t.chars().count() > 60) {
        return Err(Error::invalid("tags", "Choose at most 20 tags of at most 60 characters."));
    }
    Ok(())
}

/// A WHERE clause being made: its conditions and their values in order.
struct Clause {
    conditions: Vec<String>,
    values: Vec<Value>,
    today: NaiveDate,
}

impl Clause {
    /// Binds a value; answers its `?N`.
    fn bind(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("?{}", self.values.len())
    }

    /// Binds the day `days` after today.
    fn day_after(&mut self, days: u32) -> String {
        let day = self.today + Duration::days(i64::from(days));
        self.bind(Value::Text(day.to_string()))
    }

    fn push(&mut self, condition: String) {
        self.conditions.push(condition);
    }
}

/// The group's WHERE clause over `customers c` and its values in order.
pub fn where_clause(
    conn: &Connection,
    filter: &GroupFilter,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<(String, Vec<Value>)> {
    validate(filter)?;
    let mut clause = Clause {
        // ?1 (now) and ?2 (today) are named once here, so the statement
        // takes them whichever conditions use them.
        conditions: vec!["c.archived_at IS NULL AND ?1 IS NOT NULL AND ?2 IS NOT NULL".to_string()],
        values: vec![Value::Text(timestamp(now)), Value::Text(today.to_string())],
        today,
    };
    card_conditions(&mut clause, filter, now);
    dated_conditions(conn, &mut clause, filter)?;
    if filter.promoters {
        clause.push(
            "(SELECT f.score FROM feedback f WHERE f.customer_id = c.id AND f.kind = 'nps'
              ORDER BY f.answered_at DESC LIMIT 1) >= 9"
                .into(),
        );
    }
    if filter.referred {
        clause.push("EXISTS (SELECT 1 FROM referrals r WHERE r.referred_id = c.id)".into());
    }
    Ok((clause.conditions.join(" AND "), clause.values))
}

/// Tags, health, not seen, birthday and new: the card's own columns.
fn card_conditions(clause: &mut Clause, filter: &GroupFilter, now: DateTime<Utc>) {
    for tag in filter.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let slot = clause.bind(Value::Text(tag.to_lowercase()));
        clause.push(format!("EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE lower(t.value) = {slot})"));
    }
    match filter.health.as_str() {
        "red" => clause.push(format!("c.{RED_SQL}")),
        "yellow" => clause.push(YELLOW_SQL.replace("health_", "c.health_")),
        "green" => clause.push("coalesce(c.health_yellow_from > ?1, 1)".into()),
        _ => {}
    }
    if let Some(days) = filter.not_seen_days {
        let slot = clause.bind(Value::Text(timestamp(now - Duration::days(i64::from(days)))));
        clause.push(format!("coalesce(c.last_visit_at, c.created_at) <= {slot}"));
    }
    if filter.birthday_this_month {
        let slot = clause.bind(Value::Text(format!("{:02}", clause.today.month())));
        clause.push(format!("substr(c.birthday, -5, 2) = {slot}"));
    }
    if filter.new_this_month {
        let start = clause.today.with_day(1).unwrap_or(clause.today);
        let slot = clause.bind(Value::Text(start.to_string()));
        clause.push(format!("c.created_at >= {slot}"));
    }
}

/// Renewing, a pass running out, a vaccination due: days from today.
fn dated_conditions(conn: &Connection, clause: &mut Clause, filter: &GroupFilter) -> Result<()> {
    if let Some(days) = filter.renewing_within_days {
        let slot = clause.day_after(days);
        clause.push(format!(
            "EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id AND m.ended_at IS NULL
                AND m.renews_on >= ?2 AND m.renews_on <= {slot})"
        ));
    }
    if let Some(days) = filter.pass_ending_within_days {
        let slot = clause.day_after(days);
        clause.push(format!(
            "EXISTS (SELECT 1 FROM passes p WHERE p.customer_id = c.id AND p.expires_on >= ?2 AND p.expires_on <= {slot})"
        ));
    }
    if let Some(days) = filter.vaccination_due_within_days {
        let required: Vec<String> =
            pets::load_settings(conn)?.required_vaccinations.iter().map(|n| n.trim().to_lowercase()).collect();
        let slot = clause.day_after(days);
        // No required vaccinations listed: every vaccination counts.
        let names = if required.is_empty() {
            "1".to_string()
        } else {
            let slots = required.into_iter().map(|name| clause.bind(Value::Text(name))).collect::<Vec<_>>();
            format!("lower(trim(v.name)) IN ({})", slots.join(", "))
        };
        clause.push(format!(
            "EXISTS (SELECT 1 FROM vaccinations v WHERE v.customer_id = c.id AND v.expires_on <= {slot}
                AND {names}
                AND NOT EXISTS (SELECT 1 FROM vaccinations w WHERE w.person_id = v.person_id
                    AND lower(trim(w.name)) = lower(trim(v.name)) AND w.expires_on > {slot}))"
        ));
    }
    Ok(())
}

/// SQL true for a member who may receive news.
pub fn receives_sql() -> String {
    format!("({CONSENTED_SQL} AND c.email <> '')")
}

/// The group's count, and its first members by name.
pub fn count(conn: &Connection, filter: &GroupFilter, now: DateTime<Utc>, today: NaiveDate) -> Result<GroupCount> {
    let (condition, values) = where_clause(conn, filter, now, today)?;
    let receives = receives_sql();
    let sql = format!(
        "SELECT count(*), coalesce(sum({receives}), 0), coalesce(sum(NOT {CONSENTED_SQL}), 0)
         FROM customers c WHERE {condition}"
    );
    let (total, consenting, no_consent): (i64, i64, i64) = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(values.iter()), |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    let list = format!(
        "SELECT c.id, c.display_name, {receives} FROM customers c WHERE {condition}
         ORDER BY c.sort_name, c.pk LIMIT {LISTED}"
    );
    let members = conn
        .prepare_cached(&list)?
        .query_map(params_from_iter(values.iter()), |row| {
            Ok(Member { customer_id: row.get(0)?, name: row.get(1)?, will_receive: row.get(2)? })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(GroupCount { total, consenting, no_consent, no_address: total - consenting - no_consent, members })
}

/// The ids of the members who may receive news, by name.
pub fn receiving_ids(
    conn: &Connection,
    filter: &GroupFilter,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Vec<String>> {
    let (condition, values) = where_clause(conn, filter, now, today)?;
    let sql =
        format!("SELECT c.id FROM customers c WHERE {condition} AND {} ORDER BY c.sort_name, c.pk", receives_sql());
    let ids = conn
        .prepare(&sql)?
        .query_map(params_from_iter(values.iter()), |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// The saved groups, by name.
pub fn saved(conn: &Connection) -> Result<Vec<SavedGroup>> {
    let mut groups: Vec<SavedGroup> = settings::load_json(conn, SETTINGS_KEY)?.unwrap_or_default();
    groups.sort_by_key(|g| g.name.to_lowercase());
    Ok(groups)
}

/// Saves a group under a name (a group of that name is replaced).
pub fn save(conn: &mut Connection, name: &str, filter: &GroupFilter, now: DateTime<Utc>) -> Result<Vec<SavedGroup>> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(Error::invalid("group_name", "Give the group a name of at most 80 characters."));
    }
    validate(filter)?;
    store::write(conn, |tx| {
        let mut groups = saved(tx)?;
        groups.retain(|g| !g.name.eq_ignore_ascii_case(name));
        groups.push(SavedGroup { id: new_id(), name: name.to_string(), filter: filter.clone() });
        settings::save_json(tx, SETTINGS_KEY, &groups, now)?;
        Ok(())
    })?;
    saved(conn)
}

/// Removes a saved group.
pub fn remove(conn: &mut Connection, id: &str, now: DateTime<Utc>) -> Result<Vec<SavedGroup>> {
    store::write(conn, |tx| {
        let mut groups = saved(tx)?;
        groups.retain(|g| g.id != id);
        settings::save_json(tx, SETTINGS_KEY, &groups, now)
    })?;
    saved(conn)
}
