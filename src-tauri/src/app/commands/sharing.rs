//! Settings → Share this shop: the status line, turning sharing on from
//! this device (owner only, in the audit trail) and off. The engine that
//! keeps the devices in step is `app::sync`.

use chrono::Utc;
use tauri::State;
use zeroize::Zeroizing;

use crate::app::owner;
use crate::app::sharing_status::SharingStatus;
use crate::app::state::AppState;
use crate::db::sharing;
use crate::io::sharing_setup::{self, JoinInput, ShareInput};
use crate::io::vault::{self, SystemKeychain};
use crate::kernel::error::{Error, Result};
use crate::records::devices::{self, SharedDevice};

/// How sharing stands, for the top bar and the Share panel.
#[tauri::command]
pub fn get_sharing_status(state: State<'_, AppState>) -> Result<SharingView> {
    view(&state)
}

/// The Share panel's state: the status, and what the owner typed last.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct SharingView {
    pub status: SharingStatus,
    pub server: String,
    pub user: String,
    pub device_name: String,
    /// Sharing needs an encrypted shop (its key seals every change).
    pub encrypted: bool,
    /// The shop's devices, this one among them (`this_device`).
    pub devices: Vec<SharedDevice>,
    pub this_device: String,
}

fn view(state: &AppState) -> Result<SharingView> {
    let (setup, device, devices) =
        state.read(|conn| Ok((sharing_setup::load(conn)?, sharing::device(conn)?, devices::list(conn)?)))?;
    Ok(SharingView {
        status: state.sharing.status(),
        server: setup.as_ref().map(|s| s.server.clone()).unwrap_or_default(),
        user: setup.as_ref().map(|s| s.user.clone()).unwrap_or_default(),
        this_device: device.as_ref().map(|d| d.id.clone()).unwrap_or_default(),
        device_name: device.map(|d| d.name).unwrap_or_default(),
        encrypted: state.key().is_some(),
        devices,
    })
}

/// Shares the shop from this device: the server is reached with what was
/// typed (a wrong address or password is said next to the form and
/// nothing changes), the password goes to the keychain, sharing is turned
/// on, and the shop as it is now is published as the snapshot other
/// devices join from.
#[tauri::command]
pub async fn share_shop(state: State<'_, AppState>, input: ShareInput) -> Result<SharingView> {
    let password = Zeroizing::new(input.password.clone());
    let Some(key) = state.key() else {
        return Err(Error::Conflict(
            "Encrypt the shop first (Settings → Recovery key): every change it shares is sealed with its key.".into(),
        ));
    };
    let device = state.read(sharing::device)?;
    let (link, setup, stream_at) = sharing_setup::connect_to_share(device.clone(), &key, &input).await?;
    sharing_setup::keep_password(&setup, &password)?;
    let name = input.device_name.trim().to_string();
    owner::audited(
        &state,
        "shared the shop",
        |_| format!("server {}", setup.server),
        |conn| sharing_setup::turn_on(conn, &setup, &name, stream_at, Utc::now()),
    )?;
    if device.is_none() {
        let database = state.data_dir.join(crate::db::store::DATABASE_FILE);
        sharing_setup::publish_snapshot(&link, &database, &state.data_dir, &key, stream_at).await?;
        tracing::info!(covers = stream_at, "the shop's first snapshot published");
    }
    state.sharing.wake();
    view(&state)
}

/// Stops sharing from this device; the shop stays as it is here.
#[tauri::command]
pub fn stop_sharing(state: State<'_, AppState>) -> Result<SharingView> {
    owner::audited(&state, "stopped sharing the shop", |_| String::new(), sharing_setup::turn_off)?;
    state.sharing.wake();
    view(&state)
}

/// Removes another device from the shared shop (owner only, in the audit
/// trail): every device drops what it sends from now on, and it stops
/// sharing when it hears of it.
#[tauri::command]
pub fn remove_device(state: State<'_, AppState>, device_id: String) -> Result<SharingView> {
    owner::audited(
        &state,
        "removed a device from the shared shop",
        |_| format!("device {device_id}"),
        |conn| sharing_setup::remove_device(conn, &device_id, Utc::now()),
    )?;
    state.sharing.wake();
    view(&state)
}

/// A new computer joins a shared shop from the first screen: the shop's
/// latest snapshot is downloaded and made this device's beside the new,
/// empty shop, its key kept in the keychain, and Regulars starts again to
/// open it (the joined file takes the empty one's place before anything
/// opens). Refused on a computer whose shop already has customers.
#[tauri::command]
pub async fn join_shop(app: tauri::AppHandle, state: State<'_, AppState>, input: JoinInput) -> Result<()> {
    let fresh = state.read(|conn| {
        let setup_done = crate::db::settings::load(conn)?.setup_done;
        let customers: i64 = conn.query_row("SELECT count(*) FROM customers", [], |row| row.get(0))?;
        Ok(!setup_done && customers == 0)
    })?;
    if !fresh {
        return Err(Error::Conflict(
            "Join a shared shop on a computer that has no shop of its own yet: this one already has one.".into(),
        ));
    }
    let key = sharing_setup::join(&state.data_dir, &input, Utc::now()).await?;
    vault::keep_joined_key(&state.data_dir, &key, &SystemKeychain)?;
    tracing::info!("joined a shared shop: starting again to open it");
    // The next start must take the folder, not ask this closing copy to
    // show its window (see `app::instance`).
    let _ = std::fs::remove_file(state.data_dir.join(crate::app::instance::SOCKET_FILE));
    app.request_restart();
    Ok(())
}
