//! End to end: a photo added through the (scripted) native dialog shows on
//! the card's head and in the search results; a pet's photo beside the
//! pet; a picture pasted into the page; a file that is no picture refused
//! with a reason; removing a photo brings the initials back. The pictures
//! come through `regulars-photo://` under the strict CSP.

use std::io::Cursor;
use std::time::Duration;

use thirtyfour::prelude::*;

use crate::window;

use regulars::db::settings::BusinessKind;
use regulars::db::store::Store;
use regulars::features::cards;
use regulars::io::{sample, setup};
use regulars::records::customers::{CustomerInput, PersonInput};
use window::{click_settled, element, screenshot, screenshot_from, text_when, type_into, Harness};

/// A made-up picture (never a face) of `width` × `height` as PNG: the
/// seed's drawn silhouette, stretched, on a wide canvas to crop.
fn drawn_png(seed: u64, dog: bool, width: u32, height: u32) -> Vec<u8> {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let drawn = image::DynamicImage::ImageRgb8(sample::sample_picture(&mut rng, dog));
    let side = width.min(height);
    let mut canvas = image::RgbImage::from_pixel(width, height, image::Rgb([30, 30, 30]));
    image::imageops::overlay(
        &mut canvas,
        &drawn.resize_exact(side, side, image::imageops::FilterType::Triangle).to_rgb8(),
        i64::from((width - side) / 2),
        i64::from((height - side) / 2),
    );
    let mut out = Vec::new();
    canvas.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
    out
}

/// The loaded size of the first image matching `css` (0 until loaded).
async fn natural_width(driver: &WebDriver, css: &str) -> i64 {
    let value = driver
        .execute(
            "const img = document.querySelector(arguments[0]); return img && img.complete ? img.naturalWidth : 0;",
            vec![serde_json::json!(css)],
        )
        .await
        .expect("script");
    value.json().as_i64().unwrap_or_default()
}

