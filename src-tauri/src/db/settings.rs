//! Shop settings: name, business kind, currency, paper size and staff.
//! Later features (loyalty rules, templates, reminders) read from here.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::store;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::json;
use crate::kernel::time::timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "kebab-case")]
pub enum BusinessKind {
    Gym,
    Salon,
    DogWalking,
    #[default]
    Other,
}

impl BusinessKind {
    pub fn parse(text: &str) -> Option<BusinessKind> {
        match text {
            "gym" => Some(BusinessKind::Gym),
            "salon" => Some(BusinessKind::Salon),
            "dog-walking" => Some(BusinessKind::DogWalking),
            "other" => Some(BusinessKind::Other),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
pub enum PaperSize {
    #[default]
    A4,
    Letter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaffMember {
    /// `None` for a name added in the settings form and not yet saved.
    pub id: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Settings {
    pub shop_name: String,
    pub business_kind: BusinessKind,
    /// ISO 4217 code such as "EUR"; money itself is always integer cents.
    pub currency: String,
    pub paper_size: PaperSize,
    pub staff: Vec<StaffMember>,
    /// False until the owner has chosen a sample shop or an empty start.
    pub setup_done: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            shop_name: String::new(),
            business_kind: BusinessKind::Other,
            currency: "EUR".into(),
            paper_size: PaperSize::A4,
            staff: Vec::new(),
            setup_done: false,
        }
    }
}

/// The key/value rows that hold everything but staff.
#[derive(Serialize, Deserialize)]
struct ShopRow {
    shop_name: String,
    business_kind: BusinessKind,
    currency: String,
    paper_size: PaperSize,
    setup_done: bool,
}

const SHOP_KEY: &str = "shop";

pub fn load(conn: &Connection) -> Result<Settings> {
    let mut settings = Settings::default();
    // A row this build cannot read is reported (by load_json), not silently reset.
    if let Some(shop) = load_json::<ShopRow>(conn, SHOP_KEY)? {
        settings.shop_name = shop.shop_name;
        settings.business_kind = shop.business_kind;
        settings.currency = shop.currency;
        settings.paper_size = shop.paper_size;
        settings.setup_done = shop.setup_done;
    }
    let mut stmt = conn.prepare_cached("SELECT id, name FROM staff WHERE active = 1 ORDER BY position, created_at")?;
    settings.staff = stmt
        .query_map([], |row| Ok(StaffMember { id: Some(row.get(0)?), name: row.get(1)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(settings)
}

pub fn validate(settings: &Settings) -> Result<Settings> {
    let mut clean = settings.clone();
    clean.shop_name = settings.shop_name.trim().to_string();
    if clean.shop_name.is_empty() {
        return Err(Error::invalid("shop_name", "Please give the shop a name."));
    }
    if clean.shop_name.chars().count() > 80 {
        return Err(Error::invalid("shop_name", "The shop name can be at most 80 characters."));
    }
    clean.currency = settings.currency.trim().to_uppercase();
    if clean.currency.len() != 3 || !clean.currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(Error::invalid("currency", "Use a three-letter currency code such as EUR, USD or GBP."));
    }
    let mut seen = std::collections::HashSet::new();
    clean.staff = Vec::new();
    for member in &settings.staff {
        let name = member.name.trim().to_string();
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > 60 {
            return Err(Error::invalid("staff", "A staff name can be at most 60 characters."));
        }
        if !seen.insert(crate::kernel::text::fold(&name)) {
            return Err(Error::invalid("staff", format!("\"{name}\" is listed twice.")));
        }
        clean.staff.push(StaffMember { id: member.id.clone(), name });
    }
    Ok(clean)
}

/// Validates and stores the settings in one transaction. Staff removed from
/// the list are deactivated, not deleted, so past tasks keep their owner.
pub fn save(conn: &mut Connection, settings: &Settings, now: DateTime<Utc>) -> Result<Settings> {
    let clean = validate(settings)?;
    store::write(conn, |tx| {
        write_shop_row(tx, &clean, now)?;
        let stamp = timestamp(now);
        let mut kept = Vec::new();
        for (position, member) in clean.staff.iter().enumerate() {
            let id = match &member.id {
                Some(id) => {
                    let changed = tx.execute(
                        "UPDATE staff SET name = ?2, position = ?3, active = 1, updated_at = ?4 WHERE id = ?1",
                        params![id, member.name, position as i64, stamp],
                    )?;
                    if changed == 0 {
                        return Err(Error::NotFound("A staff member"));
                    }
                    id.clone()
                }
                None => {
                    let id = new_id();
                    tx.execute(
                        "INSERT INTO staff (id, name, active, position, created_at, updated_at)
                         VALUES (?1, ?2, 1, ?3, ?4, ?4)",
                        params![id, member.name, position as i64, stamp],
                    )?;
                    id
                }
            };
            kept.push(id);
        }
        let mut active = tx.prepare("SELECT id FROM staff WHERE active = 1")?;
        let active_ids: Vec<String> = active.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
        drop(active);
        for id in active_ids.iter().filter(|id| !kept.contains(id)) {
            tx.execute("UPDATE staff SET active = 0, updated_at = ?2 WHERE id = ?1", params![id, stamp])?;
        }
        Ok(())
    })?;
    load(conn)
}

fn write_shop_row(tx: &Transaction, settings: &Settings, now: DateTime<Utc>) -> Result<()> {
    let row = ShopRow {
        shop_name: settings.shop_name.clone(),
        business_kind: settings.business_kind,
        currency: settings.currency.clone(),
        paper_size: settings.paper_size,
        setup_done: settings.setup_done,
    };
    save_json(tx, SHOP_KEY, &row, now)
}

/// Reads a JSON settings row that another module owns (the loyalty program,
/// later templates and reminder rules). `None` when it was never saved.
pub fn load_json<T: serde::de::DeserializeOwned>(conn: &Connection, key: &str) -> Result<Option<T>> {
    let raw: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?;
    raw.map(|raw| {
        serde_json::from_str(&raw)
            .map_err(|e| Error::Conflict(format!("The saved \"{key}\" settings are unreadable: {e}")))
    })
    .transpose()
}

pub fn save_json<T: Serialize>(conn: &Connection, key: &str, value: &T, now: DateTime<Utc>) -> Result<()> {
    let json = json::encode(value)?;
    conn.execute(
        "INSERT INTO settings (key, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, json, timestamp(now)],
    )?;
    Ok(())
}

/// Every settings row's key, for a device that joins a shared shop and
/// drops the rows that were the first device's own.
pub fn keys(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT key FROM settings ORDER BY key")?;
    let keys = stmt.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(keys)
}

/// Removes a settings row (a device that stops sharing forgets its
/// connection).
pub fn remove(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}

/// A settings row's stored text as it is (`None`: no such row), for
/// carrying a row from one shop file to another unread (see `put_raw`).
pub fn raw(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?)
}

/// Sets a settings row to `value` as it is, or removes it (`None`). A
/// restore uses it to keep this computer's own rows (where its calendar
/// file is written, how many backups it keeps) and the owner's lock over
/// whatever the restored file says.
pub fn put_raw(conn: &Connection, key: &str, value: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    match value {
        Some(value) => {
            conn.execute(
                "INSERT INTO settings (key, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                params![key, value, timestamp(now)],
            )?;
        }
        None => {
            conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
        }
    }
    Ok(())
}

/// A staff member as recorded on history rows: the id and the name then.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StaffRef {
    pub id: Option<String>,
    pub name: String,
}

/// Resolves the staff member at the desk; `None` means nobody chosen.
pub fn staff_ref(conn: &Connection, staff_id: Option<&str>) -> Result<StaffRef> {
    let Some(id) = staff_id.filter(|id| !id.is_empty()) else {
        return Ok(StaffRef::default());
    };
    let name: Option<String> =
        conn.prepare_cached("SELECT name FROM staff WHERE id = ?1")?.query_row([id], |row| row.get(0)).optional()?;
    match name {
        Some(name) => Ok(StaffRef { id: Some(id.to_string()), name }),
        None => Err(Error::invalid("staff", "This staff member is not in the settings any more.")),
    }
}
