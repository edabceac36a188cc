//! End to end: the real app window, driven through tauri-driver and
//! WebKitWebDriver under a private Xvfb display and D-Bus session bus.
//!
//! One test function drives the whole front-desk story in order, because
//! tauri-driver serves one session at a time. Screenshots of the main
//! screens are saved under target/e2e-screenshots/ for a person to look at.
//!
//! Needs: Xvfb, WebKitWebDriver (webkit2gtk-driver), dbus-daemon, dunst
//! and tauri-driver; `make test` installs them.

use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::desktop;
use crate::window;

use desktop::Desktop;
use window::{calls, click_settled, element, focused_id, screenshot, text_when, type_into, Harness};

const HOSTILE_NOTE: &str = "<img src=x onerror=alert(1)> Biscuit had surgery";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_desk_story_in_the_real_window() {
    let harness = Harness::start();
    let data = tempfile::tempdir().expect("temp data folder");

    // First start: the welcome screen offers a sample shop or an empty start.
    let driver = harness.open_app(data.path()).await;
    element(&driver, "#welcome-form").await;
    screenshot(&driver, "01-welcome").await;
    type_into(&driver, "#welcome-shop-name", "Corner Gym").await;
    click_settled(&driver, "#start-empty").await;
    element(&driver, "#search-input").await;
    text_when(&driver, "#shop-name", |t| t == "Corner Gym").await;
    assert_eq!(focused_id(&driver).await, "search-input", "the search box is focused once the shop is ready");

    // A new customer with a dog, from the keyboard. A bad email is refused
    // next to its field and nothing is saved.
    element(&driver, "#search-input").await.send_keys(Key::Control + "n").await.expect("ctrl+n");
    element(&driver, "#customer-form").await;
    assert_eq!(focused_id(&driver).await, "first-name", "the editor starts in the first-name field");
    type_into(&driver, "#first-name", "Zoë").await;
    type_into(&driver, "#last-name", "Müller-Łukasiewicz").await;
    // What the desk calls her: shown between her names on the card.
    type_into(&driver, "#preferred-name", "Zozo").await;
    type_into(&driver, "#phone", "(555) 014-2211").await;
    type_into(&driver, "#email", "zoe-at-example").await;
    click_settled(&driver, "#add-person").await;
    type_into(&driver, "#people-rows .person-row:last-child .person-name-input", "Biscuit").await;
    type_into(&driver, "#people-rows .person-row:last-child .person-kind-input", "dog").await;
    type_into(&driver, "#people-rows .person-row:last-child .person-details-input", "beagle, afraid of thunder").await;
    click_settled(&driver, "#save-customer").await;
    let message = text_when(&driver, ".field-error[data-for=email]", |t| !t.is_empty()).await;
    assert!(message.contains("zoe-at-example"), "the email error names the value: {message}");
    screenshot(&driver, "02-editor-with-error").await;
    type_into(&driver, "#email", "zoe@example.com").await;
    click_settled(&driver, "#save-customer").await;
    text_when(&driver, "#card-name", |t| t == "Zoë “Zozo” Müller-Łukasiewicz").await;
    let people = text_when(&driver, ".people", |t| t.contains("Biscuit")).await;
    assert!(people.contains("beagle"), "the card shows the dog's details: {people}");

    // Escape returns to the search; part of the dog's name finds the owner;
    // Enter opens the card. No mouse.
    driver.find(By::Css("body")).await.expect("body").send_keys(Key::Escape).await.expect("escape");
    element(&driver, "#search-input").await;
    assert_eq!(focused_id(&driver).await, "search-input");
    type_into(&driver, "#search-input", "bisc").await;
    let hit = text_when(&driver, "#results li.selected", |t| t.contains("Zoë")).await;
    assert!(hit.contains("Biscuit"), "the result shows the pet that matched: {hit}");
    let results = driver.find_all(By::Css("#results li")).await.expect("results");
    assert_eq!(results.len(), 1, "the refused save must not have stored a second Zoë");
    screenshot(&driver, "03-search").await;
    element(&driver, "#search-input").await.send_keys(Key::Enter).await.expect("enter");
    text_when(&driver, "#card-name", |t| t == "Zoë “Zozo” Müller-Łukasiewicz").await;

    // A note with HTML in it shows literally; a pinned note shows first.
    let note = element(&driver, "#note-body").await;
    note.send_keys(HOSTILE_NOTE).await.expect("type note");
    note.send_keys(Key::Control + Key::Enter).await.expect("ctrl+enter");
    let shown = text_when(&driver, "#notes .note-body", |t| t.contains("Biscuit had surgery")).await;
    assert_eq!(shown, HOSTILE_NOTE, "the note is shown as typed");
    let images = driver.find_all(By::Css("#page img")).await.expect("query");
    assert!(images.is_empty(), "no HTML from a note may become an element");
    type_into(&driver, "#note-body", "Prefers texts after 6pm").await;
    click_settled(&driver, "#note-pinned").await;
    click_settled(&driver, "#add-note").await;
    text_when(&driver, ".key-details", |t| t.contains("Prefers texts after 6pm")).await;
    screenshot(&driver, "04-card").await;

    loyalty_story(&driver).await;
    reminder_story(&driver, &harness.desktop).await;

    window::nav(&driver, "nav-settings").await;
    element(&driver, "#settings-form").await;
    screenshot(&driver, "05-settings").await;
    driver.quit().await.expect("quit");

    // A restart keeps everything.
    let driver = harness.open_app(data.path()).await;
    element(&driver, "#search-input").await;
    text_when(&driver, "#shop-name", |t| t == "Corner Gym").await;
    assert_eq!(focused_id(&driver).await, "search-input", "the search box is focused at start");
    // The name she goes by finds her.
    element(&driver, "#search-input").await.send_keys("zozo").await.expect("type");
    text_when(&driver, "#results li.selected", |t| t.contains("Zoë Müller-Łukasiewicz")).await;
    element(&driver, "#search-input").await.send_keys(Key::Enter).await.expect("enter");
    let notes = text_when(&driver, "#notes", |t| t.contains("Biscuit had surgery")).await;
    assert!(notes.contains("<img src=x onerror=alert(1)>"), "the note survived the restart as text: {notes}");
    text_when(&driver, ".key-details", |t| t.contains("Prefers texts after 6pm")).await;
    driver.quit().await.expect("quit");

    // Another first start: the sample dog-walking shop, ready to explore.
    let sample = tempfile::tempdir().expect("temp data folder");
    let driver = harness.open_app(sample.path()).await;
    element(&driver, "#welcome-form").await;
    driver
        .execute("const k = document.getElementById('welcome-kind'); k.value = 'dog-walking';", vec![])
        .await
        .expect("choose kind");
    click_settled(&driver, "#start-sample").await;
    text_when(&driver, "#shop-name", |t| t == "Happy Paws Walking Co.").await;
    element(&driver, "#search-input").await.send_keys("a").await.expect("type");
    let first = text_when(&driver, "#results li.selected", |t| !t.is_empty()).await;
    let results = driver.find_all(By::Css("#results li")).await.expect("results");
    assert!(results.len() >= 5, "the sample shop has customers to find; first: {first}");
    screenshot(&driver, "07-sample-search").await;
    element(&driver, "#search-input").await.send_keys(Key::Enter).await.expect("enter");
    text_when(&driver, "#history", |t| t.contains("walk") || t.contains("Walk") || t.contains("visit")).await;
    text_when(&driver, ".people", |t| t.contains("dog")).await;
    screenshot(&driver, "08-sample-card").await;

    // Delete completely: asked first, then told until when the backups still hold them.
    let name = text_when(&driver, "#card-name", |t| !t.is_empty()).await;
    click_settled(&driver, "#delete-customer").await;
    let asked = text_when(&driver, ".delete-wrap .confirm-text", |t| !t.is_empty()).await;
    assert!(
        asked.contains(&name) && asked.contains("Backups made before now"),
        "the question warns about backups: {asked}"
    );
    click_settled(&driver, "#confirm-delete").await;
    let said = text_when(&driver, "#deleted-said", |t| !t.is_empty()).await;
    assert!(
        said.starts_with(&format!("{name} is deleted.")) && said.contains("backup"),
        "the answer speaks of the backups: {said}"
    );
    click_settled(&driver, "#deleted-ok").await;
    element(&driver, "#search-input").await;
    driver.quit().await.expect("quit");
}

