//! The typed boundary between Rust and the window. What the screens
//! receive is declared in TypeScript, generated from the Rust types by
//! ts-rs into `ui/types/`, and `make test` type-checks the UI's JavaScript
//! against those declarations (`make typecheck`: tsc with `checkJs`).
//!
//! This test fails when the committed declarations are not what the Rust
//! types say now. Rename a field in Rust and this fails first; write the
//! declarations again with
//! `REGULARS_WRITE_TYPES=1 cargo test --test integration boundary`, and
//! then `tsc` fails wherever the UI still reads the old name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regulars::app::commands::data::{BackupsView, CalendarView};
use regulars::app::commands::mail::{MailProgress, MailScreen};
use regulars::app::commands::outreach::ReferralOverview;
use regulars::app::commands::owner::OwnerState;
use regulars::app::commands::plans::PdfWritten;
use regulars::app::commands::settings::{PlanSettings, TemplatesView};
use regulars::app::commands::sharing::SharingView;
use regulars::app::commands::shop::AppStatus;
use regulars::app::commands::today::TodayView;
use regulars::app::commands::updates::UpdatesView;
use regulars::app::files::{Chosen, Purpose};
use regulars::db::search::Hit;
use regulars::db::settings::Settings;
use regulars::derived::health::Colour;
use regulars::derived::health::HealthRules;
use regulars::derived::health::ReviewLine;
use regulars::features::card_view::{CardChange, CardView};
use regulars::features::dashboard::Dashboard;
use regulars::features::desk::CheckedIn;
use regulars::features::desk::LogInput;
use regulars::features::groups::{GroupCount, GroupFilter, SavedGroup};
use regulars::features::newsletter;
use regulars::features::outreach::OutreachRules;
use regulars::features::outreach::{Candidate, Composed};
use regulars::features::templates::Template;
use regulars::io::backup::BackupSettings;
use regulars::io::erase::Erased;
use regulars::io::importer::Options;
use regulars::io::importer::{Batch, Preview, Report, UndoReport};
use regulars::io::importer::{Field, OnDuplicate};
use regulars::io::mail_account::MailAccountInput;
use regulars::io::sharing_setup::{JoinInput, ShareInput};
use regulars::kernel::labels::Labelled;
use regulars::kernel::qr::Qr;
use regulars::records::audit::AuditPage;
use regulars::records::complaints::{OpenInput, UpdateInput};
use regulars::records::customers::Channel;
use regulars::records::customers::CustomerInput;
use regulars::records::feedback::FeedbackInput;
use regulars::records::loyalty::{Program, Redeemable};
use regulars::records::memberships::MembershipInput;
use regulars::records::onboarding::{PlanTemplate, ShopContact};
use regulars::records::passes::PassTypeInput;
use regulars::records::pets::PetSettings;
use regulars::records::pets::{PetInput, VaccinationInput};
use regulars::records::reminders::Source;
use regulars::records::reminders::{Rules, Snooze};
use ts_rs::{Config, TS};

