//! Thin Tauri commands: take the input, call the domain, return its result.
//! Each runs off the main thread (`async` attribute) so the window never
//! waits on the database.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use serde::Serialize;
use tauri::State;

use crate::customers::{self, Card, CustomerInput};
use crate::error::{Error, Result};
use crate::search::{self, Hit};
use crate::settings::{self, BusinessKind, Settings};
use crate::setup;
use crate::{backup, complaints, dashboard, export, feedback, health, importer, loyalty, memberships, onboarding, outreach, referrals, reminders, templates, visits};
use crate::store::Store;

/// The app's one database handle. `None` when it could not be opened; the
/// reason is kept to show the owner instead of crashing.
pub struct AppState {
    pub store: Arc<Mutex<Option<Store>>>,
    /// Wakes the reminder scheduler after a change that may move reminders.
    pub wake: Arc<tokio::sync::Notify>,
    /// Marks the reminders announced at this start ("while you were away").
    pub away_marker: String,
    pub open_error: Option<String>,
    pub data_dir: PathBuf,
    /// When the process started, to log how long the window took to be usable.
    pub started: std::time::Instant,
}

impl AppState {
    /// Tells the scheduler to look again (a next step, visit or date changed).
    fn replan(&self) {
        self.wake.notify_one();
    }

    fn store(&self) -> Result<StoreGuard<'_>> {
        // A panic while holding the lock leaves SQLite consistent (every
        // change is a transaction), so a poisoned lock is safe to reuse.
        let guard = self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            let reason = self.open_error.clone().unwrap_or_else(|| "The database is not open.".into());
            return Err(Error::Conflict(reason));
        }
        Ok(StoreGuard(guard))
    }
}

struct StoreGuard<'a>(MutexGuard<'a, Option<Store>>);

impl StoreGuard<'_> {
    fn get(&mut self) -> &mut Store {
        // Checked in `AppState::store`, and the guard holds the lock.
        self.0.as_mut().expect("store presence checked under the same lock")
    }
}

#[derive(Serialize)]
pub struct AppStatus {
    pub error: Option<String>,
    pub data_dir: String,
    pub settings: Option<Settings>,
}

#[tauri::command(async)]
pub fn app_status(state: State<'_, AppState>) -> Result<AppStatus> {
    let data_dir = state.data_dir.display().to_string();
    match state.store() {
        Ok(mut store) => {
            let settings = settings::load(store.get().conn())?;
            Ok(AppStatus { error: None, data_dir, settings: Some(settings) })
        }
        Err(error) => Ok(AppStatus { error: Some(error.to_string()), data_dir, settings: None }),
    }
}

/// Called once by the UI when the search box is ready; logs the start-up time.
#[tauri::command(async)]
pub fn ui_ready(state: State<'_, AppState>) {
    tracing::info!(elapsed_ms = state.started.elapsed().as_millis() as u64, "search box ready");
    state.replan(); // the scheduler's first pass waits for this
}

#[tauri::command(async)]
pub fn start_shop(state: State<'_, AppState>, shop_name: String, business_kind: String, with_sample: bool) -> Result<Settings> {
    let kind = BusinessKind::parse(&business_kind)
        .ok_or_else(|| Error::invalid("business_kind", "Choose gym, salon, dog-walking or other."))?;
    setup::start_shop(state.store()?.get().conn_mut(), &shop_name, kind, with_sample, Utc::now())
}

#[tauri::command(async)]
pub fn get_settings(state: State<'_, AppState>) -> Result<Settings> {
    settings::load(state.store()?.get().conn())
}

#[tauri::command(async)]
pub fn save_settings(state: State<'_, AppState>, settings: Settings) -> Result<Settings> {
    settings::save(state.store()?.get().conn_mut(), &settings, Utc::now())
}

#[tauri::command(async)]
pub fn search(state: State<'_, AppState>, query: String, limit: Option<usize>) -> Result<Vec<Hit>> {
    search::search(state.store()?.get().conn(), &query, limit.unwrap_or(search::DEFAULT_LIMIT))
}

#[tauri::command(async)]
pub fn get_card(state: State<'_, AppState>, id: String) -> Result<Card> {
    customers::get(state.store()?.get().conn(), &id)
}

