//! Settings → Updates, and start at login: one view answers the panel;
//! checking, installing and the two switches each answer it again (the
//! install restarts Regulars instead, when it works).

use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::app::state::AppState;
use crate::app::{autostart, updates as edge};
use crate::io::updates::{self, Checked};
use crate::kernel::error::Result;

/// What the Updates panel shows.
#[derive(Serialize, TS)]
pub struct UpdatesView {
    /// This copy's version.
    pub version: String,
    /// Whether the daily check is on.
    pub auto_check: bool,
    /// Whether this copy can install an update (a packaged copy; one built
    /// from source is updated by building).
    pub can_install: bool,
    /// The newer version the last check found, if any.
    pub available: Option<String>,
    /// Its release notes, as text.
    pub notes: Option<String>,
    /// The last check's result in a sentence ("" before any check).
    pub words: String,
    /// Whether Regulars starts at login (`None`: this system cannot say).
    pub start_at_login: Option<bool>,
}

fn view(app: &AppHandle, state: &AppState) -> Result<UpdatesView> {
    let version = app.package_info().version.to_string();
    let auto_check = state.read(updates::auto_check)?;
    let last = app
        .try_state::<edge::LastCheck>()
        .and_then(|last| last.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone());
    let (available, notes, words) = match &last {
        None => (None, None, String::new()),
        Some(Ok(checked @ Checked::Available(offer))) => {
            (Some(offer.version.clone()), offer.notes.clone(), updates::words(checked, &version))
        }
        Some(Ok(checked)) => (None, None, updates::words(checked, &version)),
        Some(Err(sentence)) => (None, None, sentence.clone()),
    };
    Ok(UpdatesView {
        can_install: edge::bundle_name().is_some(),
        version,
        auto_check,
        available,
        notes,
        words,
        start_at_login: autostart::is_on(app),
    })
}

use tauri::Manager as _;

#[tauri::command]
pub fn get_updates(app: AppHandle, state: State<'_, AppState>) -> Result<UpdatesView> {
    view(&app, &state)
}

/// Checks now; a failure is kept and shown as the panel's sentence.
#[tauri::command]
pub fn check_for_updates(app: AppHandle, state: State<'_, AppState>) -> Result<UpdatesView> {
    let _ = edge::check_now(&app);
    view(&app, &state)
}

/// Owner only (`owner::OWNER_ONLY`). Restarts into the new version when it
/// works; otherwise the error says why and this version runs on.
#[tauri::command]
pub fn install_update(app: AppHandle, state: State<'_, AppState>) -> Result<()> {
    edge::install(&app, &state)
}

#[tauri::command]
pub fn set_update_checks(app: AppHandle, state: State<'_, AppState>, on: bool) -> Result<UpdatesView> {
    state.write(|conn| updates::set_auto_check(conn, on, chrono::Utc::now()))?;
    view(&app, &state)
}

#[tauri::command]
pub fn set_start_at_login(app: AppHandle, state: State<'_, AppState>, on: bool) -> Result<UpdatesView> {
    autostart::set(&app, on)?;
    view(&app, &state)
}
