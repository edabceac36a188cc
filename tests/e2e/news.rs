//! End to end: news by email in the real window, through a real SMTP
//! server on loopback (aiosmtpd with STARTTLS and a password, `tests/smtp`;
//! the app trusts its certificate through the test switch
//! `REGULARS_SMTP_TRUSTED_ROOT`). The mail account is set up (its password
//! goes to the desktop's keychain), a group is chosen with its live count,
//! a message written and previewed, a test sent to the shop, the message
//! sent with the progress bar to the end, and the line is on a card.
//! Consent is recorded on a card in one click. Screenshots:
//! target/e2e-screenshots/news-*.png.

use std::path::Path;

use thirtyfour::prelude::*;

use regulars::db::settings::BusinessKind;
use regulars::db::store::Store;
use regulars::features::cards;
use regulars::io::setup;
use regulars::records::consent;
use regulars::records::customers::{CustomerInput, PersonInput};

use crate::smtp::{Behaviour, SmtpServer, PASSWORD};
use crate::window;

use window::{
    click_settled, content_when, element, screenshot, screenshot_from, set_value, text_when, type_into, Harness,
};

/// Six dog owners tagged "walks"; four agreed to news, one of them with no
/// dog (skipped for `{pet_name}`); plus Zoë, who has not been asked.
fn shop(data: &Path) {
    let mut store = Store::open_in(data).expect("store");
    let now = chrono::Utc::now();
    setup::start_shop(store.conn_mut(), "Paws & Co", BusinessKind::DogWalking, false, now).expect("setup");
    let people = [
        ("Ada", "Biscuit", true),
        ("Bea", "Rex", true),
        ("Cai", "Luna", true),
        ("Dev", "", true),
        ("Eli", "Milo", false),
    ];
    for (first, pet, agreed) in people {
        let mut input = CustomerInput {
            first_name: first.into(),
            last_name: "Walker".into(),
            email: format!("{}@example.org", first.to_lowercase()),
            tags: vec!["walks".into()],
            ..Default::default()
        };
        if !pet.is_empty() {
            input.people.push(PersonInput { name: pet.into(), kind: "Dog".into(), ..Default::default() });
        }
        let card = cards::create(store.conn_mut(), &input, now).expect("customer");
        if agreed {
            consent::agree(store.conn(), &card.id, consent::AT_THE_DESK, now).expect("consent");
        }
    }
    let zoe = CustomerInput {
        first_name: "Zoë".into(),
        last_name: "Quiet".into(),
        email: "zoe@example.org".into(),
        ..Default::default()
    };
    cards::create(store.conn_mut(), &zoe, now).expect("zoe");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_message_is_written_previewed_tested_sent_and_on_the_card() {
    let work = tempfile::tempdir().expect("temp folder");
    let data = work.path().join("data");
    shop(&data);
    let server = SmtpServer::start(Behaviour::default());
    let ca = work.path().join("ca.pem");
    std::fs::write(&ca, &server.ca_pem).expect("ca");
    let harness = Harness::start_with_env(&[("REGULARS_SMTP_TRUSTED_ROOT", &ca)]);
    let driver = harness.open_app(&data).await;
    element(&driver, "#search-input").await;

    // The mail account: a provider fills the server; ours is on loopback.
    window::nav(&driver, "nav-news").await;
    element(&driver, "#mail-account").await;
    set_value(&driver, "#mail-preset", "0").await;
    text_when(&driver, "#app-password-hint", |t| t.contains("app password")).await;
    type_into(&driver, "#mail-address", "hello@pawsandco.example").await;
    type_into(&driver, "#mail-from-name", "Paws & Co").await;
    type_into(&driver, "#mail-host", "127.0.0.1").await;
    type_into(&driver, "#mail-port", "x").await;
    set_value(&driver, "#mail-security", "starttls").await;
    type_into(&driver, "#mail-user", "hello@pawsandco.example").await;
    type_into(&driver, "#mail-password", PASSWORD).await;
    click_settled(&driver, "#mail-account-save").await;
    text_when(&driver, "#mail-account .field-error[data-for=mail_port]", |t| t.contains("whole number")).await;
    type_into(&driver, "#mail-port", &server.port.to_string()).await;
    click_settled(&driver, "#mail-account-save").await;
    text_when(&driver, "#mail-account-said", |t| t.contains("hello@pawsandco.example")).await;
    screenshot_from(&driver, "#mail-account", "news-01-account").await;

    // Who: the "walks" tag; the count says who is left out and why.
    type_into(&driver, "#group-tags", "walks").await;
    text_when(&driver, "#group-count", |t| {
        t.starts_with("5 customers") && t.contains("4 will receive it") && t.contains("1 without consent")
    })
    .await;
    text_when(&driver, "#group-members", |t| t.contains("Eli Walker (left out)")).await;
    type_into(&driver, "#group-name", "Dog walkers").await;
    click_settled(&driver, "#group-save").await;
    text_when(&driver, "#group-saved", |t| t.contains("Dog walkers")).await;
    screenshot_from(&driver, "#news-group", "news-02-group").await;

    // Write once; the preview shows three, and who is skipped for a hole.
    type_into(&driver, "#news-subject", "Spring walks for {pet_name}").await;
    type_into(&driver, "#news-body", "Hi {first_name}, {pet_name} is invited to our spring walks!").await;
    click_settled(&driver, "#news-preview-button").await;
    text_when(&driver, "#news-ready", |t| t.starts_with("3 customers will receive it")).await;
    content_when(&driver, "#news-preview", |t| t.contains("Hi Ada, Biscuit is invited") && t.contains("unsubscribe"))
        .await;
    content_when(&driver, "#news-skipped", |t| t.contains("Dev Walker: no {pet_name}")).await;
    screenshot_from(&driver, "#news-write", "news-03-preview").await;
    window::assert_accessible(&driver, "News").await;

    // A test to the shop's own address first.
    click_settled(&driver, "#news-test").await;
    text_when(&driver, "#news-said-test", |t| t.contains("A test was sent to hello@pawsandco.example")).await;
    assert_eq!(server.received()["hello@pawsandco.example"].len(), 1, "the test went to the shop");

    // Send, and watch the progress bar finish.
    text_when(&driver, "#news-send-button", |t| t == "Send to 3 customers").await;
    click_settled(&driver, "#news-send-button").await;
    text_when(&driver, "#news-progress-words", |t| t.starts_with("Done: 3 messages sent")).await;
    let value = element(&driver, "#news-progress").await.attr("value").await.expect("attr").unwrap_or_default();
    assert_eq!(value, "3", "the bar is full");
    screenshot_from(&driver, "#news-send", "news-04-sent").await;
    screenshot(&driver, "news-05-screen").await;
    let received = server.received();
    for (address, pet) in [("ada@example.org", "Biscuit"), ("bea@example.org", "Rex"), ("cai@example.org", "Luna")] {
        assert_eq!(received[address].len(), 1, "{address} got it once");
        assert!(received[address][0].contains(&format!("{pet} is invited")), "their own pet");
    }
    assert!(!received.contains_key("dev@example.org") && !received.contains_key("eli@example.org"));

    // The line on Ada's card; Zoë agrees at the desk in one click.
    element(&driver, "#nav-search").await.click().await.expect("search");
    type_into(&driver, "#search-input", "ada@example.org").await;
    text_when(&driver, "#results li.selected", |t| t.contains("Ada")).await;
    element(&driver, "#search-input").await.send_keys(Key::Enter).await.expect("enter");
    content_when(&driver, "#newsletters", |t| t.contains("Newsletter: Spring walks for Biscuit")).await;
    content_when(&driver, "#history", |t| t.contains("Newsletter") && t.contains("Spring walks for Biscuit")).await;
    content_when(&driver, "#news-consent-line", |t| t.contains("asked at the desk")).await;
    screenshot_from(&driver, "#news-consent", "news-06-card").await;
    element(&driver, "#nav-search").await.click().await.expect("search");
    type_into(&driver, "#search-input", "zoe@example.org").await;
    text_when(&driver, "#results li.selected", |t| t.contains("Zoë")).await;
    element(&driver, "#search-input").await.send_keys(Key::Enter).await.expect("enter");
    content_when(&driver, "#news-consent-line", |t| t.contains("Not asked yet")).await;
    // One click, one call, one paint of the card (as every card change).
    element(&driver, "#news-agree").await.scroll_into_view().await.expect("scroll");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    window::watch_page(&driver).await;
    let before = window::calls(&driver).await;
    click_settled(&driver, "#news-agree").await;
    content_when(&driver, "#news-consent-line", |t| t.starts_with("Agreed") && t.contains("asked at the desk")).await;
    let (made, paints) = (window::calls(&driver).await - before, window::page_batches(&driver).await);
    assert_eq!((made, paints), (1, 1), "recording consent: (calls, paints)");
    click_settled(&driver, "#news-stop").await;
    content_when(&driver, "#news-consent-line", |t| t.starts_with("Asked to stop")).await;
    driver.quit().await.expect("quit");
}
