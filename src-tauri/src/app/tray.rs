//! The tray icon, so reminders keep firing when the window is closed: with
//! the icon shown, closing the window hides it and the app (its scheduler,
//! its backups) goes on; the icon's menu opens the window again or quits.
//! A notification's click opens the card in the hidden window as well, and
//! starting Regulars again from the menu brings the window back (one copy
//! per data folder, see `instance`).
//!
//! Only where the desktop shows tray icons: on Linux that is a
//! StatusNotifierWatcher on the session bus (KDE, Cinnamon, MATE, Xfce,
//! Ubuntu's GNOME; plain GNOME only with an extension) and the
//! AppIndicator library to draw the icon with. Without them closing the
//! window quits, as a hidden window nobody can bring back or quit would be
//! worse than reminders that wait for the next start.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::menu::{Menu, MenuEvent, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Runtime, Window, WindowEvent};

use crate::app::notify::{self, Notifier};
use crate::app::state::AppState;
use crate::records::reminders;

/// The tray icon's id.
pub const TRAY_ID: &str = "regulars";
const OPEN: &str = "open";
const TODAY: &str = "today";
const QUIT: &str = "quit";

/// The menu's "Today's reminders" line, kept to change its count.
struct TodayItem<R: Runtime>(MenuItem<R>);

/// Whether the note "Regulars keeps running" was shown in this run.
static NOTE_SHOWN: AtomicBool = AtomicBool::new(false);

/// Whether this desktop shows tray icons (see the module comment).
#[cfg(target_os = "linux")]
pub fn desktop_shows_icons() -> bool {
    watcher_on_bus() && indicator_library_loads()
}

#[cfg(not(target_os = "linux"))]
pub fn desktop_shows_icons() -> bool {
    true // the Windows notification area and the macOS menu bar always do
}

/// A StatusNotifierWatcher (the tray host's registry) on the session bus.
#[cfg(target_os = "linux")]
fn watcher_on_bus() -> bool {
    let Ok(bus) = dbus::blocking::Connection::new_session() else {
        return false;
    };
    let proxy = bus.with_proxy("org.freedesktop.DBus", "/org/freedesktop/DBus", std::time::Duration::from_secs(2));
    let answer: Result<(bool,), dbus::Error> =
        proxy.method_call("org.freedesktop.DBus", "NameHasOwner", ("org.kde.StatusNotifierWatcher",));
    answer.is_ok_and(|(owned,)| owned)
}

/// The AppIndicator library the tray icon is drawn with: the tray crate
/// loads it at run time and panics when it is missing, so it is tried here
/// first. The package depends on it; a build from source may lack it.
#[cfg(target_os = "linux")]
fn indicator_library_loads() -> bool {
    ["libayatana-appindicator3.so.1", "libappindicator3.so.1"].iter().any(|name| {
        let Ok(name) = std::ffi::CString::new(*name) else {
            return false;
        };
        // SAFETY: dlopen with a valid C string; the handle is closed at
        // once. The library's constructors run, as they would when the
        // tray crate loads it for good a moment later.
        unsafe {
            let handle = libc::dlopen(name.as_ptr(), libc::RTLD_LAZY | libc::RTLD_LOCAL);
            if handle.is_null() {
                false
            } else {
                libc::dlclose(handle);
                true
            }
        }
    })
}

/// Puts the icon in the tray, when the desktop shows one; then closing
/// the window hides it (see `on_window_event`).
pub fn build<R: Runtime>(app: &AppHandle<R>) {
    if !desktop_shows_icons() {
        tracing::info!("no tray on this desktop: closing the window quits");
        return;
    }
    match try_build(app) {
        Ok(()) => tracing::info!("tray icon shown: closing the window keeps the reminders running"),
        Err(error) => tracing::warn!(%error, "could not show the tray icon: closing the window quits"),
    }
}

fn try_build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Regulars", true, None::<&str>)?;
    let today = MenuItem::with_id(app, TODAY, today_label(None), true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit Regulars", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &today, &quit])?;
    app.manage(TodayItem(today));
    let mut tray = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Regulars")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu_event);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match event.id().as_ref() {
        OPEN => show_window(app),
        TODAY => {
            show_window(app);
            if let Err(error) = app.emit("open-today", ()) {
                tracing::warn!(%error, "could not open Today from the tray");
            }
        }
        QUIT => {
            tracing::info!("quit from the tray");
            app.exit(0);
        }
        _ => {}
    }
}

/// The menu line for Today: how many reminders are due (`None` before the
/// shop has been read).
fn today_label(due: Option<i64>) -> String {
    match due {
        None | Some(0) => "Today's reminders".into(),
        Some(due) => format!("Today's reminders ({due} due)"),
    }
}

/// Shows how many reminders are due in the tray's menu (the window's Today
/// badge asks for the count whenever it changes, and so updates this).
pub fn show_due_count<R: Runtime>(app: &AppHandle<R>, due: i64) {
    if let Some(item) = app.try_state::<TodayItem<R>>() {
        if let Err(error) = item.0.set_text(today_label(Some(due))) {
            tracing::warn!(%error, "could not update the tray's count");
        }
    }
}

/// Brings the main window back and forward.
pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// A start at login (`autostart::AT_LOGIN`) goes straight to the tray:
/// the window is hidden, as if closed, when the tray icon is there and the
/// owner keeps Regulars running in it; else the window stays, since
/// nothing would show that Regulars is running.
pub fn start_in_tray<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else { return };
    if app.tray_by_id(TRAY_ID).is_none() || !keep_running(app) {
        return;
    }
    match window.hide() {
        Ok(()) => tracing::info!("started at login, in the tray"),
        Err(error) => tracing::warn!(%error, "could not start in the tray; the window stays open"),
    }
}

/// Whether the app should go on with the window closed: the shop is open
/// (else there is no scheduler to keep running) and the owner has left
/// "Keep running in the tray" on (the reminder rules).
fn keep_running<R: Runtime>(app: &AppHandle<R>) -> bool {
    let Some(state) = app.try_state::<AppState>() else {
        return false;
    };
    match state.read(reminders::load_rules) {
        Ok(rules) => rules.keep_running_in_tray,
        Err(error) => {
            tracing::info!(error = %error, "the shop is not open: closing the window quits");
            false
        }
    }
}

/// Closing the main window hides it while the tray icon is there and the
/// owner keeps it so, so the scheduler keeps firing; the first time in a
/// run a notification says so.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else {
        return;
    };
    if window.label() != "main"
        || window.app_handle().tray_by_id(TRAY_ID).is_none()
        || !keep_running(window.app_handle())
    {
        return;
    }
    api.prevent_close();
    if let Err(error) = window.hide() {
        tracing::warn!(%error, "could not hide the window; it stays open");
        return;
    }
    tracing::info!("window closed to the tray");
    if !NOTE_SHOWN.swap(true, Ordering::AcqRel) {
        let note = notify::Message {
            title: "Regulars is still running".into(),
            body:
                "Reminders keep coming while the window is closed. Open Regulars or quit it from its icon in the tray."
                    .into(),
            customer_id: None,
        };
        // Off the main thread: a notification server that is slow to
        // answer must not hold up the window.
        std::thread::spawn(move || {
            if let Err(error) = (notify::Desktop { on_click: None }).notify(&note) {
                tracing::warn!(%error, "could not show the note about the tray");
            }
        });
    }
}
