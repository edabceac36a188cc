//! The app window: opens the store, builds the Tauri app with its
//! commands, and starts the scheduler and the automatic backups, each on a
//! connection of its own.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{Emitter, Manager};

use crate::app::state::AppState;
use crate::app::{commands, instance, ipc, notify, photos, scheduler};
use crate::db::store::{self, Store};
use crate::derived::health;
use crate::io::{backup, logging};

/// Opens the data folder and runs the app window until it is closed.
pub fn run(data_dir: PathBuf) -> std::result::Result<(), String> {
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
    let owner = match instance::claim(&data_dir)? {
        instance::Claim::First(owner) => owner,
        instance::Claim::Second { raised } => {
            tracing::info!(raised, "the data folder is open in another copy of the app; this start ends");
            eprintln!(
                "Regulars is already open on {}{}.",
                data_dir.display(),
                if raised { "; its window was brought forward" } else { "" }
            );
            return Ok(());
        }
    };
    tracing::info!(data_dir = %data_dir.display(), version = env!("CARGO_PKG_VERSION"), "starting");

    // A database that cannot be opened is shown in the window, not a crash.
    let opened = Store::open_in(&data_dir).and_then(|mut store| {
        // After an upgrade, fills each customer's stored health once.
        health::ensure_fresh(store.conn_mut(), chrono::Utc::now())?;
        Ok(store)
    });
    let opened = opened.map_err(|error| {
        tracing::error!(error = %logging::error_line(&error), "cannot open the database");
        error.to_string()
    });
    let database = opened.as_ref().ok().map(|store| store.path().to_path_buf());
    let wake = Arc::new(tokio::sync::Notify::new());
    let away_marker = format!("away:{}", crate::kernel::time::timestamp(chrono::Utc::now()));
    let state = AppState::new(opened, wake.clone(), away_marker.clone(), data_dir.clone(), started);

    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        // The photos' pictures (see `app::photos`), read off the main thread.
        .register_asynchronous_uri_scheme_protocol(photos::SCHEME, |ctx, request, responder| {
            let app = ctx.app_handle().clone();
            tauri::async_runtime::spawn_blocking(move || {
                let state = app.state::<AppState>();
                responder.respond(photos::answer(&state, &request));
            });
        })
        .setup(move |app| {
            let raise_app = app.handle().clone();
            owner.listen(move || {
                if let Some(window) = raise_app.get_webview_window("main") {
                    let _ = window.unminimize();
                    let _ = window.show();
                    let _ = window.set_focus();
                }
            });
            // Held (the lock with it) for as long as the app runs.
            app.manage(owner);
            if let Some(database) = database {
                start_backups(database.clone(), data_dir);
                start_scheduler(app.handle().clone(), database, wake, away_marker);
            }
            Ok(())
        })
        .invoke_handler(ipc::guarded(tauri::generate_handler![
            commands::shop::app_status,
            commands::owner::get_owner_state,
            commands::owner::unlock_owner,
            commands::owner::lock_owner,
            commands::owner::set_owner_pin,
            commands::owner::set_auto_lock,
            commands::owner::get_audit,
            commands::shop::ui_ready,
            commands::shop::start_shop,
            commands::shop::get_settings,
            commands::shop::save_settings,
            commands::shop::choose_file,
            commands::desk::search,
            commands::desk::get_card_view,
            commands::desk::get_activity,
            commands::desk::get_history,
            commands::desk::log_interaction,
            commands::desk::check_in,
            commands::desk::undo_interaction,
            commands::desk::complete_task,
            commands::desk::redeem,
            commands::desk::adjust_points,
            commands::cards::create_customer,
            commands::cards::update_customer,
            commands::cards::set_archived,
            commands::cards::delete_customer,
            commands::cards::add_note,
            commands::cards::set_note_pinned,
            commands::cards::delete_note,
            commands::cards::get_membership,
            commands::cards::set_membership,
            commands::cards::renew_membership,
            commands::cards::end_membership,
            commands::cards::get_health,
            commands::cards::record_feedback,
            commands::cards::get_feedback,
            commands::cards::open_complaint,
            commands::cards::add_complaint_update,
            commands::cards::close_complaint,
            commands::cards::get_complaints,
            commands::cards::set_photo_from_file,
            commands::cards::paste_photo,
            commands::cards::remove_photo,
            commands::cards::sell_pass,
            commands::cards::adjust_pass,
            commands::cards::save_pet,
            commands::cards::add_vaccination,
            commands::cards::delete_vaccination,
            commands::today::get_today,
            commands::today::snooze_reminder,
            commands::today::close_reminder,
            commands::today::get_dashboard,
            commands::today::get_review_list,
            commands::settings::get_loyalty_program,
            commands::settings::save_loyalty_program,
            commands::settings::get_reminder_rules,
            commands::settings::save_reminder_rules,
            commands::settings::get_health_rules,
            commands::settings::save_health_rules,
            commands::settings::get_templates,
            commands::settings::save_template,
            commands::settings::preview_template,
            commands::settings::get_outreach_rules,
            commands::settings::save_outreach_rules,
            commands::settings::get_plan_settings,
            commands::settings::save_plan_template,
            commands::settings::reset_plan_template,
            commands::settings::save_shop_contact,
            commands::settings::get_pass_types,
            commands::settings::save_pass_types,
            commands::settings::get_pet_settings,
            commands::settings::save_pet_settings,
            commands::outreach::compose_message,
            commands::outreach::get_review_status,
            commands::outreach::ask_review,
            commands::outreach::set_review_status,
            commands::outreach::get_review_candidates,
            commands::outreach::get_referrals,
            commands::outreach::get_referral_overview,
            commands::outreach::mark_referral_thanked,
            commands::outreach::open_message,
            commands::outreach::print_review_card,
            commands::outreach::get_review_qr,
            commands::plans::get_plan,
            commands::plans::start_plan,
            commands::plans::tick_plan_task,
            commands::plans::cancel_plan,
            commands::plans::save_plan_pdf,
            commands::plans::print_plan,
            commands::data::import_preview,
            commands::data::import_run,
            commands::data::import_batches,
            commands::data::import_undo,
            commands::data::export_customers,
            commands::data::export_customer,
            commands::data::export_contacts,
            commands::data::export_contact,
            commands::data::get_calendar,
            commands::data::set_calendar_file,
            commands::data::stop_calendar,
            commands::data::backup_now,
            commands::data::list_backups,
            commands::data::save_backup_settings,
            commands::data::restore_backup,
            commands::data::restore_from_file,
            #[cfg(feature = "test-switches")]
            crate::app::test_switches::panic_on_purpose,
        ]))
        .run(tauri::generate_context!())
        .map_err(|e| {
            tracing::error!(error = %e, "the window failed");
            format!("the window failed: {e}")
        })
}

