//! End to end: asking for a review from a card (the review link set in
//! Settings, a visit marked as a win, the message sent by email, the answer
//! recorded), and a referral (a new customer referred by another; the
//! referrer's points rise once, on the first visit). Screenshots go to
//! target/e2e-screenshots/outreach-*.png.

use thirtyfour::prelude::*;

use crate::window;

use window::{click_settled, element, screenshot, screenshot_from, text_when, type_into, Harness};

async fn new_customer(driver: &WebDriver, first: &str, last: &str, email: &str) {
    window::nav(driver, "nav-new").await;
    element(driver, "#customer-form").await;
    type_into(driver, "#first-name", first).await;
    type_into(driver, "#last-name", last).await;
    if !email.is_empty() {
        type_into(driver, "#email", email).await;
    }
}

async fn log_visit(driver: &WebDriver, summary: &str, win: bool) {
    type_into(driver, "#log-summary", summary).await;
    if win {
        click_settled(driver, "#log-win").await;
    }
    click_settled(driver, "#log-save").await;
}

async fn balance(driver: &WebDriver) -> i64 {
    let text = text_when(driver, "#points-balance", |t| t.parse::<i64>().is_ok()).await;
    text.parse().expect("a number")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_request_and_referral_in_the_real_window() {
    let work = tempfile::tempdir().expect("temp folder");
    let opened = work.path().join("opened.txt");
    // The app inherits this through tauri-driver: links are noted, not opened.
    let harness = Harness::start_with_env(&[("REGULARS_OPEN_LOG", &opened)]);
    let driver = harness.open_app(&work.path().join("data")).await;

    element(&driver, "#welcome-form").await;
    type_into(&driver, "#welcome-shop-name", "Salon Ørsted").await;
    driver.execute("document.getElementById('welcome-kind').value = 'salon';", vec![]).await.expect("kind");
    click_settled(&driver, "#start-empty").await;
    element(&driver, "#search-input").await;

    // The review link, with its QR code, in Settings. A bare domain is refused.
    window::nav(&driver, "nav-settings").await;
    type_into(&driver, "#review-link", "g.page/salon").await;
    click_settled(&driver, "#save-outreach-rules").await;
    text_when(&driver, "#outreach-rules-form .field-error[data-for=review_link]", |t| t.contains("https://")).await;
    type_into(&driver, "#review-link", "https://g.page/r/salon-orsted/review").await;
    click_settled(&driver, "#save-outreach-rules").await;
    text_when(&driver, "#outreach-rules-form .saved", |t| t == "Saved.").await;
    element(&driver, "#review-qr svg").await;
    screenshot_from(&driver, "#outreach-rules-form", "outreach-01-settings").await;

    // Ana's visit went especially well: a moment to ask.
    new_customer(&driver, "Ana", "Silva", "ana@example.com").await;
    click_settled(&driver, "#save-customer").await;
    text_when(&driver, "#card-name", |t| t == "Ana Silva").await;
    text_when(&driver, "#review-moment", |t| t.contains("No special moment")).await;
    log_visit(&driver, "Balayage came out beautifully", true).await;
    text_when(&driver, "#review-moment", |t| {
        t.contains("A good moment") && t.contains("Balayage came out beautifully")
    })
    .await;
    click_settled(&driver, "#ask-review").await;
    let message = text_when(&driver, "#message-review_request .message-body", |t| {
        t.contains("https://g.page/r/salon-orsted/review")
    })
    .await;
    assert!(message.contains("Ana"), "the message is filled from the card: {message}");
    screenshot_from(&driver, "#outreach", "outreach-02-ask").await;
    click_settled(&driver, "#send-review_request-email").await;
    text_when(&driver, "#review-requests", |t| t.to_lowercase().starts_with("asked") && t.contains("by email")).await;
    let log = std::fs::read_to_string(&opened).expect("the mail app was asked to open");
    assert!(log.starts_with("mailto:ana@example.com?subject="), "{log}");
    assert!(log.contains("salon-orsted%2Freview") || log.contains("salon-orsted/review"), "{log}");
    text_when(&driver, "#review-moment", |t| t.contains("cool-down")).await;
    click_settled(&driver, "#review-requests .set-reviewed").await;
    text_when(&driver, "#review-requests", |t| t.to_lowercase().starts_with("reviewed") && !t.contains("Declined"))
        .await;
    let before = balance(&driver).await;

    // Bea, referred by Ana: nothing on creation; Ana's bonus on Bea's first visit, once.
    new_customer(&driver, "Bea", "Lind", "").await;
    type_into(&driver, "#referred-by-input", "ana").await;
    click_settled(&driver, ".picker-results .pick").await;
    click_settled(&driver, "#save-customer").await;
    text_when(&driver, "#card-name", |t| t == "Bea Lind").await;
    text_when(&driver, "#referred-by", |t| t.contains("Ana Silva") && t.contains("first visit")).await;
    log_visit(&driver, "First cut", false).await;
    text_when(&driver, "#loyalty-flash", |t| t.contains("the friend who referred them got 100 points")).await;
    screenshot(&driver, "outreach-03-referred-first-visit").await;
    log_visit(&driver, "Fringe trim", false).await;
    text_when(&driver, "#loyalty-flash", |t| t.starts_with("Visit logged") && !t.contains("referred")).await;

    click_settled(&driver, "#referred-by .person-link").await;
    text_when(&driver, "#card-name", |t| t == "Ana Silva").await;
    assert_eq!(balance(&driver).await, before + 100, "Ana's points rose once, by the referral bonus");
    text_when(&driver, "#referred-list", |t| t.contains("Bea Lind") && t.contains("+100 points")).await;

    // The Reviews page lists referrals and the top referrer.
    window::nav(&driver, "nav-outreach").await;
    text_when(&driver, "#top-referrers", |t| t.contains("Ana Silva") && t.contains("referred 1, 1 came in")).await;
    screenshot(&driver, "outreach-04-page").await;
    driver.quit().await.expect("quit");
}
