//! Switches only the tests use, compiled in with the `test-switches` cargo
//! feature (see Cargo.toml: the tests turn it on; `cargo build --release`
//! and `make run` never do). Every such switch lives in this file, and
//! `tests/integration/architecture.rs` (`test_switches_never_ship`) checks that no
//! other source reads one, so a release build cannot be steered by them.
//!
//! - `REGULARS_FILE_ANSWERS`: WebDriver cannot click inside GTK's native
//!   dialog, so each file question takes the first line of that file as
//!   its answer (an empty line means "cancelled").
//! - `REGULARS_OPEN_LOG`: WebDriver cannot see a mail app or a PDF viewer,
//!   so what would be opened is appended to that file instead.
//! - `REGULARS_AUTO_LOCK_SECONDS`: owner mode locks itself after that
//!   many seconds without use instead of the owner's minutes, so a test
//!   can watch it happen.
//! - `REGULARS_PAUSE_AFTER_STEPS`: `regulars encrypt` waits for a line on
//!   standard input after each step of the conversion, so the crash test
//!   can kill it exactly there.
//! - `REGULARS_UPDATE_FEED` and `REGULARS_UPDATE_PUBKEY`: the updater
//!   asks that feed (a loopback server the test runs) and trusts that key
//!   (made by the test) instead of `tauri.conf.json`'s.
//! - `REGULARS_SMTP_TRUSTED_ROOT`: a certificate file (PEM) the mail
//!   sender trusts in place of the system's roots, so the end-to-end test
//!   sends through its own STARTTLS server on loopback.
//! - `panic_on_purpose`: a command that panics, to show a panic answers
//!   the page (see `app::ipc`).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Utc;
use tauri::State;

use crate::app::state::AppState;
use crate::db::store;
use crate::kernel::error::Result;
use crate::records::customers::{self, CustomerInput, StartingHealth};

pub const FILE_ANSWERS_ENV: &str = "REGULARS_FILE_ANSWERS";
pub const OPEN_LOG_ENV: &str = "REGULARS_OPEN_LOG";
pub const AUTO_LOCK_SECONDS_ENV: &str = "REGULARS_AUTO_LOCK_SECONDS";
pub const PAUSE_AFTER_STEPS_ENV: &str = "REGULARS_PAUSE_AFTER_STEPS";
pub const UPDATE_FEED_ENV: &str = "REGULARS_UPDATE_FEED";
pub const UPDATE_PUBKEY_ENV: &str = "REGULARS_UPDATE_PUBKEY";

/// The tests' update feed and release key, when they set both.
pub fn update_feed() -> Option<(String, String)> {
    Some((std::env::var(UPDATE_FEED_ENV).ok()?, std::env::var(UPDATE_PUBKEY_ENV).ok()?))
}

pub const SMTP_TRUSTED_ROOT_ENV: &str = "REGULARS_SMTP_TRUSTED_ROOT";

/// The certificate the tests' mail server is signed by, when they set one.
pub fn smtp_trusted_root() -> Option<Vec<u8>> {
    std::fs::read(std::env::var_os(SMTP_TRUSTED_ROOT_ENV)?).ok()
}

/// Waits for a line on standard input when the tests ask for pauses.
pub fn pause_after_step() {
    if std::env::var_os(PAUSE_AFTER_STEPS_ENV).is_some() {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    }
}

/// The tests' auto-lock in seconds, when they set one.
pub fn auto_lock_seconds() -> Option<u64> {
    std::env::var(AUTO_LOCK_SECONDS_ENV).ok()?.parse().ok()
}

/// The next scripted answer to a file dialog, when the tests script them.
pub fn scripted_file_answer() -> Option<Result<Option<PathBuf>>> {
    let answers = std::env::var_os(FILE_ANSWERS_ENV)?;
    Some(next_line(Path::new(&answers)))
}

/// Pops the first line of the answers file.
fn next_line(answers: &Path) -> Result<Option<PathBuf>> {
    let text = std::fs::read_to_string(answers)?;
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("").trim().to_string();
    let rest: String = lines.map(|line| format!("{line}\n")).collect();
    std::fs::write(answers, rest)?;
    Ok(if first.is_empty() { None } else { Some(PathBuf::from(first)) })
}

/// Notes `target` in the open log instead of opening it, when the tests
/// ask for that; `None` when they do not.
pub fn log_opened(target: &str) -> Option<Result<()>> {
    let log = std::env::var_os(OPEN_LOG_ENV)?;
    let appended =
        std::fs::OpenOptions::new().create(true).append(true).open(log).and_then(|mut file| writeln!(file, "{target}"));
    Some(appended.map_err(Into::into))
}

/// Panics halfway through a change: a customer is written inside the
/// transaction, on the writer connection, then the command panics. The
/// page must get an answer, the customer must not be stored, and the next
/// change must work (the writer's lock is taken again).
#[tauri::command]
pub fn panic_on_purpose(state: State<'_, AppState>) -> Result<()> {
    state.write(|conn| {
        store::write(conn, |tx| {
            let input =
                CustomerInput { first_name: "Halfway".into(), last_name: "Written".into(), ..Default::default() };
            customers::create_in(tx, &input, StartingHealth::default(), Utc::now())?;
            panic!("panic_on_purpose: a panic the tests asked for");
        })
    })
}
