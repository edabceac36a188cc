//! End to end: the owner and the desk in the real window. With an owner
//! PIN set the app starts at the desk: every owner-only command called
//! through the IPC is refused by Rust, whatever its arguments; the page
//! asks for the PIN before the owner's screens, says a wrong PIN next to
//! the field, opens owner mode with the right one, and Ctrl+L locks it
//! again, and owner mode locks itself when unused (after seconds here,
//! through a test switch, instead of minutes). The audit trail shows what
//! happened. Only a person keeps owner mode open: reminders firing every
//! few seconds, and the reads of Today they make the page do, do not.

use serde_json::json;
use thirtyfour::prelude::*;

use crate::window::{element, invoke, nav, screenshot, text_when, type_into, Answer, Harness};

use regulars::db::settings::BusinessKind;
use regulars::db::store::Store;
use regulars::features::{cards, owner};
use regulars::io::setup;
use regulars::records::audit;
use regulars::records::customers::CustomerInput;
use regulars::records::reminders::{self, NewReminder};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_cannot_do_the_owners_work_and_the_pin_opens_it() {
    let harness = Harness::start_with_env(&[("REGULARS_AUTO_LOCK_SECONDS", "8")]);
    let data = tempfile::tempdir().expect("temp data folder");
    let ada_id = {
        let mut store = Store::open_in(data.path()).expect("store");
        setup::start_shop(store.conn_mut(), "Corner Gym", BusinessKind::Gym, false, chrono::Utc::now()).expect("setup");
        owner::set_pin(store.conn_mut(), "4821", "4821", audit::NO_PIN, chrono::Utc::now()).expect("pin");
        let ada = CustomerInput { first_name: "Ada".into(), last_name: "Lovelace".into(), ..Default::default() };
        cards::create(store.conn_mut(), &ada, chrono::Utc::now()).expect("ada").id
    };
    let driver = harness.open_app(data.path()).await;
    element(&driver, "#search-input").await;
    text_when(&driver, "#owner-lock", |text| text.contains("Desk")).await;

    // Rust refuses every owner-only command in desk mode, before it runs.
    for command in regulars::app::owner::OWNER_ONLY {
        let answer = invoke(
            &driver,
            command,
            json!({ "id": ada_id, "file": "x", "fileName": "x", "batchId": "x", "settings": {} }),
        )
        .await;
        match &answer {
            Answer::Err(error) => assert_eq!(error["kind"], "owner_only", "{command}: {error}"),
            other => panic!("{command} was not refused at the desk: {other:?}"),
        }
    }
    // Nor does it open a file dialog for them (a plan's PDF is the desk's).
    for purpose in [
        "import",
        "export_all",
        "export_customer",
        "export_contacts",
        "export_contact",
        "calendar",
        "backup",
        "restore",
    ] {
        match invoke(&driver, "choose_file", json!({ "purpose": purpose, "suggestedName": null })).await {
            Answer::Err(error) => assert_eq!(error["kind"], "owner_only", "choose_file {purpose}: {error}"),
            other => panic!("choose_file {purpose} at the desk: {other:?}"),
        }
    }
    // The desk's own work goes on.
    assert!(matches!(
        invoke(&driver, "check_in", json!({ "customerId": ada_id, "staffId": null })).await,
        Answer::Ok(_)
    ));
    // The customer is still there: the refused delete did not run.
    assert!(matches!(invoke(&driver, "get_card_view", json!({ "id": ada_id })).await, Answer::Ok(_)));

    // The page: Data asks for the PIN; a wrong one is said next to the field.
    nav(&driver, "nav-data").await;
    type_into(&driver, "#owner-pin", "1111").await;
    element(&driver, "#unlock-button").await.click().await.expect("unlock");
    let said = text_when(&driver, "#owner-pin-error", |text| !text.is_empty()).await;
    assert_eq!(said, "That is not the owner PIN.");
    screenshot(&driver, "owner-01-wrong-pin").await;
    type_into(&driver, "#owner-pin", "4821").await;
    element(&driver, "#unlock-button").await.click().await.expect("unlock");
    element(&driver, "body[data-view=data] #audit-panel").await;
    text_when(&driver, "#owner-lock", |text| text.contains("Owner")).await;
    let trail = text_when(&driver, "#audit-panel", |text| text.contains("unlocked owner mode")).await;
    assert!(trail.contains("typed a wrong owner PIN") && trail.contains("set the owner PIN"), "{trail}");
    screenshot(&driver, "owner-02-data-with-audit").await;

    // In owner mode the owner's work runs, and is in the trail.
    let exported = invoke(&driver, "get_calendar", json!({})).await;
    assert!(matches!(exported, Answer::Ok(_)), "{exported:?}");

    // Ctrl+L locks at once and leaves the owner's screen.
    driver.active_element().await.expect("focus").send_keys(Key::Control + "l").await.expect("ctrl+l");
    element(&driver, "body[data-view=search]").await;
    text_when(&driver, "#owner-lock", |text| text.contains("Desk")).await;
    match invoke(&driver, "export_customers", json!({ "file": "x" })).await {
        Answer::Err(error) => assert_eq!(error["kind"], "owner_only"),
        other => panic!("locked again, yet: {other:?}"),
    }
    // The card hides what the desk cannot use.
    type_into(&driver, "#search-input", "Ada").await;
    element(&driver, "#results li.selected").await;
    element(&driver, "#search-input").await.send_keys(Key::Enter).await.expect("open the card");
    element(&driver, "#check-in").await;
    for hidden in ["#export-customer", "#export-contact", "#delete-customer"] {
        let shown = driver.find(By::Css(hidden)).await.expect(hidden).is_displayed().await.expect("displayed?");
        assert!(!shown, "{hidden} is shown at the desk");
    }
    screenshot(&driver, "owner-03-card-at-the-desk").await;

    // Unused, owner mode locks itself, and the owner's screen is left.
    nav(&driver, "nav-settings").await;
    type_into(&driver, "#owner-pin", "4821").await;
    element(&driver, "#unlock-button").await.click().await.expect("unlock");
    element(&driver, "body[data-view=settings] #owner-settings-form").await;
    text_when(&driver, "#owner-lock", |text| text.contains("Owner")).await;
    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    element(&driver, "body[data-view=search]").await;
    text_when(&driver, "#owner-lock", |text| text.contains("Desk")).await;
    match invoke(&driver, "save_settings", json!({ "settings": {} })).await {
        Answer::Err(error) => assert_eq!(error["kind"], "owner_only"),
        other => panic!("locked itself, yet: {other:?}"),
    }

    // The lock fits the top bar at the narrowest window: nothing scrolls sideways.
    crate::window::resize(&driver, 720, 600).await;
    let wide = driver
        .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.querySelector('.topbar').scrollWidth, document.querySelector('.topbar').clientWidth]", vec![])
        .await
        .expect("widths");
    let [page, window, bar, bar_box] = serde_json::from_value::<[i64; 4]>(wide.json().clone()).expect("four widths");
    assert!(
        page <= window && bar <= bar_box,
        "scrolls sideways at 720 px with the lock shown: page {page}/{window}, bar {bar}/{bar_box}"
    );
    assert!(element(&driver, "#owner-lock").await.is_displayed().await.expect("shown"));
    screenshot(&driver, "owner-04-desk-at-720").await;
    driver.quit().await.expect("quit");
}

