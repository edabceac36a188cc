//! Regulars: customer cards, front-desk lookup and reminders for small shops.
//!
//! The crate is a house with floors (see ARCHITECTURE.md): `kernel` (no SQL),
//! `db` (the store), `records` (one writer per table), `derived` (figures
//! kept from the records), `features` (use cases), `io` (files in and out)
//! and `app` (the Tauri edge). A module uses only its own floor or those
//! below; `tests/integration/architecture.rs` checks it.

pub mod kernel;
pub mod db;
pub mod records;
pub mod derived;
pub mod features;
pub mod io;
pub mod app;
pub mod cli;

pub use kernel::error::{Error, Result};
