//! Regulars: customer cards, front-desk lookup and reminders for small shops.
//!
//! This file is the only Tauri wiring; every other module except
//! `commands` is plain Rust over SQLite and testable without a window.

pub mod backup;
pub mod cli;
pub mod commands;
pub mod complaints;
pub mod customers;
pub mod dashboard;
pub mod error;
pub mod export;
pub mod feedback;
pub mod file_dialog;
pub mod health;
pub mod importer;
pub mod logging;
pub mod loyalty;
pub mod memberships;
pub mod notify;
pub mod onboarding;
pub mod outreach;
pub mod plan_pdf;
pub mod referrals;
pub mod reminders;
pub mod sample;
pub mod scheduler;
pub mod search;
pub mod settings;
pub mod setup;
pub mod store;
pub mod templates;
pub mod text;
pub mod visits;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::{Emitter, Manager};

pub use error::{Error, Result};

/// Opens the data folder and runs the app window until it is closed.
pub fn run_app(data_dir: PathBuf) -> std::result::Result<(), String> {
    let started = std::time::Instant::now();
    // The window is a static page: WebKitGTK's compositing mode buys it
    // nothing, and without it idle CPU (the caret repaint) falls about
    // sixfold and memory by some 50 MB. Set before GTK starts; a value the
    // user chose wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| format!("cannot create the data folder {}: {e}", data_dir.display()))?;
    let _log_guard = logging::init(&data_dir);
    tracing::info!(data_dir = %data_dir.display(), version = env!("CARGO_PKG_VERSION"), "starting");

    // A database that cannot be opened is shown in the window, not a crash.
    let opened = store::Store::open_in(&data_dir).and_then(|mut store| {
        // After an upgrade, fills each customer's stored health once.
        health::ensure_fresh(store.conn_mut(), chrono::Utc::now())?;
        Ok(store)
    });
    let (store, open_error) = match opened {
        Ok(store) => (Some(store), None),
        Err(error) => {
            tracing::error!(%error, "cannot open the database");
            (None, Some(error.to_string()))
        }
    };
    let has_store = store.is_some();
    let store = Arc::new(Mutex::new(store));
    let wake = Arc::new(tokio::sync::Notify::new());
    let away_marker = format!("away:{}", store::timestamp(chrono::Utc::now()));
    let state = commands::AppState {
        store: store.clone(),
        wake: wake.clone(),
        away_marker: away_marker.clone(),
        open_error,
        data_dir: data_dir.clone(),
        started,
    };

    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .setup(move |app| {
            if has_store {
                start_backups(store.clone(), data_dir);
                start_scheduler(app.handle().clone(), store, wake, away_marker);
            }
            Ok(())
        })
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
            commands::get_today,
            commands::snooze_reminder,
            commands::close_reminder,
            commands::get_reminder_rules,
            commands::save_reminder_rules,
            commands::get_membership,
            commands::set_membership,
            commands::renew_membership,
            commands::end_membership,
            commands::choose_file,
            commands::get_dashboard,
            commands::get_health,
            commands::get_review_list,
            commands::get_health_rules,
            commands::save_health_rules,
            commands::record_feedback,
            commands::get_feedback,
            commands::open_complaint,
            commands::add_complaint_update,
            commands::close_complaint,
            commands::get_complaints,
            commands::get_templates,
            commands::save_template,
            commands::preview_template,
            commands::compose_message,
            commands::get_outreach_rules,
            commands::save_outreach_rules,
            commands::get_review_status,
            commands::ask_review,
            commands::set_review_status,
            commands::get_review_candidates,
            commands::get_referrals,
            commands::get_referral_overview,
            commands::mark_referral_thanked,
            commands::open_link,
            commands::get_review_qr,
            commands::print_review_card,
            commands::get_plan_settings,
            commands::save_plan_template,
            commands::reset_plan_template,
            commands::save_shop_contact,
            commands::get_plan,
            commands::start_plan,
            commands::tick_plan_task,
            commands::cancel_plan,
            commands::save_plan_pdf,
            commands::print_plan,
            commands::import_preview,
            commands::import_run,
            commands::import_batches,
            commands::import_undo,
            commands::export_customers,
            commands::export_customer,
            commands::backup_now,
            commands::list_backups,
            commands::save_backup_settings,
            commands::restore_backup,
        ])
        .run(tauri::generate_context!())
        .map_err(|e| {
            tracing::error!(error = %e, "the window failed");
            format!("the window failed: {e}")
        })
}

/// Starts the reminder scheduler. A click on a notification brings the
/// window forward and opens that customer's card.
fn start_scheduler(app: tauri::AppHandle, store: Arc<Mutex<Option<store::Store>>>, wake: Arc<tokio::sync::Notify>, away_marker: String) {
    let click_app = app.clone();
    let on_click: notify::OnClick = Arc::new(move |customer_id: &str| {
        if let Some(window) = click_app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
        if let Err(error) = click_app.emit("open-card", customer_id.to_string()) {
            tracing::warn!(%error, "could not open the card from a notification");
        }
    });
    let notifier: Arc<dyn notify::Notifier> = Arc::new(notify::Desktop { on_click: Some(on_click) });
    let change_app = app.clone();
    let on_change = Box::new(move || {
        if let Err(error) = change_app.emit("reminders-changed", ()) {
            tracing::warn!(%error, "could not tell the window about new reminders");
        }
    });
    tauri::async_runtime::spawn(scheduler::run(store, notifier, wake, away_marker, on_change));
}

/// Automatic backups: one shortly after start, then daily while running,
/// keeping the newest few (see `backup`). Runs off the async threads,
/// holding the store's lock only while SQLite copies the pages.
fn start_backups(store: Arc<Mutex<Option<store::Store>>>, data_dir: PathBuf) {
    tauri::async_runtime::spawn(async move {
        // Let the window and the search box come up first.
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        loop {
            let store = store.clone();
            let dir = data_dir.clone();
            let made = tauri::async_runtime::spawn_blocking(move || {
                let guard = store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                match guard.as_ref() {
                    Some(store) => backup::load_settings(store.conn())
                        .and_then(|settings| backup::automatic(store.conn(), &dir, settings.keep, chrono::Utc::now()))
                        .map(Some),
                    None => Ok(None),
                }
            })
            .await;
            match made {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::error!(%error, "the automatic backup failed"),
                Err(error) => tracing::error!(%error, "the automatic backup task failed"),
            }
            tokio::time::sleep(backup::EVERY).await;
        }
    });
}
