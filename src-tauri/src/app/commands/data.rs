//! Data in and out: spreadsheet import (preview, run, undo), export,
//! backups and restore. Files come as tokens from `choose_file`, never as
//! paths from the page (see `file_dialog`).

use std::path::Path;

use chrono::Utc;
use serde::Serialize;
use tauri::State;

use crate::app::files::Purpose;
use crate::app::owner;
use crate::app::state::AppState;
use crate::io::{backup, calendar, export, importer};
use crate::kernel::error::{Error, Result};
use crate::records::customers;
use ts_rs::TS;

#[tauri::command]
pub fn import_preview(
    state: State<'_, AppState>,
    file: String,
    options: importer::Options,
) -> Result<importer::Preview> {
    let path = state.files.path(&file, Purpose::Import, &state.data_dir)?;
    state.read(|conn| importer::preview_file(conn, &path, &options, Utc::now()))
}

#[tauri::command]
pub fn import_run(state: State<'_, AppState>, file: String, options: importer::Options) -> Result<importer::Report> {
    let path = state.files.path(&file, Purpose::Import, &state.data_dir)?;
    let key = state.key();
    owner::audited(
        &state,
        "imported",
        |report: &importer::Report| {
            format!(
                "{} added, {} merged, {} skipped, {} left out",
                report.imported, report.merged, report.skipped, report.rejected
            )
        },
        |conn| importer::import_file(conn, key.as_ref(), &path, &options, Utc::now()),
    )
}

#[tauri::command]
pub fn import_batches(state: State<'_, AppState>) -> Result<Vec<importer::Batch>> {
    state.read(importer::batches)
}

#[tauri::command]
pub fn import_undo(state: State<'_, AppState>, batch_id: String) -> Result<importer::UndoReport> {
    owner::audited(
        &state,
        "undid an import",
        |undone: &importer::UndoReport| {
            format!("batch {batch_id}: {} deleted, {} restored", undone.deleted, undone.restored)
        },
        |conn| importer::undo(conn, &batch_id, Utc::now()),
    )
}

#[tauri::command]
pub fn export_customers(state: State<'_, AppState>, file: String) -> Result<usize> {
    let path = state.files.path(&file, Purpose::ExportAll, &state.data_dir)?;
    export(&state, Export::Customers, &path)
}

#[tauri::command]
pub fn export_customer(state: State<'_, AppState>, id: String, file: String) -> Result<()> {
    let path = state.files.path(&file, Purpose::ExportCustomer, &state.data_dir)?;
    export(&state, Export::Customer(&id), &path).map(|_| ())
}

/// Every customer as vCard 4.0 contacts (for the shop's phone or another tool).
#[tauri::command]
pub fn export_contacts(state: State<'_, AppState>, file: String) -> Result<usize> {
    let path = state.files.path(&file, Purpose::ExportContacts, &state.data_dir)?;
    export(&state, Export::Contacts, &path)
}

/// One customer as a vCard contact.
#[tauri::command]
pub fn export_contact(state: State<'_, AppState>, id: String, file: String) -> Result<usize> {
    let path = state.files.path(&file, Purpose::ExportContact, &state.data_dir)?;
    export(&state, Export::Contact(&id), &path)
}

