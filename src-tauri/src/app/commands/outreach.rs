//! Reviews and referrals: composed messages, asking, answers, the
//! referral overview, opening a message in the mail/SMS app and the
//! printed review card.

use chrono::{Local, Utc};
use serde::Serialize;
use tauri::State;

use super::{change_card, today};
use crate::app::desktop;
use crate::app::state::AppState;
use crate::db::settings;
use crate::features::card_view::CardView;
use crate::features::outreach;
use crate::io::plan_pdf;
use crate::kernel::error::{Error, Result};
use crate::kernel::qr::Qr;
use crate::records::referrals;
use ts_rs::TS;

#[tauri::command]
pub fn compose_message(
    state: State<'_, AppState>,
    customer_id: String,
    key: String,
    staff_id: Option<String>,
) -> Result<outreach::Composed> {
    state.read(|conn| outreach::compose(conn, &customer_id, &key, staff_id.as_deref(), &Local))
}

/// A review asked for on the card: the request is kept (and its follow-up
/// planned) and the card answers as it is now.
#[tauri::command]
pub fn ask_review(
    state: State<'_, AppState>,
    customer_id: String,
    channel: String,
    staff_id: Option<String>,
) -> Result<CardView> {
    change_card(&state, |conn| {
        outreach::ask(conn, &customer_id, &channel, staff_id.as_deref(), Utc::now(), today(), &Local)?;
        Ok(customer_id)
    })
}

#[tauri::command]
pub fn set_review_status(state: State<'_, AppState>, request_id: String, status: String) -> Result<CardView> {
    change_card(&state, |conn| {
        outreach::set_status(conn, &request_id, &status, Utc::now())?;
        outreach::customer_of_request(conn, &request_id)
    })
}

#[tauri::command]
pub fn get_review_candidates(state: State<'_, AppState>) -> Result<Vec<outreach::Candidate>> {
    state.read(|conn| outreach::candidates(conn, Utc::now(), 50))
}

#[derive(Serialize, TS)]
pub struct ReferralOverview {
    pub recent: Vec<referrals::Referral>,
    pub top: Vec<referrals::TopReferrer>,
}

#[tauri::command]
pub fn get_referral_overview(state: State<'_, AppState>) -> Result<ReferralOverview> {
    state.read(|conn| {
        Ok(ReferralOverview { recent: referrals::recent(conn, 50)?, top: referrals::top_referrers(conn, 10)? })
    })
}

/// The thanks is said on the referrer's card, which answers as it is now.
#[tauri::command]
pub fn mark_referral_thanked(state: State<'_, AppState>, referral_id: String) -> Result<CardView> {
    change_card(&state, |conn| referrals::mark_thanked(conn, &referral_id, Utc::now()))
}

/// Opens a composed message in the mail or messages app. The page names
/// the customer and the message (its template key), never a link: the
/// link is built here from the stored template and the card (to, subject,
/// body, percent-encoded), so nothing else can ride along (an
/// `attach=` some mail apps honour, another address, another scheme).
#[tauri::command]
pub fn open_message(
    state: State<'_, AppState>,
    customer_id: String,
    key: String,
    channel: String,
    staff_id: Option<String>,
) -> Result<()> {
    let composed = state.read(|conn| outreach::compose(conn, &customer_id, &key, staff_id.as_deref(), &Local))?;
    outreach::ensure_complete(&composed)?;
    let link = match channel.as_str() {
        "email" => composed
            .mailto
            .ok_or_else(|| Error::invalid("channel", "This customer has no email address on the card."))?,
        "sms" => {
            composed.sms.ok_or_else(|| Error::invalid("channel", "This customer has no phone number on the card."))?
        }
        _ => return Err(Error::invalid("channel", "Choose email or text message.")),
    };
    desktop::open_external(&link)
}

/// Writes the review QR card to `<data>/print/` and opens it for printing.
#[tauri::command]
pub fn print_review_card(state: State<'_, AppState>) -> Result<String> {
    let (shop, link, qr) = state.read(|conn| {
        Ok((settings::load(conn)?.shop_name, outreach::load_rules(conn)?.review_link, outreach::review_qr(conn)?))
    })?;
    let path = desktop::print(&state.data_dir, "review-card.pdf", &plan_pdf::review_card(&shop, &link, &qr)?)?;
    Ok(path.display().to_string())
}

#[tauri::command]
pub fn get_review_qr(state: State<'_, AppState>) -> Result<Qr> {
    state.read(outreach::review_qr)
}
