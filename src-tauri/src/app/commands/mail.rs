//! News by email: the shop's mail account, groups with their live count,
//! a message written once and previewed, a test to the shop itself, the
//! send and its progress (pause, cancel, retry). All owner only (see
//! `app::owner::OWNER_ONLY`); the sender itself is `app::mail`. Consent on
//! the card is `set_news_consent`, which answers the card.

use chrono::{Local, Utc};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::{change_card, today};
use crate::app::mail::{self, MailEngine};
use crate::app::owner;
use crate::app::state::AppState;
use crate::features::card_view::CardView;
use crate::features::groups::{self, GroupCount, GroupFilter, SavedGroup};
use crate::features::newsletter::{self, Context, Draft, Preview};
use crate::features::{outreach, templates};
use crate::io::mail_account::{self, MailAccount, MailAccountInput, Preset};
use crate::io::mailer;
use crate::kernel::error::{Error, Result};
use crate::records::audit;
use crate::records::mailings::{self, Failure, Progress};

/// Everything the News screen opens with.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MailScreen {
    pub account: Option<MailAccount>,
    pub presets: Vec<Preset>,
    /// What an app password is, in a sentence.
    pub app_password: String,
    pub groups: Vec<SavedGroup>,
    /// The newest messages first.
    pub messages: Vec<Progress>,
    /// The placeholders a message may use: (name, what fills it).
    pub placeholders: Vec<(String, String)>,
    /// How the sender stands ("" when all is well).
    pub status: String,
}

/// One message's progress, its failures and how the sender stands.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MailProgress {
    pub progress: Progress,
    pub failures: Vec<Failure>,
    pub status: String,
}

#[tauri::command]
pub fn get_mail_screen(state: State<'_, AppState>, engine: State<'_, MailEngine>) -> Result<MailScreen> {
    let (account, groups, messages) =
        state.read(|conn| Ok((mail_account::load(conn)?, groups::saved(conn)?, mailings::recent(conn, 10)?)))?;
    Ok(MailScreen {
        account,
        presets: mail_account::presets(),
        app_password: mail_account::APP_PASSWORD.to_string(),
        groups,
        messages,
        placeholders: templates::PLACEHOLDERS.iter().map(|(n, w)| (n.to_string(), w.to_string())).collect(),
        status: engine.status(),
    })
}

#[tauri::command]
pub fn save_mail_account(state: State<'_, AppState>, input: MailAccountInput) -> Result<MailAccount> {
    owner::audited(
        &state,
        "changed the mail account",
        |_| String::new(),
        |conn| mail_account::save(conn, &input, Utc::now()),
    )
}

#[tauri::command]
pub fn count_group(state: State<'_, AppState>, filter: GroupFilter) -> Result<GroupCount> {
    state.read(|conn| groups::count(conn, &filter, Utc::now(), today()))
}

#[tauri::command]
pub fn save_group(state: State<'_, AppState>, name: String, filter: GroupFilter) -> Result<Vec<SavedGroup>> {
    state.write(|conn| groups::save(conn, &name, &filter, Utc::now()))
}

#[tauri::command]
pub fn remove_group(state: State<'_, AppState>, id: String) -> Result<Vec<SavedGroup>> {
    state.write(|conn| groups::remove(conn, &id, Utc::now()))
}

/// The shop's address (for the line on how to stop), or a message by the form.
fn shop_address(conn: &rusqlite::Connection) -> Result<String> {
    mail_account::load(conn)?
        .map(|account| account.address)
        .ok_or_else(|| Error::invalid("mail_address", "Set up the shop's mail account first."))
}

