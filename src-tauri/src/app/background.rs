//! What runs beside the window once the shop is open: the reminder
//! scheduler and the automatic backups, each on a connection of its own.
//! Started once, at start for a shop that opens at once, or when the
//! owner's passphrase or recovery key (or consent to encrypt) opens it.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tauri::{Emitter, Manager};

use crate::app::state::AppState;
use crate::app::{memory, notify, scheduler};
use crate::db::store::{self, Store};
use crate::io::{backup, logging};
use crate::kernel::secret::Key;

/// The most the scheduler's connection keeps of decrypted pages: a pass
/// reads the same few hundred 4 KB pages each time (`bench:
/// due_reminders_pages`), about 2 MB.
const SCHEDULER_CACHE_MB: i64 = 8;

/// The scheduler's wake-up, kept by the app for the commands that open
/// the shop after start.
pub struct Wake(pub Arc<tokio::sync::Notify>);

/// A shop just opened, made ready: after an upgrade, each customer's
/// stored health is filled once.
pub fn ready(mut store: Store) -> crate::kernel::error::Result<Store> {
    crate::derived::health::ensure_fresh(store.conn_mut(), chrono::Utc::now())?;
    // What that read of every card left in the writer's cache (up to 8 MB
    // for an encrypted shop) is not what the desk will change.
    store.release_page_cache()?;
    // The memory this frees goes back after the search warm-up, which
    // follows off the start's path (`warm_up`).
    Ok(store)
}

/// Starts the scheduler and the automatic backups, unless they run already.
pub fn start(app: &tauri::AppHandle, state: &AppState, wake: Arc<tokio::sync::Notify>) {
    if state.background_started.swap(true, Ordering::AcqRel) {
        return;
    }
    let database = state.data_dir.join(store::DATABASE_FILE);
    let key = state.key();
    warm_up(app.clone());
    start_backups(database.clone(), state.data_dir.clone(), key.clone());
    start_print_pruning(state.data_dir.clone());
    start_scheduler(app.clone(), database, key, wake, state.away_marker.clone(), state.data_dir.clone());
    crate::app::sync::start(app);
    crate::app::updates::start_daily_check(app.clone());
    crate::app::autostart::first_start(app, state);
    crate::app::mail::start(app);
}

/// Starts the reminder scheduler on its own connection. A click on a
/// notification brings the window forward and opens that customer's card.
fn start_scheduler(
    app: tauri::AppHandle,
    database: PathBuf,
    key: Option<Key>,
    wake: Arc<tokio::sync::Notify>,
    away_marker: String,
    data_dir: PathBuf,
) {
    // A pass reads the same few hundred pages each time (`bench:
    // due_reminders_pages`): 8 MB, as the writer, keeps them decrypted.
    let store = match Store::open_with(&database, key.as_ref())
        .and_then(|store| store.limit_page_cache(SCHEDULER_CACHE_MB).map(|()| store))
    {
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
    tauri::async_runtime::spawn(scheduler::run(store, notifier, wake, away_marker, data_dir, on_change));
}

/// Automatic backups: one shortly after start, then daily while running,
/// keeping the newest few (see `backup`). Each runs on a read connection of
/// its own, so the desk's reads and writes go on while SQLite copies pages.
fn start_backups(database: PathBuf, data_dir: PathBuf, key: Option<Key>) {
    tauri::async_runtime::spawn(async move {
        // Let the window and the search box come up first.
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        loop {
            let database = database.clone();
            let dir = data_dir.clone();
            let key = key.clone();
            let made = tauri::async_runtime::spawn_blocking(move || {
                let conn = store::open_streaming_reader(&database, key.as_ref())?;
                let settings = backup::load_settings(&conn)?;
                backup::automatic(&conn, &dir, settings.keep, key.as_ref(), chrono::Utc::now())
            })
            .await;
            memory::give_back_freed();
            match made {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::error!(error = %logging::error_line(&error), "the automatic backup failed"),
                Err(error) => tracing::error!(%error, "the automatic backup task failed"),
            }
            tokio::time::sleep(backup::EVERY).await;
        }
    });
}

/// Every minute, the pages sent to print more than `erase::PRINTED_KEEP`
/// ago are removed from `print/`.
fn start_print_pruning(data_dir: PathBuf) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            let removed = crate::io::erase::prune_printed(&data_dir, crate::io::erase::PRINTED_KEEP);
            if removed > 0 {
                tracing::info!(removed, "printed pages removed");
            }
        }
    });
}

/// Fills the first read connection's page cache with what a type-ahead
/// reads (`search::warm_up`), off the window's thread, so the desk's first
/// keystrokes find it decrypted. A search typed meanwhile takes another
/// read connection.
fn warm_up(app: tauri::AppHandle) {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let started = std::time::Instant::now();
        match state.read(crate::db::search::warm_up) {
            Ok(rows) => tracing::info!(rows, elapsed_ms = started.elapsed().as_millis() as u64, "search warmed up"),
            Err(error) => tracing::warn!(error = %logging::error_line(&error), "the search warm-up failed"),
        }
        memory::give_back_freed();
    });
}
