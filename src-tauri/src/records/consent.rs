//! Consent to news by email, kept like a record: the one writer of
//! `email_consent`. One row per customer, its id derived from the
//! customer's (two devices that record it make one row). Agreeing keeps
//! when and how; withdrawing keeps them and adds when. Only a customer who
//! agreed and has not withdrawn receives news (`CONSENTED_SQL`).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::kernel::error::{Error, Result};
use crate::kernel::ids::derived_id;
use crate::kernel::time::timestamp;

/// How consent recorded on the card was given.
pub const AT_THE_DESK: &str = "asked at the desk";
/// The longest "how" kept.
const HOW_MAX: usize = 120;

/// SQL true for a customer `c` who agreed to news by email and has not
/// withdrawn (for the group queries).
pub const CONSENTED_SQL: &str =
    "EXISTS (SELECT 1 FROM email_consent ec WHERE ec.customer_id = c.id AND ec.agreed = 1 AND ec.withdrawn_at IS NULL)";

/// A customer's consent as the card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Consent {
    /// They agreed to news by email and have not withdrawn.
    pub agreed: bool,
    /// When they agreed (UTC, RFC 3339), kept after a withdrawal.
    pub agreed_at: Option<String>,
    /// How: "asked at the desk", "import: Square subscription column".
    pub how: String,
    /// When they asked to stop.
    pub withdrawn_at: Option<String>,
}

impl Consent {
    pub fn never_asked() -> Consent {
        Consent { agreed: false, agreed_at: None, how: String::new(), withdrawn_at: None }
    }
}

fn id_for(customer_id: &str) -> String {
    derived_id(&format!("email_consent:{customer_id}"))
}

/// The customer's consent (never asked: not agreed, no dates).
pub fn get(conn: &Connection, customer_id: &str) -> Result<Consent> {
    Ok(conn
        .prepare_cached("SELECT agreed, agreed_at, how, withdrawn_at FROM email_consent WHERE customer_id = ?1")?
        .query_row([customer_id], |row| {
            Ok(Consent {
                agreed: row.get::<_, i64>(0)? == 1,
                agreed_at: row.get(1)?,
                how: row.get(2)?,
                withdrawn_at: row.get(3)?,
            })
        })
        .optional()?
        .unwrap_or_else(Consent::never_asked))
}

/// Records that the customer agreed to news by email, now, and how. An
/// agreement already standing is left as it was (its first date kept).
pub fn agree(conn: &Connection, customer_id: &str, how: &str, now: DateTime<Utc>) -> Result<bool> {
    let how = how.trim();
    if how.is_empty() || how.chars().count() > HOW_MAX {
        return Err(Error::invalid("consent_how", format!("Say how they agreed, in at most {HOW_MAX} characters.")));
    }
    if get(conn, customer_id)?.agreed {
        return Ok(false);
    }
    let at = timestamp(now);
    conn.prepare_cached(
        "INSERT INTO email_consent (id, customer_id, agreed, agreed_at, how, withdrawn_at, created_at, updated_at)
         VALUES (?1, ?2, 1, ?3, ?4, NULL, ?3, ?3)
         ON CONFLICT (id) DO UPDATE SET agreed = 1, agreed_at = ?3, how = ?4, withdrawn_at = NULL, updated_at = ?3",
    )?
    .execute(params![id_for(customer_id), customer_id, at, how])?;
    Ok(true)
}

/// Records that the customer asked to stop, now. Someone never asked gets
/// a row that says they do not want news (so an import cannot quietly
/// agree for them later without saying how).
pub fn withdraw(conn: &Connection, customer_id: &str, now: DateTime<Utc>) -> Result<bool> {
    let current = get(conn, customer_id)?;
    if current.withdrawn_at.is_some() && !current.agreed {
        return Ok(false);
    }
    let at = timestamp(now);
    conn.prepare_cached(
        "INSERT INTO email_consent (id, customer_id, agreed, agreed_at, how, withdrawn_at, created_at, updated_at)
         VALUES (?1, ?2, 0, NULL, '', ?3, ?3, ?3)
         ON CONFLICT (id) DO UPDATE SET agreed = 0, withdrawn_at = ?3, updated_at = ?3",
    )?
    .execute(params![id_for(customer_id), customer_id, at])?;
    Ok(true)
}