/// The badge's count of reminders due (empty when none).
async fn due_badge(driver: &WebDriver) -> i64 {
    let text =
        driver.execute("return document.getElementById('today-count').textContent", vec![]).await.expect("badge");
    text.json().as_str().unwrap_or_default().trim().parse().unwrap_or(0)
}

async fn owner_now(driver: &WebDriver) -> bool {
    match invoke(driver, "get_owner_state", json!({})).await {
        Answer::Ok(state) => state["owner"].as_bool().expect("owner"),
        other => panic!("get_owner_state: {other:?}"),
    }
}

/// The owner unlocks, then walks away: with the auto-lock at 5 s and a
/// reminder firing every 3 s (each makes the page read Today and the
/// dashboard), owner mode is closed after 20 s untouched. Keys keep it
/// open for as long as someone presses them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_firing_do_not_keep_owner_mode_open_and_keys_do() {
    let harness = Harness::start_with_env(&[("REGULARS_AUTO_LOCK_SECONDS", "5")]);
    let data = tempfile::tempdir().expect("temp data folder");
    {
        let mut store = Store::open_in(data.path()).expect("store");
        let at = chrono::Utc::now();
        setup::start_shop(store.conn_mut(), "Corner Gym", BusinessKind::Gym, false, at).expect("setup");
        owner::set_pin(store.conn_mut(), "4821", "4821", audit::NO_PIN, at).expect("pin");
        // More lines than one page of the trail holds.
        for n in 0..150 {
            audit::append(store.conn(), audit::DESK, "typed a wrong owner PIN", &format!("{n}"), at).expect("a line");
        }
        let ada = CustomerInput { first_name: "Ada".into(), last_name: "Lovelace".into(), ..Default::default() };
        let ada_id = cards::create(store.conn_mut(), &ada, at).expect("ada").id;
        // A reminder every 3 s for the next four minutes, whatever the start takes.
        for n in 1..=80 {
            let due = NewReminder {
                key: format!("test:{n}"),
                customer_id: &ada_id,
                source: reminders::Source::NextStep,
                source_id: None,
                title: format!("Call back {n}"),
                detail: String::new(),
                due_at: at + chrono::Duration::seconds(3 * n),
            };
            reminders::insert(store.conn(), &due, at).expect("reminder");
        }
    }
    let driver = harness.open_app(data.path()).await;
    element(&driver, "#search-input").await;
    text_when(&driver, "#owner-lock", |text| text.contains("Desk")).await;

    nav(&driver, "nav-data").await;
    type_into(&driver, "#owner-pin", "4821").await;
    element(&driver, "#unlock-button").await.click().await.expect("unlock");
    element(&driver, "body[data-view=data] #audit-panel").await;
    text_when(&driver, "#owner-lock", |text| text.contains("Owner")).await;
    // The trail shows its newest page; "Show older lines" reaches the first line.
    let rows = "return document.querySelectorAll('#audit-table tbody tr').length";
    assert_eq!(driver.execute(rows, vec![]).await.expect("rows").json().as_i64(), Some(100));
    element(&driver, "#audit-older").await.click().await.expect("show older");
    text_when(&driver, "#audit-said", |text| text.contains("the oldest is the last")).await;
    assert_eq!(
        driver.execute(rows, vec![]).await.expect("rows").json().as_i64(),
        Some(152),
        "the PIN set, 150 lines, the unlock"
    );
    let oldest = text_when(&driver, "#audit-table tbody tr:last-child", |text| !text.is_empty()).await;
    assert!(oldest.contains("set the owner PIN"), "{oldest}");
    let older = driver.find(By::Css("#audit-older")).await.expect("the button");
    assert!(!older.is_displayed().await.expect("shown?"), "no older page to show");
    // Back to the search, where each reminder reloads the dashboard too; then nobody touches anything.
    driver.active_element().await.expect("focus").send_keys(Key::Escape).await.expect("escape");
    element(&driver, "body[data-view=search]").await;
    let due_before = due_badge(&driver).await;
    tokio::time::sleep(std::time::Duration::from_secs(20)).await;
    let fired = due_badge(&driver).await - due_before;
    assert!(fired >= 4, "reminders fired and the page read Today meanwhile (the badge went up by {fired})");
    assert!(!owner_now(&driver).await, "owner mode stayed open with nobody at the keyboard");
    text_when(&driver, "#owner-lock", |text| text.contains("Desk")).await;
    match invoke(&driver, "export_customers", json!({ "file": "x" })).await {
        Answer::Err(error) => assert_eq!(error["kind"], "owner_only"),
        other => panic!("locked itself, yet: {other:?}"),
    }

    // Someone at the keyboard: a key every 2 s keeps it open past twice the auto-lock.
    element(&driver, "#owner-lock").await.click().await.expect("the lock");
    type_into(&driver, "#owner-pin", "4821").await;
    element(&driver, "#unlock-button").await.click().await.expect("unlock");
    text_when(&driver, "#owner-lock", |text| text.contains("Owner")).await;
    let search = element(&driver, "#search-input").await;
    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        search.send_keys(Key::Shift).await.expect("a key");
    }
    assert!(owner_now(&driver).await, "owner mode locked while someone was pressing keys");
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    assert!(!owner_now(&driver).await, "owner mode stayed open after the keys stopped");
    driver.quit().await.expect("quit");
}
