//! How a shared shop stands, as the top bar says it, and the handle the
//! app state keeps for the engine (`app::sync`): its status, its wake-up,
//! whether it runs.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::Notify;
use ts_rs::TS;

/// Where sharing stands, as the top bar says it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SharingStatus {
    /// Whether this shop is shared from this device.
    pub shared: bool,
    /// `off`, `connecting`, `up_to_date`, `offline`, `refused` or `removed`.
    pub state: String,
    /// The sentence the top bar shows ("Shared · up to date").
    pub words: String,
    /// Changes made here that the server does not have yet.
    pub waiting: i64,
}

impl SharingStatus {
    pub fn off() -> SharingStatus {
        SharingStatus { shared: false, state: "off".into(), words: String::new(), waiting: 0 }
    }

    /// The owner removed this device from the shared shop; it no longer shares.
    pub fn removed() -> SharingStatus {
        SharingStatus {
            shared: false,
            state: "removed".into(),
            words: "Removed from the shared shop by the owner".into(),
            waiting: 0,
        }
    }
}

/// The engine's handle in the app state.
pub struct Sharing {
    pub(crate) status: Mutex<SharingStatus>,
    /// When the server was last reached, for "Offline since 10:02".
    pub(crate) offline_since: Mutex<Option<DateTime<Utc>>>,
    pub(crate) wake: Arc<Notify>,
    pub(crate) started: AtomicBool,
}

impl Default for Sharing {
    fn default() -> Self {
        Sharing {
            status: Mutex::new(SharingStatus::off()),
            offline_since: Mutex::new(None),
            wake: Arc::new(Notify::new()),
            started: AtomicBool::new(false),
        }
    }
}

impl Sharing {
    pub fn status(&self) -> SharingStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_else(|_| SharingStatus::off())
    }

    /// Something changed here (or sharing was turned on): send it now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}
