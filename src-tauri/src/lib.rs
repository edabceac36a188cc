//! Regulars: customer cards, front-desk lookup and reminders for small shops.
//!
//! This file is the only Tauri wiring; every other module except
//! `commands` is plain Rust over SQLite and testable without a window.

pub mod cli;
pub mod commands;
pub mod customers;
pub mod error;
pub mod logging;
pub mod loyalty;
pub mod sample;
pub mod search;
pub mod settings;
pub mod setup;
pub mod store;
pub mod text;
pub mod visits;

use std::path::PathBuf;
use std::sync::Mutex;

pub use error::{Error, Result};

/// Opens the data folder and runs the app window until it is closed.
pub fn run_app(data_dir: PathBuf) -> std::result::Result<(), String> {
    let started = std::time::Instant::now();
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| format!("cannot create the data folder {}: {e}", data_dir.display()))?;
    let _log_guard = logging::init(&data_dir);
    tracing::info!(data_dir = %data_dir.display(), version = env!("CARGO_PKG_VERSION"), "starting");

    // A database that cannot be opened is shown in the window, not a crash.
    let (store, open_error) = match store::Store::open_in(&data_dir) {
        Ok(store) => (Some(store), None),
        Err(error) => {
            tracing::error!(%error, "cannot open the database");
            (None, Some(error.to_string()))
        }
    };
    let state = commands::AppState { store: Mutex::new(store), open_error, data_dir, started };

    tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::ui_ready,
            commands::start_shop,
            commands::get_settings,
            commands::save_settings,
            commands::search,
            commands::get_card,
            commands::create_customer,
            commands::update_customer,
            commands::set_archived,
            commands::delete_customer,
            commands::add_note,
            commands::set_note_pinned,
            commands::delete_note,
            commands::get_activity,
            commands::get_history,
            commands::log_interaction,
            commands::check_in,
            commands::undo_interaction,
            commands::complete_task,
            commands::redeem,
            commands::adjust_points,
            commands::get_loyalty_program,
            commands::save_loyalty_program,
        ])
        .run(tauri::generate_context!())
        .map_err(|e| {
            tracing::error!(error = %e, "the window failed");
            format!("the window failed: {e}")
        })
}