#[tauri::command(async)]
pub fn create_customer(state: State<'_, AppState>, input: CustomerInput) -> Result<Card> {
    customers::create(state.store()?.get().conn_mut(), &input, Utc::now())
}

#[tauri::command(async)]
pub fn update_customer(state: State<'_, AppState>, id: String, input: CustomerInput) -> Result<Card> {
    let card = customers::update(state.store()?.get().conn_mut(), &id, &input, Utc::now())?;
    state.replan(); // the birthday may have changed
    Ok(card)
}

#[tauri::command(async)]
pub fn set_archived(state: State<'_, AppState>, id: String, archived: bool) -> Result<Card> {
    customers::set_archived(state.store()?.get().conn_mut(), &id, archived, Utc::now())
}

#[tauri::command(async)]
pub fn delete_customer(state: State<'_, AppState>, id: String) -> Result<()> {
    customers::delete(state.store()?.get().conn_mut(), &id)
}

#[tauri::command(async)]
pub fn add_note(state: State<'_, AppState>, customer_id: String, body: String, pinned: bool) -> Result<Card> {
    customers::add_note(state.store()?.get().conn_mut(), &customer_id, &body, pinned, Utc::now())
}

#[tauri::command(async)]
pub fn set_note_pinned(state: State<'_, AppState>, note_id: String, pinned: bool) -> Result<Card> {
    customers::set_note_pinned(state.store()?.get().conn_mut(), &note_id, pinned, Utc::now())
}