async fn loaded(driver: &WebDriver, css: &str, width: i64) {
    element(driver, css).await;
    for _ in 0..150 {
        if natural_width(driver, css).await == width {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    screenshot(driver, "failure").await;
    panic!("{css} never loaded a {width} px picture");
}

async fn search(driver: &WebDriver, query: &str) {
    driver.find(By::Css("body")).await.expect("body").send_keys(Key::Escape).await.expect("escape");
    type_into(driver, "#search-input", query).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_a_photo_through_the_dialog_and_see_it_on_the_card_and_in_the_search() {
    let harness = Harness::start();
    let data = tempfile::tempdir().expect("temp data folder");
    let files = tempfile::tempdir().expect("temp files folder");
    let dog_id = {
        let mut store = Store::open_in(data.path()).expect("store");
        setup::start_shop(store.conn_mut(), "Happy Paws", BusinessKind::DogWalking, false, chrono::Utc::now())
            .expect("setup");
        let zoe = CustomerInput {
            first_name: "Zoë".into(),
            last_name: "Müller".into(),
            phone: "555 0101".into(),
            people: vec![PersonInput {
                id: None,
                name: "Biscuit".into(),
                kind: "dog".into(),
                details: "whippet, shy with bikes".into(),
            }],
            ..Default::default()
        };
        let card = cards::create(store.conn_mut(), &zoe, chrono::Utc::now()).expect("zoe");
        for (first, last) in [("Zoltan", "Kovács"), ("Zora", "Neale")] {
            cards::create(
                store.conn_mut(),
                &CustomerInput { first_name: first.into(), last_name: last.into(), ..Default::default() },
                chrono::Utc::now(),
            )
            .expect("another");
        }
        card.people[0].id.clone()
    };
    let portrait = files.path().join("zoe at the counter.png");
    std::fs::write(&portrait, drawn_png(11, false, 900, 600)).expect("write the photo");
    let dog = files.path().join("Biscuit.png");
    std::fs::write(&dog, drawn_png(12, true, 400, 700)).expect("write the dog's photo");
    let not_a_picture = files.path().join("holiday.jpg");
    std::fs::write(&not_a_picture, "this is a text file named like a photo").expect("write");

    let driver = harness.open_app(data.path()).await;
    element(&driver, "#search-input").await;
    search(&driver, "zo").await;
    text_when(&driver, "#results", |t| t.contains("Zoë Müller") && t.contains("Zora Neale")).await;
    element(&driver, "#results .hit-face.initials").await;
    element(&driver, "#search-input").await.send_keys(Key::Enter).await.expect("open the card");
    text_when(&driver, "#card-name", |t| t == "Zoë Müller").await;
    assert_eq!(
        text_when(&driver, ".card-head .head-face", |t| !t.is_empty()).await,
        "ZM",
        "initials until there is a photo"
    );

    // A file that is not a picture: said next to the button, nothing stored.
    harness.answer_next_file_dialog(&not_a_picture);
    click_settled(&driver, ".photo-choose[data-subject='customer']").await;
    let said = text_when(&driver, "[data-photo-error='customer']", |t| !t.is_empty()).await;
    assert!(said.contains("not a picture"), "{said}");
    screenshot(&driver, "photos-01-not-a-picture").await;

    // The photo, chosen in the dialog: on the card's head at 256 px.
    harness.answer_next_file_dialog(&portrait);
    element(&driver, ".photo-choose[data-subject='customer']").await.click().await.expect("add photo");
    loaded(&driver, ".card-head img.head-face", 256).await;
    let src = driver
        .execute("return document.querySelector('.card-head img.head-face').getAttribute('src')", vec![])
        .await
        .expect("script");
    let src = src.json().as_str().unwrap_or_default().to_string();
    assert!(
        src.starts_with("regulars-photo://localhost/") && src.ends_with("%2F256"),
        "an id and a size, no path: {src}"
    );
    assert!(!src.contains("zoe") && !src.contains("tmp"), "{src}");
    text_when(&driver, ".photo-choose[data-subject='customer']", |t| t.contains("Change photo")).await;

    // The dog's photo beside the dog.
    harness.answer_next_file_dialog(&dog);
    let dog_button = format!(".photo-choose[data-subject='{dog_id}']");
    click_settled(&driver, &dog_button).await;
    loaded(&driver, &format!(".person[data-person-id='{dog_id}'] img.person-face"), 256).await;
    loaded(&driver, ".card-head img.head-face", 256).await;
    screenshot(&driver, "photos-02-card-head").await;
    screenshot_from(&driver, "#glance-people", "photos-03-pet").await;

    // An address with an unknown id answers nothing (404), under the same CSP.
    let unknown = driver
        .execute_async(
            "const done = arguments[0]; const img = new Image(); \
             img.onload = () => done('loaded'); img.onerror = () => done('refused'); \
             img.src = window.__TAURI__.core.convertFileSrc('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/256', 'regulars-photo');",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(unknown.json().as_str(), Some("refused"));

    // In the search results: 64 px pictures, loaded after the list.
    search(&driver, "zo").await;
    loaded(&driver, "#results .hit[data-id] img.hit-face", 64).await;
    assert_eq!(
        driver.find_all(By::Css("#results img.hit-face")).await.expect("faces").len(),
        1,
        "only Zoë has a photo"
    );
    assert_eq!(driver.find_all(By::Css("#results .hit-face.initials")).await.expect("initials").len(), 2);
    screenshot(&driver, "photos-04-search-results").await;

    // A picture pasted on the card (Ctrl+V outside a text field) replaces
    // the photo: the page sends the bytes to Rust as they are.
    search(&driver, "zoe").await;
    element(&driver, "#search-input").await.send_keys(Key::Enter).await.expect("open the card");
    loaded(&driver, ".card-head img.head-face", 256).await;
    let before = src.clone();
    let pasted = drawn_png(13, false, 300, 300);
    let pasted_ok = driver
        .execute_async(
            "const [bytes, done] = arguments; \
             try { \
               const data = new DataTransfer(); \
               data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' })); \
               const slot = document.querySelector('.head-photo'); slot.focus(); \
               slot.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })); \
               done('sent'); \
             } catch (error) { done(String(error)); }",
            vec![serde_json::json!(pasted)],
        )
        .await
        .expect("script");
    assert_eq!(pasted_ok.json().as_str(), Some("sent"));
    let mut replaced = String::new();
    for _ in 0..150 {
        let now = driver
            .execute("const img = document.querySelector('.card-head img.head-face'); return img && img.complete && img.naturalWidth === 256 ? img.getAttribute('src') : ''", vec![])
            .await
            .expect("script");
        replaced = now.json().as_str().unwrap_or_default().to_string();
        if !replaced.is_empty() && replaced != before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!replaced.is_empty() && replaced != before, "the pasted picture replaced the photo: {replaced}");
    screenshot(&driver, "photos-05-pasted").await;

    // Removed: the initials are back, on the card and in the list.
    element(&driver, ".photo-remove[data-subject='customer']").await.click().await.expect("remove");
    text_when(&driver, ".card-head .head-face", |t| t == "ZM").await;
    search(&driver, "zoe").await;
    text_when(&driver, "#results .hit-face", |t| t == "ZM").await;
    driver.quit().await.expect("quit");
}