/// Every declaration the roots need, by file name.
fn generated() -> BTreeMap<String, String> {
    let out = tempfile::tempdir().expect("a temp folder");
    // serde_json writes i64 as a plain JSON number: the page sees a number.
    let config = Config::new().with_out_dir(out.path()).with_large_int("number");
    CardView::export_all(&config).expect("export CardView");
    CheckedIn::export_all(&config).expect("export CheckedIn");
    CardChange::export_all(&config).expect("export CardChange");
    Hit::export_all(&config).expect("export Hit");
    Erased::export_all(&config).expect("export Erased");
    TodayView::export_all(&config).expect("export TodayView");
    PetSettings::export_all(&config).expect("export PetSettings");
    OwnerState::export_all(&config).expect("export OwnerState");
    AuditPage::export_all(&config).expect("export AuditPage");
    Field::export_all(&config).expect("export Field");
    OnDuplicate::export_all(&config).expect("export OnDuplicate");
    Source::export_all(&config).expect("export Source");
    // What the window sends: each command's input, checked by tsc where
    // api.js takes it (the editor's save payload is a CustomerInput).
    CustomerInput::export_all(&config).expect("export CustomerInput");
    LogInput::export_all(&config).expect("export LogInput");
    MembershipInput::export_all(&config).expect("export MembershipInput");
    FeedbackInput::export_all(&config).expect("export FeedbackInput");
    OpenInput::export_all(&config).expect("export ComplaintInput");
    UpdateInput::export_all(&config).expect("export ComplaintUpdateInput");
    Redeemable::export_all(&config).expect("export Redeemable");
    PetInput::export_all(&config).expect("export PetInput");
    VaccinationInput::export_all(&config).expect("export VaccinationInput");
    Settings::export_all(&config).expect("export Settings");
    Program::export_all(&config).expect("export LoyaltyProgram");
    Rules::export_all(&config).expect("export ReminderRules");
    Snooze::export_all(&config).expect("export Snooze");
    HealthRules::export_all(&config).expect("export HealthRules");
    Template::export_all(&config).expect("export MessageTemplate");
    OutreachRules::export_all(&config).expect("export OutreachRules");
    PlanTemplate::export_all(&config).expect("export PlanTemplate");
    ShopContact::export_all(&config).expect("export ShopContact");
    Options::export_all(&config).expect("export ImportOptions");
    BackupSettings::export_all(&config).expect("export BackupSettings");
    PassTypeInput::export_all(&config).expect("export PassTypeInput");
    Purpose::export_all(&config).expect("export FilePurpose");
    // The other screens' answers, so every api.js call resolves to a declared type.
    AppStatus::export_all(&config).expect("export AppStatus");
    TemplatesView::export_all(&config).expect("export TemplatesView");
    PlanSettings::export_all(&config).expect("export PlanSettings");
    Dashboard::export_all(&config).expect("export Dashboard");
    ReviewLine::export_all(&config).expect("export ReviewLine");
    Report::export_all(&config).expect("export ImportReport");
    Batch::export_all(&config).expect("export ImportBatch");
    UndoReport::export_all(&config).expect("export ImportUndoReport");
    Preview::export_all(&config).expect("export ImportPreview");
    CalendarView::export_all(&config).expect("export CalendarView");
    BackupsView::export_all(&config).expect("export BackupsView");
    Candidate::export_all(&config).expect("export ReviewCandidate");
    ReferralOverview::export_all(&config).expect("export ReferralOverview");
    Qr::export_all(&config).expect("export Qr");
    PdfWritten::export_all(&config).expect("export PdfWritten");
    Composed::export_all(&config).expect("export ComposedMessage");
    Chosen::export_all(&config).expect("export ChosenFile");
    SharingView::export_all(&config).expect("export SharingView");
    ShareInput::export_all(&config).expect("export ShareInput");
    JoinInput::export_all(&config).expect("export JoinInput");
    UpdatesView::export_all(&config).expect("export UpdatesView");
    MailScreen::export_all(&config).expect("export MailScreen");
    MailProgress::export_all(&config).expect("export MailProgress");
    MailAccountInput::export_all(&config).expect("export MailAccountInput");
    GroupFilter::export_all(&config).expect("export GroupFilter");
    GroupCount::export_all(&config).expect("export GroupCount");
    SavedGroup::export_all(&config).expect("export SavedGroup");
    newsletter::Draft::export_all(&config).expect("export MessageDraft");
    newsletter::Preview::export_all(&config).expect("export GroupPreview");
    let mut found = declarations_in(out.path());
    found.insert("labels.js".to_string(), labels_module());
    found
}

/// `ui/types/labels.js`: every label of the enums the window shows, from
/// their Rust `Labelled` impls, each typed as a `Record` over the enum's
/// union (or a list of its pairs, in the order the menus show them), so a
/// word without a label, or a label read under a word that is not one,
/// fails `tsc`.
fn labels_module() -> String {
    fn pairs<T: Labelled>() -> Vec<(String, &'static str)> {
        T::ALL.iter().map(|v| (v.word(), v.label())).collect()
    }
    fn record<T: Labelled>(name: &str, type_name: &str) -> String {
        let entries: Vec<String> =
            pairs::<T>().iter().map(|(word, label)| format!("  {}: {},", json(word), json(label))).collect();
        format!(
            "/** @type {{Record<import('./{type_name}').{type_name}, string>}} */\nexport const {name} = {{\n{}\n}};\n",
            entries.join("\n")
        )
    }
    fn list<T: Labelled>(name: &str, type_name: &str) -> String {
        let entries: Vec<String> =
            pairs::<T>().iter().map(|(word, label)| format!("  [{}, {}],", json(word), json(label))).collect();
        format!(
            "/** @type {{Array<[import('./{type_name}').{type_name}, string]>}} */\nexport const {name} = [\n{}\n];\n",
            entries.join("\n")
        )
    }
    fn json(text: &str) -> String {
        serde_json::to_string(text).expect("a string")
    }
    [
        "// Generated from the Rust enums' labels by tests/integration/boundary.rs. Do not edit this file manually.\n"
            .to_string(),
        record::<Colour>("colourLabels", "Colour"),
        record::<Channel>("channelLabels", "Channel"),
        record::<Source>("reminderSourceLabels", "Source"),
        list::<Field>("fieldLabels", "Field"),
        list::<OnDuplicate>("duplicateLabels", "OnDuplicate"),
    ]
    .join("\n")
}

