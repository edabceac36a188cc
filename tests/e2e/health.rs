//! End to end: the dashboard of the sample shop, a complaint opened and
//! closed from a card, feedback that moves the card's health, and the
//! weekly review, in the real window. Screenshots go to
//! target/e2e-screenshots/health-*.png.

use std::time::Duration;

use thirtyfour::prelude::*;

use crate::window;

use window::{click_settled, element, screenshot, screenshot_from, set_value, text_when, type_into, Harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_complaint_and_feedback_in_the_real_window() {
    let harness = Harness::start();
    let data = tempfile::tempdir().expect("temp data folder");
    let driver = harness.open_app(data.path()).await;

    // The sample gym: the dashboard is the home screen under the search box.
    element(&driver, "#welcome-form").await;
    click_settled(&driver, "#start-sample").await;
    text_when(&driver, "#shop-name", |t| !t.is_empty() && t != "Regulars").await;
    let risk = text_when(&driver, "#dash-risk", |t| t.contains("red") && t.contains("yellow")).await;
    assert!(risk.contains("Weekly review"), "the at-risk tile links the weekly review: {risk}");
    let nps = text_when(&driver, "#dash-nps .figure", |t| !t.is_empty()).await;
    assert!(nps != "—", "the sample shop has NPS answers");
    element(&driver, "#dash-retention svg.chart").await;
    element(&driver, "#dash-top .person-link").await;
    screenshot(&driver, "health-01-dashboard").await;
    screenshot_from(&driver, "#dash-retention", "health-01b-dashboard-charts").await;

    // Typing hides the dashboard; clearing the box brings it back.
    element(&driver, "#search-input").await.send_keys("a").await.expect("type");
    text_when(&driver, "#results li.selected", |t| !t.is_empty()).await;
    let hidden = driver.execute("return document.getElementById('dashboard').hidden", vec![]).await.expect("script");
    assert_eq!(hidden.json().as_bool(), Some(true), "the dashboard gives way to the results");
    element(&driver, "#search-input").await.send_keys(Key::Escape).await.expect("escape");
    element(&driver, "#dash-risk").await;

    // The most valuable at-risk customer opens from the dashboard; the card
    // says why in words.
    click_settled(&driver, "#dash-risk .person-link").await;
    let colour = text_when(&driver, "#health-colour", |t| t == "At risk" || t == "Needs attention").await;
    let reasons = text_when(&driver, "#health-reasons", |t| !t.is_empty()).await;
    assert!(!reasons.contains("No warning signs"), "{colour} comes with reasons: {reasons}");
    screenshot(&driver, "health-02-card").await;

    // A complaint: the owner is required, then it shows on the card and in health.
    click_settled(&driver, "#new-complaint").await;
    type_into(&driver, "#complaint-summary", "Towels ran out twice this week").await;
    set_value(&driver, "#complaint-owner", "").await;
    let tomorrow = (chrono::Local::now() + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    set_value(&driver, "#complaint-checkpoint-date", &tomorrow).await;
    click_settled(&driver, "#open-complaint").await;
    let message = text_when(&driver, "#complaint-form .field-error[data-for=complaint_owner]", |t| !t.is_empty()).await;
    assert!(message.contains("owns"), "the owner is asked for next to its field: {message}");
    driver
        .execute("const s = document.getElementById('complaint-owner'); s.value = s.options[1].value;", vec![])
        .await
        .expect("choose an owner");
    click_settled(&driver, "#open-complaint").await;
    text_when(&driver, "#complaints .complaint-summary", |t| t.contains("Towels ran out")).await;
    text_when(&driver, "#health-reasons", |t| t.contains("Complaint open since today")).await;
    assert_eq!(text_when(&driver, "#health-colour", |t| !t.is_empty()).await, "At risk");
    screenshot_from(&driver, "#complaints", "health-03-complaint-open").await;

    // Closing needs a recap of what changed.
    let complaint = element(&driver, "#complaints .complaint").await;
    let id = complaint.attr("data-id").await.expect("attr").expect("complaint id");
    click_settled(&driver, &format!("#complaints .complaint[data-id='{id}'] .close-complaint")).await;
    text_when(&driver, "#complaints .field-error[data-for=complaint_recap]", |t| !t.is_empty()).await;
    type_into(&driver, &format!("#recap-{id}"), "Extra towel shelf; checked every morning").await;
    click_settled(&driver, &format!("#complaints .complaint[data-id='{id}'] .close-complaint")).await;
    text_when(&driver, "#complaints .closed-complaints summary", |t| t.starts_with("Closed")).await;
    text_when(&driver, "#health-reasons", |t| !t.contains("Towels") && !t.contains("Complaint open since today")).await;

    // A detractor answer opens a follow-up and turns the card red.
    set_value(&driver, "#feedback-kind", "nps").await;
    type_into(&driver, "#feedback-score", "11").await;
    click_settled(&driver, "#record-feedback").await;
    text_when(&driver, "#feedback-form .field-error[data-for=score]", |t| t.contains("0 to 10")).await;
    type_into(&driver, "#feedback-score", "4").await;
    type_into(&driver, "#feedback-comment", "<b>Too crowded</b> at 6pm").await;
    click_settled(&driver, "#record-feedback").await;
    text_when(&driver, "#feedback-flash", |t| t.contains("Follow up on their feedback (4 out of 10)")).await;
    text_when(&driver, "#feedback-answers", |t| t.contains("<b>Too crowded</b> at 6pm")).await;
    text_when(&driver, "#health-reasons", |t| t.contains("Latest feedback: 4 out of 10")).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    screenshot(&driver, "health-04-feedback").await;
    screenshot_from(&driver, "#feedback", "health-04b-feedback-panel").await;

    // The weekly review lists red then yellow customers with a next action.
    window::nav(&driver, "nav-review").await;
    let review = text_when(&driver, "#review .review-list", |t| !t.is_empty()).await;
    assert!(
        review.contains("Call to hear what went wrong") || review.contains("we miss you"),
        "suggested actions: {review}"
    );
    screenshot(&driver, "health-05-review").await;

    driver.quit().await.expect("quit");
}
