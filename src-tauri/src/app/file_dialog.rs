//! Native open/save dialogs, asked from Rust so the window needs no dialog
//! permission: the page asks "choose a file for X" and gets a path or null.
//!
//! WebDriver cannot click inside GTK's native dialog, so when the
//! environment variable `REGULARS_FILE_ANSWERS` names a file, each question
//! takes the first line of that file as the answer (an empty line means
//! "cancelled") instead of showing the dialog. Only the tests set it.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tauri_plugin_dialog::DialogExt;

use crate::kernel::error::{Error, Result};

pub const ANSWERS_ENV: &str = "REGULARS_FILE_ANSWERS";

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Open,
    Save,
}

/// What the page asks for: the dialog's title, one filter, and for Save a
/// suggested file name.
#[derive(Debug, Clone, Deserialize)]
pub struct Question {
    pub mode: Mode,
    pub title: String,
    pub filter_name: String,
    pub extensions: Vec<String>,
    #[serde(default)]
    pub suggested_name: Option<String>,
}

/// Shows the dialog (or reads the next scripted answer). `None` = cancelled.
/// Blocks until answered, so call it from a command off the main thread.
pub fn ask<R: tauri::Runtime>(app: &tauri::AppHandle<R>, question: &Question) -> Result<Option<PathBuf>> {
    if let Some(answers) = std::env::var_os(ANSWERS_ENV) {
        return next_scripted_answer(Path::new(&answers));
    }
    let extensions: Vec<&str> = question.extensions.iter().map(String::as_str).collect();
    let mut dialog = app.dialog().file().set_title(&question.title).add_filter(&question.filter_name, &extensions);
    if let Some(name) = &question.suggested_name {
        dialog = dialog.set_file_name(name);
    }
    let chosen = match question.mode {
        Mode::Open => dialog.blocking_pick_file(),
        Mode::Save => dialog.blocking_save_file(),
    };
    match chosen {
        None => Ok(None),
        Some(path) => path
            .into_path()
            .map(Some)
            .map_err(|_| Error::invalid("file", "That location is not a file on this computer.")),
    }
}

/// Pops the first line of the answers file.
fn next_scripted_answer(answers: &Path) -> Result<Option<PathBuf>> {
    let text = std::fs::read_to_string(answers)?;
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("").trim().to_string();
    let rest: String = lines.map(|line| format!("{line}\n")).collect();
    std::fs::write(answers, rest)?;
    Ok(if first.is_empty() { None } else { Some(PathBuf::from(first)) })
}
