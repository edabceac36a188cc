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

/// A review asked for on the card, and sent by its channel in the same
/// call: the request is kept (and its follow-up planned), then the mail or
/// messages app opens or the QR card prints (copying is the page's: it has
/// the text). The card answers as it is now.
#[tauri::command]
pub fn ask_review(
    state: State<'_, AppState>,
    customer_id: String,
    channel: String,
    staff_id: Option<String>,
) -> Result<CardView> {
    let link = message_link(&state, &customer_id, "review_request", &channel, staff_id.as_deref())?;
    let view = change_card(&state, |conn| {
        outreach::ask(conn, &customer_id, &channel, staff_id.as_deref(), Utc::now(), today(), &Local)?;
        Ok(customer_id.clone())
    })?;
    send(&state, &channel, link)?;
    Ok(view)
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

/// The thanks is said on the referrer's card (`customer_id`) and sent by
/// its channel in the same call; the card answers as it is now.
#[tauri::command]
pub fn thank_referrer(
    state: State<'_, AppState>,
    customer_id: String,
    referral_id: String,
    channel: String,
    staff_id: Option<String>,
) -> Result<CardView> {
    if channel == "print" {
        return Err(Error::invalid("channel", "Choose copy, email or text message."));
    }
    let link = message_link(&state, &customer_id, "referral_thanks", &channel, staff_id.as_deref())?;
    let view = change_card(&state, |conn| referrals::mark_thanked(conn, &referral_id, Utc::now()))?;
    send(&state, &channel, link)?;
    Ok(view)
}

/// The mail or SMS link for a composed message, checked before anything
/// is kept (`None` for copying and printing). The page names the customer
/// and the message (its template key), never a link: the link is built
/// here from the stored template and the card (to, subject, body,
/// percent-encoded), so nothing else can ride along (an `attach=` some
/// mail apps honour, another address, another scheme).
fn message_link(
    state: &AppState,
    customer_id: &str,
    key: &str,
    channel: &str,
    staff_id: Option<&str>,
) -> Result<Option<String>> {
    let composed = state.read(|conn| outreach::compose(conn, customer_id, key, staff_id, &Local))?;
    outreach::ensure_complete(&composed)?;
    match channel {
        "copy" | "print" => Ok(None),
        "email" => composed
            .mailto
            .map(Some)
            .ok_or_else(|| Error::invalid("channel", "This customer has no email address on the card.")),
        "sms" => composed
            .sms
            .map(Some)
            .ok_or_else(|| Error::invalid("channel", "This customer has no phone number on the card.")),
        _ => Err(Error::invalid("channel", "Choose copy, email, text message or print.")),
    }
}

/// Sends a kept message: opens its link, or prints the review QR card to
/// `<data>/print/` and opens it for printing.
fn send(state: &AppState, channel: &str, link: Option<String>) -> Result<()> {
    if let Some(link) = link {
        return desktop::open_external(&link);
    }
    if channel == "print" {
        let (shop, link, qr) = state.read(|conn| {
            Ok((settings::load(conn)?.shop_name, outreach::load_rules(conn)?.review_link, outreach::review_qr(conn)?))
        })?;
        desktop::print(&state.data_dir, "review-card.pdf", &plan_pdf::review_card(&shop, &link, &qr)?)?;
    }
    Ok(())
}

#[tauri::command]
pub fn get_review_qr(state: State<'_, AppState>) -> Result<Qr> {
    state.read(outreach::review_qr)
}
