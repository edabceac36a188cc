//! Onboarding plans on the card: start, tick, cancel (each answering the
//! card as it is now), save and print the one-page PDF.

use std::path::Path;

use chrono::Utc;
use serde::Serialize;
use tauri::State;

use super::{change_card, today};
use crate::app::desktop;
use crate::app::files::Purpose;
use crate::app::state::AppState;
use crate::features::card_view::CardView;
use crate::io::plan_pdf;
use crate::kernel::error::{Error, Result};
use crate::records::onboarding;
use ts_rs::TS;

#[tauri::command]
pub fn start_plan(state: State<'_, AppState>, customer_id: String, start_on: String) -> Result<CardView> {
    if start_on.trim().is_empty() {
        return Err(Error::invalid("start_on", "Choose the day the plan starts."));
    }
    let start = crate::kernel::time::parse_day("start_on", &start_on)?;
    change_card(&state, |conn| {
        onboarding::start(conn, &customer_id, start, today(), Utc::now())?;
        Ok(customer_id)
    })
}

#[tauri::command]
pub fn tick_plan_task(
    state: State<'_, AppState>,
    task_id: String,
    done: bool,
    staff_id: Option<String>,
) -> Result<CardView> {
    change_card(&state, |conn| {
        if done {
            onboarding::tick(conn, &task_id, staff_id.as_deref(), Utc::now())
        } else {
            onboarding::untick(conn, &task_id, Utc::now())
        }
    })
}

#[tauri::command]
pub fn cancel_plan(state: State<'_, AppState>, customer_id: String) -> Result<CardView> {
    change_card(&state, |conn| {
        onboarding::cancel(conn, &customer_id, Utc::now())?;
        Ok(customer_id)
    })
}

#[derive(Serialize, TS)]
pub struct PdfWritten {
    pub path: String,
    pub bytes: usize,
    /// Characters left out of the page, said in a sentence; `None` if all printed.
    pub notice: Option<String>,
}

fn write_plan_pdf(state: &AppState, customer_id: &str, path: &Path) -> Result<PdfWritten> {
    let doc = state.read(|conn| plan_pdf::document(conn, customer_id, today()))?;
    let rendered = plan_pdf::write_file(&doc, path)?;
    Ok(PdfWritten { path: path.display().to_string(), bytes: rendered.bytes.len(), notice: rendered.notice() })
}

/// Save as PDF, to the file chosen with `choose_file` (its token).
#[tauri::command]
pub fn save_plan_pdf(state: State<'_, AppState>, customer_id: String, file: String) -> Result<PdfWritten> {
    let path = state.files.path(&file, Purpose::PlanPdf, &state.data_dir)?;
    write_plan_pdf(&state, &customer_id, &path)
}

/// Print: the PDF goes to `<data>/print/` and opens in the system's viewer
/// (in tests, the open log: see `open_external`).
#[tauri::command]
pub fn print_plan(state: State<'_, AppState>, customer_id: String) -> Result<PdfWritten> {
    let path = desktop::print_path(&state.data_dir, &format!("plan-{customer_id}.pdf"))?;
    let written = write_plan_pdf(&state, &customer_id, &path)?;
    desktop::open_external(&written.path).map_err(|e| {
        Error::Conflict(format!("The PDF was saved to {} but no PDF viewer could open it: {e}", written.path))
    })?;
    Ok(written)
}
