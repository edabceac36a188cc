//! Settings: the loyalty program, reminder, health and review rules,
//! message templates, plan templates and the shop's contact details.

use chrono::{Local, Utc};
use serde::Serialize;
use tauri::State;

use crate::app::owner;
use crate::app::state::AppState;
use crate::db::settings::BusinessKind;
use crate::derived::health;
use crate::features::{outreach, reminder_sources, templates};
use crate::kernel::error::Result;
use crate::records::{loyalty, onboarding, reminders};
use ts_rs::TS;

#[tauri::command]
pub fn get_loyalty_program(state: State<'_, AppState>) -> Result<loyalty::Program> {
    state.read(loyalty::load_program)
}

#[tauri::command]
pub fn save_loyalty_program(state: State<'_, AppState>, program: loyalty::Program) -> Result<loyalty::Program> {
    owner::audited(
        &state,
        "changed settings",
        |_| "the loyalty program".into(),
        |conn| loyalty::save_program(conn, &program, Utc::now()),
    )
}

#[tauri::command]
pub fn get_reminder_rules(state: State<'_, AppState>) -> Result<reminders::Rules> {
    state.read(reminders::load_rules)
}

#[tauri::command]
pub fn save_reminder_rules(state: State<'_, AppState>, rules: reminders::Rules) -> Result<reminders::Rules> {
    owner::audited(
        &state,
        "changed settings",
        |_| "the reminder rules".into(),
        |conn| reminder_sources::save_rules(conn, &rules, Utc::now()),
    )
}

#[tauri::command]
pub fn get_health_rules(state: State<'_, AppState>) -> Result<health::HealthRules> {
    state.read(health::load_rules)
}

#[tauri::command]
pub fn save_health_rules(state: State<'_, AppState>, rules: health::HealthRules) -> Result<health::HealthRules> {
    owner::audited(
        &state,
        "changed settings",
        |_| "the health rules".into(),
        |conn| health::save_rules(conn, &rules, Utc::now()),
    )
}

#[derive(Serialize, TS)]
pub struct TemplatesView {
    pub templates: Vec<templates::Template>,
    /// (key, title) in the editor's order.
    pub titles: Vec<(String, String)>,
    /// (placeholder, what fills it).
    pub placeholders: Vec<(String, String)>,
}

#[tauri::command]
pub fn get_templates(state: State<'_, AppState>) -> Result<TemplatesView> {
    Ok(TemplatesView {
        templates: state.read(templates::load)?,
        titles: templates::KEYS.iter().map(|(k, t)| (k.to_string(), t.to_string())).collect(),
        placeholders: templates::PLACEHOLDERS.iter().map(|(k, t)| (k.to_string(), t.to_string())).collect(),
    })
}

#[tauri::command]
pub fn save_template(state: State<'_, AppState>, template: templates::Template) -> Result<templates::Template> {
    owner::audited(
        &state,
        "changed settings",
        |_| "a message template".into(),
        |conn| templates::save(conn, &template, Utc::now()),
    )
}

/// The live preview of a template being edited, for one customer.
#[tauri::command]
pub fn preview_template(
    state: State<'_, AppState>,
    customer_id: String,
    template: templates::Template,
    staff_id: Option<String>,
) -> Result<outreach::Composed> {
    state.read(|conn| outreach::compose_from(conn, &customer_id, &template, staff_id.as_deref(), &Local))
}

#[tauri::command]
pub fn get_outreach_rules(state: State<'_, AppState>) -> Result<outreach::OutreachRules> {
    state.read(outreach::load_rules)
}

#[tauri::command]
pub fn save_outreach_rules(
    state: State<'_, AppState>,
    rules: outreach::OutreachRules,
) -> Result<outreach::OutreachRules> {
    owner::audited(
        &state,
        "changed settings",
        |_| "the review and referral rules".into(),
        |conn| outreach::save_rules(conn, &rules, Utc::now()),
    )
}

#[derive(Serialize, TS)]
pub struct PlanSettings {
    pub templates: Vec<onboarding::PlanTemplate>,
    pub contact: onboarding::ShopContact,
}

#[tauri::command]
pub fn get_plan_settings(state: State<'_, AppState>) -> Result<PlanSettings> {
    state.read(|conn| Ok(PlanSettings { templates: onboarding::templates(conn)?, contact: onboarding::contact(conn)? }))
}

#[tauri::command]
pub fn save_plan_template(
    state: State<'_, AppState>,
    template: onboarding::PlanTemplate,
) -> Result<onboarding::PlanTemplate> {
    owner::audited(
        &state,
        "changed settings",
        |_| "a welcome plan".into(),
        |conn| onboarding::save_template(conn, &template, Utc::now()),
    )
}

#[tauri::command]
pub fn reset_plan_template(state: State<'_, AppState>, kind: BusinessKind) -> Result<onboarding::PlanTemplate> {
    owner::audited(
        &state,
        "changed settings",
        |_| "a welcome plan (reset)".into(),
        |conn| onboarding::reset_template(conn, kind, Utc::now()),
    )
}

#[tauri::command]
pub fn save_shop_contact(
    state: State<'_, AppState>,
    contact: onboarding::ShopContact,
) -> Result<onboarding::ShopContact> {
    owner::audited(
        &state,
        "changed settings",
        |_| "the shop's contact details".into(),
        |conn| onboarding::save_contact(conn, &contact, Utc::now()),
    )
}

#[tauri::command]
pub fn get_pass_types(state: State<'_, AppState>) -> Result<Vec<crate::records::passes::PassType>> {
    state.read(crate::records::passes::load_types)
}

#[tauri::command]
pub fn save_pass_types(
    state: State<'_, AppState>,
    types: Vec<crate::records::passes::PassTypeInput>,
) -> Result<Vec<crate::records::passes::PassType>> {
    owner::audited(
        &state,
        "changed settings",
        |_| "the pass types".into(),
        |conn| crate::records::passes::save_types(conn, &types, Utc::now()),
    )
}

#[tauri::command]
pub fn get_pet_settings(state: State<'_, AppState>) -> Result<crate::records::pets::PetSettings> {
    state.read(crate::records::pets::load_settings)
}

/// Saving recomputes every customer's health (the vaccinations that count changed).
#[tauri::command]
pub fn save_pet_settings(
    state: State<'_, AppState>,
    settings: crate::records::pets::PetSettings,
) -> Result<crate::records::pets::PetSettings> {
    owner::audited(
        &state,
        "changed settings",
        |_| "the pet settings".into(),
        |conn| crate::features::pets::save_settings(conn, &settings, Utc::now()),
    )
}
