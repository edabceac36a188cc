//! Who referred whom. The referrer earns the loyalty program's referral
//! bonus exactly once: when the new customer's first visit is logged (not
//! when the card is made, and never again after an undo and a new visit).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::db::settings::StaffRef;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::kernel::time::timestamp;
use crate::records::loyalty::{self, Entry};

/// Records (or changes, or with `None` removes) who referred `referred_id`.
/// Refused once the bonus has been given: it went to that referrer.
pub fn set_referrer(conn: &Connection, referred_id: &str, referrer_id: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    let current: Option<(String, Option<String>)> = conn
        .prepare_cached("SELECT referrer_id, bonus_awarded_at FROM referrals WHERE referred_id = ?1")?
        .query_row([referred_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let wanted = referrer_id.map(str::trim).filter(|id| !id.is_empty());
    if current.as_ref().map(|(r, _)| r.as_str()) == wanted {
        return Ok(());
    }
    if let Some((_, Some(_))) = current {
        return Err(Error::invalid(
            "referred_by",
            "The referral bonus was already given for this customer, so who referred them stays as it is.",
        ));
    }
    match wanted {
        None => {
            conn.execute("DELETE FROM referrals WHERE referred_id = ?1", [referred_id])?;
        }
        Some(referrer) => {
            if referrer == referred_id {
                return Err(Error::invalid("referred_by", "A customer cannot refer themselves."));
            }
            crate::records::customers::ensure_exists(conn, referrer).map_err(|_| {
                Error::invalid("referred_by", "That customer is not in the app any more. Pick another.")
            })?;
            let stamp = timestamp(now);
            conn.execute(
                "INSERT INTO referrals (id, referrer_id, referred_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT (referred_id) DO UPDATE SET referrer_id = ?2, updated_at = ?4",
                params![new_id(), referrer, referred_id, stamp],
            )?;
        }
    }
    Ok(())
}

/// Called in the transaction that logs a visit: gives the referrer their
/// bonus if this customer was referred and no bonus was given yet. The
/// `bonus_awarded_at IS NULL` guard in the same statement makes it once.
/// Returns the referrer and the points given.
pub fn award_on_visit(
    conn: &Connection,
    referred_id: &str,
    program: &loyalty::Program,
    staff: &StaffRef,
    now: DateTime<Utc>,
) -> Result<Option<(String, i64)>> {
    let stamp = timestamp(now);
    let referrer: Option<String> = conn
        .prepare_cached(
            "UPDATE referrals SET bonus_awarded_at = ?2, bonus_points = ?3, updated_at = ?2
             WHERE referred_id = ?1 AND bonus_awarded_at IS NULL RETURNING referrer_id",
        )?
        .query_row(params![referred_id, stamp, program.referral_bonus.max(0)], |row| row.get(0))
        .optional()?;
    let Some(referrer) = referrer else { return Ok(None) };
    if program.referral_bonus > 0 {
        let name = crate::records::customers::display_name(conn, referred_id)?;
        let memo = format!("Referral bonus: {name}'s first visit");
        // No interaction id: undoing the friend's visit does not take it back.
        loyalty::append_once(
            conn,
            &format!("referral-bonus:{referred_id}"),
            &Entry {
                customer_id: &referrer,
                kind: "bonus",
                points: program.referral_bonus,
                stamps: 0,
                memo,
                staff,
                interaction_id: None,
            },
            now,
        )?;
    }
    Ok(Some((referrer, program.referral_bonus.max(0))))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Link {
    pub referral_id: String,
    pub customer_id: String,
    pub name: String,
    pub bonus_points: i64,
    pub bonus_awarded_at: Option<String>,
    pub thanked_at: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ForCustomer {
    pub referred_by: Option<Link>,
    pub referred: Vec<Link>,
}

fn link_from(row: &rusqlite::Row) -> rusqlite::Result<Link> {
    Ok(Link {
        referral_id: row.get(0)?,
        customer_id: row.get(1)?,
        name: row.get(2)?,
        bonus_points: row.get(3)?,
        bonus_awarded_at: row.get(4)?,
        thanked_at: row.get(5)?,
        created_at: row.get(6)?,
    })
}

pub fn for_customer(conn: &Connection, customer_id: &str) -> Result<ForCustomer> {
    let referred_by = conn
        .prepare_cached(
            "SELECT r.id, c.id, c.display_name, r.bonus_points, r.bonus_awarded_at, r.thanked_at, r.created_at
             FROM referrals r JOIN customers c ON c.id = r.referrer_id WHERE r.referred_id = ?1",
        )?
        .query_row([customer_id], link_from)
        .optional()?;
    let referred = conn
        .prepare_cached(
            "SELECT r.id, c.id, c.display_name, r.bonus_points, r.bonus_awarded_at, r.thanked_at, r.created_at
             FROM referrals r JOIN customers c ON c.id = r.referred_id WHERE r.referrer_id = ?1 ORDER BY r.created_at DESC",
        )?
        .query_map([customer_id], link_from)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ForCustomer { referred_by, referred })
}

/// The first name of the friend this customer referred most recently (for
/// the thank-you message).
pub fn latest_referred_name(conn: &Connection, referrer_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT CASE WHEN c.first_name != '' THEN c.first_name ELSE c.display_name END
             FROM referrals r JOIN customers c ON c.id = r.referred_id WHERE r.referrer_id = ?1
             ORDER BY r.created_at DESC LIMIT 1",
        )?
        .query_row([referrer_id], |row| row.get(0))
        .optional()?)
}

/// Returns the referrer's id: the thanks is said on their card.
pub fn mark_thanked(conn: &Connection, referral_id: &str, now: DateTime<Utc>) -> Result<String> {
    conn.query_row(
        "UPDATE referrals SET thanked_at = ?2, updated_at = ?2 WHERE id = ?1 RETURNING referrer_id",
        params![referral_id, timestamp(now)],
        |row| row.get(0),
    )
    .optional()?
    .ok_or(Error::NotFound("This referral"))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Referral {
    pub referral_id: String,
    pub referrer_id: String,
    pub referrer_name: String,
    pub referred_id: String,
    pub referred_name: String,
    pub bonus_awarded_at: Option<String>,
    pub created_at: String,
}

/// The newest referrals, for the referral list.
pub fn recent(conn: &Connection, limit: usize) -> Result<Vec<Referral>> {
    Ok(conn
        .prepare_cached(
            "SELECT r.id, a.id, a.display_name, b.id, b.display_name, r.bonus_awarded_at, r.created_at
             FROM referrals r JOIN customers a ON a.id = r.referrer_id JOIN customers b ON b.id = r.referred_id
             ORDER BY r.created_at DESC LIMIT ?1",
        )?
        .query_map([limit as i64], |row| {
            Ok(Referral {
                referral_id: row.get(0)?,
                referrer_id: row.get(1)?,
                referrer_name: row.get(2)?,
                referred_id: row.get(3)?,
                referred_name: row.get(4)?,
                bonus_awarded_at: row.get(5)?,
                created_at: row.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TopReferrer {
    pub customer_id: String,
    pub name: String,
    pub referred: i64,
    /// Of those, how many came in at least once.
    pub came_in: i64,
}

pub fn top_referrers(conn: &Connection, limit: usize) -> Result<Vec<TopReferrer>> {
    Ok(conn
        .prepare_cached(
            "SELECT c.id, c.display_name, count(*), count(r.bonus_awarded_at)
             FROM referrals r JOIN customers c ON c.id = r.referrer_id
             GROUP BY r.referrer_id ORDER BY count(*) DESC, count(r.bonus_awarded_at) DESC, c.sort_name LIMIT ?1",
        )?
        .query_map([limit as i64], |row| {
            Ok(TopReferrer { customer_id: row.get(0)?, name: row.get(1)?, referred: row.get(2)?, came_in: row.get(3)? })
        })?
        .collect::<rusqlite::Result<_>>()?)
}
