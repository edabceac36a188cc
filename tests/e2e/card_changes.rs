//! End to end: every change made on a card is one call to Rust and one
//! paint of the card, in the real window. Each command that changes a card
//! answers the card view; the card repaints from it in place, once (the
//! page's mutation batches are counted, as for opening a card in desk.rs).
//! Also: the first screen of a new data folder is the welcome, never an
//! empty search that the welcome then replaces.
//!
//! Screenshots: target/e2e-screenshots/card-changes-*.png.

use std::io::Cursor;
use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::prelude::*;

use crate::window;

use window::{
    calls, click_settled, content_when, element, focused_id, page_batches, screenshot, screenshot_from, set_value,
    text_when, type_into, watch_page, Harness,
};

/// Starts counting: the page's mutation batches from now, and the calls
/// made so far (returned).
async fn begin(driver: &WebDriver) -> i64 {
    watch_page(driver).await;
    calls(driver).await
}

/// The change since `begin` was one call and one paint.
async fn one_call_one_paint(driver: &WebDriver, before: i64, change: &str) {
    let batches = page_batches(driver).await;
    let made = calls(driver).await - before;
    assert_eq!((made, batches), (1, 1), "{change}: (calls, paints) should be (1, 1)");
}

/// Until the welcome shows, the search (or any other screen) never does.
async fn first_screen_is_the_welcome(driver: &WebDriver) {
    let start = Instant::now();
    loop {
        let seen = driver
            .execute(
                "const shown = (el) => !!el && el.getClientRects().length > 0 && !el.closest('[hidden]'); \
                 return { search: shown(document.getElementById('search-view')), \
                   welcome: shown(document.getElementById('welcome-form')) };",
                vec![],
            )
            .await
            .expect("script");
        let seen = seen.json();
        assert_eq!(seen["search"], json!(false), "the search showed before the first screen: {seen}");
        if seen["welcome"] == json!(true) {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "the welcome never showed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn picture() -> Vec<u8> {
    let canvas = image::RgbImage::from_fn(300, 300, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]));
    let mut out = Vec::new();
    canvas.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_on_a_card_is_one_call_and_one_paint() {
    let work = tempfile::tempdir().expect("temp folder");
    // The mail app is not opened: the link is noted here instead.
    let opened = work.path().join("opened.txt");
    let harness = Harness::start_with_env(&[("REGULARS_OPEN_LOG", &opened)]);
    let data = tempfile::tempdir().expect("temp data folder");
    let driver = harness.open_app(data.path()).await;

    first_screen_is_the_welcome(&driver).await;
    set_value(&driver, "#welcome-kind", "dog-walking").await;
    click_settled(&driver, "#start-sample").await;
    text_when(&driver, "#shop-name", |t| !t.is_empty() && t != "Regulars").await;

    // Settings: a pass to sell, and the review link the request needs.
    window::nav(&driver, "nav-settings").await;
    click_settled(&driver, "#add-pass-type").await;
    type_into(&driver, "#pass-type-rows .pass-type-name", "10 walks").await;
    type_into(&driver, "#pass-type-rows .pass-type-price", "120").await;
    set_value(&driver, "#pass-type-rows .pass-type-sessions", "10").await;
    set_value(&driver, "#pass-type-rows .pass-type-months", "3").await;
    click_settled(&driver, "#save-pass-types").await;
    text_when(&driver, "#pass-types-form .saved", |t| t == "Saved.").await;
    type_into(&driver, "#review-link", "https://g.page/r/happy-paws/review").await;
    click_settled(&driver, "#save-outreach-rules").await;
    text_when(&driver, "#outreach-rules-form .saved", |t| t == "Saved.").await;

    click_settled(&driver, "#nav-search").await;
    click_settled(&driver, "#dash-top .person-link").await;
    element(&driver, "#glance").await;
    let name = text_when(&driver, "#card-name", |t| !t.is_empty()).await;

    // Logging a visit (a win: the review request below needs one), by Enter
    // in its field: the focus stays there.
    click_settled(&driver, "#log-win").await;
    type_into(&driver, "#log-summary", "Long beach walk").await;
    let before = begin(&driver).await;
    element(&driver, "#log-summary").await.send_keys(Key::Enter).await.expect("enter");
    text_when(&driver, "#loyalty-flash", |t| t.starts_with("Visit logged")).await;
    one_call_one_paint(&driver, before, "logging a visit").await;
    assert_eq!(focused_id(&driver).await, "log-summary", "the focus stays in the log form");
    content_when(&driver, "#history", |t| t.contains("Long beach walk")).await;
    assert_eq!(element(&driver, "#log-summary").await.value().await.expect("value"), Some(String::new()));

    // A note, then pinned as a key detail.
    type_into(&driver, "#note-body", "Scared of bicycles").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#add-note").await;
    content_when(&driver, "#notes", |t| t.contains("Scared of bicycles")).await;
    one_call_one_paint(&driver, before, "adding a note").await;
    let before = begin(&driver).await;
    driver
        .execute(
            "[...document.querySelectorAll('#notes .note')].find((n) => n.textContent.includes('Scared of bicycles')) \
               .querySelector('button.link').click()",
            vec![],
        )
        .await
        .expect("pin the note");
    content_when(&driver, ".key-details", |t| t.contains("Scared of bicycles")).await;
    one_call_one_paint(&driver, before, "pinning a note").await;

    // Points by hand, then a reward they pay for.
    click_settled(&driver, "form.adjust summary").await;
    type_into(&driver, "#adjust-points", "+500").await;
    type_into(&driver, "#adjust-reason", "Goodwill for the rain week").await;
    let points = text_when(&driver, "#points-balance", |t| !t.is_empty()).await;
    let before = begin(&driver).await;
    click_settled(&driver, "#adjust-save").await;
    text_when(&driver, "#loyalty-flash", |t| t == "Points adjusted.").await;
    one_call_one_paint(&driver, before, "adjusting points").await;
    let after = text_when(&driver, "#points-balance", |t| !t.is_empty()).await;
    assert_ne!(after, points, "the balance moved");
    text_when(&driver, "#glance-reward", |t| t.contains(&after)).await;
    click_settled(&driver, "#rewards .reward.available").await;
    element(&driver, "#confirm-redeem").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#confirm-redeem").await;
    text_when(&driver, "#loyalty-flash", |t| t.starts_with("Redeemed")).await;
    one_call_one_paint(&driver, before, "redeeming a reward").await;

    // A pass sold, then corrected.
    let before = begin(&driver).await;
    click_settled(&driver, "#sell-pass").await;
    content_when(&driver, "#passes-panel .pass.usable .pass-left", |t| t.starts_with("10 of 10 left")).await;
    one_call_one_paint(&driver, before, "selling a pass").await;
    click_settled(&driver, "#passes-panel .pass.usable .pass-ledger summary").await;
    type_into(&driver, "#passes-panel .pass.usable .pass-adjust [data-field=sessions]", "-1").await;
    type_into(&driver, "#passes-panel .pass.usable .pass-adjust [data-field=reason]", "Walked twice on Monday").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#passes-panel .pass.usable .pass-adjust button").await;
    content_when(&driver, "#passes-panel .pass.usable .pass-left", |t| t.starts_with("9 of 10 left")).await;
    one_call_one_paint(&driver, before, "correcting a pass").await;

    // Feedback.
    set_value(&driver, "#feedback-kind", "nps").await;
    type_into(&driver, "#feedback-score", "9").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#record-feedback").await;
    text_when(&driver, "#feedback-flash", |t| t.starts_with("Saved")).await;
    one_call_one_paint(&driver, before, "recording feedback").await;

    // A complaint: opened, updated, closed.
    click_settled(&driver, "#new-complaint").await;
    type_into(&driver, "#complaint-summary", "Muddy paws on the sofa").await;
    driver
        .execute("const s = document.getElementById('complaint-owner'); s.value = s.options[1].value;", vec![])
        .await
        .expect("choose an owner");
    let tomorrow = (chrono::Local::now() + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    set_value(&driver, "#complaint-checkpoint-date", &tomorrow).await;
    let before = begin(&driver).await;
    click_settled(&driver, "#open-complaint").await;
    content_when(&driver, "#complaints .complaint-summary", |t| t.contains("Muddy paws")).await;
    one_call_one_paint(&driver, before, "opening a complaint").await;
    text_when(&driver, "#health-reasons", |t| t.contains("Complaint open")).await;
    let id = element(&driver, "#complaints .complaint").await.attr("data-id").await.expect("attr").expect("id");
    type_into(&driver, &format!("#update-body-{id}"), "Towel at the door from now on").await;
    let before = begin(&driver).await;
    click_settled(&driver, &format!("#add-update-{id}")).await;
    content_when(&driver, "#complaints .updates", |t| t.contains("Towel at the door")).await;
    one_call_one_paint(&driver, before, "adding an update to a complaint").await;
    type_into(&driver, &format!("#recap-{id}"), "Towel at the door; no more mud").await;
    let before = begin(&driver).await;
    click_settled(&driver, &format!("#complaints .complaint[data-id='{id}'] .close-complaint")).await;
    content_when(&driver, "#complaints .closed-complaints summary", |t| t.starts_with("Closed")).await;
    one_call_one_paint(&driver, before, "closing a complaint").await;

    // A membership: added, renewed, ended.
    click_settled(&driver, "#add-membership").await;
    type_into(&driver, "#membership-plan", "Weekday walks").await;
    type_into(&driver, "#membership-price", "89").await;
    let renews = (chrono::Local::now() + chrono::Duration::days(20)).format("%Y-%m-%d").to_string();
    set_value(&driver, "#membership-renews", &renews).await;
    let before = begin(&driver).await;
    click_settled(&driver, "#membership-save").await;
    let line = content_when(&driver, "#membership-line", |t| t.contains("Weekday walks")).await;
    one_call_one_paint(&driver, before, "adding a membership").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#membership-renewed").await;
    content_when(&driver, "#membership-line", |t| t.contains("Weekday walks") && t != line).await;
    one_call_one_paint(&driver, before, "renewing a membership").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#membership-end").await;
    element(&driver, "#add-membership").await;
    one_call_one_paint(&driver, before, "ending a membership").await;

    // A welcome plan: started, a task ticked, removed.
    let before = begin(&driver).await;
    click_settled(&driver, "#plan-start").await;
    content_when(&driver, "#plan-progress", |t| !t.is_empty()).await;
    one_call_one_paint(&driver, before, "starting a plan").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#plan-task-0").await;
    element(&driver, "#plan-tasks .plan-task.done").await;
    one_call_one_paint(&driver, before, "ticking a plan task").await;
    assert_eq!(focused_id(&driver).await, "plan-task-0", "the ticked box keeps the focus");
    click_settled(&driver, "#plan-remove").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#plan-remove-confirm").await;
    element(&driver, "#plan-panel #plan-start").await;
    one_call_one_paint(&driver, before, "removing a plan").await;

    // The pet: its record, a vaccination recorded and removed.
    let pet = element(&driver, ".panel.pet").await;
    let person = pet.attr("data-person-id").await.expect("attr").expect("the pet's id");
    let panel = format!(".panel.pet[data-person-id='{person}']");
    click_settled(&driver, &format!("{panel} .edit-pet")).await;
    type_into(&driver, &format!("#pet-breed-{person}"), "Border collie").await;
    let before = begin(&driver).await;
    click_settled(&driver, &format!("{panel} .save-pet")).await;
    content_when(&driver, &format!("{panel} .pet-facts"), |t| t.contains("Border collie")).await;
    one_call_one_paint(&driver, before, "saving a pet record").await;
    // Far enough ahead that no reminder falls due now: a reminder that fires
    // has the top bar's Today badge read again (the scheduler's event, not
    // the card's call), which would blur what this counts.
    let later = (chrono::Local::now() + chrono::Duration::days(200)).date_naive();
    type_into(&driver, &format!("{panel} .vaccine-name-input"), "Rabies").await;
    set_value(&driver, &format!("{panel} .vaccine-expires"), &later.format("%Y-%m-%d").to_string()).await;
    let before = begin(&driver).await;
    click_settled(&driver, &format!("{panel} .add-vaccine")).await;
    content_when(&driver, &format!("{panel} .vaccinations"), |t| t.contains("Rabies")).await;
    one_call_one_paint(&driver, before, "recording a vaccination").await;
    let before = begin(&driver).await;
    click_settled(&driver, &format!("{panel} .vaccinations .link.danger")).await;
    content_when(&driver, panel.as_str(), |t| t.contains("No vaccinations recorded")).await;
    one_call_one_paint(&driver, before, "removing a vaccination").await;

    // A photo pasted on the card, then removed.
    let before = begin(&driver).await;
    let pasted = driver
        .execute(
            "const bytes = arguments[0]; const data = new DataTransfer(); \
             data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' })); \
             const slot = document.querySelector('.head-photo'); slot.focus(); \
             slot.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })); \
             return 'sent';",
            vec![json!(picture())],
        )
        .await
        .expect("paste");
    assert_eq!(pasted.json().as_str(), Some("sent"));
    element(&driver, ".card-head img.head-face").await;
    one_call_one_paint(&driver, before, "pasting a photo").await;
    let before = begin(&driver).await;
    click_settled(&driver, ".head-photo-controls .photo-remove").await;
    element(&driver, ".card-head .head-face.initials").await;
    one_call_one_paint(&driver, before, "removing a photo").await;
    // And one chosen in the file dialog: the dialog and the change are one call.
    let portrait = work.path().join("portrait.png");
    std::fs::write(&portrait, picture()).expect("picture file");
    harness.answer_next_file_dialog(&portrait);
    let before = begin(&driver).await;
    click_settled(&driver, ".photo-choose[data-subject='customer']").await;
    element(&driver, ".card-head img.head-face").await;
    one_call_one_paint(&driver, before, "choosing a photo from a file").await;

    // A review asked for by email (kept, and the mail app opened, in one
    // call), then answered.
    click_settled(&driver, "#ask-review").await;
    let email = element(&driver, "#send-review_request-email").await;
    let composed = content_when(&driver, "#message-review_request", |t| !t.is_empty()).await;
    assert!(email.is_enabled().await.expect("enabled"), "the message is complete, to an address: {composed}");
    let before = begin(&driver).await;
    click_settled(&driver, "#send-review_request-email").await;
    content_when(&driver, "#review-requests", |t| t.to_lowercase().starts_with("asked")).await;
    text_when(&driver, "#message-review_request .flash", |t| t.starts_with("Opened in your mail app")).await;
    one_call_one_paint(&driver, before, "asking for a review by email").await;
    let opened_text = std::fs::read_to_string(&opened).unwrap_or_default();
    assert!(opened_text.starts_with("mailto:"), "the mail app was asked to open: {opened_text:?}");
    let before = begin(&driver).await;
    click_settled(&driver, "#review-requests .set-reviewed").await;
    content_when(&driver, "#review-requests", |t| t.to_lowercase().starts_with("reviewed")).await;
    one_call_one_paint(&driver, before, "answering a review request").await;

    // Undoing the visit logged above.
    click_settled(&driver, "#history li.event:first-child .link.danger").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#history .confirm-inline .danger").await;
    text_when(&driver, "#loyalty-flash", |t| t.starts_with("Undone")).await;
    one_call_one_paint(&driver, before, "undoing a visit").await;

    // A next step, ticked off.
    set_value(&driver, "#log-kind", "call").await;
    type_into(&driver, "#log-next-step", "Ask about the holiday walks").await;
    set_value(&driver, "#log-next-due", "2031-12-01").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#log-save").await;
    content_when(&driver, "#open-tasks", |t| t.contains("holiday walks")).await;
    one_call_one_paint(&driver, before, "logging a call with a next step").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#open-tasks input[type=checkbox]").await;
    text_when(&driver, "#loyalty-flash", |t| t == "Next step done.").await;
    one_call_one_paint(&driver, before, "ticking a next step off").await;

    // Archived and brought back.
    let before = begin(&driver).await;
    click_settled(&driver, "#archive-customer").await;
    content_when(&driver, ".card-head .chips", |t| t.contains("archived")).await;
    one_call_one_paint(&driver, before, "archiving the card").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#archive-customer").await;
    content_when(&driver, ".card-head .chips", |t| !t.contains("archived")).await;
    one_call_one_paint(&driver, before, "bringing the card back").await;
    screenshot(&driver, "card-changes-01-card").await;
    screenshot_from(&driver, "#activity", "card-changes-02-activity").await;
    screenshot_from(&driver, "#passes-panel", "card-changes-03-side").await;

    // A friend they referred comes in: the thanks is said on this card.
    window::nav(&driver, "nav-new").await;
    type_into(&driver, "#first-name", "Bea").await;
    type_into(&driver, "#last-name", "Lind").await;
    type_into(&driver, "#referred-by-input", &name).await;
    click_settled(&driver, ".picker-results .pick").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#save-customer").await;
    text_when(&driver, "#card-name", |t| t == "Bea Lind").await;
    one_call_one_paint(&driver, before, "saving a new card").await;
    type_into(&driver, "#log-summary", "First walk").await;
    click_settled(&driver, "#log-save").await;
    text_when(&driver, "#loyalty-flash", |t| t.contains("referred them")).await;
    click_settled(&driver, "#referred-by .person-link").await;
    text_when(&driver, "#card-name", |t| t == name).await;
    click_settled(&driver, "#referred-list .thank").await;
    element(&driver, "#send-referral_thanks-copy").await;
    let before = begin(&driver).await;
    click_settled(&driver, "#send-referral_thanks-copy").await;
    content_when(&driver, "#referred-list", |t| t.contains("thanked")).await;
    one_call_one_paint(&driver, before, "thanking for a referral").await;
    screenshot_from(&driver, "#outreach", "card-changes-04-outreach").await;

    driver.quit().await.expect("quit");
}