/// What leaves the shop in a file, each with its line in the audit trail.
pub enum Export<'a> {
    /// Every customer as CSV.
    Customers,
    /// One customer's complete data as JSON.
    Customer(&'a str),
    /// Every customer as vCard contacts.
    Contacts,
    /// One customer as a vCard contact.
    Contact(&'a str),
    /// The whole shop, as a backup file.
    Backup,
}

/// Writes `what` to `path`; how many customers it holds (one for a single
/// customer; none for a backup). Its line goes into the audit trail
/// first (`owner::record_first`): an export whose line cannot be written
/// writes nothing. It is read in one snapshot, so the count in the line is
/// the count in the file.
pub fn export(state: &AppState, what: Export<'_>, path: &Path) -> Result<usize> {
    // Asked before the snapshot is taken: a read inside a read could wait
    // for the very connection it holds.
    let who = owner::who(state)?;
    if let Export::Backup = what {
        owner::record_first(state, who, "saved a backup to a file", "")?;
        let key = state.key();
        return state.read(|conn| backup::backup_to(conn, path, key.as_ref())).map(|()| 0);
    }
    state.read(|conn| {
        let snapshot = conn.unchecked_transaction()?;
        let everyone = || customers::count(&snapshot);
        let (action, detail) = match what {
            Export::Customers => ("exported every customer (CSV)", format!("{} customers", everyone()?)),
            Export::Contacts => ("exported every customer as contacts", format!("{} contacts", everyone()?)),
            Export::Customer(id) => ("exported one customer's data", format!("customer {id}")),
            Export::Contact(id) => ("exported one customer as a contact", format!("customer {id}")),
            Export::Backup => return Ok(0),
        };
        owner::record_first(state, who, action, &detail)?;
        match what {
            Export::Customers => export::export_customers_csv(&snapshot, path),
            Export::Contacts => export::export_vcards(&snapshot, None, path),
            Export::Customer(id) => export::export_customer_json(&snapshot, id, path, Utc::now()).map(|()| 1),
            Export::Contact(id) => export::export_vcards(&snapshot, Some(id), path),
            Export::Backup => Ok(0),
        }
    })
}

/// Where the birthdays-and-renewals calendar is kept, if anywhere.
#[derive(Serialize, TS)]
pub struct CalendarView {
    /// The file's full path, to show the owner where it is.
    pub file: Option<String>,
    /// How many events it holds (when it was just written).
    pub events: Option<usize>,
}

#[tauri::command]
pub fn get_calendar(state: State<'_, AppState>) -> Result<CalendarView> {
    let setting = state.read(calendar::load_setting)?;
    Ok(CalendarView { file: setting.map(|s| s.path.display().to_string()), events: None })
}

/// Writes the calendar to the file chosen with `choose_file` now, and keeps
/// it up to date from then on (the scheduler rewrites it after changes).
#[tauri::command]
pub fn set_calendar_file(state: State<'_, AppState>, file: String) -> Result<CalendarView> {
    let path = state.files.path(&file, Purpose::Calendar, &state.data_dir)?;
    let (events, _) = state.read(|conn| calendar::write_calendar(conn, &path))?;
    let setting = calendar::CalendarFile { path: path.clone() };
    owner::audited(
        &state,
        "kept a calendar file",
        |_| format!("{events} events"),
        |conn| calendar::save_setting(conn, Some(&setting), Utc::now()),
    )?;
    Ok(CalendarView { file: Some(path.display().to_string()), events: Some(events) })
}

/// Stops keeping the calendar file (the file stays as it was last written).
#[tauri::command]
pub fn stop_calendar(state: State<'_, AppState>) -> Result<CalendarView> {
    owner::audited(
        &state,
        "stopped the calendar file",
        |_| String::new(),
        |conn| calendar::save_setting(conn, None, Utc::now()),
    )?;
    Ok(CalendarView { file: None, events: None })
}

#[tauri::command]
pub fn backup_now(state: State<'_, AppState>, file: String) -> Result<()> {
    let path = state.files.path(&file, Purpose::Backup, &state.data_dir)?;
    export(&state, Export::Backup, &path).map(|_| ())
}

#[derive(Serialize, TS)]
pub struct BackupsView {
    pub folder: String,
    pub settings: backup::BackupSettings,
    pub backups: Vec<backup::BackupInfo>,
}

#[tauri::command]
pub fn list_backups(state: State<'_, AppState>) -> Result<BackupsView> {
    let settings = state.read(backup::load_settings)?;
    let backups = backup::list(&state.data_dir)?;
    Ok(BackupsView { folder: backup::backups_dir(&state.data_dir).display().to_string(), settings, backups })
}

#[tauri::command]
pub fn save_backup_settings(
    state: State<'_, AppState>,
    settings: backup::BackupSettings,
) -> Result<backup::BackupSettings> {
    owner::audited(
        &state,
        "changed settings",
        |_| "backups".into(),
        |conn| backup::save_settings(conn, &settings, Utc::now()),
    )
}

/// Replaces the data with one of the backups in the list, named by its
/// file name (the current data is saved first); the page reloads
/// afterwards. Returns where the current data was saved.
#[tauri::command]
pub fn restore_backup(state: State<'_, AppState>, file_name: String) -> Result<String> {
    let listed = backup::list(&state.data_dir)?
        .into_iter()
        .find(|b| b.file_name == file_name)
        .ok_or_else(|| Error::invalid("backup", "That backup is not in the list any more."))?;
    restore(&state, std::path::Path::new(&listed.path))
}

/// The same from a backup file chosen with `choose_file`.
#[tauri::command]
pub fn restore_from_file(state: State<'_, AppState>, file: String) -> Result<String> {
    let path = state.files.path(&file, Purpose::Restore, &state.data_dir)?;
    restore(&state, &path)
}

// Not changed with the exports above: the restore's audit line is being
// reworked separately (it is still written after the restore, into the
// restored data, in a transaction of its own).
fn restore(state: &AppState, path: &std::path::Path) -> Result<String> {
    let key = state.key();
    // The restore writes its own line into the trail it keeps, in the
    // transaction that prepares the restored data.
    let saved = state.replace_store(|slot| backup::restore(slot, &state.data_dir, path, key.as_ref(), Utc::now()))?;
    Ok(saved.display().to_string())
}
