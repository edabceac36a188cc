//! Today and the home screens: reminders due, snooze and close, the
//! dashboard and the weekly review list.

use chrono::{Local, Utc};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::app::state::AppState;
use crate::app::tray;
use crate::derived::health;
use crate::features::{dashboard, reminder_sources};
use crate::kernel::error::Result;
use crate::kernel::time::timestamp;
use crate::records::reminders;

#[derive(Serialize, TS)]
pub struct TodayView {
    #[serde(flatten)]
    pub today: reminders::Today,
    pub due_count: i64,
}

/// Today's reminders and the count due, which the tray's menu shows too.
#[tauri::command]
pub fn get_today(app: tauri::AppHandle, state: State<'_, AppState>) -> Result<TodayView> {
    let now = Utc::now();
    let view = state.read(|conn| {
        let today = reminder_sources::today(conn, now, &Local, Some(&state.away_marker))?;
        Ok(TodayView { today, due_count: reminders::due_count(conn, now)? })
    })?;
    tray::show_due_count(&app, view.due_count);
    Ok(view)
}

#[tauri::command]
pub fn snooze_reminder(state: State<'_, AppState>, id: String, how: reminders::Snooze) -> Result<String> {
    let until = state.write(|conn| {
        let rules = reminders::load_rules(conn)?;
        reminders::snooze(conn, &id, how, Utc::now(), &Local, &rules)
    })?;
    Ok(timestamp(until))
}

#[tauri::command]
pub fn close_reminder(state: State<'_, AppState>, id: String, dismissed: bool) -> Result<()> {
    state.write(|conn| reminder_sources::close(conn, &id, dismissed, Utc::now()))
}

#[tauri::command]
pub fn get_dashboard(state: State<'_, AppState>) -> Result<dashboard::Dashboard> {
    state.read(|conn| dashboard::build(conn, Utc::now(), &Local))
}

#[tauri::command]
pub fn get_review_list(state: State<'_, AppState>) -> Result<Vec<health::ReviewLine>> {
    state.read(|conn| health::review_list(conn, Utc::now(), &Local, 100))
}
