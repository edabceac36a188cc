//! End to end: encryption at rest in the real window, with a real Secret
//! Service (gnome-keyring on the private bus the harness starts).
//!
//! - A new shop is encrypted at once, its key in the keychain. A unique
//!   name written through the app is then in no file's bytes in the data
//!   folder (the shop file, its WAL, the backups, the logs, print/); nor
//!   is the key in the logs. The recovery sheet is saved outside the
//!   folder and holds the key as text.
//! - On a "new laptop" (a fresh folder holding only a backup), the window
//!   asks for the recovery key; a wrong one is said next to the field and
//!   changes nothing; the sheet's key opens the backup.
//! - A plain shop from before encryption is encrypted with the owner's
//!   consent on screen, and a forgotten owner PIN is removed with the
//!   recovery key.

use std::path::Path;
use std::time::Duration;

use serde_json::json;
use thirtyfour::prelude::*;

use crate::desktop::wait_until;
use crate::window::{click_settled, element, invoke, nav, screenshot, text_when, type_into, Answer, Harness};

use regulars::db::settings::BusinessKind;
use regulars::db::store::{self, Store};
use regulars::features::{cards, owner};
use regulars::io::setup;
use regulars::records::audit;
use regulars::records::customers::CustomerInput;

/// Every file under `dir` whose raw bytes, ASCII lowered, hold `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut walk = vec![dir.to_path_buf()];
    while let Some(path) = walk.pop() {
        if path.is_dir() {
            walk.extend(std::fs::read_dir(&path).expect("read a folder").map(|e| e.expect("an entry").path()));
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.to_ascii_lowercase().windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(path.strip_prefix(dir).unwrap_or(&path).display().to_string());
            }
        }
    }
    found
}

fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

