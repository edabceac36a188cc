//! The files chosen in native dialogs (`file_dialog`), behind tokens.
//!
//! The page never sends a path. It asks "choose a file for <purpose>" and
//! gets back a token and the file's name; the action commands (import,
//! export, backup, restore, save a PDF) take the token, and the path stays
//! here. So a script in the page cannot name a file to read or overwrite:
//! only a file the person chose in the dialog, and only for what it was
//! chosen for.
//!
//! Every choice is checked when it is made and again when it is used: no
//! file inside the app's data folder (the live database, its WAL, the
//! backups, the logs), and for reading only a regular file (not a folder,
//! `/dev/zero` or a pipe), an import no bigger than `IMPORT_LIMIT`, a photo
//! no bigger than `picture::MAX_BYTES`. Those checks say early what is
//! wrong; what protects the use is that it goes through one open handle
//! (`io::safe_file`): a file read is checked again by its handle and read
//! no further than its limit, and a file written is a new temporary file
//! renamed over the chosen name, so a name swapped since the check (a
//! link, `/dev/zero`) is never followed or read without end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::io::safe_file;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::io::importer::IMPORT_LIMIT;

/// What a file is chosen for; it decides the dialog and what the file may
/// be used for.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "FilePurpose")]
pub enum Purpose {
    Import,
    ExportAll,
    ExportCustomer,
    /// Every customer as vCard contacts.
    ExportContacts,
    /// One customer as a vCard contact.
    ExportContact,
    /// The birthdays-and-renewals calendar kept up to date while the app runs.
    Calendar,
    Backup,
    Restore,
    PlanPdf,
    /// The recovery sheet: the shop's key on paper (never in the data folder).
    RecoverySheet,
    /// A photo for a customer or a person or pet on their card.
    Photo,
}

impl Purpose {
    /// Whether the file is read (else written).
    pub fn reads(self) -> bool {
        matches!(self, Purpose::Import | Purpose::Restore | Purpose::Photo)
    }

    /// Whether only the owner may choose a file for it (see `app::owner`):
    /// the desk keeps plan PDFs and photos.
    pub fn owners(self) -> bool {
        !matches!(self, Purpose::PlanPdf | Purpose::Photo)
    }
}

/// What the page gets for a chosen file: a token to pass back, and the
/// file's name to show.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[ts(rename = "ChosenFile")]
pub struct Chosen {
    pub token: String,
    pub name: String,
}

/// The files chosen in this window, by token (a few per session).
#[derive(Default)]
pub struct Choices {
    chosen: Mutex<HashMap<String, (Purpose, PathBuf)>>,
}

impl Choices {
    /// Checks a file chosen in the dialog and keeps it under a new token.
    pub fn add(&self, purpose: Purpose, path: PathBuf, data_dir: &Path) -> Result<Chosen> {
        check(purpose, &path, data_dir)?;
        let token = new_id();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.lock().insert(token.clone(), (purpose, path));
        Ok(Chosen { token, name })
    }

    /// The path behind `token`, if it was chosen for `purpose`; checked
    /// again, as the file may have changed since it was chosen.
    pub fn path(&self, token: &str, purpose: Purpose, data_dir: &Path) -> Result<PathBuf> {
        let path = match self.lock().get(token) {
            Some((chosen_for, path)) if *chosen_for == purpose => path.clone(),
            _ => {
                return Err(Error::invalid(
                    "file",
                    "That file was not chosen in this window for this. Choose the file again.",
                ))
            }
        };
        check(purpose, &path, data_dir)?;
        Ok(path)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Purpose, PathBuf)>> {
        // A map of paths stays whole whatever panicked while it was held.
        self.chosen.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether `path` may be used for `purpose`: outside the data folder, and
/// to read a regular file (an import within `IMPORT_LIMIT`), to write one
/// a regular file or a new name in a folder that exists.
pub fn check(purpose: Purpose, path: &Path, data_dir: &Path) -> Result<()> {
    let resolved = resolve(path)?;
    let data = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    if resolved.starts_with(&data) {
        let folder = data.display();
        return Err(Error::invalid(
            "file",
            if purpose.reads() {
                format!("That file is inside the app's own data folder ({folder}). Choose a file outside it (the app's own backups are restored from their list).")
            } else {
                format!("That is inside the app's own data folder ({folder}). Choose a place outside it.")
            },
        ));
    }
    if purpose.reads() {
        let meta = std::fs::metadata(&resolved)
            .map_err(|e| Error::invalid("file", format!("That file cannot be read: {e}")))?;
        if !meta.is_file() {
            return Err(safe_file::not_regular());
        }
        if purpose == Purpose::Import && meta.len() > IMPORT_LIMIT {
            return Err(crate::io::importer::too_big_to_import(meta.len()));
        }
        if purpose == Purpose::Photo && meta.len() > crate::kernel::picture::MAX_BYTES as u64 {
            return Err(crate::kernel::picture::too_big(meta.len()));
        }
    } else if std::fs::metadata(&resolved).is_ok_and(|meta| !meta.is_file()) {
        // An existing target must be a file to replace, not /dev/null or a folder.
        return Err(safe_file::not_regular());
    }
    Ok(())
}

/// The path with every link followed: the file itself if it exists, else
/// its folder's real path and its name (a file about to be written).
fn resolve(path: &Path) -> Result<PathBuf> {
    if let Ok(real) = std::fs::canonicalize(path) {
        return Ok(real);
    }
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(Error::invalid("file", "That is a link to a file that is not there. Choose another file."));
    }
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(Error::invalid("file", "That is not a file name. Choose a file."));
    };
    let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
    let folder = std::fs::canonicalize(folder)
        .map_err(|_| Error::invalid("file", "That folder does not exist. Choose another place."))?;
    Ok(folder.join(name))
}

