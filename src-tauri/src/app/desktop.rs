//! What the app hands to the desktop: links to the mail or messages app,
//! and PDFs to the system's viewer, written under `<data>/print/`.

use std::path::{Path, PathBuf};

use crate::kernel::error::{Error, Result};

/// Hands a link or a file to the desktop. WebDriver cannot see a mail app
/// or a PDF viewer, so with `REGULARS_OPEN_LOG` set (window tests) the
/// target is appended to that file instead.
pub fn open_external(target: &str) -> Result<()> {
    if let Some(log) = std::env::var_os("REGULARS_OPEN_LOG") {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
        writeln!(file, "{target}")?;
        return Ok(());
    }
    let opened = if Path::new(target).is_absolute() { tauri_plugin_opener::open_path(target, None::<&str>) } else { tauri_plugin_opener::open_url(target, None::<&str>) };
    opened.map_err(|e| Error::Conflict(format!("No app on this computer could open it: {e}")))
}

/// Where a printed page goes: `<data>/print/<file_name>`, overwritten each
/// time (the folder is made if needed).
pub fn print_path(data_dir: &Path, file_name: &str) -> Result<PathBuf> {
    let dir = data_dir.join("print");
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join(file_name))
}

/// Writes a page to `<data>/print/` and opens it for printing.
pub fn print(data_dir: &Path, file_name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let path = print_path(data_dir, file_name)?;
    std::fs::write(&path, bytes)?;
    open_external(&path.display().to_string())?;
    Ok(path)
}
