//! The shop itself: status at start, first-start setup, settings, and the
//! native file dialog (which hands the page a token, not a path).

use chrono::Utc;
use serde::Serialize;
use tauri::State;

use crate::app::owner;
use crate::app::state::AppState;
use crate::app::{file_dialog, files};
use crate::db::settings::{self, BusinessKind, Settings};
use crate::io::setup;
use crate::io::vault::{self, Ask};
use crate::kernel::error::{Error, Result};
use ts_rs::TS;

#[derive(Serialize, TS)]
pub struct AppStatus {
    pub error: Option<String>,
    pub data_dir: String,
    pub settings: Option<Settings>,
    /// What the window must ask before the shop opens, and why.
    pub ask: Ask,
    pub why: String,
    /// The shop's data is encrypted.
    pub encrypted: bool,
    /// Encrypted, and the owner has not saved the recovery sheet yet.
    pub sheet_due: bool,
}

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> Result<AppStatus> {
    let data_dir = state.data_dir.display().to_string();
    let (ask, why) = state.gate();
    let encrypted = state.key().is_some();
    let base = AppStatus { error: None, data_dir, settings: None, ask, why, encrypted, sheet_due: false };
    if base.ask != Ask::Nothing {
        return Ok(base);
    }
    match state.read(|conn| Ok((settings::load(conn)?, vault::sheet_saved(conn)?))) {
        Ok((settings, saved)) => {
            Ok(AppStatus { settings: Some(settings), sheet_due: encrypted && saved.is_none(), ..base })
        }
        Err(error) => Ok(AppStatus { error: Some(error.to_string()), ..base }),
    }
}

/// Called once by the UI when the search box is ready; logs the start-up time.
#[tauri::command]
pub fn ui_ready(state: State<'_, AppState>) {
    tracing::info!(elapsed_ms = state.started.elapsed().as_millis() as u64, "search box ready");
    state.wake_scheduler(); // the scheduler's first pass waits for this
}

#[tauri::command]
pub fn start_shop(
    state: State<'_, AppState>,
    shop_name: String,
    business_kind: String,
    with_sample: bool,
) -> Result<Settings> {
    let kind = BusinessKind::parse(&business_kind)
        .ok_or_else(|| Error::invalid("business_kind", "Choose gym, salon, dog-walking or other."))?;
    state.write(|conn| setup::start_shop(conn, &shop_name, kind, with_sample, Utc::now()))
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Result<Settings> {
    state.read(settings::load)
}

#[tauri::command]
pub fn save_settings(state: State<'_, AppState>, settings: Settings) -> Result<Settings> {
    owner::audited(
        &state,
        "changed settings",
        |_| "shop, staff and paper".into(),
        |conn| settings::save(conn, &settings, Utc::now()),
    )
}

/// A native open or save dialog for `purpose`: a token for the file chosen
/// (the action commands take it) and its name, or `None` if cancelled.
/// `suggested_name` is the save dialog's proposed file name.
#[tauri::command]
pub fn choose_file(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    purpose: files::Purpose,
    suggested_name: Option<String>,
) -> Result<Option<files::Chosen>> {
    // No dialog at the desk for what only the owner may do with the file.
    if purpose.owners() && !owner::in_owner_mode(&state)? {
        return Err(Error::OwnerOnly);
    }
    match file_dialog::ask(&app, purpose, suggested_name.as_deref())? {
        Some(path) => state.files.add(purpose, path, &state.data_dir).map(Some),
        None => Ok(None),
    }
}
