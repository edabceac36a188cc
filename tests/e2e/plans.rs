//! End to end: a welcome plan in the real window. The owner sets how
//! customers reach the shop, starts a plan from a card, ticks a task as
//! the staff member at the desk, saves the one-page PDF through the native
//! save dialog (answered by the harness) and prints it (the app is told by
//! `REGULARS_OPEN_LOG` to note the file instead of opening a viewer).
//! Screenshots: target/e2e-screenshots/plans-*.png.

use std::path::Path;
use std::process::Command;

use thirtyfour::prelude::*;

use crate::window;

use window::{click_settled, element, screenshot, screenshot_from, text_when, type_into, Harness};

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext failed on {}", path.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_tick_and_print_a_welcome_plan_in_the_real_window() {
    let work = tempfile::tempdir().expect("temp folder");
    let print_log = work.path().join("printed.txt");
    // The app inherits this through tauri-driver: Print notes the file
    // instead of opening a PDF viewer.
    let harness = Harness::start_with_env(&[("REGULARS_OPEN_LOG", &print_log)]);
    let data = work.path().join("data");
    let driver = harness.open_app(&data).await;

    element(&driver, "#welcome-form").await;
    type_into(&driver, "#welcome-shop-name", "Kraftwerk Süd").await;
    click_settled(&driver, "#start-empty").await;
    element(&driver, "#search-input").await;

    // Settings: a staff member, and how customers reach the shop. A bad
    // phone number is refused next to its field.
    window::nav(&driver, "nav-settings").await;
    click_settled(&driver, "#add-staff").await;
    type_into(&driver, "#staff-list li:last-child .staff-name", "Ines").await;
    click_settled(&driver, "#save-settings").await;
    text_when(&driver, "#settings-form .saved", |t| t == "Saved.").await;
    element(&driver, "#plan-template-form").await;
    type_into(&driver, "#shop-phone", "call us").await;
    click_settled(&driver, "#save-shop-contact").await;
    text_when(&driver, ".field-error[data-for=contact_phone]", |t| t.contains("phone number")).await;
    type_into(&driver, "#shop-phone", "+49 30 1234-567").await;
    type_into(&driver, "#shop-email", "hallo@kraftwerk.de").await;
    click_settled(&driver, "#save-shop-contact").await;
    text_when(&driver, "#shop-contact-form .saved", |t| t == "Saved.").await;
    screenshot_from(&driver, ".plan-settings", "plans-01-settings").await;

    // The desk: Ines.
    let desk = element(&driver, "#desk-staff").await;
    desk.find(By::XPath("./option[text()='Ines']"))
        .await
        .expect("Ines in the desk list")
        .click()
        .await
        .expect("choose Ines");

    // A new customer, and a plan from her card.
    window::nav(&driver, "nav-new").await;
    type_into(&driver, "#first-name", "Søren").await;
    type_into(&driver, "#last-name", "Ødegård").await;
    click_settled(&driver, "#save-customer").await;
    text_when(&driver, "#card-name", |t| t == "Søren Ødegård").await;
    click_settled(&driver, "#plan-start").await;
    let progress = text_when(&driver, "#plan-progress", |t| t.contains("0 of")).await;
    assert!(progress.contains("0 of 6 done"), "the gym template has five tasks and the first win: {progress}");
    text_when(&driver, "#plan-milestone", |t| t.contains("First full workout")).await;

    // Tick the first task: who and when are recorded.
    click_settled(&driver, "#plan-task-0").await;
    text_when(&driver, "#plan-progress", |t| t.contains("1 of 6 done")).await;
    let first = text_when(&driver, "#plan-tasks li:first-child", |t| t.contains("Ines")).await;
    assert!(first.contains("tour"), "the ticked task is the tour: {first}");
    screenshot_from(&driver, "#plan-panel", "plans-02-card").await;

    // Save as PDF through the (scripted) native dialog.
    let saved = work.path().join("Søren plan.pdf");
    harness.answer_next_file_dialog(&saved);
    click_settled(&driver, "#plan-save-pdf").await;
    text_when(&driver, "#plan-flash", |t| t.starts_with("Saved to")).await;
    let text = pdf_text(&saved);
    for needle in ["Søren Ødegård", "KRAFTWERK SÜD", "tour of the gym", "+49 30 1234-567", "hallo@kraftwerk.de"] {
        assert!(text.contains(needle), "{needle:?} missing from the saved PDF:\n{text}");
    }

    // Print: the file is written under the data folder and handed on.
    click_settled(&driver, "#plan-print").await;
    text_when(&driver, "#plan-flash", |t| t.starts_with("Opened")).await;
    let printed = std::fs::read_to_string(&print_log).expect("the print log");
    let printed = Path::new(printed.trim());
    assert!(printed.starts_with(data.join("print")), "printed from the data folder: {}", printed.display());
    assert!(pdf_text(printed).contains("Søren Ødegård"));

    // A bad start date is refused next to its field after the plan is removed.
    click_settled(&driver, "#plan-remove").await;
    click_settled(&driver, "#plan-remove-confirm").await;
    element(&driver, "#plan-start-on").await;
    driver.execute("document.getElementById('plan-start-on').value = ''", vec![]).await.expect("clear date");
    click_settled(&driver, "#plan-start").await;
    text_when(&driver, ".field-error[data-for=start_on]", |t| t.contains("day the plan starts")).await;
    screenshot(&driver, "plans-03-top").await;

    driver.quit().await.expect("quit");
}