/// Visits and loyalty on Zoë's card (gym defaults: 10 points a visit, one
/// point per unit spent, a free smoothie at 100 points).
async fn loyalty_story(driver: &WebDriver) {
    text_when(driver, "#points-balance", |t| t == "0").await;

    // An opening balance from the paper card, by hand with a reason.
    click_settled(driver, ".adjust summary").await;
    type_into(driver, "#adjust-points", "95").await;
    click_settled(driver, "#adjust-save").await;
    let refused = text_when(driver, ".adjust .field-error[data-for=reason]", |t| !t.is_empty()).await;
    assert!(refused.contains("reason"), "an adjustment needs a reason: {refused}");
    text_when(driver, "#points-balance", |t| t == "0").await;
    type_into(driver, "#adjust-reason", "Opening balance from the paper card").await;
    click_settled(driver, "#adjust-save").await;
    text_when(driver, "#points-balance", |t| t == "95").await;
    text_when(driver, "#progress", |t| t.contains("5 more points to Free smoothie")).await;

    // Check in from the search with the keyboard: one chord, no card opened.
    driver.find(By::Css("body")).await.expect("body").send_keys(Key::Escape).await.expect("escape");
    type_into(driver, "#search-input", "zoe").await;
    text_when(driver, "#results li.selected", |t| t.contains("Zoë")).await;
    element(driver, "#search-input").await.send_keys(Key::Control + Key::Enter).await.expect("ctrl+enter");
    let said = text_when(driver, "#search-flash", |t| t.contains("checked in")).await;
    assert!(said.contains("+10 points (balance 105)"), "the desk is told what the visit earned: {said}");
    assert!(said.contains("Free smoothie is available"), "the desk is told a reward is ready: {said}");
    let before = calls(driver).await;
    element(driver, "#search-input").await.send_keys(Key::Enter).await.expect("enter");
    text_when(driver, "#points-balance", |t| t == "105").await;
    text_when(driver, "#reward-ready", |t| t.contains("Free smoothie is available")).await;
    text_when(driver, "#health-colour", |t| !t.is_empty()).await;
    text_when(driver, "#outreach", |t| !t.is_empty()).await;
    assert_eq!(calls(driver).await - before, 1, "opening a card, every panel included, is one call");

    // Log a visit with an amount and a next step, then undo it.
    element(driver, "#log-kind").await;
    type_into(driver, "#log-summary", "Leg day").await;
    type_into(driver, "#log-amount", "25.50").await;
    type_into(driver, "#log-next-step", "Book a PT session").await;
    driver.execute("document.getElementById('log-next-due').value = '2031-12-01'", vec![]).await.expect("set date");
    click_settled(driver, "#log-save").await;
    text_when(driver, "#points-balance", |t| t == "140").await;
    text_when(driver, "#open-tasks", |t| t.contains("Book a PT session")).await;
    let history = text_when(driver, "#history", |t| t.contains("Leg day")).await;
    assert!(history.contains("25.50"), "the amount shows in the history: {history}");
    click_settled(driver, "#history li:first-child button.danger").await;
    click_settled(driver, "#history .confirm-inline button.danger").await;
    text_when(driver, "#points-balance", |t| t == "105").await;
    text_when(driver, "#history li:first-child", |t| t.to_lowercase().contains("undone")).await;

    // Redeem in one click with a confirmation; the ledger says so.
    click_settled(driver, "#rewards button[data-reward=smoothie]").await;
    click_settled(driver, "#confirm-redeem").await;
    text_when(driver, "#points-balance", |t| t == "5").await;
    click_settled(driver, ".ledger summary").await;
    let ledger = text_when(driver, "#ledger", |t| t.contains("Redeemed: Free smoothie")).await;
    assert!(ledger.contains("-100"), "the ledger shows the redeemed points: {ledger}");
    assert!(ledger.contains("Visit undone"), "the undo is recorded in the ledger: {ledger}");

    // Check in on the card: Ctrl+Enter and the button do the same, one call
    // each, which brings the sentence and the card as it is now.
    driver.execute("document.getElementById('card-name').focus()", vec![]).await.expect("focus the card");
    let before = calls(driver).await;
    driver.active_element().await.expect("focused").send_keys(Key::Control + Key::Enter).await.expect("ctrl+enter");
    text_when(driver, "#points-balance", |t| t == "15").await;
    let said = text_when(driver, "#checkin-said", |t| t.contains("checked in")).await;
    assert_eq!(said, "Zoë Müller-Łukasiewicz checked in: +10 points (balance 15).");
    assert_eq!(calls(driver).await - before, 1, "a check-in with Ctrl+Enter is one call");
    let before = calls(driver).await;
    click_settled(driver, "#check-in").await;
    text_when(driver, "#points-balance", |t| t == "25").await;
    text_when(driver, "#checkin-said", |t| t.contains("(balance 25)")).await;
    assert_eq!(calls(driver).await - before, 1, "a check-in with the button is one call");
    screenshot(driver, "06-card-loyalty").await;
}