// Links and pipes are made the Unix way.
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn refused(purpose: Purpose, path: &Path, data: &Path) -> String {
        match check(purpose, path, data) {
            Err(error) => error.to_string(),
            Ok(()) => panic!("{} was allowed for {purpose:?}", path.display()),
        }
    }

    #[test]
    fn nothing_inside_the_data_folder_whatever_the_way_there() {
        let data = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let database = data.path().join("regulars.sqlite3");
        std::fs::write(&database, b"live").unwrap();
        std::fs::create_dir(data.path().join("backups")).unwrap();
        // Through a link to the folder, and through a link to the file.
        std::os::unix::fs::symlink(data.path(), outside.path().join("via")).unwrap();
        std::os::unix::fs::symlink(&database, outside.path().join("live.sqlite3")).unwrap();
        let dotted = data.path().join("backups").join("..").join("regulars.sqlite3-wal");
        for path in [
            database.clone(),
            data.path().join("regulars.sqlite3-wal"),
            data.path().join("backups").join("new.sqlite3"),
            outside.path().join("via").join("regulars.sqlite3"),
            outside.path().join("via").join("new.csv"),
            outside.path().join("live.sqlite3"),
            dotted,
        ] {
            for purpose in [Purpose::Backup, Purpose::ExportAll, Purpose::ExportCustomer, Purpose::PlanPdf] {
                assert!(refused(purpose, &path, data.path()).contains("data folder"), "{}", path.display());
            }
        }
        assert!(refused(Purpose::Restore, &database, data.path()).contains("data folder"));
        assert!(refused(Purpose::Import, &database, data.path()).contains("data folder"));
        assert_eq!(std::fs::read(&database).unwrap(), b"live");
        check(Purpose::Backup, &outside.path().join("regulars.sqlite3"), data.path())
            .expect("the same name elsewhere is fine");
    }

    #[test]
    fn only_a_regular_file_is_read_and_an_import_has_a_size_limit() {
        let data = tempfile::tempdir().unwrap();
        let files = tempfile::tempdir().unwrap();
        let fifo = files.path().join("pipe.csv");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        for path in [Path::new("/dev/zero"), &fifo, files.path()] {
            assert!(refused(Purpose::Import, path, data.path()).contains("not a regular file"), "{}", path.display());
            assert!(refused(Purpose::Restore, path, data.path()).contains("not a regular file"), "{}", path.display());
        }
        assert!(refused(Purpose::ExportAll, Path::new("/dev/null"), data.path()).contains("not a regular file"));
        let big = files.path().join("big.csv");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(IMPORT_LIMIT + 1).unwrap(); // sparse: no disk used
        assert!(refused(Purpose::Import, &big, data.path()).contains("up to 200 MB"));
        file.set_len(IMPORT_LIMIT).unwrap();
        check(Purpose::Import, &big, data.path()).expect("200 MB is allowed");
        assert!(refused(Purpose::Import, &files.path().join("missing.csv"), data.path()).contains("cannot be read"));
        assert!(refused(Purpose::Backup, &files.path().join("no-such-folder").join("b.sqlite3"), data.path())
            .contains("folder does not exist"));
    }

    #[test]
    fn a_token_works_only_for_what_it_was_chosen_for() {
        let data = tempfile::tempdir().unwrap();
        let files = tempfile::tempdir().unwrap();
        let csv = files.path().join("list.csv");
        std::fs::write(&csv, "Name\nAda\n").unwrap();
        let choices = Choices::default();
        let chosen = choices.add(Purpose::Import, csv.clone(), data.path()).unwrap();
        assert_eq!(chosen.name, "list.csv");
        assert_eq!(choices.path(&chosen.token, Purpose::Import, data.path()).unwrap(), csv);
        for (token, purpose) in [
            (chosen.token.as_str(), Purpose::ExportAll),
            (chosen.token.as_str(), Purpose::Restore),
            ("made-up", Purpose::Import),
            (csv.to_str().unwrap(), Purpose::Import),
        ] {
            let error = choices.path(token, purpose, data.path()).unwrap_err().to_string();
            assert!(error.contains("Choose the file again"), "{token} for {purpose:?}: {error}");
        }
        // Checked again when used: the file became a folder since.
        std::fs::remove_file(&csv).unwrap();
        std::fs::create_dir(&csv).unwrap();
        assert!(choices
            .path(&chosen.token, Purpose::Import, data.path())
            .unwrap_err()
            .to_string()
            .contains("not a regular file"));
        assert!(
            choices.add(Purpose::Import, data.path().join("x.csv"), data.path()).is_err(),
            "refused when chosen too"
        );
    }
}
