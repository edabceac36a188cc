//! A shared shop's engine: one task that keeps this device and the shop's
//! server in step, and the status line the desk reads.
//!
//! It connects with the connection kept on this device (`io::sharing_setup`),
//! then sends the outbox and applies the stream after each local change
//! (woken by `AppState::write`) and whenever another device publishes
//! (`Link::wait_for_new`). The network is never waited on with the writer
//! held, so the desk works the same offline; a failure becomes a sentence in
//! the top bar and a log line with counts, and the engine tries again.

use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{Local, Utc};
use tauri::{Emitter, Manager};

use crate::app::sharing_status::SharingStatus;
use crate::app::state::AppState;
use crate::db::sharing;
use crate::io::logging;
use crate::io::nats_link::Link;
use crate::io::sharing_setup;
use crate::io::syncer::{Syncer, Writer};
use crate::kernel::error::{Error, Result};

/// How long the engine waits for news before it asks the server anyway.
const IDLE_WAIT: Duration = Duration::from_secs(15);
/// The longest pause between tries while the server cannot be reached.
const MAX_RETRY: Duration = Duration::from_secs(30);

/// The engine writes through the app's one writer without waking itself.
impl Writer for AppState {
    fn with_writer<T>(&self, change: impl FnOnce(&mut rusqlite::Connection) -> Result<T>) -> Result<T> {
        self.write_from_sync(change)
    }

    fn database(&self) -> (std::path::PathBuf, Option<crate::kernel::secret::Key>) {
        (self.database_path().to_path_buf(), self.key())
    }
}

/// Starts the engine once per run of the app (it idles while the shop is
/// not shared).
pub fn start(app: &tauri::AppHandle) {
    let state = app.state::<AppState>();
    if state.sharing.started.swap(true, Ordering::AcqRel) {
        return;
    }
    tauri::async_runtime::spawn(run(app.clone()));
}

async fn run(app: tauri::AppHandle) {
    let mut retry = Duration::from_secs(1);
    loop {
        let state = app.state::<AppState>();
        let setup = state.read(sharing_setup::load).ok().flatten();
        let (Some(setup), Some(key)) = (setup, state.key()) else {
            let removed = state.read(sharing_setup::this_device_removed).unwrap_or(false);
            set_status(&app, if removed { SharingStatus::removed() } else { SharingStatus::off() });
            state.sharing.wake.notified().await;
            continue;
        };
        let settings = match sharing_setup::link_settings(&setup) {
            Ok(settings) => settings,
            Err(error) => {
                fail(&app, &error);
                let _ = tokio::time::timeout(MAX_RETRY, state.sharing.wake.notified()).await;
                continue;
            }
        };
        set_status(&app, status_with(&app, "connecting", "Shared · connecting to the server…".into()));
        let link = match connect(&settings).await {
            Ok(link) => link,
            Err(error) => {
                fail(&app, &error);
                let _ = tokio::time::timeout(retry, state.sharing.wake.notified()).await;
                retry = (retry * 2).min(MAX_RETRY);
                continue;
            }
        };
        retry = Duration::from_secs(1);
        let syncer = Syncer::new(link, key, &sharing_setup::subject(&setup), Utc::now);
        if let Err(error) = keep_in_step(&app, &syncer).await {
            fail(&app, &error);
            let _ = tokio::time::timeout(retry, state.sharing.wake.notified()).await;
        }
    }
}

async fn connect(settings: &crate::io::nats_link::LinkSettings) -> Result<Link> {
    let link = Link::connect(settings).await?;
    link.ensure_stream().await?;
    Ok(link)
}

/// Pushes and pulls until the link fails or sharing is turned off.
async fn keep_in_step(app: &tauri::AppHandle, syncer: &Syncer) -> Result<()> {
    let state = app.state::<AppState>();
    loop {
        if state.read(sharing_setup::load)?.is_none() {
            return Ok(());
        }
        syncer.push(&*state).await?;
        let pulled = syncer.pull(&*state).await?;
        *state.sharing.offline_since.lock().map_err(|_| Error::Panicked)? = None;
        set_status(app, status_with(app, "up_to_date", "Shared · up to date".into()));
        if pulled.caught_up {
            crate::app::memory::give_back_freed();
        }
        if pulled.applied > 0 {
            tracing::info!(
                changes = pulled.applied,
                cards = pulled.customers.len(),
                "changes from other devices applied"
            );
            state.wake_scheduler();
            if let Err(error) = app.emit("shop-changed", pulled.customers.clone()) {
                tracing::warn!(%error, "could not tell the window about changes from other devices");
            }
        }
        let seq = state.read(|conn| Ok(sharing::device(conn)?.map_or(0, |d| d.applied_seq)))?;
        tokio::select! {
            news = syncer.link().wait_for_new(seq, IDLE_WAIT) => { news?; }
            () = state.sharing.wake.notified() => {}
        }
    }
}

/// The status with this device's count of changes waiting.
fn status_with(app: &tauri::AppHandle, state_word: &str, words: String) -> SharingStatus {
    let waiting = app.state::<AppState>().read(sharing::waiting_count).unwrap_or(0);
    SharingStatus { shared: true, state: state_word.into(), words, waiting }
}

/// A failure as the top bar says it: refused credentials apart, anything
/// else "offline since" the first failure, with what waits to be sent.
fn fail(app: &tauri::AppHandle, error: &Error) {
    let state = app.state::<AppState>();
    tracing::warn!(error = %logging::error_line(error), "sharing: the server could not be reached or refused");
    let refused = matches!(error, Error::Sync(sentence) if sentence.contains("refused"));
    let since = {
        let mut since = state.sharing.offline_since.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *since.get_or_insert_with(Utc::now)
    };
    let status = if refused {
        status_with(app, "refused", error.to_string())
    } else {
        let waiting = state.read(sharing::waiting_count).unwrap_or(0);
        let at = since.with_timezone(&Local).format("%H:%M");
        let words = match waiting {
            0 => format!("Offline since {at} · nothing waiting"),
            1 => format!("Offline since {at} · 1 change waiting"),
            n => format!("Offline since {at} · {n} changes waiting"),
        };
        SharingStatus { shared: true, state: "offline".into(), words, waiting }
    };
    set_status(app, status);
}

fn set_status(app: &tauri::AppHandle, status: SharingStatus) {
    let state = app.state::<AppState>();
    let changed = {
        let mut current = state.sharing.status.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let changed = *current != status;
        *current = status.clone();
        changed
    };
    if changed {
        if let Err(error) = app.emit("sharing-status", status) {
            tracing::warn!(%error, "could not tell the window how sharing stands");
        }
    }
}