#[tauri::command(async)]
pub fn delete_note(state: State<'_, AppState>, note_id: String) -> Result<Card> {
    customers::delete_note(state.store()?.get().conn_mut(), &note_id, Utc::now())
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

#[tauri::command(async)]
pub fn get_activity(state: State<'_, AppState>, customer_id: String) -> Result<visits::Activity> {
    visits::activity(state.store()?.get().conn(), &customer_id, today())
}

#[tauri::command(async)]
pub fn get_history(state: State<'_, AppState>, customer_id: String, before: Option<String>) -> Result<visits::HistoryPage> {
    visits::history(state.store()?.get().conn(), &customer_id, before.as_deref(), visits::HISTORY_PAGE)
}

#[tauri::command(async)]
pub fn log_interaction(state: State<'_, AppState>, customer_id: String, input: visits::LogInput) -> Result<visits::Logged> {
    let logged = visits::log(state.store()?.get().conn_mut(), &customer_id, &input, Utc::now(), today())?;
    state.replan();
    Ok(logged)
}

#[tauri::command(async)]
pub fn check_in(state: State<'_, AppState>, customer_id: String, staff_id: Option<String>) -> Result<CheckedIn> {
    let mut store = state.store()?;
    let conn = store.get().conn_mut();
    let logged = visits::check_in(conn, &customer_id, staff_id.as_deref(), Utc::now(), today())?;
    let program = loyalty::load_program(conn)?;
    let status = loyalty::status(conn, &program, &customer_id)?;
    let name = customers::display_name(conn, &customer_id)?;
    drop(store);
    state.replan();
    Ok(CheckedIn { name, logged, status })
}

#[derive(Serialize)]
pub struct CheckedIn {
    pub name: String,
    pub logged: visits::Logged,
    pub status: loyalty::Status,
}

#[tauri::command(async)]
pub fn undo_interaction(state: State<'_, AppState>, interaction_id: String, staff_id: Option<String>) -> Result<()> {
    visits::undo(state.store()?.get().conn_mut(), &interaction_id, staff_id.as_deref(), Utc::now())?;
    state.replan();
    Ok(())
}

#[tauri::command(async)]
pub fn complete_task(state: State<'_, AppState>, task_id: String, staff_id: Option<String>) -> Result<String> {
    let customer_id = visits::complete_task(state.store()?.get().conn_mut(), &task_id, staff_id.as_deref(), Utc::now())?;
    state.replan();
    Ok(customer_id)
}

#[tauri::command(async)]
pub fn redeem(state: State<'_, AppState>, customer_id: String, what: loyalty::Redeemable, staff_id: Option<String>) -> Result<()> {
    loyalty::redeem(state.store()?.get().conn_mut(), &customer_id, &what, staff_id.as_deref(), Utc::now())
}

#[tauri::command(async)]
pub fn adjust_points(state: State<'_, AppState>, customer_id: String, points: String, reason: String, staff_id: Option<String>) -> Result<()> {
    // The form sends text so that "abc" gets a message next to the field.
    let points: i64 = points
        .trim()
        .trim_start_matches('+')
        .parse()
        .map_err(|_| Error::invalid("points", "Type a whole number of points, like 50 or -20."))?;
    loyalty::adjust(state.store()?.get().conn_mut(), &customer_id, points, &reason, staff_id.as_deref(), Utc::now())
}

#[tauri::command(async)]
pub fn get_loyalty_program(state: State<'_, AppState>) -> Result<loyalty::Program> {
    loyalty::load_program(state.store()?.get().conn())
}

#[tauri::command(async)]
pub fn save_loyalty_program(state: State<'_, AppState>, program: loyalty::Program) -> Result<loyalty::Program> {
    loyalty::save_program(state.store()?.get().conn_mut(), &program, Utc::now())
}

#[derive(Serialize)]
pub struct TodayView {
    #[serde(flatten)]
    pub today: reminders::Today,
    pub due_count: i64,
}

#[tauri::command(async)]
pub fn get_today(state: State<'_, AppState>) -> Result<TodayView> {
    let mut store = state.store()?;
    let conn = store.get().conn();
    let now = Utc::now();
    let today = reminders::today(conn, now, &chrono::Local, Some(&state.away_marker))?;
    Ok(TodayView { today, due_count: reminders::due_count(conn, now)? })
}

#[tauri::command(async)]
pub fn snooze_reminder(state: State<'_, AppState>, id: String, how: reminders::Snooze) -> Result<String> {
    let mut store = state.store()?;
    let conn = store.get().conn();
    let rules = reminders::load_rules(conn)?;
    let until = reminders::snooze(conn, &id, how, Utc::now(), &chrono::Local, &rules)?;
    drop(store);
    state.replan();
    Ok(crate::store::timestamp(until))
}

#[tauri::command(async)]
pub fn close_reminder(state: State<'_, AppState>, id: String, dismissed: bool) -> Result<()> {
    reminders::close(state.store()?.get().conn(), &id, dismissed, Utc::now())?;
    state.replan();
    Ok(())
}

#[tauri::command(async)]
pub fn get_reminder_rules(state: State<'_, AppState>) -> Result<reminders::Rules> {
    reminders::load_rules(state.store()?.get().conn())
}

#[tauri::command(async)]
pub fn save_reminder_rules(state: State<'_, AppState>, rules: reminders::Rules) -> Result<reminders::Rules> {
    let saved = reminders::save_rules(state.store()?.get().conn_mut(), &rules, Utc::now())?;
    state.replan();
    Ok(saved)
}

#[tauri::command(async)]
pub fn get_membership(state: State<'_, AppState>, customer_id: String) -> Result<Option<memberships::Membership>> {
    memberships::current(state.store()?.get().conn(), &customer_id)
}

#[tauri::command(async)]
pub fn set_membership(state: State<'_, AppState>, customer_id: String, input: memberships::MembershipInput) -> Result<memberships::Membership> {
    let membership = memberships::set(state.store()?.get().conn_mut(), &customer_id, &input, Utc::now())?;
    state.replan();
    Ok(membership)
}

#[tauri::command(async)]
pub fn renew_membership(state: State<'_, AppState>, customer_id: String) -> Result<memberships::Membership> {
    let membership = memberships::renew(state.store()?.get().conn_mut(), &customer_id, Utc::now())?;
    state.replan();
    Ok(membership)
}

#[tauri::command(async)]
pub fn end_membership(state: State<'_, AppState>, customer_id: String) -> Result<()> {
    memberships::end(state.store()?.get().conn_mut(), &customer_id, Utc::now())?;
    state.replan();
    Ok(())
}

/// A native open or save dialog; the path chosen, or `None` if cancelled.
#[tauri::command(async)]
pub fn choose_file(app: tauri::AppHandle, question: crate::file_dialog::Question) -> Result<Option<String>> {
    let chosen = crate::file_dialog::ask(&app, &question)?;
    Ok(chosen.map(|path| path.display().to_string()))
}

#[tauri::command(async)]
pub fn get_dashboard(state: State<'_, AppState>) -> Result<dashboard::Dashboard> {
    dashboard::build(state.store()?.get().conn(), Utc::now(), &chrono::Local)
}

#[tauri::command(async)]
pub fn get_health(state: State<'_, AppState>, customer_id: String) -> Result<health::Health> {
    health::assess(state.store()?.get().conn(), &customer_id, Utc::now(), &chrono::Local)
}

#[tauri::command(async)]
pub fn get_review_list(state: State<'_, AppState>) -> Result<Vec<health::ReviewLine>> {
    health::review_list(state.store()?.get().conn(), Utc::now(), &chrono::Local, 100)
}

#[tauri::command(async)]
pub fn get_health_rules(state: State<'_, AppState>) -> Result<health::HealthRules> {
    health::load_rules(state.store()?.get().conn())
}

#[tauri::command(async)]
pub fn save_health_rules(state: State<'_, AppState>, rules: health::HealthRules) -> Result<health::HealthRules> {
    health::save_rules(state.store()?.get().conn_mut(), &rules, Utc::now())
}

#[tauri::command(async)]
pub fn record_feedback(state: State<'_, AppState>, customer_id: String, input: feedback::FeedbackInput) -> Result<feedback::Recorded> {
    let recorded = feedback::record(state.store()?.get().conn_mut(), &customer_id, &input, Utc::now(), today())?;
    state.replan(); // a low score opened a follow-up
    Ok(recorded)
}

#[tauri::command(async)]
pub fn get_feedback(state: State<'_, AppState>, customer_id: String) -> Result<Vec<feedback::Answer>> {
    feedback::for_customer(state.store()?.get().conn(), &customer_id, 10)
}

#[tauri::command(async)]
pub fn open_complaint(state: State<'_, AppState>, customer_id: String, input: complaints::OpenInput) -> Result<complaints::Complaint> {
    let complaint = complaints::open(state.store()?.get().conn_mut(), &customer_id, &input, Utc::now(), &chrono::Local)?;
    state.replan(); // its checkpoint is a reminder
    Ok(complaint)
}

#[tauri::command(async)]
pub fn add_complaint_update(state: State<'_, AppState>, complaint_id: String, input: complaints::UpdateInput) -> Result<complaints::Complaint> {
    let complaint = complaints::add_update(state.store()?.get().conn_mut(), &complaint_id, &input, Utc::now(), &chrono::Local)?;
    state.replan();
    Ok(complaint)
}

#[tauri::command(async)]
pub fn close_complaint(state: State<'_, AppState>, complaint_id: String, recap: String, staff_id: Option<String>) -> Result<complaints::Complaint> {
    let complaint = complaints::close(state.store()?.get().conn_mut(), &complaint_id, &recap, staff_id.as_deref(), Utc::now())?;
    state.replan();
    Ok(complaint)
}

#[tauri::command(async)]
pub fn get_complaints(state: State<'_, AppState>, customer_id: String) -> Result<Vec<complaints::Complaint>> {
    complaints::for_customer(state.store()?.get().conn(), &customer_id)
}

#[derive(Serialize)]
pub struct TemplatesView {
    pub templates: Vec<templates::Template>,
    /// (key, title) in the editor's order.
    pub titles: Vec<(String, String)>,
    /// (placeholder, what fills it).
    pub placeholders: Vec<(String, String)>,
}

#[tauri::command(async)]
pub fn get_templates(state: State<'_, AppState>) -> Result<TemplatesView> {
    Ok(TemplatesView {
        templates: templates::load(state.store()?.get().conn())?,
        titles: templates::KEYS.iter().map(|(k, t)| (k.to_string(), t.to_string())).collect(),
        placeholders: templates::PLACEHOLDERS.iter().map(|(k, t)| (k.to_string(), t.to_string())).collect(),
    })
}

#[tauri::command(async)]
pub fn save_template(state: State<'_, AppState>, template: templates::Template) -> Result<templates::Template> {
    templates::save(state.store()?.get().conn_mut(), &template, Utc::now())
}

/// The live preview of a template being edited, for one customer.
#[tauri::command(async)]
pub fn preview_template(state: State<'_, AppState>, customer_id: String, template: templates::Template, staff_id: Option<String>) -> Result<outreach::Composed> {
    outreach::compose_from(state.store()?.get().conn(), &customer_id, &template, staff_id.as_deref(), &chrono::Local)
}

#[tauri::command(async)]
pub fn compose_message(state: State<'_, AppState>, customer_id: String, key: String, staff_id: Option<String>) -> Result<outreach::Composed> {
    outreach::compose(state.store()?.get().conn(), &customer_id, &key, staff_id.as_deref(), &chrono::Local)
}

#[tauri::command(async)]
pub fn get_outreach_rules(state: State<'_, AppState>) -> Result<outreach::OutreachRules> {
    outreach::load_rules(state.store()?.get().conn())
}

#[tauri::command(async)]
pub fn save_outreach_rules(state: State<'_, AppState>, rules: outreach::OutreachRules) -> Result<outreach::OutreachRules> {
    outreach::save_rules(state.store()?.get().conn_mut(), &rules, Utc::now())
}

#[derive(Serialize)]
pub struct ReviewStatus {
    pub eligibility: outreach::Eligibility,
    pub requests: Vec<outreach::ReviewRequest>,
}

#[tauri::command(async)]
pub fn get_review_status(state: State<'_, AppState>, customer_id: String) -> Result<ReviewStatus> {
    let mut store = state.store()?;
    let conn = store.get().conn();
    Ok(ReviewStatus { eligibility: outreach::check(conn, &customer_id, Utc::now())?, requests: outreach::for_customer(conn, &customer_id)? })
}

#[tauri::command(async)]
pub fn ask_review(state: State<'_, AppState>, customer_id: String, channel: String, staff_id: Option<String>) -> Result<outreach::ReviewRequest> {
    let request = outreach::ask(state.store()?.get().conn_mut(), &customer_id, &channel, staff_id.as_deref(), Utc::now(), today(), &chrono::Local)?;
    state.replan(); // its follow-up is a reminder
    Ok(request)
}

#[tauri::command(async)]
pub fn set_review_status(state: State<'_, AppState>, request_id: String, status: String) -> Result<outreach::ReviewRequest> {
    outreach::set_status(state.store()?.get().conn_mut(), &request_id, &status, Utc::now())
}

#[tauri::command(async)]
pub fn get_review_candidates(state: State<'_, AppState>) -> Result<Vec<outreach::Candidate>> {
    outreach::candidates(state.store()?.get().conn(), Utc::now(), 50)
}

#[tauri::command(async)]
pub fn get_referrals(state: State<'_, AppState>, customer_id: String) -> Result<referrals::ForCustomer> {
    referrals::for_customer(state.store()?.get().conn(), &customer_id)
}

#[derive(Serialize)]
pub struct ReferralOverview {
    pub recent: Vec<referrals::Referral>,
    pub top: Vec<referrals::TopReferrer>,
}

#[tauri::command(async)]
pub fn get_referral_overview(state: State<'_, AppState>) -> Result<ReferralOverview> {
    let mut store = state.store()?;
    let conn = store.get().conn();
    Ok(ReferralOverview { recent: referrals::recent(conn, 50)?, top: referrals::top_referrers(conn, 10)? })
}

#[tauri::command(async)]
pub fn mark_referral_thanked(state: State<'_, AppState>, referral_id: String) -> Result<()> {
    referrals::mark_thanked(state.store()?.get().conn(), &referral_id, Utc::now())
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
    open_external(&url)
}

/// Hands a link or a file to the desktop. WebDriver cannot see a mail app
/// or a PDF viewer, so with `REGULARS_OPEN_LOG` set (window tests) the
/// target is appended to that file instead.
fn open_external(target: &str) -> Result<()> {
    if let Some(log) = std::env::var_os("REGULARS_OPEN_LOG") {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
        writeln!(file, "{target}")?;
        return Ok(());
    }
    let opened = if std::path::Path::new(target).is_absolute() { tauri_plugin_opener::open_path(target, None::<&str>) } else { tauri_plugin_opener::open_url(target, None::<&str>) };
    opened.map_err(|e| Error::Conflict(format!("No app on this computer could open it: {e}")))
}

/// Writes the review QR card to `<data>/print/` and opens it for printing.
#[tauri::command(async)]
pub fn print_review_card(state: State<'_, AppState>) -> Result<String> {
    let (shop, link, qr) = {
        let mut store = state.store()?;
        let conn = store.get().conn();
        (settings::load(conn)?.shop_name, outreach::load_rules(conn)?.review_link, outreach::review_qr(conn)?)
    };
    let bytes = crate::plan_pdf::review_card(&shop, &link, &qr)?;
    let dir = state.data_dir.join("print");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("review-card.pdf");
    std::fs::write(&path, bytes)?;
    open_external(&path.display().to_string())?;
    Ok(path.display().to_string())
}

#[tauri::command(async)]
pub fn get_review_qr(state: State<'_, AppState>) -> Result<outreach::Qr> {
    outreach::review_qr(state.store()?.get().conn())
}

// ---------------------------------------------------------------------------
// Onboarding plans

#[derive(Serialize)]
pub struct PlanSettings {
    pub templates: Vec<onboarding::PlanTemplate>,
    pub contact: onboarding::ShopContact,
}

#[tauri::command(async)]
pub fn get_plan_settings(state: State<'_, AppState>) -> Result<PlanSettings> {
    let mut store = state.store()?;
    let conn = store.get().conn();
    Ok(PlanSettings { templates: onboarding::templates(conn)?, contact: onboarding::contact(conn)? })
}

#[tauri::command(async)]
pub fn save_plan_template(state: State<'_, AppState>, template: onboarding::PlanTemplate) -> Result<onboarding::PlanTemplate> {
    onboarding::save_template(state.store()?.get().conn_mut(), &template, Utc::now())
}

#[tauri::command(async)]
pub fn reset_plan_template(state: State<'_, AppState>, kind: BusinessKind) -> Result<onboarding::PlanTemplate> {
    onboarding::reset_template(state.store()?.get().conn_mut(), kind, Utc::now())
}

#[tauri::command(async)]
pub fn save_shop_contact(state: State<'_, AppState>, contact: onboarding::ShopContact) -> Result<onboarding::ShopContact> {
    onboarding::save_contact(state.store()?.get().conn(), &contact, Utc::now())
}

#[tauri::command(async)]
pub fn get_plan(state: State<'_, AppState>, customer_id: String) -> Result<Option<onboarding::Plan>> {
    onboarding::for_customer(state.store()?.get().conn(), &customer_id, today())
}

#[tauri::command(async)]
pub fn start_plan(state: State<'_, AppState>, customer_id: String, start_on: String) -> Result<onboarding::Plan> {
    let start = chrono::NaiveDate::parse_from_str(start_on.trim(), "%Y-%m-%d")
        .map_err(|_| Error::invalid("start_on", "Choose the day the plan starts."))?;
    let plan = onboarding::start(state.store()?.get().conn_mut(), &customer_id, start, today(), Utc::now())?;
    state.replan();
    Ok(plan)
}

#[tauri::command(async)]
pub fn tick_plan_task(state: State<'_, AppState>, task_id: String, done: bool, staff_id: Option<String>) -> Result<Option<onboarding::Plan>> {
    let mut store = state.store()?;
    let conn = store.get().conn_mut();
    let customer_id = if done {
        onboarding::tick(conn, &task_id, staff_id.as_deref(), Utc::now())?
    } else {
        onboarding::untick(conn, &task_id, Utc::now())?
    };
    let plan = onboarding::for_customer(conn, &customer_id, today())?;
    drop(store);
    state.replan();
    Ok(plan)
}

#[tauri::command(async)]
pub fn cancel_plan(state: State<'_, AppState>, customer_id: String) -> Result<()> {
    onboarding::cancel(state.store()?.get().conn_mut(), &customer_id, Utc::now())?;
    state.replan();
    Ok(())
}

#[derive(Serialize)]
pub struct PdfWritten {
    pub path: String,
    pub bytes: usize,
    /// Characters left out of the page, said in a sentence; `None` if all printed.
    pub notice: Option<String>,
}

fn write_plan_pdf(state: &AppState, customer_id: &str, path: &std::path::Path) -> Result<PdfWritten> {
    let doc = onboarding::document(state.store()?.get().conn(), customer_id, today())?;
    let rendered = crate::plan_pdf::write_file(&doc, path)?;
    Ok(PdfWritten { path: path.display().to_string(), bytes: rendered.bytes.len(), notice: rendered.notice() })
}

/// Save as PDF: the page chose the path with `choose_file`.
#[tauri::command(async)]
pub fn save_plan_pdf(state: State<'_, AppState>, customer_id: String, path: String) -> Result<PdfWritten> {
    let path = PathBuf::from(path);
    if path.as_os_str().is_empty() {
        return Err(Error::invalid("file", "Choose where to save the PDF."));
    }
    write_plan_pdf(&state, &customer_id, &path)
}

/// Print: the PDF goes to `<data>/print/` and opens in the system's viewer
/// (in tests, the open log: see `open_external`).
#[tauri::command(async)]
pub fn print_plan(state: State<'_, AppState>, customer_id: String) -> Result<PdfWritten> {
    let dir = state.data_dir.join("print");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("plan-{customer_id}.pdf"));
    let written = write_plan_pdf(&state, &customer_id, &path)?;
    open_external(&written.path)
        .map_err(|e| Error::Conflict(format!("The PDF was saved to {} but no PDF viewer could open it: {e}", written.path)))?;
    Ok(written)
}