/// The recovery key as the saved sheet's text shows it: the 16 groups
/// under "Recovery key".
fn key_on_sheet(sheet: &Path) -> String {
    let out = std::process::Command::new(crate::desktop::find_tool("pdftotext"))
        .arg(sheet)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let after = text.split("Recovery key").nth(1).unwrap_or_else(|| panic!("no key on the sheet:\n{text}"));
    let groups: Vec<&str> = after
        .split_whitespace()
        .filter(|w| w.len() == 4 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .take(16)
        .collect();
    assert_eq!(groups.len(), 16, "the sheet's text:\n{text}");
    groups.join(" ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_folder_gives_away_nothing_and_the_recovery_key_opens_a_backup_elsewhere() {
    const MARKER: &str = "quorvex";
    let work = tempfile::tempdir().expect("temp folder");
    let opened = work.path().join("opened.txt");
    let harness = Harness::start_with_env(&[("REGULARS_OPEN_LOG", &opened)]);
    let data = work.path().join("data");
    let driver = harness.open_app(&data).await;

    // A new shop: encrypted at once, the key in the keychain; the search
    // screen asks for the recovery sheet until it is saved.
    element(&driver, "#welcome-form").await;
    type_into(&driver, "#welcome-shop-name", "Harbour Gym").await;
    click_settled(&driver, "#start-empty").await;
    element(&driver, "#search-input").await;
    text_when(&driver, "#sheet-banner", |t| t.contains("recovery sheet")).await;
    assert!(!store::is_plain(&data.join("regulars.sqlite3")).expect("the shop file"));
    screenshot(&driver, "encryption-01-sheet-banner").await;

    // The marker customer, written through the window: the card, a note,
    // a check-in, a plan printed to print/.
    nav(&driver, "nav-new").await;
    type_into(&driver, "#first-name", "Quorvex").await;
    type_into(&driver, "#last-name", "Zimbalist").await;
    click_settled(&driver, "#save-customer").await;
    text_when(&driver, "#card-name", |t| t == "Quorvex Zimbalist").await;
    let id = match invoke(&driver, "search", json!({ "query": "quorvex", "limit": 5 })).await {
        Answer::Ok(hits) => hits[0]["id"].as_str().expect("an id").to_string(),
        other => panic!("search: {other:?}"),
    };
    for (command, args) in [
        (
            "add_note",
            json!({ "customerId": id, "body": "knee surgery in May, ask quorvex how it went", "pinned": true }),
        ),
        ("check_in", json!({ "customerId": id, "staffId": null })),
        ("start_plan", json!({ "customerId": id, "startOn": "2026-12-01" })),
        ("print_plan", json!({ "customerId": id })),
    ] {
        assert!(matches!(invoke(&driver, command, args.clone()).await, Answer::Ok(_)), "{command}");
    }
    assert!(files_in(&data.join("print")).iter().any(|f| f.starts_with("plan-")), "the plan went to print/");

    // The recovery sheet, saved where the owner chooses (never the data
    // folder), from the search screen's banner.
    driver.active_element().await.expect("focus").send_keys(Key::Control + "k").await.expect("ctrl+k");
    element(&driver, "#search-input").await;
    let sheet = work.path().join("recovery sheet.pdf");
    harness.answer_next_file_dialog(&sheet);
    click_settled(&driver, "#sheet-banner-save").await;
    wait_until("the recovery sheet", Duration::from_secs(20), || sheet.is_file());
    text_when(&driver, "#recovery-said, #search-input", |_| true).await;
    let recovery = key_on_sheet(&sheet);
    driver.quit().await.expect("quit");

    // The next start opens with the keychain's key (nothing asked), makes
    // its automatic backup with the marker in it, and clears print/.
    let backups_before = files_in(&data.join("backups")).len();
    let driver = harness.open_app(&data).await;
    element(&driver, "#search-input").await;
    assert!(
        matches!(invoke(&driver, "search", json!({ "query": "zimbalist", "limit": 5 })).await, Answer::Ok(hits) if hits.as_array().map_or(0, Vec::len) == 1)
    );
    wait_until("the automatic backup", Duration::from_secs(60), || {
        files_in(&data.join("backups")).len() > backups_before
    });
    assert!(data.join("regulars.sqlite3-wal").exists(), "the WAL is open");
    for marker in [MARKER, "zimbalist", "knee surgery"] {
        assert_eq!(
            files_holding(&data, marker),
            Vec::<String>::new(),
            "{marker:?} in clear in the data folder (app running)"
        );
    }
    let compact = recovery.replace(' ', "");
    for needle in [compact.as_str(), recovery.as_str()] {
        assert_eq!(files_holding(&data, needle), Vec::<String>::new(), "the key is in the data folder");
    }
    assert!(files_in(&data.join("logs")).iter().any(|f| f.starts_with("regulars")), "the logs were looked at");
    driver.quit().await.expect("quit");
    for marker in [MARKER, "zimbalist", "knee surgery"] {
        assert_eq!(files_holding(&data, marker), Vec::<String>::new(), "{marker:?} in clear after the quit");
    }

    // A new laptop: only the newest backup, and the recovery sheet.
    let mut backups: Vec<String> =
        files_in(&data.join("backups")).into_iter().filter(|f| f.starts_with("auto-")).collect();
    backups.sort();
    let fresh = work.path().join("new laptop");
    std::fs::create_dir_all(&fresh).expect("fresh folder");
    std::fs::copy(data.join("backups").join(backups.last().expect("a backup")), fresh.join("regulars.sqlite3"))
        .expect("copy the backup");
    let copied = std::fs::read(fresh.join("regulars.sqlite3")).expect("the copy");
    let driver = harness.open_app_as_is(&fresh).await;
    text_when(&driver, "#open-key-form h1", |t| t == "Type the recovery key").await;
    let wrong = "0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef";
    type_into(&driver, "#open-key", wrong).await;
    click_settled(&driver, "#open-with-key").await;
    let said = text_when(&driver, "#open-key-error", |t| !t.is_empty()).await;
    assert!(said.contains("does not open"), "{said}");
    screenshot(&driver, "encryption-02-wrong-recovery-key").await;
    assert_eq!(
        std::fs::read(fresh.join("regulars.sqlite3")).expect("the shop file"),
        copied,
        "a wrong key changed nothing"
    );
    assert!(
        !fresh.join("encryption.json").exists() && !fresh.join("regulars.sqlite3-wal").exists(),
        "{:?}",
        files_in(&fresh)
    );
    type_into(&driver, "#open-key", &recovery.to_uppercase()).await;
    click_settled(&driver, "#open-with-key").await;
    element(&driver, "#search-input").await;
    match invoke(&driver, "search", json!({ "query": "quorvex", "limit": 5 })).await {
        Answer::Ok(hits) => assert_eq!(hits[0]["display_name"], "Quorvex Zimbalist"),
        other => panic!("search after the recovery: {other:?}"),
    }
    screenshot(&driver, "encryption-03-opened-with-the-recovery-key").await;
    driver.quit().await.expect("quit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_shop_is_encrypted_with_consent_and_a_forgotten_pin_goes_with_the_recovery_key() {
    let work = tempfile::tempdir().expect("temp folder");
    let harness = Harness::start();
    let data = work.path().join("data");
    {
        let mut store = Store::open_in(&data).expect("store");
        setup::start_shop(store.conn_mut(), "Old Salon", BusinessKind::Salon, false, chrono::Utc::now())
            .expect("setup");
        owner::set_pin(store.conn_mut(), "4821", "4821", audit::NO_PIN, chrono::Utc::now()).expect("pin");
        let customer =
            CustomerInput { first_name: "Wendelin".into(), last_name: "Plaintext".into(), ..Default::default() };
        cards::create(store.conn_mut(), &customer, chrono::Utc::now()).expect("customer");
    }
    assert!(!files_holding(&data, "wendelin").is_empty(), "precondition: a plain shop");
    let driver = harness.open_app_as_is(&data).await;
    text_when(&driver, "#convert-form h1", |t| t.contains("Encrypt")).await;
    screenshot(&driver, "encryption-04-consent").await;
    click_settled(&driver, "#encrypt-shop").await;
    element(&driver, "#search-input").await;
    assert!(!store::is_plain(&data.join("regulars.sqlite3")).expect("the shop file"));
    assert_eq!(files_holding(&data, "wendelin"), Vec::<String>::new());
    match invoke(&driver, "search", json!({ "query": "wendelin", "limit": 5 })).await {
        Answer::Ok(hits) => assert_eq!(hits.as_array().map(Vec::len), Some(1)),
        other => panic!("search: {other:?}"),
    }

    // The sheet is the owner's: at the desk, Rust refuses it.
    match invoke(&driver, "save_recovery_sheet", json!({ "file": "x" })).await {
        Answer::Err(error) => assert_eq!(error["kind"], "owner_only"),
        other => panic!("the recovery sheet at the desk: {other:?}"),
    }
    let sheet = work.path().join("sheet.pdf");
    harness.answer_next_file_dialog(&sheet);
    click_settled(&driver, "#sheet-banner-save").await;
    type_into(&driver, "#owner-pin", "4821").await;
    click_settled(&driver, "#unlock-button").await;
    wait_until("the recovery sheet", Duration::from_secs(20), || sheet.is_file());
    let recovery = key_on_sheet(&sheet);

    // The PIN forgotten: the recovery key removes it and opens Data.
    invoke(&driver, "lock_owner", json!({})).await;
    driver.refresh().await.expect("reload");
    // The page has started again (the top bar laid out, the lock shown).
    element(&driver, "#search-input").await;
    text_when(&driver, "#owner-lock", |t| t.contains("Desk")).await;
    nav(&driver, "nav-data").await;
    element(&driver, "#unlock-form").await;
    element(&driver, ".forgot-pin summary").await.click().await.expect("open Forgot the PIN");
    type_into(&driver, "#forgot-recovery-key", "0000 0000").await;
    click_settled(&driver, "#reset-pin").await;
    text_when(&driver, "#forgot-recovery-key-error", |t| !t.is_empty()).await;
    type_into(&driver, "#forgot-recovery-key", &recovery).await;
    screenshot(&driver, "encryption-05-forgot-pin").await;
    click_settled(&driver, "#reset-pin").await;
    let trail = text_when(&driver, "#audit-panel", |t| t.contains("removed the owner PIN")).await;
    assert!(trail.contains("owner (recovery key)") && trail.contains("saved the recovery sheet"), "{trail}");
    driver.quit().await.expect("quit");
}
