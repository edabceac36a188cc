//! The owner and the desk: the owner PIN (kept as an Argon2id hash), how
//! long owner mode lasts without use, and the growing wait after wrong
//! PINs, and after wrong recovery keys typed to remove a forgotten PIN.
//! Every checked attempt and every PIN change is in the audit trail, in
//! the same transaction; a try refused during a wait is not checked and
//! adds no line, so the desk cannot flood the trail. Whether the app is
//! in owner mode now is the app's (`app::owner`); this keeps what must
//! survive a restart, so closing the app does not reset the wait.

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::{settings, store};
use crate::kernel::error::{Error, Result};
use crate::kernel::pin;
use crate::kernel::time::timestamp;
use crate::records::audit;

/// The settings row of the owner PIN's hash, the auto-lock and the waits.
pub const SETTINGS_KEY: &str = "owner_lock";
pub const DEFAULT_AUTO_LOCK_MINUTES: i64 = 5;
/// Wrong PINs allowed before each further try makes the next one wait.
const FREE_TRIES: i64 = 5;
const FIRST_WAIT_SECONDS: i64 = 30;
const LONGEST_WAIT_SECONDS: i64 = 3_600;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Stored {
    pin_hash: Option<String>,
    auto_lock_minutes: Option<i64>,
    /// Wrong PINs since the last right one.
    failures: i64,
    /// No PIN is checked before this time.
    wait_until: Option<DateTime<Utc>>,
    /// Wrong recovery keys since the PIN was last set or removed (a
    /// count of their own: the desk's wrong PINs do not hold up the
    /// owner's recovery key, nor the other way round).
    #[serde(default)]
    key_failures: i64,
    /// No recovery key is checked before this time.
    #[serde(default)]
    key_wait_until: Option<DateTime<Utc>>,
}

/// What the window may know: whether a PIN is set, never the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Lock {
    pub pin_set: bool,
    pub auto_lock_minutes: i64,
}

fn stored(conn: &Connection) -> Result<Stored> {
    Ok(settings::load_json(conn, SETTINGS_KEY)?.unwrap_or_default())
}

impl Stored {
    fn lock(&self) -> Lock {
        Lock {
            pin_set: self.pin_hash.is_some(),
            auto_lock_minutes: self.auto_lock_minutes.unwrap_or(DEFAULT_AUTO_LOCK_MINUTES),
        }
    }
}

pub fn load(conn: &Connection) -> Result<Lock> {
    Ok(stored(conn)?.lock())
}

/// Who the audit trail names for owner-only work: the owner once a PIN is
/// set (only the owner can do it then), else anyone at the computer.
pub fn who_does_owner_work(conn: &Connection) -> Result<&'static str> {
    Ok(if load(conn)?.pin_set { audit::OWNER } else { audit::NO_PIN })
}

/// Sets (or changes) the owner PIN. `who` is the caller's name in the
/// audit trail; the app lets only the owner change a PIN once one is set.
pub fn set_pin(conn: &mut Connection, new_pin: &str, repeated: &str, who: &str, now: DateTime<Utc>) -> Result<Lock> {
    pin::check_shape(new_pin)?;
    if new_pin != repeated {
        return Err(Error::invalid("pin_repeat", "The two PINs are not the same."));
    }
    let hash = pin::hash(new_pin)?;
    store::write(conn, |tx| {
        let mut stored = stored(tx)?;
        let action = if stored.pin_hash.is_some() { "changed the owner PIN" } else { "set the owner PIN" };
        stored.pin_hash = Some(hash);
        stored.failures = 0;
        stored.wait_until = None;
        stored.key_failures = 0;
        stored.key_wait_until = None;
        settings::save_json(tx, SETTINGS_KEY, &stored, now)?;
        audit::append(tx, who, action, "", now)?;
        Ok(stored.lock())
    })
}

/// Removes a forgotten PIN (`regulars remove-owner-pin`, run by the user
/// who owns the data folder); `who` is named in the audit trail. Whether
/// there was one to remove.
pub fn remove_pin(conn: &mut Connection, who: &str, now: DateTime<Utc>) -> Result<bool> {
    store::write(conn, |tx| remove_in(tx, stored(tx)?, who, now))
}

fn remove_in(tx: &Connection, mut stored: Stored, who: &str, now: DateTime<Utc>) -> Result<bool> {
    if stored.pin_hash.take().is_none() {
        return Ok(false);
    }
    stored.failures = 0;
    stored.wait_until = None;
    stored.key_failures = 0;
    stored.key_wait_until = None;
    settings::save_json(tx, SETTINGS_KEY, &stored, now)?;
    audit::append(tx, who, "removed the owner PIN", "", now)?;
    Ok(true)
}

