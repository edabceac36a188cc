//! The Tauri edge: the only modules that import `tauri`. `window::run`
//! builds the window, registers the commands and starts the background
//! tasks (scheduler, automatic backups); `tray` keeps them running when
//! the window is closed. Everything below this folder is
//! plain Rust over SQLite, testable without a window.

pub mod autostart;
pub mod background;
pub mod commands;
pub mod desktop;
pub mod file_dialog;
pub mod files;
pub mod instance;
pub mod ipc;
pub mod mail;
pub mod memory;
pub mod notify;
pub mod owner;
pub mod photos;
pub mod scheduler;
pub mod sharing_status;
pub mod state;
pub mod sync;
#[cfg(feature = "test-switches")]
pub mod test_switches;
pub mod tray;
pub mod updates;
pub mod window;
