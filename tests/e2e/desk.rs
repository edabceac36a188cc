//! The front desk at real laptop sizes, in the real window: every main
//! screen at 1366×768, 1100×760 and 720×600, light and dark, at 100 % and
//! 125 % text. Nothing scrolls sideways; every top-bar destination is in
//! the bar or under "More"; the card's first screen holds what the desk
//! needs; axe-core finds no serious or critical violation on any screen;
//! every screen opens with one key and Escape always comes back to the
//! search; opening a card and checking in each paint once, from one call.
//!
//! 125 % text is emulated by setting the root element's font size to
//! 1.25 times the stylesheet's (every size in styles.css is in rem or em),
//! which is what a desktop's text scaling does to the page's default font.
//!
//! Screenshots: target/e2e-screenshots/desk-<theme>-<size>-<screen>.png.

use serde_json::json;
use thirtyfour::prelude::*;

use crate::window;
use window::{
    assert_accessible, calls, element, focused_id, page_batches, resize, screenshot, set_value, text_when, type_into,
    watch_page, Harness,
};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Theme {
    Light,
    Dark,
}

/// The sizes the desk is checked at: the most common laptop screen, the
/// app's default window, and its minimum width.
const SIZES: [(u32, u32); 3] = [(1366, 768), (1100, 760), (720, 600)];
/// The root font size at 100 % and 125 % text (styles.css sets 112.5 %).
const TEXT: [(&str, &str); 2] = [("100", ""), ("125", "140.625%")];

