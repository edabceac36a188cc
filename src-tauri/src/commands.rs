//! Thin Tauri commands: take the input, call the domain, return its result.
//! Each runs off the main thread (`async` attribute) so the window never
//! waits on the database.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use chrono::Utc;
use serde::Serialize;
use tauri::State;

use crate::customers::{self, Card, CustomerInput};
use crate::error::{Error, Result};
use crate::search::{self, Hit};
use crate::settings::{self, BusinessKind, Settings};
use crate::setup;
use crate::store::Store;

/// The app's one database handle. `None` when it could not be opened; the
/// reason is kept to show the owner instead of crashing.
pub struct AppState {
    pub store: Mutex<Option<Store>>,
    pub open_error: Option<String>,
    pub data_dir: PathBuf,
    /// When the process started, to log how long the window took to be usable.
    pub started: std::time::Instant,
}

impl AppState {
    fn store(&self) -> Result<StoreGuard<'_>> {
        // A panic while holding the lock leaves SQLite consistent (every
        // change is a transaction), so a poisoned lock is safe to reuse.
        let guard = self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            let reason = self.open_error.clone().unwrap_or_else(|| "The database is not open.".into());
            return Err(Error::Conflict(reason));
        }
        Ok(StoreGuard(guard))
    }
}

struct StoreGuard<'a>(MutexGuard<'a, Option<Store>>);

impl StoreGuard<'_> {
    fn get(&mut self) -> &mut Store {
        // Checked in `AppState::store`, and the guard holds the lock.
        self.0.as_mut().expect("store presence checked under the same lock")
    }
}

#[derive(Serialize)]
pub struct AppStatus {
    pub error: Option<String>,
    pub data_dir: String,
    pub settings: Option<Settings>,
}

#[tauri::command(async)]
pub fn app_status(state: State<'_, AppState>) -> Result<AppStatus> {
    let data_dir = state.data_dir.display().to_string();
    match state.store() {
        Ok(mut store) => {
            let settings = settings::load(store.get().conn())?;
            Ok(AppStatus { error: None, data_dir, settings: Some(settings) })
        }
        Err(error) => Ok(AppStatus { error: Some(error.to_string()), data_dir, settings: None }),
    }
}

/// Called once by the UI when the search box is ready; logs the start-up time.
#[tauri::command(async)]
pub fn ui_ready(state: State<'_, AppState>) {
    tracing::info!(elapsed_ms = state.started.elapsed().as_millis() as u64, "search box ready");
}

#[tauri::command(async)]
pub fn start_shop(state: State<'_, AppState>, shop_name: String, business_kind: String, with_sample: bool) -> Result<Settings> {
    let kind = BusinessKind::parse(&business_kind)
        .ok_or_else(|| Error::invalid("business_kind", "Choose gym, salon, dog-walking or other."))?;
    setup::start_shop(state.store()?.get().conn_mut(), &shop_name, kind, with_sample, Utc::now())
}

#[tauri::command(async)]
pub fn get_settings(state: State<'_, AppState>) -> Result<Settings> {
    settings::load(state.store()?.get().conn())
}

#[tauri::command(async)]
pub fn save_settings(state: State<'_, AppState>, settings: Settings) -> Result<Settings> {
    settings::save(state.store()?.get().conn_mut(), &settings, Utc::now())
}

#[tauri::command(async)]
pub fn search(state: State<'_, AppState>, query: String, limit: Option<usize>) -> Result<Vec<Hit>> {
    search::search(state.store()?.get().conn(), &query, limit.unwrap_or(search::DEFAULT_LIMIT))
}

#[tauri::command(async)]
pub fn get_card(state: State<'_, AppState>, id: String) -> Result<Card> {
    customers::get(state.store()?.get().conn(), &id)
}

#[tauri::command(async)]
pub fn create_customer(state: State<'_, AppState>, input: CustomerInput) -> Result<Card> {
    customers::create(state.store()?.get().conn_mut(), &input, Utc::now())
}

#[tauri::command(async)]
pub fn update_customer(state: State<'_, AppState>, id: String, input: CustomerInput) -> Result<Card> {
    customers::update(state.store()?.get().conn_mut(), &id, &input, Utc::now())
}

#[tauri::command(async)]
pub fn set_archived(state: State<'_, AppState>, id: String, archived: bool) -> Result<Card> {
    customers::set_archived(state.store()?.get().conn_mut(), &id, archived, Utc::now())
}

#[tauri::command(async)]
pub fn delete_customer(state: State<'_, AppState>, id: String) -> Result<()> {
    customers::delete(state.store()?.get().conn_mut(), &id)
}

#[tauri::command(async)]
pub fn add_note(state: State<'_, AppState>, customer_id: String, body: String, pinned: bool) -> Result<Card> {
    customers::add_note(state.store()?.get().conn_mut(), &customer_id, &body, pinned, Utc::now())
}

#[tauri::command(async)]
pub fn set_note_pinned(state: State<'_, AppState>, note_id: String, pinned: bool) -> Result<Card> {
    customers::set_note_pinned(state.store()?.get().conn_mut(), &note_id, pinned, Utc::now())
}

#[tauri::command(async)]
pub fn delete_note(state: State<'_, AppState>, note_id: String) -> Result<Card> {
    customers::delete_note(state.store()?.get().conn_mut(), &note_id, Utc::now())
}