#[tauri::command(async)]
pub fn import_preview(state: State<'_, AppState>, path: String, options: importer::Options) -> Result<importer::Preview> {
    importer::preview_file(state.store()?.get().conn(), std::path::Path::new(&path), &options, Utc::now())
}

#[tauri::command(async)]
pub fn import_run(state: State<'_, AppState>, path: String, options: importer::Options) -> Result<importer::Report> {
    let report = importer::import_file(state.store()?.get().conn_mut(), std::path::Path::new(&path), &options, Utc::now())?;
    state.replan(); // new birthdays
    Ok(report)
}

#[tauri::command(async)]
pub fn import_batches(state: State<'_, AppState>) -> Result<Vec<importer::Batch>> {
    importer::batches(state.store()?.get().conn())
}

#[tauri::command(async)]
pub fn import_undo(state: State<'_, AppState>, batch_id: String) -> Result<importer::UndoReport> {
    let report = importer::undo(state.store()?.get().conn_mut(), &batch_id, Utc::now())?;
    state.replan();
    Ok(report)
}

#[tauri::command(async)]
pub fn export_customers(state: State<'_, AppState>, path: String) -> Result<usize> {
    export::export_customers_csv(state.store()?.get().conn(), std::path::Path::new(&path))
}

#[tauri::command(async)]
pub fn export_customer(state: State<'_, AppState>, id: String, path: String) -> Result<()> {
    export::export_customer_json(state.store()?.get().conn(), &id, std::path::Path::new(&path), Utc::now())
}

