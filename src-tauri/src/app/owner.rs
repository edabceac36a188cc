//! Owner mode and desk mode, decided in Rust. Without an owner PIN the
//! app is always in owner mode (a shop that has not set one up yet). With
//! one, it starts in desk mode; the right PIN opens owner mode until it
//! has gone unused for the owner's auto-lock minutes, or is locked at once
//! (Ctrl+L, or the lock in the top bar).
//!
//! `ipc::guarded` refuses every command in `OWNER_ONLY` in desk mode
//! before it runs, whatever the page sends; the page only hides what it
//! cannot use.
//!
//! Only what a person does counts as use: the page reports a key or a
//! click with `owner_activity` (at most every few seconds, while owner
//! mode is open). No other call does, owner-only ones included: the page
//! reads Today and the dashboard whenever a reminder fires, and an owner
//! who walked away must not be kept in owner mode by that. The idle time
//! runs on the wall clock too, so time asleep counts (see `state::Moment`).

use crate::app::state::{AppState, Moment};
use crate::features::owner;
use crate::kernel::error::Result;
use crate::records::audit;

/// What only the owner may do: export (everyone or one), import and its
/// undo, backups to a file and restores, deleting completely, the
/// settings (program, templates, staff, rules, passes, pets, calendar,
/// the PIN itself once one is set) and the audit trail. Without a PIN
/// every one of them is allowed (see `in_owner_mode`), so the first PIN
/// can be set.
pub const OWNER_ONLY: &[&str] = &[
    "share_shop",
    "stop_sharing",
    "import_preview",
    "import_run",
    "import_batches",
    "import_undo",
    "export_customers",
    "export_customer",
    "export_contacts",
    "export_contact",
    "get_calendar",
    "set_calendar_file",
    "stop_calendar",
    "backup_now",
    "list_backups",
    "save_backup_settings",
    "restore_backup",
    "restore_from_file",
    "delete_customer",
    "save_settings",
    "save_loyalty_program",
    "save_reminder_rules",
    "save_health_rules",
    "save_template",
    "save_outreach_rules",
    "save_plan_template",
    "reset_plan_template",
    "save_shop_contact",
    "save_pass_types",
    "save_pet_settings",
    "set_owner_pin",
    "set_auto_lock",
    "get_audit",
    "save_recovery_sheet",
    "install_update",
    "set_update_checks",
    "set_start_at_login",
    "get_mail_screen",
    "save_mail_account",
    "count_group",
    "save_group",
    "remove_group",
    "preview_group_message",
    "send_test_message",
    "send_group_message",
    "get_mail_progress",
    "set_mail_state",
    "retry_mail",
];

/// How long owner mode stays open without use: the owner's minutes.
pub fn idle(minutes: i64) -> std::time::Duration {
    #[cfg(feature = "test-switches")]
    if let Some(seconds) = crate::app::test_switches::auto_lock_seconds() {
        return std::time::Duration::from_secs(seconds);
    }
    std::time::Duration::from_secs(minutes.max(1) as u64 * 60)
}

/// Whether the app is in owner mode now (no PIN set counts as owner
/// mode). Asking is not use: it never keeps owner mode open.
pub fn in_owner_mode(state: &AppState) -> Result<bool> {
    let lock = state.read(owner::load)?;
    Ok(!lock.pin_set || state.owner.is_open(Moment::now()))
}

/// Who the audit trail names for owner-only work now.
pub fn who(state: &AppState) -> Result<&'static str> {
    state.read(owner::who_does_owner_work)
}

/// Adds a line to the audit trail for owner-only work about to be done
/// outside the database (a file written), committed before the work
/// starts: work whose line cannot be written is not done. If the work then
/// fails the line stands; the trail may hold a try that made nothing,
/// never a file made without its line. `who` is asked first (`who`), so
/// this may run inside a read: it takes only the writer.
pub fn record_first(state: &AppState, who: &str, action: &str, detail: &str) -> Result<()> {
    state.write(|conn| audit::append(conn, who, action, detail, chrono::Utc::now()))
}

/// Runs an owner-only change and adds its line to the audit trail behind
/// it, on the writer while it is held (the change's own transaction has
/// committed by then; a failed change adds no line).
pub fn audited<T>(
    state: &AppState,
    action: &str,
    detail: impl FnOnce(&T) -> String,
    change: impl FnOnce(&mut rusqlite::Connection) -> Result<T>,
) -> Result<T> {
    let who = who(state)?;
    state.write(|conn| {
        let value = change(conn)?;
        audit::append(conn, who, action, &detail(&value), chrono::Utc::now())?;
        Ok(value)
    })
}
