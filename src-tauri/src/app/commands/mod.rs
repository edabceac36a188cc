//! Thin Tauri commands, one file per screen: take the input, call one
//! feature or read, return its result. Reads go to a read connection
//! (`AppState::read`); changes to the writer (`AppState::write`), which
//! wakes the scheduler. Each runs off the main thread through
//! `app::ipc::guarded`, so the window never waits on the database and a
//! panic answers the page with an error. Only commands read the clock.

use chrono::{Local, Utc};
use rusqlite::Connection;

use crate::app::state::AppState;
use crate::features::card_view::{self, CardView};
use crate::kernel::error::Result;

pub mod cards;
pub mod data;
pub mod desk;
pub mod mail;
pub mod outreach;
pub mod owner;
pub mod plans;
pub mod settings;
pub mod sharing;
pub mod shop;
pub mod today;
pub mod updates;
pub mod vault;

/// The shop's local date, for rules that count days.
fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// Every command that changes a card answers the card as it is now: the
/// change (which says whose card it was) and then the one card view, read
/// on the writer right after the change committed, so the window repaints
/// the card once from one call and never asks again.
fn change_card(state: &AppState, change: impl FnOnce(&mut Connection) -> Result<String>) -> Result<CardView> {
    state.write(|conn| {
        let customer_id = change(conn)?;
        card_view::load(conn, &customer_id, Utc::now(), today(), &Local)
    })
}