/// A next step due a few seconds from now: the desktop notification
/// arrives on the bus while the app runs, and the Today list shows it.
async fn reminder_story(driver: &WebDriver, desktop: &Desktop) {
    element(driver, "#log-kind").await;
    driver
        .execute(
            "document.getElementById('log-kind').value = 'call';
             const d = new Date(Date.now() + 6000);
             const pad = (n) => String(n).padStart(2, '0');
             document.getElementById('log-next-due').value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
             document.getElementById('log-next-time').value = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;",
            vec![],
        )
        .await
        .expect("set kind and due time");
    type_into(driver, "#log-summary", "Asked about prices").await;
    type_into(driver, "#log-next-step", "Call back about the membership").await;
    click_settled(driver, "#log-save").await;
    text_when(driver, "#open-tasks", |t| t.contains("Call back about the membership")).await;

    // Poll the bus recorder without blocking the runtime the WebDriver client runs on.
    let started = Instant::now();
    let summary = loop {
        let seen = desktop.notifications();
        if let Some((summary, _)) =
            seen.iter().find(|(summary, _)| summary.contains("Next step: Call back about the membership"))
        {
            break summary.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no notification arrived; seen: {seen:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(summary, "Zoë Müller-Łukasiewicz: Next step: Call back about the membership");

    text_when(driver, "#today-count", |t| t == "1").await;
    window::nav(driver, "nav-today").await;
    let listed = text_when(driver, "#group-due-today", |t| t.contains("Call back about the membership")).await;
    assert!(listed.contains("Zoë Müller-Łukasiewicz"), "the Today list names the customer: {listed}");
    screenshot(driver, "09-today").await;
    click_settled(driver, "#group-due-today button.primary").await;
    element(driver, "#today-empty").await;
    let badge = element(driver, "#nav-today").await;
    text_when(driver, "#nav-today", |t| t.trim() == "Today").await;
    drop(badge);
}
