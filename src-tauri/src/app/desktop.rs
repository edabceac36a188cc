//! What the app hands to the desktop: links to the mail or messages app,
//! and PDFs to the system's viewer, written under `<data>/print/`.

use std::path::{Path, PathBuf};

use crate::kernel::error::{Error, Result};

/// Hands a link or a file to the desktop. Only the app builds what it
/// opens (a message's link, a PDF it wrote): never call this with text
/// from the page. In test builds `REGULARS_OPEN_LOG` notes the target
/// instead (see `test_switches`).
pub fn open_external(target: &str) -> Result<()> {
    #[cfg(feature = "test-switches")]
    if let Some(logged) = crate::app::test_switches::log_opened(target) {
        return logged;
    }
    let opened = if Path::new(target).is_absolute() {
        tauri_plugin_opener::open_path(target, None::<&str>)
    } else {
        tauri_plugin_opener::open_url(target, None::<&str>)
    };
    opened.map_err(|e| Error::Conflict(format!("No app on this computer could open it: {e}")))
}

/// Where a printed page goes: `<data>/print/<file_name>`, overwritten each
/// time (the folder is made if needed).
pub fn print_path(data_dir: &Path, file_name: &str) -> Result<PathBuf> {
    let dir = data_dir.join("print");
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join(file_name))
}

/// Writes a page to `<data>/print/` (through a new file renamed into
/// place, never through a link) and opens it for printing.
pub fn print(data_dir: &Path, file_name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let path = print_path(data_dir, file_name)?;
    crate::io::safe_file::write_bytes_atomically(&path, bytes)?;
    open_external(&path.display().to_string())?;
    Ok(path)
}