fn declarations_in(folder: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(folder).unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display())) {
        let path = entry.expect("a folder entry").path();
        if path.extension().is_some_and(|ext| ext == "ts" || ext == "js") {
            let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
            found.insert(name, std::fs::read_to_string(&path).expect("a declaration"));
        }
    }
    found
}

fn committed_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/types")
}

#[test]
fn the_ui_types_are_what_the_rust_types_say() {
    let fresh = generated();
    assert!(fresh.contains_key("CardView.ts") && fresh.contains_key("Card.ts"), "ts-rs wrote {:?}", fresh.keys());
    let folder = committed_folder();
    if std::env::var_os("REGULARS_WRITE_TYPES").is_some() {
        std::fs::create_dir_all(&folder).expect("ui/types");
        for (name, _) in declarations_in(&folder) {
            std::fs::remove_file(folder.join(name)).expect("remove an old declaration");
        }
        for (name, text) in &fresh {
            std::fs::write(folder.join(name), text).expect("write a declaration");
        }
    }
    let committed = declarations_in(&folder);
    let stale: Vec<&String> = fresh.keys().filter(|name| committed.get(*name) != fresh.get(*name)).collect();
    let extra: Vec<&String> = committed.keys().filter(|name| !fresh.contains_key(*name)).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "ui/types/ is not what the Rust types say (changed or missing: {stale:?}; no longer made: {extra:?}). \
         Write them again with REGULARS_WRITE_TYPES=1 cargo test --test integration boundary, then fix what `make typecheck` reports."
    );
}

/// The api.js exports that carry no type of their own: each `export const`
/// or `export function` must sit right under a JSDoc block with `@type` or
/// `@returns`, and that type must not be `any` or `unknown` (an untyped call
/// resolves to `Promise<unknown>`, which tsc would let through unused).
fn untyped_exports(source: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut untyped = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("export const ").or_else(|| line.strip_prefix("export function ")) else {
            continue;
        };
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        // The JSDoc block right above: lines back to its `/**`, plain comments skipped.
        let mut above = at;
        while above > 0 && lines[above - 1].trim_start().starts_with("//") {
            above -= 1;
        }
        let mut block = Vec::new();
        if above > 0 && lines[above - 1].trim_end().ends_with("*/") {
            let mut start = above - 1;
            while start > 0 && !lines[start].contains("/**") {
                start -= 1;
            }
            block = lines[start..above].to_vec();
        }
        let doc = block.join("\n");
        let typed = doc.contains("@type") || doc.contains("@returns");
        let loose = doc.split(|c: char| !c.is_alphanumeric()).any(|word| word == "any" || word == "unknown");
        if !typed || loose {
            untyped.push(format!("{name} (ui/api.js line {})", at + 1));
        }
    }
    untyped
}

#[test]
fn every_api_export_is_typed() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/api.js");
    let source = std::fs::read_to_string(&path).expect("ui/api.js");
    assert!(source.matches("\nexport ").count() > 100, "ui/api.js has fewer exports than expected");
    let untyped = untyped_exports(&source);
    assert!(
        untyped.is_empty(),
        "these api.js exports have no JSDoc type (a /** @type {{(…) => Promise<T>}} */ line above, T from ui/types/), \
         or one with any/unknown: {untyped:?}"
    );
}

#[test]
fn an_untyped_export_is_found() {
    let source = "/** @type {(id: string) => Promise<CardView>} */\nexport const typed = (id) => invoke('a', { id });\n\
                  // A comment alone is no type.\nexport const bare = () => invoke('b');\n\
                  /** @type {() => Promise<any>} */\nexport const loose = () => invoke('c');\n\
                  /**\n * @param {string} event\n * @returns {Promise<() => void>}\n */\nexport function listen(event) {}\n";
    let untyped = untyped_exports(source);
    assert_eq!(untyped.len(), 2, "{untyped:?}");
    assert!(untyped[0].starts_with("bare ") && untyped[1].starts_with("loose "), "{untyped:?}");
}
