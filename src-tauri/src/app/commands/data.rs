//! Data in and out: spreadsheet import (preview, run, undo), export,
//! backups and restore.

use std::path::Path;

use chrono::Utc;
use serde::Serialize;
use tauri::State;

use crate::app::state::AppState;
use crate::io::{backup, export, importer};
use crate::kernel::error::Result;

#[tauri::command(async)]
pub fn import_preview(state: State<'_, AppState>, path: String, options: importer::Options) -> Result<importer::Preview> {
    state.read(|conn| importer::preview_file(conn, Path::new(&path), &options, Utc::now()))
}

#[tauri::command(async)]
pub fn import_run(state: State<'_, AppState>, path: String, options: importer::Options) -> Result<importer::Report> {
    state.write(|conn| importer::import_file(conn, Path::new(&path), &options, Utc::now()))
}

#[tauri::command(async)]
pub fn import_batches(state: State<'_, AppState>) -> Result<Vec<importer::Batch>> {
    state.read(importer::batches)
}

#[tauri::command(async)]
pub fn import_undo(state: State<'_, AppState>, batch_id: String) -> Result<importer::UndoReport> {
    state.write(|conn| importer::undo(conn, &batch_id, Utc::now()))
}

#[tauri::command(async)]
pub fn export_customers(state: State<'_, AppState>, path: String) -> Result<usize> {
    state.read(|conn| export::export_customers_csv(conn, Path::new(&path)))
}

#[tauri::command(async)]
pub fn export_customer(state: State<'_, AppState>, id: String, path: String) -> Result<()> {
    state.read(|conn| export::export_customer_json(conn, &id, Path::new(&path), Utc::now()))
}

#[tauri::command(async)]
pub fn backup_now(state: State<'_, AppState>, path: String) -> Result<()> {
    state.read(|conn| backup::backup_to(conn, Path::new(&path)))
}

#[derive(Serialize)]
pub struct BackupsView {
    pub folder: String,
    pub settings: backup::BackupSettings,
    pub backups: Vec<backup::BackupInfo>,
}

#[tauri::command(async)]
pub fn list_backups(state: State<'_, AppState>) -> Result<BackupsView> {
    let settings = state.read(backup::load_settings)?;
    let backups = backup::list(&state.data_dir)?;
    Ok(BackupsView { folder: backup::backups_dir(&state.data_dir).display().to_string(), settings, backups })
}

#[tauri::command(async)]
pub fn save_backup_settings(state: State<'_, AppState>, settings: backup::BackupSettings) -> Result<backup::BackupSettings> {
    state.write(|conn| backup::save_settings(conn, &settings, Utc::now()))
}

/// Replaces the data with a backup (the current data is saved first); the
/// page reloads afterwards. Returns where the current data was saved.
#[tauri::command(async)]
pub fn restore_backup(state: State<'_, AppState>, path: String) -> Result<String> {
    let saved = state.replace_store(|slot| backup::restore(slot, &state.data_dir, Path::new(&path), Utc::now()))?;
    Ok(saved.display().to_string())
}