/// Runs `work` with the template context of a group message (the shop's
/// address for the line on how to stop, the review link), handing back the
/// connection as it was given: shared for a preview, the writer's for the send.
fn with_context<C: std::borrow::Borrow<rusqlite::Connection>, T>(
    conn: C,
    work: impl FnOnce(C, &Context<'_, Local>) -> Result<T>,
) -> Result<T> {
    let address = shop_address(conn.borrow())?;
    let link = outreach::load_rules(conn.borrow())?.review_link;
    let ctx = Context {
        staff_name: "",
        review_link: &link,
        shop_address: &address,
        now: Utc::now(),
        today: today(),
        tz: &Local,
    };
    work(conn, &ctx)
}

#[tauri::command]
pub fn preview_group_message(state: State<'_, AppState>, draft: Draft) -> Result<Preview> {
    state.read(|conn| with_context(conn, |conn, ctx| newsletter::preview(conn, &draft, ctx)))
}

/// Sends the message as the group's first member will get it (or as
/// written, for an empty group) to the shop's own address.
#[tauri::command]
pub async fn send_test_message(state: State<'_, AppState>, draft: Draft) -> Result<String> {
    let (account, preview) = state.read(|conn| {
        let account = mail_account::load(conn)?
            .ok_or_else(|| Error::invalid("mail_address", "Set up the shop's mail account first."))?;
        Ok((account, with_context(conn, |conn, ctx| newsletter::preview(conn, &draft, ctx))?))
    })?;
    let (subject, body) = match preview.samples.first() {
        Some(sample) => (sample.subject.clone(), sample.body.clone()),
        None => (draft.subject.clone(), draft.body.clone()),
    };
    let config = mail::config(account)?;
    mailer::send_test(&mailer::transport(&config)?, &config.account, &subject, &body).await?;
    Ok(format!("A test was sent to {}.", config.account.address))
}

/// Queues the message for the group (owner only, in the audit trail) and
/// wakes the sender.
#[tauri::command]
pub fn send_group_message(
    state: State<'_, AppState>,
    engine: State<'_, MailEngine>,
    draft: Draft,
) -> Result<MailProgress> {
    let who = owner::who(&state)?;
    let id = state.write(|conn| with_context(conn, |conn, ctx| newsletter::queue(conn, &draft, ctx, who)))?;
    engine.wake.notify_one();
    progress_of(&state, &engine, &id)
}

fn progress_of(state: &AppState, engine: &MailEngine, id: &str) -> Result<MailProgress> {
    let (progress, failures) = state.read(|conn| Ok((mailings::progress(conn, id)?, mailings::failures(conn, id)?)))?;
    Ok(MailProgress { progress, failures, status: engine.status() })
}

#[tauri::command]
pub fn get_mail_progress(
    state: State<'_, AppState>,
    engine: State<'_, MailEngine>,
    message_id: String,
) -> Result<MailProgress> {
    progress_of(&state, &engine, &message_id)
}

/// Pauses ("paused"), resumes ("sending") or cancels ("cancelled") a message.
#[tauri::command]
pub fn set_mail_state(
    state: State<'_, AppState>,
    engine: State<'_, MailEngine>,
    message_id: String,
    to: String,
) -> Result<MailProgress> {
    if !["paused", "sending", "cancelled"].contains(&to.as_str()) {
        return Err(Error::invalid("state", "Choose pause, resume or cancel."));
    }
    state.write(|conn| mailings::set_state(conn, &message_id, &to, Utc::now()))?;
    engine.wake.notify_one();
    progress_of(&state, &engine, &message_id)
}

/// Sends the failures again (all of the message's, or one).
#[tauri::command]
pub fn retry_mail(
    state: State<'_, AppState>,
    engine: State<'_, MailEngine>,
    message_id: String,
    outbox_id: Option<String>,
) -> Result<MailProgress> {
    state.write(|conn| mailings::retry(conn, &message_id, outbox_id.as_deref(), Utc::now()))?;
    engine.wake.notify_one();
    progress_of(&state, &engine, &message_id)
}

/// The card's one click: agreed to news by email (asked at the desk), or a
/// stop. In the audit trail with who recorded it.
#[tauri::command]
pub fn set_news_consent(state: State<'_, AppState>, customer_id: String, agreed: bool) -> Result<CardView> {
    let who = if owner::in_owner_mode(&state)? { owner::who(&state)? } else { audit::DESK };
    change_card(&state, |conn| newsletter::set_consent(conn, &customer_id, agreed, who, Utc::now()))
}
