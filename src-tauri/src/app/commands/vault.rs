//! The shop's key: what the window asks before the shop opens (a new
//! passphrase, the passphrase, the recovery key, or consent to encrypt a
//! plain shop), the recovery sheet, and resetting a forgotten PIN with
//! the recovery key. The key never reaches the page; the recovery sheet
//! is written by Rust to the file chosen in the save dialog.

use chrono::Utc;
use tauri::{Manager, State};

use crate::app::background::{self, Wake};
use crate::app::files::Purpose;
use crate::app::owner;
use crate::app::state::AppState;
use crate::db::settings;
use crate::db::store::Store;
use crate::features::owner as lock;
use crate::io::plan_pdf;
use crate::io::vault::{self, Ask, SystemKeychain};
use crate::kernel::error::{Error, Result};
use crate::kernel::secret::Key;
use zeroize::Zeroizing;

/// Opens the shop with `open` when the window is asking one of `allowed`
/// (one answer at a time, see `AppState::through_door`), then starts what
/// runs beside it, once, after the final door.
fn through_door(
    app: &tauri::AppHandle,
    state: &AppState,
    allowed: &[Ask],
    open: impl FnOnce() -> Result<Store>,
) -> Result<()> {
    state.through_door(allowed, || background::ready(open()?))?;
    let wake = app.state::<Wake>().0.clone();
    background::start(app, state, wake);
    Ok(())
}

/// A new shop where no keychain answers: its key from a passphrase.
#[tauri::command]
pub fn create_with_passphrase(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    passphrase: String,
    repeated: String,
) -> Result<()> {
    // Wiped when this call ends (the copies inside the IPC layer are Tauri's).
    let (passphrase, repeated) = (Zeroizing::new(passphrase), Zeroizing::new(repeated));
    through_door(&app, &state, &[Ask::NewPassphrase], || {
        let (key, keeper) = vault::new_key(&SystemKeychain, Some((passphrase.as_str(), repeated.as_str())))?;
        vault::create(&state.data_dir, &key, &keeper)
    })
}

/// An encrypted shop opened with the passphrase or the recovery key.
#[tauri::command]
pub fn open_with_key(app: tauri::AppHandle, state: State<'_, AppState>, typed: String) -> Result<()> {
    let typed = Zeroizing::new(typed);
    through_door(&app, &state, &[Ask::Passphrase, Ask::RecoveryKey], || {
        vault::unlock(&state.data_dir, &typed, &SystemKeychain)
    })
}

/// The owner's consent: a plain shop is encrypted (its key in the
/// keychain, or from `passphrase` where no keychain answers).
#[tauri::command]
pub fn encrypt_shop(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    passphrase: Option<String>,
    repeated: Option<String>,
) -> Result<()> {
    let (passphrase, repeated) = (passphrase.map(Zeroizing::new), repeated.map(Zeroizing::new));
    through_door(&app, &state, &[Ask::Convert], || {
        let typed = passphrase
            .as_ref()
            .map(|p| p.as_str())
            .zip(repeated.as_ref().map(|r| r.as_str()))
            .filter(|(p, _)| !p.is_empty());
        let (key, keeper) = vault::new_key(&SystemKeychain, typed)?;
        vault::convert(&state.data_dir, &key, &keeper, &mut |step| tracing::info!(?step, "encrypting the shop"))
    })
}

/// "Not now": the plain shop opens as it is, for this start only.
#[tauri::command]
pub fn keep_plain_for_now(app: tauri::AppHandle, state: State<'_, AppState>) -> Result<()> {
    through_door(&app, &state, &[Ask::Convert], || {
        tracing::warn!("the owner kept the shop plain for this start");
        Store::open(&vault::database(&state.data_dir))
    })
}

/// Writes the recovery sheet to the file chosen for it (owner only: it
/// is the key to every customer's data) and remembers it was saved. Its
/// line goes into the audit trail before the file is written, as an
/// export's does (`owner::record_first`).
#[tauri::command]
pub fn save_recovery_sheet(state: State<'_, AppState>, file: String) -> Result<()> {
    let path = state.files.path(&file, Purpose::RecoverySheet, &state.data_dir)?;
    let key = state
        .key()
        .ok_or_else(|| Error::Conflict("This shop's data is not encrypted, so it has no recovery key.".into()))?;
    let shop = state.read(settings::load)?;
    let date = super::today().format("%-d %B %Y").to_string();
    // The page holds the key: its bytes are wiped once written.
    let pdf = Zeroizing::new(plan_pdf::recovery_sheet(&shop.shop_name, &date, &key.recovery_text(), shop.paper_size)?);
    owner::record_first(&state, owner::who(&state)?, "saved the recovery sheet", "")?;
    // A new file renamed into place: the chosen name, or a link swapped in
    // for it since it was chosen, is replaced, never written through.
    crate::io::safe_file::write_bytes_atomically(&path, pdf.as_slice())?;
    state.write(|conn| vault::mark_sheet_saved(conn, Utc::now()))
}

/// A forgotten PIN: the recovery key (only the owner has the sheet)
/// removes it; the owner then sets a new one in Settings. Wrong keys wait
/// as wrong PINs do (`features::owner`), so the desk cannot fill the audit
/// trail with them; a key of the wrong shape is refused unrecorded.
#[tauri::command]
pub fn reset_pin_with_recovery_key(state: State<'_, AppState>, recovery_key: String) -> Result<()> {
    let recovery_key = Zeroizing::new(recovery_key);
    let typed = Key::from_recovery(&recovery_key)?;
    let key = state.key().ok_or_else(|| Error::invalid("recovery_key", "This shop's data is not encrypted, so it has no recovery key. Use `regulars remove-owner-pin` on this computer."))?;
    let right = typed.same_as(&key);
    state.write(|conn| lock::remove_pin_with_recovery_key(conn, right, Utc::now()))?;
    Ok(())
}