#[tauri::command(async)]
pub fn backup_now(state: State<'_, AppState>, path: String) -> Result<()> {
    backup::backup_to(state.store()?.get().conn(), std::path::Path::new(&path))
}

#[derive(Serialize)]
pub struct BackupsView {
    pub folder: String,
    pub settings: backup::BackupSettings,
    pub backups: Vec<backup::BackupInfo>,
}

#[tauri::command(async)]
pub fn list_backups(state: State<'_, AppState>) -> Result<BackupsView> {
    let settings = backup::load_settings(state.store()?.get().conn())?;
    let backups = backup::list(&state.data_dir)?;
    Ok(BackupsView { folder: backup::backups_dir(&state.data_dir).display().to_string(), settings, backups })
}

#[tauri::command(async)]
pub fn save_backup_settings(state: State<'_, AppState>, settings: backup::BackupSettings) -> Result<backup::BackupSettings> {
    backup::save_settings(state.store()?.get().conn(), &settings, Utc::now())
}

/// Replaces the data with a backup (the current data is saved first); the
/// page reloads afterwards. Returns where the current data was saved.
#[tauri::command(async)]
pub fn restore_backup(state: State<'_, AppState>, path: String) -> Result<String> {
    let mut slot = state.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let saved = backup::restore(&mut slot, &state.data_dir, std::path::Path::new(&path), Utc::now())?;
    drop(slot);
    state.replan();
    Ok(saved.display().to_string())
}
