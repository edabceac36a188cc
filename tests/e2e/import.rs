//! End to end: importing a small spreadsheet through the Data screen (the
//! guessed columns, the preview with a problem row and a duplicate to
//! merge, the report), finding the imported customers, backing up, undoing
//! the import, restoring the backup, and the exports.

use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::window;

use regulars::db::settings::BusinessKind;
use regulars::db::store::Store;
use regulars::features::cards;
use regulars::io::setup;
use regulars::records::customers::CustomerInput;
use window::{element, screenshot, screenshot_from, set_value, text_when, type_into, Harness};

async fn search_names(driver: &WebDriver, query: &str) -> Vec<String> {
    driver.find(By::Css("body")).await.expect("body").send_keys(Key::Escape).await.expect("escape");
    type_into(driver, "#search-input", query).await;
    tokio::time::sleep(Duration::from_millis(400)).await; // let the search answer
    let mut names = Vec::new();
    for hit in driver.find_all(By::Css("#results .hit-name")).await.expect("results") {
        names.push(hit.text().await.unwrap_or_default());
    }
    names
}

async fn wait_for_file(path: &std::path::Path) -> Vec<u8> {
    let started = Instant::now();
    loop {
        if let Ok(bytes) = std::fs::read(path) {
            if !bytes.is_empty() {
                return bytes;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(15), "{} was never written", path.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_a_spreadsheet_then_undo_it_in_the_real_window() {
    let harness = Harness::start();
    let data = tempfile::tempdir().expect("temp data folder");
    let files = tempfile::tempdir().expect("temp files folder");
    {
        let mut store = Store::open_in(data.path()).expect("store");
        setup::start_shop(store.conn_mut(), "Corner Salon", BusinessKind::Salon, false, chrono::Utc::now())
            .expect("setup");
        let zoe = CustomerInput {
            first_name: "Zoë".into(),
            last_name: "Müller".into(),
            email: "zoe@example.com".into(),
            ..Default::default()
        };
        cards::create(store.conn_mut(), &zoe, chrono::Utc::now()).expect("zoe");
    }
    // Semicolons and Windows-1252, as Excel writes CSV in much of Europe.
    let csv = "Full name;E-mail;Mobile;Birthday;Pets;Notes\r\n\
        Ada Lovelace;ada@example.com;555 0101;10/12/1915;Byron (cat);likes tea\r\n\
        Zoe Mueller;ZOE@example.com;;;Rex (dog);\r\n\
        Bad Row;not-an-email;;;;\r\n\
        José Muñoz;;555 0102;23/06/1912;;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(csv);
    let file = files.path().join("clients.csv");
    std::fs::write(&file, &bytes).expect("write csv");

    let driver = harness.open_app(data.path()).await;
    element(&driver, "#search-input").await;
    window::nav(&driver, "nav-data").await;
    element(&driver, "#import-choose").await;
    harness.answer_next_file_dialog(&file);
    element(&driver, "#import-choose").await.click().await.expect("choose file");

    // The guessed columns, shown to confirm.
    element(&driver, "#import-mapping").await;
    let mut guessed = Vec::new();
    for select in driver.find_all(By::Css("#import-mapping select")).await.expect("selects") {
        guessed.push(select.value().await.expect("value").unwrap_or_default());
    }
    assert_eq!(guessed, vec!["full_name", "email", "phone", "birthday", "pets", "notes"]);
    let sample = text_when(&driver, "#import-sample", |t| t.contains("Ada Lovelace")).await;
    assert!(sample.contains("10 December 1915"), "day-first birthday as stored: {sample}");
    assert!(sample.contains("José Muñoz"), "Windows-1252 decoded: {sample}");
    assert!(sample.contains("Byron (cat)"), "{sample}");
    let problems = text_when(&driver, "#import-problems", |t| t.contains("not-an-email")).await;
    assert!(problems.contains("Row 4"), "the problem names its row: {problems}");
    let duplicates = text_when(&driver, "#import-duplicates", |t| t.contains("Zoë Müller")).await;
    assert!(duplicates.contains("same email"), "{duplicates}");
    text_when(&driver, "#import-summary", |t| t.contains("2 new customers, 1 duplicate, 1 row with a problem")).await;
    screenshot(&driver, "import-01-preview").await;
    screenshot_from(&driver, "#import-summary", "import-01b-problems-and-duplicates").await;

    // Merge the duplicate into Zoë's card, then import.
    set_value(&driver, "#import-duplicates select[data-row='3']", "merge").await;
    text_when(&driver, "#import-run", |t| t.contains("Import 3 rows")).await;
    element(&driver, "#import-run").await.click().await.expect("import");
    let report = text_when(&driver, "#import-report", |t| !t.is_empty()).await;
    assert_eq!(report, "Imported 2, merged 1, skipped 0, rejected 1.");
    text_when(&driver, "#import-report-problems", |t| t.contains("not-an-email")).await;
    screenshot(&driver, "import-02-report").await;

    assert_eq!(search_names(&driver, "byron").await, vec!["Ada Lovelace"]);
    assert_eq!(search_names(&driver, "rex").await, vec!["Zoë Müller"], "merged into the existing card");
    assert_eq!(search_names(&driver, "munoz").await, vec!["José Muñoz"]);

    // One customer's complete data from the card.
    element(&driver, "#search-input").await.send_keys(Key::Enter).await.expect("open card");
    text_when(&driver, "#card-name", |t| t == "José Muñoz").await;
    let json_path = files.path().join("jose.json");
    harness.answer_next_file_dialog(&json_path);
    element(&driver, "#export-customer").await.click().await.expect("export customer");
    text_when(&driver, "#export-customer", |t| t.contains("Exported")).await;
    let json: serde_json::Value = serde_json::from_slice(&wait_for_file(&json_path).await).expect("json");
    assert_eq!(json["card"]["display_name"], "José Muñoz");
    // And as a contact for the shop's phone.
    let contact_path = files.path().join("jose.vcf");
    harness.answer_next_file_dialog(&contact_path);
    element(&driver, "#export-contact").await.click().await.expect("save as contact");
    text_when(&driver, "#export-contact", |t| t.contains('✓')).await;
    let contact = String::from_utf8(wait_for_file(&contact_path).await).expect("utf-8");
    assert!(
        contact.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n") && contact.contains("FN:José Muñoz\r\n"),
        "{contact}"
    );
    assert!(contact.contains("BDAY:19120623\r\n"), "{contact}");

    // Export all and a manual backup while the import is in.
    window::nav(&driver, "nav-data").await;
    let export_path = files.path().join("all.csv");
    harness.answer_next_file_dialog(&export_path);
    element(&driver, "#export-all").await.click().await.expect("export all");
    text_when(&driver, "#export-status", |t| t.contains("Exported 3 customers")).await;
    let exported = String::from_utf8(wait_for_file(&export_path).await).expect("utf-8");
    assert!(exported.starts_with('\u{feff}') && exported.contains("Ada Lovelace"));
    let contacts_path = files.path().join("all.vcf");
    harness.answer_next_file_dialog(&contacts_path);
    element(&driver, "#export-contacts").await.click().await.expect("export contacts");
    text_when(&driver, "#export-status", |t| t.contains("Exported 3 customers to all.vcf")).await;
    let contacts = String::from_utf8(wait_for_file(&contacts_path).await).expect("utf-8");
    assert_eq!(contacts.matches("BEGIN:VCARD").count(), 3);
    assert!(
        contacts.contains("FN:Ada Lovelace\r\n")
            && contacts.contains("item1.RELATED;VALUE=text:Byron\r\nitem1.X-ABLabel:cat\r\n"),
        "{contacts}"
    );

    // The calendar of birthdays and renewals, written to a chosen file.
    let calendar_path = files.path().join("birthdays.ics");
    harness.answer_next_file_dialog(&calendar_path);
    // At the foot of the window, where a click can land on the scroll bar: centre it first.
    let choose = element(&driver, "#calendar-choose").await;
    choose.scroll_into_view().await.expect("scroll");
    driver
        .execute("arguments[0].scrollIntoView({block: 'center'})", vec![choose.to_json().expect("json")])
        .await
        .expect("centre");
    choose.click().await.expect("choose the calendar file");
    text_when(&driver, "#calendar-status", |t| t.contains("birthdays.ics") && t.contains("2 events now")).await;
    let calendar = String::from_utf8(wait_for_file(&calendar_path).await).expect("utf-8");
    assert!(
        calendar.contains("SUMMARY:Birthday: Ada Lovelace\r\n") && calendar.contains("DTSTART;VALUE=DATE:19151210\r\n"),
        "{calendar}"
    );
    screenshot_from(&driver, "#calendar-panel", "import-02b-calendar").await;
    let backup_path = files.path().join("before undo.sqlite3");
    harness.answer_next_file_dialog(&backup_path);
    element(&driver, "#backup-now").await.click().await.expect("back up");
    text_when(&driver, "#backup-status", |t| t.contains("Saved a backup")).await;

    // Undo the whole import in one step.
    element(&driver, "#import-batches .undo-import").await.click().await.expect("undo");
    let warning = text_when(&driver, "#import-batches .confirm-box", |t| !t.is_empty()).await;
    assert!(warning.contains("2 customers it added are deleted"), "{warning}");
    screenshot_from(&driver, "#import-batches-panel", "import-03-undo-confirm").await;
    element(&driver, "#confirm-undo-import").await.click().await.expect("confirm undo");
    text_when(&driver, "#import-batches li", |t| t.to_lowercase().contains("undone")).await;
    screenshot_from(&driver, "#import-batches-panel", "import-04-undone").await;
    assert!(search_names(&driver, "byron").await.is_empty(), "the imported customers are gone");
    assert!(search_names(&driver, "rex").await.is_empty(), "the merge is taken back");
    assert_eq!(search_names(&driver, "zoe").await, vec!["Zoë Müller"], "the card that was there stays");

    // Restore the backup taken before the undo: the import is back.
    window::nav(&driver, "nav-data").await;
    harness.answer_next_file_dialog(&backup_path);
    element(&driver, "#restore-file").await.click().await.expect("restore from file");
    let confirm = text_when(&driver, "#restore-confirm", |t| !t.is_empty()).await;
    assert!(confirm.contains("current data is saved"), "{confirm}");
    screenshot_from(&driver, "#backups-panel", "import-05-restore-confirm").await;
    element(&driver, "#confirm-restore").await.click().await.expect("restore");
    element(&driver, "#search-input").await; // the window reloads on the restored data
    assert_eq!(search_names(&driver, "byron").await, vec!["Ada Lovelace"]);
    window::nav(&driver, "nav-data").await;
    let backups = text_when(&driver, "#backup-list", |t| t.contains("saved before a restore")).await;
    assert!(!backups.is_empty());
    screenshot_from(&driver, "#backups-panel", "import-06-backups").await;
    driver.quit().await.expect("quit");
}
