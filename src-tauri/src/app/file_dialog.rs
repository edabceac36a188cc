//! Native open/save dialogs, asked from Rust so the window needs no
//! dialog permission and never sees a path: what is chosen is kept in
//! `files` behind a token. In test builds the answers can be scripted
//! (`test_switches`): WebDriver cannot click inside GTK's dialog.

use std::path::{Path, PathBuf};

use tauri_plugin_dialog::DialogExt;

use crate::app::files::Purpose;
use crate::kernel::error::{Error, Result};

/// Open or save, the dialog's title and its one filter.
fn dialog(purpose: Purpose) -> (&'static str, &'static str, &'static [&'static str]) {
    match purpose {
        Purpose::Import => ("Import customers", "Spreadsheet (CSV) or contacts (vCard)", &["csv", "txt", "tsv", "vcf"]),
        Purpose::ExportAll => ("Export all customers", "Spreadsheet (CSV)", &["csv"]),
        Purpose::ExportCustomer => ("Export a customer's data", "JSON", &["json"]),
        Purpose::ExportContacts => ("Export all customers as contacts", "Contacts (vCard)", &["vcf"]),
        Purpose::ExportContact => ("Save as a contact", "Contact (vCard)", &["vcf"]),
        Purpose::Calendar => ("Keep a calendar of birthdays and renewals", "Calendar (iCalendar)", &["ics"]),
        Purpose::Backup => ("Save a backup", "Regulars backup", &["sqlite3"]),
        Purpose::Restore => ("Restore from a backup", "Regulars backup", &["sqlite3"]),
        Purpose::PlanPdf => ("Save the welcome plan", "PDF", &["pdf"]),
        Purpose::RecoverySheet => ("Save the recovery sheet", "PDF", &["pdf"]),
        Purpose::Photo => (
            "Choose a photo",
            "Pictures (JPEG, PNG, WebP)",
            &["jpg", "jpeg", "png", "webp", "JPG", "JPEG", "PNG", "WEBP"],
        ),
    }
}

/// Shows the dialog for `purpose` (or, in test builds, takes the scripted
/// answer). `None` = cancelled. Blocks until answered, so call it from a
/// command off the main thread.
pub fn ask<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    purpose: Purpose,
    suggested_name: Option<&str>,
) -> Result<Option<PathBuf>> {
    #[cfg(feature = "test-switches")]
    if let Some(answer) = crate::app::test_switches::scripted_file_answer() {
        return answer;
    }
    let (title, filter_name, extensions) = dialog(purpose);
    let mut dialog = app.dialog().file().set_title(title).add_filter(filter_name, extensions);
    // Only a name: the dialog starts in its usual folder, not one the page names.
    if let Some(name) = suggested_name.and_then(|name| Path::new(name).file_name()) {
        dialog = dialog.set_file_name(name.to_string_lossy());
    }
    let chosen = if purpose.reads() { dialog.blocking_pick_file() } else { dialog.blocking_save_file() };
    match chosen {
        None => Ok(None),
        Some(path) => path
            .into_path()
            .map(Some)
            .map_err(|_| Error::invalid("file", "That location is not a file on this computer.")),
    }
}
