//! The card's own panels: edit, archive, erase, notes, photos, membership,
//! feedback and complaints, passes and pet records. Every change answers
//! the card as it is now (`change_card`); the panels read nothing else.

use chrono::{Local, Utc};
use tauri::State;

use super::{change_card, today};
use crate::app::file_dialog;
use crate::app::files::{self, Purpose};
use crate::app::owner;
use crate::app::state::AppState;
use crate::features::card_view::{CardChange, CardView};
use crate::features::{self, cards};
use crate::io::safe_file;
use crate::kernel::error::Error;
use crate::kernel::error::Result;
use crate::kernel::picture;
use crate::records::complaints;
use crate::records::customers::{self, CustomerInput};
use crate::records::feedback;
use crate::records::memberships;
use crate::records::passes;
use crate::records::pets::{PetInput, VaccinationInput};
use crate::records::photos;

/// The editor's save: the new card, shown at once from this one answer.
#[tauri::command]
pub fn create_customer(state: State<'_, AppState>, input: CustomerInput) -> Result<CardView> {
    change_card(&state, |conn| Ok(cards::create(conn, &input, Utc::now())?.id))
}

#[tauri::command]
pub fn update_customer(state: State<'_, AppState>, id: String, input: CustomerInput) -> Result<CardView> {
    change_card(&state, |conn| Ok(cards::update(conn, &id, &input, Utc::now())?.id))
}

#[tauri::command]
pub fn set_archived(state: State<'_, AppState>, id: String, archived: bool) -> Result<CardView> {
    change_card(&state, |conn| Ok(customers::set_archived(conn, &id, archived, Utc::now())?.id))
}

#[tauri::command]
pub fn delete_customer(state: State<'_, AppState>, id: String) -> Result<crate::io::erase::Erased> {
    owner::audited(
        &state,
        "deleted a customer completely",
        |_| format!("customer {id}"),
        |conn| crate::io::erase::erase_customer(conn, &state.data_dir, &id, Utc::now(), &Local),
    )
}

#[tauri::command]
pub fn add_note(state: State<'_, AppState>, customer_id: String, body: String, pinned: bool) -> Result<CardView> {
    change_card(&state, |conn| Ok(customers::add_note(conn, &customer_id, &body, pinned, Utc::now())?.id))
}

#[tauri::command]
pub fn set_note_pinned(state: State<'_, AppState>, note_id: String, pinned: bool) -> Result<CardView> {
    change_card(&state, |conn| Ok(customers::set_note_pinned(conn, &note_id, pinned, Utc::now())?.id))
}

#[tauri::command]
pub fn delete_note(state: State<'_, AppState>, note_id: String) -> Result<CardView> {
    change_card(&state, |conn| Ok(customers::delete_note(conn, &note_id, Utc::now())?.id))
}

#[tauri::command]
pub fn set_membership(
    state: State<'_, AppState>,
    customer_id: String,
    input: memberships::MembershipInput,
) -> Result<CardView> {
    change_card(&state, |conn| {
        features::memberships::set(conn, &customer_id, &input, Utc::now())?;
        Ok(customer_id)
    })
}

#[tauri::command]
pub fn renew_membership(state: State<'_, AppState>, customer_id: String) -> Result<CardView> {
    change_card(&state, |conn| {
        features::memberships::renew(conn, &customer_id, Utc::now())?;
        Ok(customer_id)
    })
}

#[tauri::command]
pub fn end_membership(state: State<'_, AppState>, customer_id: String) -> Result<CardView> {
    change_card(&state, |conn| {
        features::memberships::end(conn, &customer_id, Utc::now())?;
        Ok(customer_id)
    })
}

/// The feedback form: the sentence it shows (the answer's label, or the
/// follow-up a low score opened) and the card as it is now.
#[tauri::command]
pub fn record_feedback(
    state: State<'_, AppState>,
    customer_id: String,
    input: feedback::FeedbackInput,
) -> Result<CardChange> {
    let mut said = String::new();
    let view = change_card(&state, |conn| {
        let recorded = features::feedback::record(conn, &customer_id, &input, Utc::now(), today())?;
        said = features::feedback::said(&recorded);
        Ok(customer_id)
    })?;
    Ok(CardChange { said, view })
}

#[tauri::command]
pub fn open_complaint(
    state: State<'_, AppState>,
    customer_id: String,
    input: complaints::OpenInput,
) -> Result<CardView> {
    change_card(&state, |conn| {
        Ok(features::complaints::open(conn, &customer_id, &input, Utc::now(), &Local)?.customer_id)
    })
}

#[tauri::command]
pub fn add_complaint_update(
    state: State<'_, AppState>,
    complaint_id: String,
    input: complaints::UpdateInput,
) -> Result<CardView> {
    change_card(&state, |conn| Ok(complaints::add_update(conn, &complaint_id, &input, Utc::now(), &Local)?.customer_id))
}

