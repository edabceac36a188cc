//! The front desk: search, the card as one view, logging, check-in, undo,
//! next steps, redeeming and adjusting points.

use chrono::{Local, Utc};
use tauri::State;

use super::{change_card, today};
use crate::app::state::AppState;
use crate::db::search::{self, Hit};
use crate::features::card_view::{self, CardChange, CardView};
use crate::features::desk::{self, CheckedIn, LogInput};
use crate::kernel::error::{Error, Result};
use crate::records::interactions::{self, HistoryPage};
use crate::records::loyalty::{self, Redeemable};

#[tauri::command]
pub fn search(state: State<'_, AppState>, query: String, limit: Option<usize>) -> Result<Vec<Hit>> {
    state.read(|conn| search::search(conn, &query, limit.unwrap_or(search::DEFAULT_LIMIT), Some(Utc::now())))
}

/// Everything the card shows, in one call and one read.
#[tauri::command]
pub fn get_card_view(state: State<'_, AppState>, id: String) -> Result<CardView> {
    state.read(|conn| card_view::load(conn, &id, Utc::now(), today(), &Local))
}

#[tauri::command]
pub fn get_history(state: State<'_, AppState>, customer_id: String, before: Option<String>) -> Result<HistoryPage> {
    state.read(|conn| interactions::history(conn, &customer_id, before.as_deref(), interactions::HISTORY_PAGE))
}

/// The log form: the sentence it shows and the card as it is now.
#[tauri::command]
pub fn log_interaction(state: State<'_, AppState>, customer_id: String, input: LogInput) -> Result<CardChange> {
    state.write(|conn| desk::log_and_show(conn, &customer_id, &input, Utc::now(), today(), &Local))
}

/// The check-in button, Ctrl+Enter on a card and Ctrl+Enter in the search
/// list: the sentence to show and the refreshed card, in one call.
#[tauri::command]
pub fn check_in(state: State<'_, AppState>, customer_id: String, staff_id: Option<String>) -> Result<CheckedIn> {
    state.write(|conn| desk::check_in_and_show(conn, &customer_id, staff_id.as_deref(), Utc::now(), today(), &Local))
}

#[tauri::command]
pub fn undo_interaction(
    state: State<'_, AppState>,
    interaction_id: String,
    staff_id: Option<String>,
) -> Result<CardView> {
    change_card(&state, |conn| desk::undo(conn, &interaction_id, staff_id.as_deref(), Utc::now()))
}

#[tauri::command]
pub fn complete_task(state: State<'_, AppState>, task_id: String, staff_id: Option<String>) -> Result<CardView> {
    change_card(&state, |conn| desk::complete_task(conn, &task_id, staff_id.as_deref(), Utc::now()))
}

#[tauri::command]
pub fn redeem(
    state: State<'_, AppState>,
    customer_id: String,
    what: Redeemable,
    staff_id: Option<String>,
) -> Result<CardView> {
    change_card(&state, |conn| {
        loyalty::redeem(conn, &customer_id, &what, staff_id.as_deref(), Utc::now())?;
        Ok(customer_id)
    })
}

#[tauri::command]
pub fn adjust_points(
    state: State<'_, AppState>,
    customer_id: String,
    points: String,
    reason: String,
    staff_id: Option<String>,
) -> Result<CardView> {
    // The form sends text so that "abc" gets a message next to the field.
    let points: i64 = points
        .trim()
        .trim_start_matches('+')
        .parse()
        .map_err(|_| Error::invalid("points", "Type a whole number of points, like 50 or -20."))?;
    change_card(&state, |conn| {
        loyalty::adjust(conn, &customer_id, points, &reason, staff_id.as_deref(), Utc::now())?;
        Ok(customer_id)
    })
}
