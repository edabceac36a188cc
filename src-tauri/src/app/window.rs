//! The app window: opens the store, builds the Tauri app with its
//! commands, and starts the scheduler and the automatic backups, each on a
//! connection of its own.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::Manager;

use crate::app::state::{AppState, Opened};
use crate::app::{background, commands, instance, ipc, photos, tray, updates};
use crate::db::store::Store;
use crate::io::logging;
use crate::io::vault::{self, Ask, Door, SystemKeychain};
use crate::kernel::error::{Error, Result};

/// Opens the shop at start when it can be without asking: a new shop
/// (encrypted with a key kept in the keychain), or an encrypted one whose
/// key the keychain gives. Otherwise says what the window must ask.
fn open(data_dir: &std::path::Path) -> Result<Opened> {
    vault::tidy(data_dir);
    match vault::look(data_dir, &SystemKeychain)? {
        Door::New => match vault::new_key(&SystemKeychain, None) {
            Ok((key, keeper)) => vault::create(data_dir, &key, &keeper).and_then(background::ready).map(Opened::Store),
            Err(Error::Invalid { reason, .. }) => Ok(Opened::Ask { ask: Ask::NewPassphrase, why: reason }),
            Err(error) => Err(error),
        },
        Door::Plain => Ok(Opened::Ask {
            ask: Ask::Convert,
            why: "This shop's data is saved as a plain file: anyone who copies the data folder can read every note."
                .into(),
        }),
        Door::Open(key) => match Store::open_with(&vault::database(data_dir), Some(&key)) {
            Ok(store) => background::ready(store).map(Opened::Store),
            Err(Error::WrongKey) => Ok(Opened::Ask {
                ask: Ask::RecoveryKey,
                why: "The key in this computer's keychain does not open this shop's data.".into(),
            }),
            Err(error) => Err(error),
        },
        Door::Ask { ask, why } => Ok(Opened::Ask { ask, why }),
    }
}

/// Only the app's own pages load in the window: a script that got into
/// the page (a crafted file's text rendered wrongly one day) must not send
/// data away by navigating to an address of its own. Links the shop opens
/// (mail, SMS, a printed PDF) go through `app::desktop`, never the window.
fn navigation_guard<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_, url| {
            let own = is_own_page(url);
            if !own {
                tracing::warn!(scheme = url.scheme(), "a navigation away from the app was refused");
            }
            own
        })
        .build()
}

/// Whether `url` is one of the app's own pages: Tauri serves `ui/` as
/// `tauri://localhost` on Linux and macOS and `http(s)://tauri.localhost`
/// on Windows.
pub fn is_own_page(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

/// Opens the data folder and runs the app window until it is closed.
pub fn run(data_dir: PathBuf, at_login: bool) -> std::result::Result<(), String> {
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

    // A database that cannot be opened is shown in the window, not a crash;
    // one whose key must be typed (or a plain one, to be encrypted) waits
    // for the owner's answer there.
    // Pages printed before the last quit have long been printed.
    crate::io::erase::prune_printed(&data_dir, std::time::Duration::ZERO);
    let opened = open(&data_dir).map_err(|error| {
        tracing::error!(error = %logging::error_line(&error), "cannot open the database");
        error.to_string()
    });
    let wake = Arc::new(tokio::sync::Notify::new());
    let away_marker = format!("away:{}", crate::kernel::time::timestamp(chrono::Utc::now()));
    let state = AppState::new(opened, wake.clone(), away_marker, data_dir.clone(), started);

    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        // Installs a verified update (see app::updates); its own commands
        // are not allowed to the page (no permission in capabilities).
        .plugin(tauri_plugin_updater::Builder::new().build())
        // Start at login (see app::autostart); likewise Rust-only.
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![crate::app::autostart::AT_LOGIN]),
        ))
        .plugin(navigation_guard())
        .manage(state)
        .on_window_event(tray::on_window_event)
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
            // Also what brings a window closed to the tray back.
            owner.listen(move || tray::show_window(&raise_app));
            tray::build(app.handle());
            // Held (the lock with it) for as long as the app runs.
            app.manage(owner);
            app.manage(background::Wake(wake.clone()));
            app.manage(updates::LastCheck::default());
            app.manage(crate::app::mail::MailEngine::default());
            let state = app.state::<AppState>();
            if state.gate().0 == Ask::Nothing && state.read(|_| Ok(())).is_ok() {
                background::start(app.handle(), &state, wake);
                if at_login {
                    tray::start_in_tray(app.handle());
                }
            }
            Ok(())
        })
        .invoke_handler(ipc::guarded(tauri::generate_handler![
            commands::shop::app_status,
            commands::sharing::get_sharing_status,
            commands::sharing::share_shop,
            commands::sharing::stop_sharing,
            commands::sharing::remove_device,
            commands::sharing::join_shop,
            commands::vault::create_with_passphrase,
            commands::vault::open_with_key,
            commands::vault::encrypt_shop,
            commands::vault::keep_plain_for_now,
            commands::vault::save_recovery_sheet,
            commands::vault::reset_pin_with_recovery_key,
            commands::owner::get_owner_state,
            commands::owner::owner_activity,
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
            commands::cards::set_membership,
            commands::cards::renew_membership,
            commands::cards::end_membership,
            commands::cards::record_feedback,
            commands::cards::open_complaint,
            commands::cards::add_complaint_update,
            commands::cards::close_complaint,
            commands::cards::choose_photo,
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
            commands::outreach::ask_review,
            commands::outreach::set_review_status,
            commands::outreach::get_review_candidates,
            commands::outreach::get_referral_overview,
            commands::outreach::thank_referrer,
            commands::outreach::get_review_qr,
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
            commands::updates::get_updates,
            commands::updates::check_for_updates,
            commands::updates::install_update,
            commands::updates::set_update_checks,
            commands::updates::set_start_at_login,
            commands::mail::get_mail_screen,
            commands::mail::save_mail_account,
            commands::mail::count_group,
            commands::mail::save_group,
            commands::mail::remove_group,
            commands::mail::preview_group_message,
            commands::mail::send_test_message,
            commands::mail::send_group_message,
            commands::mail::get_mail_progress,
            commands::mail::set_mail_state,
            commands::mail::retry_mail,
            commands::mail::set_news_consent,
            #[cfg(feature = "test-switches")]
            crate::app::test_switches::panic_on_purpose,
        ]))
        .run(tauri::generate_context!())
        .map_err(|e| {
            tracing::error!(error = %e, "the window failed");
            format!("the window failed: {e}")
        })
}