/// A forgotten PIN removed with the recovery key. `right` is whether the
/// typed key is this shop's (the app holds the key and compares). Wrong
/// keys wait as wrong PINs do (`count_wrong`), the wait stored in the same
/// row, so a restart does not reset it; during a wait the key is not
/// taken, right or wrong, and no line is added. Whether there was a PIN
/// to remove.
pub fn remove_pin_with_recovery_key(conn: &mut Connection, right: bool, now: DateTime<Utc>) -> Result<bool> {
    // The outcome is the transaction's value, so a refusal still commits the count.
    let outcome: Result<bool> = store::write(conn, |tx| {
        let mut stored = stored(tx)?;
        if let Some(until) = stored.key_wait_until.filter(|until| now < *until) {
            return Ok(Err(key_wait_error(until - now)));
        }
        if right {
            return remove_in(tx, stored, "owner (recovery key)", now).map(Ok);
        }
        let error = match count_wrong(&mut stored.key_failures, &mut stored.key_wait_until, now) {
            Some(wait) => key_wait_error(wait),
            None => Error::invalid("recovery_key", "This is not this shop's recovery key."),
        };
        settings::save_json(tx, SETTINGS_KEY, &stored, now)?;
        audit::append(
            tx,
            audit::DESK,
            "typed a wrong recovery key",
            &format!("wrong try {} in a row", stored.key_failures),
            now,
        )?;
        Ok(Err(error))
    })?;
    outcome
}

pub fn set_auto_lock(conn: &mut Connection, minutes: i64, who: &str, now: DateTime<Utc>) -> Result<Lock> {
    if !(1..=240).contains(&minutes) {
        return Err(Error::invalid("auto_lock_minutes", "Lock again after 1 to 240 minutes without use."));
    }
    store::write(conn, |tx| {
        let mut stored = stored(tx)?;
        stored.auto_lock_minutes = Some(minutes);
        settings::save_json(tx, SETTINGS_KEY, &stored, now)?;
        audit::append(tx, who, "changed the auto-lock", &format!("{minutes} minutes"), now)?;
        Ok(stored.lock())
    })
}

/// Checks a PIN typed to unlock owner mode. A wrong one counts, and from
/// the fifth on each makes the next try wait twice as long (30 seconds,
/// then a minute, … at most an hour); a try during the wait is refused
/// unchecked. The count and the wait are stored before the answer. The
/// right PIN answers the lock as it is (its auto-lock minutes).
pub fn check_pin(conn: &mut Connection, typed: &str, now: DateTime<Utc>) -> Result<Lock> {
    // The outcome is the transaction's value, so a refusal still commits the count.
    let outcome: Result<Lock> = store::write(conn, |tx| {
        let mut stored = stored(tx)?;
        let Some(hash) = stored.pin_hash.clone() else {
            return Ok(Err(Error::Conflict("No owner PIN is set: set one in Settings.".into())));
        };
        if let Some(until) = stored.wait_until.filter(|until| now < *until) {
            return Ok(Err(wait_error(until - now)));
        }
        if pin::matches(typed, &hash) {
            stored.failures = 0;
            stored.wait_until = None;
            settings::save_json(tx, SETTINGS_KEY, &stored, now)?;
            audit::append(tx, audit::OWNER, "unlocked owner mode", "", now)?;
            return Ok(Ok(stored.lock()));
        }
        let error = match count_wrong(&mut stored.failures, &mut stored.wait_until, now) {
            Some(wait) => wait_error(wait),
            None => Error::invalid("pin", "That is not the owner PIN."),
        };
        settings::save_json(tx, SETTINGS_KEY, &stored, now)?;
        audit::append(
            tx,
            audit::DESK,
            "typed a wrong owner PIN",
            &format!("wrong try {} in a row", stored.failures),
            now,
        )?;
        Ok(Err(error))
    })?;
    outcome
}

/// Counts one more wrong try. From the `FREE_TRIES`th on, each makes the
/// next try wait twice as long as the one before (30 seconds, then a
/// minute, … at most an hour): that wait, set in `wait_until`.
fn count_wrong(failures: &mut i64, wait_until: &mut Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Duration> {
    *failures += 1;
    let over = *failures - FREE_TRIES;
    if over < 0 {
        return None;
    }
    let wait = Duration::seconds((FIRST_WAIT_SECONDS << over.min(16)).min(LONGEST_WAIT_SECONDS));
    *wait_until = Some(now + wait);
    Some(wait)
}

/// A wait in words: "30 seconds", "2 minutes".
fn in_words(wait: Duration) -> String {
    let seconds = wait.num_seconds().max(1);
    if seconds < 120 {
        format!("{seconds} seconds")
    } else {
        format!("{} minutes", (seconds + 59) / 60)
    }
}

fn wait_error(wait: Duration) -> Error {
    Error::invalid("pin", format!("Too many wrong PINs. Try again in {}.", in_words(wait)))
}

fn key_wait_error(wait: Duration) -> Error {
    Error::invalid("recovery_key", format!("Too many wrong recovery keys. Try again in {}.", in_words(wait)))
}

/// When the wait after wrong PINs ends, if one is running (for tests and the page).
pub fn waiting_until(conn: &Connection, now: DateTime<Utc>) -> Result<Option<String>> {
    Ok(stored(conn)?.wait_until.filter(|until| now < *until).map(timestamp))
}
