//! The owner lock: its state for the top bar, unlock with the PIN, lock,
//! the PIN and auto-lock settings, and the audit trail.

use chrono::Utc;
use serde::Serialize;
use tauri::State;

use crate::app::owner;
use crate::app::state::{AppState, Moment};
use crate::features::owner as lock;
use crate::kernel::error::Result;
use crate::records::audit::{self, AuditPage};

#[derive(Serialize, ts_rs::TS)]
pub struct OwnerState {
    pub pin_set: bool,
    /// Owner mode: always without a PIN; with one, after the right PIN until it locks again.
    pub owner: bool,
    pub auto_lock_minutes: i64,
    /// Until owner mode locks itself, if it is open with a PIN.
    pub seconds_left: Option<u64>,
    /// How long owner mode stays open without use, if it is open with a
    /// PIN: the page reports a person's activity well within it.
    pub idle_seconds: Option<u64>,
}

fn view(state: &AppState) -> Result<OwnerState> {
    let lock = state.read(lock::load)?;
    let now = Moment::now();
    let (seconds_left, idle_seconds) = if lock.pin_set {
        (state.owner.seconds_left(now), state.owner.idle(now).map(|idle| idle.as_secs()))
    } else {
        (None, None)
    };
    Ok(OwnerState {
        pin_set: lock.pin_set,
        owner: !lock.pin_set || seconds_left.is_some(),
        auto_lock_minutes: lock.auto_lock_minutes,
        seconds_left,
        idle_seconds,
    })
}

#[tauri::command]
pub fn get_owner_state(state: State<'_, AppState>) -> Result<OwnerState> {
    view(&state)
}

/// A person pressed a key or clicked in the window: the only use that
/// keeps owner mode open (see `app::owner`). Answers the state, so the
/// page sees at once when owner mode had already locked itself.
#[tauri::command]
pub fn owner_activity(state: State<'_, AppState>) -> Result<OwnerState> {
    state.owner.used(Moment::now());
    view(&state)
}

#[tauri::command]
pub fn unlock_owner(state: State<'_, AppState>, pin: String) -> Result<OwnerState> {
    let unlocked = state.write(|conn| lock::check_pin(conn, &pin, Utc::now()))?;
    state.owner.open_for(owner::idle(unlocked.auto_lock_minutes), Moment::now());
    view(&state)
}

#[tauri::command]
pub fn lock_owner(state: State<'_, AppState>) -> Result<OwnerState> {
    state.owner.lock();
    view(&state)
}

/// Sets the first PIN (anyone: a shop without one is in owner mode) or
/// changes it (only in owner mode: it is in `OWNER_ONLY`).
#[tauri::command]
pub fn set_owner_pin(state: State<'_, AppState>, pin: String, repeated: String) -> Result<OwnerState> {
    let who = owner::who(&state)?;
    let set = state.write(|conn| lock::set_pin(conn, &pin, &repeated, who, Utc::now()))?;
    // The one who set it stays in owner mode.
    state.owner.open_for(owner::idle(set.auto_lock_minutes), Moment::now());
    view(&state)
}

#[tauri::command]
pub fn set_auto_lock(state: State<'_, AppState>, minutes: i64) -> Result<OwnerState> {
    let who = owner::who(&state)?;
    let set = state.write(|conn| lock::set_auto_lock(conn, minutes, who, Utc::now()))?;
    if set.pin_set {
        state.owner.open_for(owner::idle(set.auto_lock_minutes), Moment::now());
    }
    view(&state)
}

/// Lines of the audit trail shown at a time.
const AUDIT_PAGE: usize = 100;

/// A page of the audit trail, newest first: from the newest line, or
/// older than `before` (the cursor the previous page gave).
#[tauri::command]
pub fn get_audit(state: State<'_, AppState>, before: Option<i64>) -> Result<AuditPage> {
    state.read(|conn| audit::page(conn, before, AUDIT_PAGE))
}