/// Every screen the top bar leads to (and the search with results), how to
/// tell it is shown, and whether it is one of the main screens saved at
/// every size.
const SCREENS: [(&str, &str, bool); 10] = [
    ("dashboard", "body[data-view=search] #dash-due", true),
    ("search", "body[data-view=search] #results li.selected", true),
    ("card", "body[data-view=card] #card-name", true),
    ("today", "body[data-view=today] h1", true),
    ("settings", "body[data-view=settings] #settings-form", true),
    ("data", "body[data-view=data] h1", true),
    ("review", "body[data-view=review] h1", false),
    ("outreach", "body[data-view=outreach] h1", false),
    ("editor", "body[data-view=editor] #customer-form", false),
    ("welcome", "", false),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_fits_reads_and_works_by_keyboard_in_the_light_theme() {
    desk_screens(Theme::Light).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_fits_and_reads_in_the_dark_theme() {
    desk_screens(Theme::Dark).await;
}

async fn desk_screens(theme: Theme) {
    let gtk_theme = if theme == Theme::Dark { "Adwaita:dark" } else { "Adwaita" };
    let harness = Harness::start_with_env(&[("GTK_THEME", gtk_theme)]);
    let data = tempfile::tempdir().expect("temp data folder");
    let driver = harness.open_app(data.path()).await;
    let tag = if theme == Theme::Dark { "dark" } else { "light" };

    element(&driver, "#welcome-form").await;
    let dark =
        driver.execute("return matchMedia('(prefers-color-scheme: dark)').matches", vec![]).await.expect("script");
    assert_eq!(dark.json(), &json!(theme == Theme::Dark), "prefers-color-scheme follows GTK_THEME={gtk_theme}");
    assert_accessible(&driver, &format!("welcome ({tag})")).await;
    set_value(&driver, "#welcome-kind", "dog-walking").await;
    element(&driver, "#start-sample").await.click().await.expect("start the sample shop");
    text_when(&driver, "#shop-name", |t| t == "Happy Paws Walking Co.").await;
    let title = element(&driver, "#shop-name-box").await.attr("title").await.expect("title");
    assert_eq!(title.as_deref(), Some("Happy Paws Walking Co."), "the whole name on hover");

    let customer = prepare_card(&driver).await;
    if theme == Theme::Light {
        one_paint_per_answer(&driver, &customer).await;
        keyboard(&driver, &customer).await;
    }

    for (screen, shown, main) in SCREENS {
        if screen == "welcome" {
            continue;
        }
        open(&driver, screen, shown, &customer).await;
        resize(&driver, 1100, 760).await;
        assert_accessible(&driver, &format!("{screen} ({tag})")).await;
        for (width, height) in SIZES {
            resize(&driver, width, height).await;
            for (percent, root_size) in TEXT {
                text_size(&driver, root_size).await;
                let at = format!("{screen} at {width}×{height}, {percent} % text ({tag})");
                fits(&driver, &at).await;
                if screen == "card" && width >= 1100 {
                    at_a_glance(&driver, &at).await;
                }
                if main && (percent == "100" || (screen == "card" && width == 1100)) {
                    let suffix = if percent == "100" { String::new() } else { format!("-{percent}") };
                    screenshot(&driver, &format!("desk-{tag}-{width}x{height}-{screen}{suffix}")).await;
                }
            }
            text_size(&driver, "").await;
        }
    }
    resize(&driver, 1100, 760).await;
    driver.quit().await.expect("quit");
}

/// A sample customer with their people and pets, a key detail and a next
/// step, so the card's first screen has everything to show. Returns the
/// customer's email, which finds exactly them.
async fn prepare_card(driver: &WebDriver) -> String {
    type_into(driver, "#search-input", "a").await;
    text_when(driver, "#results li.selected", |t| !t.is_empty()).await;
    element(driver, "#search-input").await.send_keys(Key::Enter).await.expect("enter");
    element(driver, "#card-name").await;
    if driver.find_all(By::Css(".key-details")).await.expect("query").is_empty() {
        let pin = element(driver, "#notes .note button.link").await;
        pin.click().await.expect("pin a note");
        element(driver, ".key-details .note").await;
    }
    type_into(driver, "#log-summary", "Morning walk").await;
    type_into(driver, "#log-next-step", "Bring the long lead for the beach walk").await;
    set_value(driver, "#log-next-due", "2031-12-01").await;
    element(driver, "#log-save").await.click().await.expect("log");
    text_when(driver, "#open-tasks", |t| t.contains("long lead")).await;
    let email = driver
        .execute("return [...document.querySelectorAll('.facts dt')].find((dt) => dt.textContent === 'Email').nextElementSibling.textContent", vec![])
        .await
        .expect("script");
    email.json().as_str().expect("the sample customer has an email").to_string()
}

/// Opens `screen` the way the desk would: Escape back to the search, then
/// the screen's key (or typing, for the search and a card).
async fn open(driver: &WebDriver, screen: &str, shown: &str, customer: &str) {
    let body = driver.find(By::Css("body")).await.expect("body");
    body.send_keys(Key::Escape).await.expect("escape");
    element(driver, "body[data-view=search] #search-input").await;
    assert_eq!(focused_id(driver).await, "search-input", "Escape goes back to the search, focused");
    let key = match screen {
        "dashboard" => {
            // Escape in the search box empties it: the dashboard is the home screen.
            element(driver, "#search-input").await.send_keys(Key::Escape).await.expect("escape");
            None
        }
        "search" => {
            type_into(driver, "#search-input", "a").await;
            None
        }
        "card" => {
            type_into(driver, "#search-input", customer).await;
            text_when(driver, "#results li.selected", |t| t.contains(customer)).await;
            element(driver, "#search-input").await.send_keys(Key::Enter).await.expect("enter");
            None
        }
        "today" => Some("t"),
        "review" => Some("r"),
        "editor" => Some("n"),
        "outreach" => Some("v"),
        "data" => Some("d"),
        "settings" => Some("s"),
        other => panic!("no way to open {other}"),
    };
    if let Some(letter) = key {
        driver.active_element().await.expect("focused").send_keys(Key::Alt + letter).await.expect("alt key");
    }
    element(driver, shown).await;
}

/// Sets the root font size ("" for the stylesheet's) and waits two frames.
async fn text_size(driver: &WebDriver, root_size: &str) {
    driver
        .execute_async(
            "const [size, done] = arguments; document.documentElement.style.fontSize = size; \
             requestAnimationFrame(() => requestAnimationFrame(() => done()));",
            vec![json!(root_size)],
        )
        .await
        .expect("set the text size");
}

/// No sideways scrolling, and every destination of the top bar is either
/// in the bar or under "More".
async fn fits(driver: &WebDriver, at: &str) {
    let found = driver
        .execute(
            "const root = document.documentElement; \
             const shown = (el) => el && el.getClientRects().length > 0 && !el.closest('[hidden]'); \
             const ids = ['nav-search', 'nav-today', 'nav-review', 'nav-new', 'nav-outreach', 'nav-news', 'nav-data', 'nav-settings']; \
             const bar = document.querySelector('.topbar').getBoundingClientRect(); \
             const wide = [...document.querySelectorAll('body *')].filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > root.clientWidth + 0.5) \
               .slice(-4).map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`); \
             return { scroll: root.scrollWidth, client: root.clientWidth, wide, \
               lost: ids.filter((id) => { const b = document.getElementById(id); \
                 if (shown(b)) { const r = b.getBoundingClientRect(); return r.right > bar.right + 0.5 || r.left < bar.left; } \
                 return !document.getElementById('more-' + id) || !shown(document.getElementById('nav-more')); }), \
               nameLines: (() => { const name = document.getElementById('shop-name-box'); \
                 return name.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(name).fontSize) ? 1 : 2; })() };",
            vec![],
        )
        .await
        .expect("script");
    let found = found.json();
    assert!(found["scroll"].as_i64() <= found["client"].as_i64(), "{at}: the page scrolls sideways: {found}");
    assert_eq!(found["lost"], json!([]), "{at}: top-bar destinations neither in the bar nor under More");
    assert_eq!(found["nameLines"], json!(1), "{at}: the shop's name keeps to one line");
}

/// What the desk needs is on the card's first screen, unscrolled.
async fn at_a_glance(driver: &WebDriver, at: &str) {
    driver.execute("window.scrollTo(0, 0)", vec![]).await.expect("scroll");
    let outside = driver
        .execute(
            "const parts = ['#card-name', '#glance-people', '.key-details', '#glance-health', '#glance-reward', '#glance-next', '#check-in']; \
             return parts.filter((css) => { const el = document.querySelector(css); if (!el) return true; \
               const r = el.getBoundingClientRect(); \
               return r.height === 0 || r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth; });",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(outside.json(), &json!([]), "{at}: parts of the card at a glance missing or below the fold");
    let people = text_when(driver, "#glance-people", |t| !t.is_empty()).await;
    assert!(people.contains("dog"), "{at}: the pets with their kind: {people}");
    // Their next step, or a reminder that falls due before it.
    text_when(driver, "#glance-next", |t| !t.is_empty() && !t.contains("Nothing planned")).await;
}

async fn one_paint_per_answer(driver: &WebDriver, customer: &str) {
    driver.find(By::Css("body")).await.expect("body").send_keys(Key::Escape).await.expect("escape");
    type_into(driver, "#search-input", customer).await;
    text_when(driver, "#results li.selected", |t| t.contains(customer)).await;
    watch_page(driver).await;
    let before = calls(driver).await;
    element(driver, "#search-input").await.send_keys(Key::Enter).await.expect("enter");
    element(driver, "#glance").await;
    assert_eq!(page_batches(driver).await, 1, "opening a card paints it once, whole");
    assert_eq!(calls(driver).await - before, 1, "opening a card is one call");

    let points = text_when(driver, "#points-balance", |t| !t.is_empty()).await;
    watch_page(driver).await;
    let before = calls(driver).await;
    element(driver, "#check-in").await.click().await.expect("check in");
    text_when(driver, "#checkin-said", |t| t.contains("checked in")).await;
    assert_eq!(page_batches(driver).await, 1, "a check-in repaints the card once");
    assert_eq!(calls(driver).await - before, 1, "a check-in is one call");
    let after = text_when(driver, "#points-balance", |t| !t.is_empty()).await;
    assert_ne!(after, points, "the repainted card shows the new balance");
}

/// Every destination by key; the More menu by keyboard at the narrowest
/// width; the card's Tab order follows the page with the focus always shown.
async fn keyboard(driver: &WebDriver, customer: &str) {
    // At 720 px some destinations live under More: Alt+M opens it on its
    // first item, the arrows move, Enter opens, Escape comes back.
    resize(driver, 720, 600).await;
    let body = driver.find(By::Css("body")).await.expect("body");
    body.send_keys(Key::Escape).await.expect("escape");
    element(driver, "#nav-more").await;
    driver.active_element().await.expect("focused").send_keys(Key::Alt + "m").await.expect("alt+m");
    element(driver, "#more-menu [role=menuitem]").await;
    let first = focused_id(driver).await;
    assert!(first.starts_with("more-nav-"), "the menu opens on its first item, focused: {first:?}");
    let items = driver.find_all(By::Css("#more-menu [role=menuitem]")).await.expect("items");
    let last = items.last().expect("an item").id().await.expect("id").unwrap_or_default();
    driver.active_element().await.expect("focused").send_keys(Key::Up).await.expect("up");
    assert_eq!(focused_id(driver).await, last, "the arrows wrap round the menu");
    let item = driver.active_element().await.expect("focused");
    let label = item.text().await.expect("label");
    item.send_keys(Key::Enter).await.expect("enter");
    element(driver, "body:not([data-view=search]) #page h1").await;
    assert!(!label.is_empty(), "the menu item says what it opens");
    body.send_keys(Key::Escape).await.expect("escape");
    element(driver, "body[data-view=search]").await;
    assert_eq!(focused_id(driver).await, "search-input");
    resize(driver, 1100, 760).await;

    // The card: the first Tab stop after the name is Check in; every stop
    // shows where the focus is, in the order of the page, never a positive
    // tabindex that would jump.
    open(driver, "card", "#card-name", customer).await;
    let positive = driver
        .execute("return [...document.querySelectorAll('[tabindex]')].filter((el) => el.tabIndex > 0).length", vec![])
        .await
        .expect("script");
    assert_eq!(positive.json(), &json!(0), "no positive tabindex");
    driver.active_element().await.expect("focused").send_keys(Key::Tab).await.expect("tab");
    assert_eq!(focused_id(driver).await, "check-in", "the first Tab stop on a card is Check in");
    driver.execute("window.__lastFocus = document.activeElement", vec![]).await.expect("script");
    for step in 0..60 {
        driver.active_element().await.expect("focused").send_keys(Key::Tab).await.expect("tab");
        let seen = driver
            .execute(
                "const el = document.activeElement; const prev = window.__lastFocus; window.__lastFocus = el; \
                 const style = getComputedStyle(el); \
                 return { what: el.id || el.className || el.tagName, \
                   inPage: document.getElementById('page').contains(el), \
                   after: el === prev || !!(prev.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING), \
                   shown: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none' };",
                vec![],
            )
            .await
            .expect("script");
        let seen = seen.json();
        if seen["inPage"] != json!(true) {
            break; // past the card
        }
        assert_eq!(seen["after"], json!(true), "Tab stop {step} ({}) comes before the one it follows", seen["what"]);
        assert_eq!(seen["shown"], json!(true), "Tab stop {step} ({}) shows no focus", seen["what"]);
    }
    // Ctrl+Enter checks in from anywhere on the card but a field.
    let before = calls(driver).await;
    driver.execute("document.getElementById('card-name').focus()", vec![]).await.expect("focus");
    driver.active_element().await.expect("focused").send_keys(Key::Control + Key::Enter).await.expect("ctrl+enter");
    text_when(driver, "#checkin-said", |t| t.contains("checked in")).await;
    assert_eq!(calls(driver).await - before, 1, "a check-in by key is one call");
}
