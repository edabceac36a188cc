//! Regulars: customer cards, front-desk lookup and reminders for small shops.
//!
//! The crate is a house with floors (see ARCHITECTURE.md): `kernel` (no SQL),
//! `db` (the store), `records` (one writer per table), `derived` (figures
//! kept from the records), `features` (use cases), `io` (files in and out)
//! and `app` (the Tauri edge). A module uses only its own floor or those
//! below; `tests/integration/architecture.rs` checks it.

pub mod app;
pub mod cli;
pub mod db;
pub mod derived;
pub mod features;
pub mod io;
pub mod kernel;
pub mod records;

pub use kernel::error::{Error, Result};

/// mimalloc instead of the system's allocator, for the app and for every
/// test and benchmark that links this library, so they measure the same
/// thing. An import of 100,000 rows makes millions of small strings; with
/// glibc's malloc, allocating and freeing them was about half of reading a
/// vCard file (`cargo bench --bench data`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
