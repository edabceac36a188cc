//! Signed updates at the Tauri edge: the configuration the plugin reads
//! (`tauri.conf.json`, `plugins.updater`), how this copy was installed, the
//! daily check, and the install step, which is `tauri-plugin-updater`'s.
//!
//! The check, the download and the signature check are `io::updates`
//! (testable without a window, see there why). The plugin then installs:
//! `restore_update` rebuilds its `Update` from the feed already fetched
//! (no second request) and `install` checks the signature again with its
//! own code, against the same key, before it runs dpkg or rpm through
//! pkexec (Linux), the NSIS or MSI installer (Windows) or swaps the .app
//! (macOS).

use std::sync::Mutex;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::UpdaterExt;

use crate::app::state::AppState;
use crate::io::{backup, updates};
use crate::kernel::error::{Error, Result};

/// What the last check found, kept for the Updates panel while the app runs.
#[derive(Default)]
pub struct LastCheck(pub Mutex<Option<Result<updates::Checked, String>>>);

/// The updater's configuration: the release key and the feed from
/// `tauri.conf.json` (the tests point a debug build at a loopback feed and
/// a key of their own through `test_switches`), this copy's version and
/// how it was installed.
pub fn config<R: Runtime>(app: &AppHandle<R>) -> Result<updates::Config> {
    let plugin = app.config().plugins.0.get("updater");
    let text = |name: &str| plugin.and_then(|p| p.get(name)).and_then(|v| v.as_str()).map(str::to_owned);
    #[allow(unused_mut)]
    let mut pubkey = text("pubkey").unwrap_or_default();
    #[allow(unused_mut)]
    let mut endpoints: Vec<String> = plugin
        .and_then(|p| p.get("endpoints"))
        .and_then(|v| v.as_array())
        .map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    // A test build asks only the tests' loopback feed, or none: the daily
    // check of an app under test never reaches the internet.
    #[cfg(feature = "test-switches")]
    match crate::app::test_switches::update_feed() {
        Some((feed, key)) => {
            endpoints = vec![feed];
            pubkey = key;
        }
        None => endpoints.clear(),
    }
    Ok(updates::Config {
        pubkey,
        endpoints,
        current_version: app.package_info().version.to_string(),
        bundle: bundle_name(),
    })
}

/// How this copy was installed, by the names the feed's platform keys use
/// (the plugin's own: `linux-x86_64-deb` and so on); `None` for a copy
/// built from source (or a bundle kind the updater cannot install).
pub fn bundle_name() -> Option<String> {
    use tauri::utils::config::BundleType;
    let name = match tauri::utils::platform::bundle_type()? {
        BundleType::Deb => "deb",
        BundleType::Rpm => "rpm",
        BundleType::AppImage => "appimage",
        BundleType::Msi => "msi",
        BundleType::Nsis => "nsis",
        // A .dmg installs the .app, which is what the update replaces.
        BundleType::App | BundleType::Dmg => "app",
    };
    Some(name.to_owned())
}

/// Checks the feed now and keeps what it found for the panel.
pub fn check_now<R: Runtime>(app: &AppHandle<R>) -> Result<updates::Checked> {
    let config = config(app)?;
    let checked = tauri::async_runtime::block_on(updates::check(&config));
    if let Some(last) = app.try_state::<LastCheck>() {
        let kept = checked.as_ref().map(Clone::clone).map_err(ToString::to_string);
        *last.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(kept);
    }
    checked
}

/// Downloads, verifies, backs up and installs the update the feed offers,
/// then restarts into it. Owner mode is checked before this runs
/// (`owner::OWNER_ONLY`). The writer is held from the backup to the end of
/// the install, so no change is in the middle of being made and none
/// starts. Any failure leaves this version running and says why.
pub fn install<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> Result<()> {
    let config = config(app)?;
    if config.bundle.is_none() {
        return Err(Error::Update(
            "This copy of Regulars was built from source, so it is updated by building the new version, not from here."
                .into(),
        ));
    }
    let updates::Checked::Available(offer) = check_now(app)? else {
        return Err(Error::Update(format!(
            "No update to install: Regulars {} is the latest version.",
            config.current_version
        )));
    };
    let verified = tauri::async_runtime::block_on(updates::download(&config, &offer))?;
    let keep = state.read(backup::load_settings)?.keep;
    let key = state.key();
    state.write(|conn| {
        updates::apply(
            &verified,
            || backup::automatic(conn, &state.data_dir, keep, key.as_ref(), chrono::Utc::now()).map(|_| ()),
            |verified| plugin_install(app, &config, &offer, verified),
        )
    })?;
    tracing::info!(version = %offer.version, "update installed; restarting");
    app.restart()
}

/// The plugin's install: its own signature check, then the platform's
/// installer.
fn plugin_install<R: Runtime>(
    app: &AppHandle<R>,
    config: &updates::Config,
    offer: &updates::Offer,
    verified: &updates::Verified,
) -> Result<()> {
    let failed = |error: tauri_plugin_updater::Error| {
        tracing::warn!(%error, version = %offer.version, "the installer refused the update");
        Error::Update(format!(
            "Version {} could not be installed ({error}). Nothing was changed; this version keeps running.",
            offer.version
        ))
    };
    let endpoints = config.endpoints.iter().filter_map(|e| e.parse().ok()).collect();
    let updater =
        app.updater_builder().pubkey(&config.pubkey).endpoints(endpoints).map_err(failed)?.build().map_err(failed)?;
    let update = updater.restore_update(offer.feed.clone()).map_err(failed)?.ok_or_else(|| {
        Error::Update(format!("Version {} is not newer than this one, so it was not installed.", offer.version))
    })?;
    update.install(verified.bytes()).map_err(failed)
}

/// The automatic check: a minute after start, then once a day while
/// Regulars runs, unless the owner turned it off. It only looks; installing
/// is the owner's click.
pub fn start_daily_check(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        loop {
            let on = app.state::<AppState>().read(updates::auto_check).unwrap_or(false);
            if on {
                let check_app = app.clone();
                let found = tauri::async_runtime::spawn_blocking(move || check_now(&check_app)).await;
                match found {
                    Ok(Ok(updates::Checked::Available(offer))) => {
                        tracing::info!(version = %offer.version, "an update is available")
                    }
                    Ok(Ok(updates::Checked::UpToDate)) => tracing::info!("no update"),
                    Ok(Err(error)) => {
                        tracing::info!(error = %crate::io::logging::error_line(&error), "the update check failed")
                    }
                    Err(error) => tracing::warn!(%error, "the update check stopped"),
                }
            }
            tokio::time::sleep(updates::CHECK_EVERY).await;
        }
    });
}
