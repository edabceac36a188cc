//! End to end: a dog-walking sample shop sets up a pass in Settings, sells
//! it on a card, checks the customer in (the sentence and the card say what
//! is left), undoes the check-in (the session comes back), and records the
//! dog's vaccinations and record, one of them due soon (the card turns
//! yellow with the reason) and one expired (red, shown on the card's head).
//! Screenshots go to target/e2e-screenshots/passes-*.png.

use thirtyfour::prelude::*;

use crate::window;

use window::{click_settled, element, screenshot, screenshot_from, set_value, text_when, type_into, Harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sell_and_use_a_pass_and_record_a_vaccination_in_the_real_window() {
    let harness = Harness::start();
    let data = tempfile::tempdir().expect("temp data folder");
    let driver = harness.open_app(data.path()).await;

    element(&driver, "#welcome-form").await;
    set_value(&driver, "#welcome-kind", "dog-walking").await;
    click_settled(&driver, "#start-sample").await;
    text_when(&driver, "#shop-name", |t| !t.is_empty() && t != "Regulars").await;

    // Settings: a pass the desk can sell. A bad price is refused in words.
    window::nav(&driver, "nav-settings").await;
    click_settled(&driver, "#add-pass-type").await;
    type_into(&driver, "#pass-type-rows .pass-type-name", "10 walks").await;
    type_into(&driver, "#pass-type-rows .pass-type-price", "12O").await;
    set_value(&driver, "#pass-type-rows .pass-type-sessions", "10").await;
    set_value(&driver, "#pass-type-rows .pass-type-months", "3").await;
    click_settled(&driver, "#save-pass-types").await;
    let refused = text_when(&driver, "#pass-types-form .field-error[data-for=pass_types]", |t| !t.is_empty()).await;
    assert!(refused.contains("price of \"10 walks\""), "{refused}");
    type_into(&driver, "#pass-type-rows .pass-type-price", "120").await;
    click_settled(&driver, "#save-pass-types").await;
    text_when(&driver, "#pass-types-form .saved", |t| t == "Saved.").await;
    screenshot_from(&driver, "#pass-types-form", "passes-01-settings").await;

    // A card from the dashboard: sell the pass.
    click_settled(&driver, "#nav-search").await;
    click_settled(&driver, "#dash-top .person-link").await;
    element(&driver, "#passes-panel #sell-pass").await;
    click_settled(&driver, "#sell-pass").await;
    let left =
        text_when(&driver, "#passes-panel .pass.usable .pass-left", |t| t.starts_with("10 of 10 left, until")).await;
    text_when(&driver, "#history", |t| t.contains("10 walks (10 sessions)")).await;
    screenshot_from(&driver, "#passes-panel", "passes-02-sold").await;

    // A check-in uses a session; the sentence says what is left.
    click_settled(&driver, "#check-in").await;
    let said = text_when(&driver, "#checkin-said", |t| t.contains("9 of 10 left")).await;
    assert!(said.contains(" checked in") && said.contains("10 walks: 9 of 10 left, until"), "{said}");
    text_when(&driver, "#passes-panel .pass-left", |t| t.starts_with("9 of 10 left")).await;
    screenshot_from(&driver, "#checkin-said", "passes-03-checked-in").await;

    // Undo the check-in from the history: the session comes back.
    click_settled(&driver, "#history li.event:first-child .link.danger").await;
    click_settled(&driver, "#history .confirm-inline .danger").await;
    text_when(&driver, "#passes-panel .pass-left", |t| t.starts_with("10 of 10 left")).await;
    assert!(left.contains("until"), "{left}");

    // The dog's vaccinations: one due in ten days turns the card yellow with
    // the reason in words; a bad date is refused next to its field.
    let pet = element(&driver, ".panel.pet").await;
    let person = pet.attr("data-person-id").await.expect("attr").expect("the pet's id");
    let panel = format!(".panel.pet[data-person-id='{person}']");
    let soon = (chrono::Local::now() + chrono::Duration::days(10)).date_naive();
    type_into(&driver, &format!("{panel} .vaccine-name-input"), "Rabies").await;
    set_value(&driver, &format!("{panel} .vaccine-expires"), "2301-01-01").await;
    click_settled(&driver, &format!("{panel} .add-vaccine")).await;
    text_when(&driver, &format!("{panel} .field-error[data-for=expires_on]"), |t| {
        t.contains("between the years 1900 and 2200")
    })
    .await;
    set_value(&driver, &format!("{panel} .vaccine-expires"), &soon.format("%Y-%m-%d").to_string()).await;
    click_settled(&driver, &format!("{panel} .add-vaccine")).await;
    let words = format!("Rabies vaccine expires {}", soon.format("%-d %b"));
    text_when(&driver, "#health-reasons", |t| t.contains(&words)).await;
    let panel_text = content_when(&driver, &panel, |t| t.contains("due soon")).await;
    assert!(panel_text.contains("Rabies"), "{panel_text}");

    // The pet record: breed, vet, handling.
    click_settled(&driver, &format!("{panel} .edit-pet")).await;
    type_into(&driver, &format!("#pet-breed-{person}"), "Border collie").await;
    type_into(&driver, &format!("#pet-vet_name-{person}"), "Dr. Ølund").await;
    type_into(&driver, &format!("#pet-vet_phone-{person}"), "+49 30 555 0199").await;
    type_into(&driver, &format!("#pet-on_lead-{person}"), "Harness only, pulls").await;
    click_settled(&driver, &format!("{panel} .save-pet")).await;
    content_when(&driver, &format!("{panel} .pet-facts"), |t| {
        t.contains("Border collie") && t.contains("Dr. Ølund, +49 30 555 0199")
    })
    .await;
    screenshot_from(&driver, &panel, "passes-04-pet-record").await;

    // An expired one: red, and shown on the card's head.
    let gone = (chrono::Local::now() - chrono::Duration::days(3)).date_naive();
    type_into(&driver, &format!("{panel} .vaccine-name-input"), "Kennel cough").await;
    set_value(&driver, &format!("{panel} .vaccine-expires"), &gone.format("%Y-%m-%d").to_string()).await;
    click_settled(&driver, &format!("{panel} .add-vaccine")).await;
    let head = text_when(&driver, ".card-head .chip.alert", |t| t.contains("Kennel cough vaccine expired")).await;
    assert!(head.contains(&gone.format("%-d %b").to_string()), "{head}");
    assert_eq!(text_when(&driver, "#health-colour", |t| !t.is_empty()).await, "At risk");
    screenshot(&driver, "passes-05-expired-on-head").await;

    // After a restart it is all still there.
    driver.quit().await.expect("quit");
    let driver = harness.open_app(data.path()).await;
    click_settled(&driver, "#dash-top .person-link").await;
    text_when(&driver, "#passes-panel .pass-left", |t| t.starts_with("10 of 10 left")).await;
    text_when(&driver, ".card-head .chip.alert", |t| t.contains("Kennel cough")).await;
    driver.quit().await.expect("quit");
}

/// The text content of `css` once it satisfies `check` (a panel the card
/// drew again below the fold reads as "" through WebDriver's rendered text).
async fn content_when(driver: &WebDriver, css: &str, check: impl Fn(&str) -> bool) -> String {
    let start = std::time::Instant::now();
    loop {
        let value = driver
            .execute(
                "const n = document.querySelector(arguments[0]); return n ? n.textContent : '';",
                vec![serde_json::json!(css)],
            )
            .await
            .expect("script");
        let text = value.json().as_str().unwrap_or_default().to_string();
        if check(&text) {
            return text;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(15),
            "text of {css} never matched; last seen: {text:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
