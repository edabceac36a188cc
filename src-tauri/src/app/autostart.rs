//! Start at login, through `tauri-plugin-autostart`: on Linux an XDG
//! autostart entry (`~/.config/autostart/Regulars.desktop`; the plugin's
//! `auto-launch` 0.6 writes it under `$HOME/.config`, not
//! `$XDG_CONFIG_HOME`), a Login Item on macOS, the Run key on Windows. The
//! entry itself is the setting: it is read back, never remembered apart,
//! so removing it by hand turns the setting off too.
//!
//! A packaged copy turns it on once, at its first start with a shop open,
//! so a shop's reminders fire after the computer restarts without anyone
//! opening Regulars; the owner can turn it off in Settings and it stays
//! off (the settings row says it was offered). A copy built from source
//! never adds itself.
//!
//! The entry starts Regulars with `--at-login`: with the shop open and
//! "Keep running in the tray" on, it starts in the tray with its window
//! hidden, so a login brings the reminders back without putting a window
//! in front of whoever logs in.

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::AutoLaunchManager;

use crate::app::state::AppState;
use crate::db::settings;
use crate::io::updates::AUTOSTART_OFFERED_KEY as OFFERED_KEY;
use crate::kernel::error::{Error, Result};

/// The argument the autostart entry starts Regulars with.
pub const AT_LOGIN: &str = "--at-login";

/// Whether Regulars starts at login (`None`: this system cannot say).
pub fn is_on<R: Runtime>(app: &AppHandle<R>) -> Option<bool> {
    let manager = app.try_state::<AutoLaunchManager>()?;
    manager.is_enabled().map_err(|error| tracing::warn!(%error, "cannot read start at login")).ok()
}

/// Turns start at login on or off.
pub fn set<R: Runtime>(app: &AppHandle<R>, on: bool) -> Result<()> {
    let manager = app
        .try_state::<AutoLaunchManager>()
        .ok_or_else(|| Error::Conflict("Starting at login is not available on this computer.".into()))?;
    let done = if on { manager.enable() } else { manager.disable() };
    done.map_err(|error| {
        tracing::warn!(%error, on, "could not change start at login");
        Error::Conflict(format!("Could not change whether Regulars starts at login: {error}"))
    })?;
    tracing::info!(on, "start at login changed");
    Ok(())
}

/// A packaged copy's first start with a shop open: start at login on, once.
pub fn first_start<R: Runtime>(app: &AppHandle<R>, state: &AppState) {
    if tauri::utils::platform::bundle_type().is_none() {
        return;
    }
    let offered = state.read(|conn| settings::load_json::<bool>(conn, OFFERED_KEY)).ok().flatten();
    if offered == Some(true) {
        return;
    }
    if let Err(error) = set(app, true) {
        tracing::warn!(error = %crate::io::logging::error_line(&error), "start at login was not turned on");
        return;
    }
    if let Err(error) = state.write(|conn| settings::save_json(conn, OFFERED_KEY, &true, chrono::Utc::now())) {
        tracing::warn!(error = %crate::io::logging::error_line(&error), "could not note that start at login was offered");
    }
}
