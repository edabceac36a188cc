//! Thin Tauri commands, one file per screen: take the input, call one
//! feature or read, return its result. Reads go to a read connection
//! (`AppState::read`); changes to the writer (`AppState::write`), which
//! wakes the scheduler. Each runs off the main thread through
//! `app::ipc::guarded`, so the window never waits on the database and a
//! panic answers the page with an error. Only commands read the clock.

pub mod cards;
pub mod data;
pub mod desk;
pub mod outreach;
pub mod owner;
pub mod plans;
pub mod settings;
pub mod shop;
pub mod today;
pub mod vault;

/// The shop's local date, for rules that count days.
fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