#[tauri::command]
pub fn close_complaint(
    state: State<'_, AppState>,
    complaint_id: String,
    recap: String,
    staff_id: Option<String>,
) -> Result<CardView> {
    change_card(&state, |conn| {
        Ok(features::complaints::close(conn, &complaint_id, &recap, staff_id.as_deref(), Utc::now())?.customer_id)
    })
}

/// The photo of a customer (`person_id` None) or of a person or pet on
/// their card, chosen in the file dialog and put on the card in the same
/// call. Answers the card as it is now, or `None` when the dialog was
/// cancelled.
#[tauri::command]
pub fn choose_photo(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    customer_id: String,
    person_id: Option<String>,
) -> Result<Option<CardView>> {
    let Some(path) = file_dialog::ask(&app, Purpose::Photo, None)? else { return Ok(None) };
    files::check(Purpose::Photo, &path, &state.data_dir)?;
    // Read through one open handle, no further than the limit, and
    // decoded and shrunk before the writer is taken.
    let thumbnails = crate::app::photos::one_at_a_time(|| {
        let bytes = safe_file::read_limited(&path, picture::MAX_BYTES as u64, picture::too_big)?;
        picture::thumbnails(&bytes)
    })?;
    change_card(&state, |conn| {
        photos::set(conn, &customer_id, person_id.as_deref(), &thumbnails, Utc::now())?;
        Ok(customer_id)
    })
    .map(Some)
}

/// A picture pasted in the window. Its bytes are the call's raw body (no
/// JSON list of numbers), and the headers `x-customer-id` and
/// `x-person-id` (empty or absent: the customer's own photo) say whose.
/// The page refuses a picture over the limit before sending it; here the
/// size is checked before anything else, and one photo is made at a time.
#[tauri::command]
pub fn paste_photo(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<CardView> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(Error::invalid("photo", "The pasted picture did not arrive as a picture. Paste it again."));
    };
    if bytes.len() > picture::MAX_BYTES {
        return Err(picture::too_big(bytes.len() as u64));
    }
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty())
    };
    let customer_id = header("x-customer-id").ok_or(Error::NotFound("This customer"))?;
    let person_id = header("x-person-id");
    let thumbnails = crate::app::photos::one_at_a_time(|| picture::thumbnails(bytes))?;
    change_card(&state, |conn| {
        photos::set(conn, customer_id, person_id, &thumbnails, Utc::now())?;
        Ok(customer_id.to_string())
    })
}

#[tauri::command]
pub fn remove_photo(state: State<'_, AppState>, customer_id: String, person_id: Option<String>) -> Result<CardView> {
    change_card(&state, |conn| {
        photos::remove(conn, &customer_id, person_id.as_deref())?;
        Ok(customer_id)
    })
}

// Passes and pet records: a sale, a vaccination or a correction moves its
// health, history and passes together; the card view answers them all.

#[tauri::command]
pub fn sell_pass(
    state: State<'_, AppState>,
    customer_id: String,
    type_id: String,
    staff_id: Option<String>,
) -> Result<CardView> {
    change_card(&state, |conn| {
        features::desk::sell_pass(conn, &customer_id, &type_id, staff_id.as_deref(), Utc::now(), today())?;
        Ok(customer_id)
    })
}

#[tauri::command]
pub fn adjust_pass(
    state: State<'_, AppState>,
    pass_id: String,
    sessions: String,
    reason: String,
    staff_id: Option<String>,
) -> Result<CardView> {
    let sessions: i64 = sessions
        .trim()
        .trim_start_matches('+')
        .parse()
        .map_err(|_| Error::invalid("sessions", "Type a whole number of sessions, like 1 or -1."))?;
    change_card(&state, |conn| passes::adjust(conn, &pass_id, sessions, &reason, staff_id.as_deref(), Utc::now()))
}

#[tauri::command]
pub fn save_pet(state: State<'_, AppState>, person_id: String, input: PetInput) -> Result<CardView> {
    change_card(&state, |conn| features::pets::save(conn, &person_id, &input, today(), Utc::now()))
}

#[tauri::command]
pub fn add_vaccination(state: State<'_, AppState>, person_id: String, input: VaccinationInput) -> Result<CardView> {
    change_card(&state, |conn| features::pets::add_vaccination(conn, &person_id, &input, today(), Utc::now()))
}

#[tauri::command]
pub fn delete_vaccination(state: State<'_, AppState>, vaccination_id: String) -> Result<CardView> {
    change_card(&state, |conn| features::pets::delete_vaccination(conn, &vaccination_id, Utc::now()))
}