/// Starts the reminder scheduler on its own connection. A click on a
/// notification brings the window forward and opens that customer's card.
fn start_scheduler(app: tauri::AppHandle, database: PathBuf, wake: Arc<tokio::sync::Notify>, away_marker: String) {
    let store = match Store::open(&database) {
        Ok(store) => store,
        Err(error) => {
            tracing::error!(error = %logging::error_line(&error), "the scheduler cannot open the database: no reminders this time");
            return;
        }
    };
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
/// keeping the newest few (see `backup`). Each runs on a read connection of
/// its own, so the desk's reads and writes go on while SQLite copies pages.
fn start_backups(database: PathBuf, data_dir: PathBuf) {
    tauri::async_runtime::spawn(async move {
        // Let the window and the search box come up first.
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        loop {
            let database = database.clone();
            let dir = data_dir.clone();
            let made = tauri::async_runtime::spawn_blocking(move || {
                let conn = store::open_reader(&database)?;
                let settings = backup::load_settings(&conn)?;
                backup::automatic(&conn, &dir, settings.keep, chrono::Utc::now())
            })
            .await;
            match made {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::error!(error = %logging::error_line(&error), "the automatic backup failed"),
                Err(error) => tracing::error!(%error, "the automatic backup task failed"),
            }
            tokio::time::sleep(backup::EVERY).await;
        }
    });
}
