//! Reviews and referrals: composed messages, asking, answers, the
//! referral overview, mail/SMS links and the printed review card.

use chrono::{Local, Utc};
use serde::Serialize;
use tauri::State;

use super::today;
use crate::app::desktop;
use crate::app::state::AppState;
use crate::db::settings;
use crate::features::outreach::{self, ReviewStatus};
use crate::io::plan_pdf;
use crate::kernel::error::{Error, Result};
use crate::kernel::qr::Qr;
use crate::records::referrals;

#[tauri::command(async)]
pub fn compose_message(state: State<'_, AppState>, customer_id: String, key: String, staff_id: Option<String>) -> Result<outreach::Composed> {
    state.read(|conn| outreach::compose(conn, &customer_id, &key, staff_id.as_deref(), &Local))
}

#[tauri::command(async)]
pub fn get_review_status(state: State<'_, AppState>, customer_id: String) -> Result<ReviewStatus> {
    state.read(|conn| outreach::status(conn, &customer_id, Utc::now()))
}

#[tauri::command(async)]
pub fn ask_review(state: State<'_, AppState>, customer_id: String, channel: String, staff_id: Option<String>) -> Result<outreach::ReviewRequest> {
    state.write(|conn| outreach::ask(conn, &customer_id, &channel, staff_id.as_deref(), Utc::now(), today(), &Local))
}

#[tauri::command(async)]
pub fn set_review_status(state: State<'_, AppState>, request_id: String, status: String) -> Result<outreach::ReviewRequest> {
    state.write(|conn| outreach::set_status(conn, &request_id, &status, Utc::now()))
}

#[tauri::command(async)]
pub fn get_review_candidates(state: State<'_, AppState>) -> Result<Vec<outreach::Candidate>> {
    state.read(|conn| outreach::candidates(conn, Utc::now(), 50))
}

#[tauri::command(async)]
pub fn get_referrals(state: State<'_, AppState>, customer_id: String) -> Result<referrals::ForCustomer> {
    state.read(|conn| referrals::for_customer(conn, &customer_id))
}

#[derive(Serialize)]
pub struct ReferralOverview {
    pub recent: Vec<referrals::Referral>,
    pub top: Vec<referrals::TopReferrer>,
}

#[tauri::command(async)]
pub fn get_referral_overview(state: State<'_, AppState>) -> Result<ReferralOverview> {
    state.read(|conn| Ok(ReferralOverview { recent: referrals::recent(conn, 50)?, top: referrals::top_referrers(conn, 10)? }))
}

#[tauri::command(async)]
pub fn mark_referral_thanked(state: State<'_, AppState>, referral_id: String) -> Result<()> {
    state.write(|conn| referrals::mark_thanked(conn, &referral_id, Utc::now()))
}

/// Opens a mailto: or sms: link in the system's mail or messages app. Only
/// those two schemes: the page cannot make the app open anything else.
/// With `REGULARS_OPEN_LOG` set (tests), the link is appended to that file
/// instead.
#[tauri::command(async)]
pub fn open_link(url: String) -> Result<()> {
    if !(url.starts_with("mailto:") || url.starts_with("sms:")) {
        return Err(Error::invalid("message", "Only email and text-message links can be opened."));
    }
    desktop::open_external(&url)
}

/// Writes the review QR card to `<data>/print/` and opens it for printing.
#[tauri::command(async)]
pub fn print_review_card(state: State<'_, AppState>) -> Result<String> {
    let (shop, link, qr) =
        state.read(|conn| Ok((settings::load(conn)?.shop_name, outreach::load_rules(conn)?.review_link, outreach::review_qr(conn)?)))?;
    let path = desktop::print(&state.data_dir, "review-card.pdf", &plan_pdf::review_card(&shop, &link, &qr)?)?;
    Ok(path.display().to_string())
}

#[tauri::command(async)]
pub fn get_review_qr(state: State<'_, AppState>) -> Result<Qr> {
    state.read(outreach::review_qr)
}
