//! `make bench-window`: the front desk's speed as the window shows it, at
//! 100,000 customers (1,000,000 visits) with the release build, under a
//! private Xvfb display (as the end-to-end tests run it).
//!
//! Measured inside the page: from the key event (a capturing `keydown`
//! listener reads `performance.now()`) to the first animation frame after
//! what the key changes is in the document (a `MutationObserver` on that
//! part of the page, then `requestAnimationFrame`). So it counts the call
//! to Rust, the answer's trip back and the drawing, and not WebDriver's own
//! time to send the key. Cases:
//! - `window_type_ahead`: each letter typed into the search, results drawn;
//! - `window_open_card`: Enter on the top hit, the card drawn;
//! - `window_check_in`: Ctrl+Enter on an open card, the card drawn again
//!   with the check-in sentence.
//!
//! Prints `bench: window_<case> p50_ms= p90_ms= p99_ms= max_ms= samples=`
//! and the memory of the app with its WebKit processes when idle after the
//! start and after the desk's work (`bench: window_pss_*`), for the shop
//! as the app keeps it: encrypted (`open_app` encrypts it first). The
//! timings count after five customers that warm the page up. WebKit gives
//! `performance.now()` in whole milliseconds, and a frame comes every
//! 16.7 ms, so a figure includes the wait for the next frame. Needs what the
//! end-to-end tests need (`make test` installs it). REGULARS_BENCH_CUSTOMERS
//! overrides the shop size; REGULARS_BENCH_PHOTOS=some gives a third of
//! the customers a photo.

#[path = "../tests/desktop/mod.rs"]
mod desktop;
#[path = "../tests/e2e/window/mod.rs"]
#[allow(dead_code)]
mod window;

use std::time::{Duration, Instant};

use chrono::Utc;
use regulars::db::settings::BusinessKind;
use regulars::db::store::Store;
use regulars::io::{sample, setup};
use serde_json::json;
use thirtyfour::prelude::*;

/// Starts a probe: the next keydown starts the clock, the first change
/// under `selector` after it stops it at the next frame.
const ARM: &str = "
    const selector = arguments[0];
    window.__probe = null;
    let start = null;
    const onKey = () => { if (start === null) start = performance.now(); };
    document.addEventListener('keydown', onKey, true);
    const observer = new MutationObserver(() => {
      if (start === null) return;
      observer.disconnect();
      document.removeEventListener('keydown', onKey, true);
      requestAnimationFrame(() => { window.__probe = performance.now() - start; });
    });
    observer.observe(document.querySelector(selector), { childList: true, subtree: true, characterData: true });";

/// Waits for the armed probe's figure, in milliseconds.
async fn probe_result(driver: &WebDriver) -> f64 {
    let started = Instant::now();
    loop {
        let value = driver.execute("return window.__probe", vec![]).await.expect("read the probe");
        if let Some(ms) = value.json().as_f64() {
            return ms;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the page did not change within ten seconds");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Arms the probe on `selector`, sends `keys` to the focused element, and
/// returns the time from the key to the frame after the change.
async fn timed_key(driver: &WebDriver, selector: &str, keys: impl Into<TypingData>) -> f64 {
    driver.execute(ARM, vec![json!(selector)]).await.expect("arm the probe");
    driver.active_element().await.expect("focused element").send_keys(keys).await.expect("send the key");
    probe_result(driver).await
}

const WARM_UP: usize = 5;

/// A process's proportional set size (its own pages, and its share of the
/// pages it shares), from `/proc/PID/smaps_rollup`, in MB.
fn pss_mb(pid: u32) -> f64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let kb: f64 = text
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// Every process on this machine: its id, its parent's and its command line.
fn processes() -> Vec<(u32, u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let parent: u32 = status.lines().find_map(|line| line.strip_prefix("PPid:"))?.trim().parse().ok()?;
            let command = std::fs::read(format!("/proc/{pid}/cmdline"))
                .ok()?
                .split(|b| *b == 0)
                .map(|part| String::from_utf8_lossy(part).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            Some((pid, parent, command))
        })
        .collect()
}

/// The app on `data` and its WebKit processes, summed, as README's memory
/// figures are measured: `bench: window_pss_<when> total_mb= app_mb= webkit_mb=`.
fn print_pss(when: &str, data: &std::path::Path) {
    let all = processes();
    let folder = data.to_string_lossy();
    let Some(&(app, _, _)) =
        all.iter().find(|(_, _, command)| command.contains("--data-dir") && command.contains(folder.as_ref()))
    else {
        println!("bench: window_pss_{when} app_not_found=1");
        return;
    };
    let webkit: f64 = all
        .iter()
        .filter(|(_, parent, command)| *parent == app && command.contains("WebKit"))
        .map(|(pid, _, _)| pss_mb(*pid))
        .sum();
    let own = pss_mb(app);
    println!("bench: window_pss_{when} total_mb={:.0} app_mb={own:.0} webkit_mb={webkit:.0}", own + webkit);
}

fn print(case: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    println!(
        "bench: window_{case} p50_ms={:.1} p90_ms={:.1} p99_ms={:.1} max_ms={:.1} samples={}",
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0),
        samples.len()
    );
}

#[tokio::main]
async fn main() {
    let customers: usize =
        std::env::var("REGULARS_BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let data = tempfile::tempdir().expect("data folder");
    let now = Utc::now();
    {
        // As `regulars seed` builds it: the customers, their visits and the first-start setup.
        let mut store = Store::open_in(data.path()).expect("open the shop");
        // REGULARS_BENCH_PHOTOS=some: a photo on a third of the customers and half the dogs.
        let photos = std::env::var("REGULARS_BENCH_PHOTOS")
            .ok()
            .and_then(|v| sample::Photos::parse(&v))
            .unwrap_or(sample::Photos::None);
        setup::seed_shop(store.conn_mut(), BusinessKind::Gym, customers, customers * 10, photos, 42, now)
            .expect("seed the shop");
        store.checkpoint().expect("checkpoint");
    }
    println!("bench: window shop customers={customers} visits={}", customers * 10);
    // Read before the app opens the shop: it is encrypted then (see `open_app`).
    let names: Vec<String> = {
        let store = Store::open_in(data.path()).expect("read names");
        let mut stmt =
            store.conn().prepare("SELECT display_name FROM customers WHERE pk % 1500 = 7 LIMIT 65").expect("names");
        stmt.query_map([], |row| row.get(0)).expect("names").map(|name| name.expect("name")).collect()
    };

    let harness = window::Harness::start();
    let driver = harness.open_app(data.path()).await;
    window::resize(&driver, 1366, 768).await;
    window::element(&driver, "#search-input").await;
    // Let start-up work (the first reminder pass, the automatic backup) finish.
    tokio::time::sleep(Duration::from_secs(8)).await;
    print_pss("idle_after_start", data.path());

    let (mut typing, mut opening, mut checking_in) = (Vec::new(), Vec::new(), Vec::new());
    for (n, name) in names.iter().enumerate() {
        // The first five customers warm the page up (its code compiled,
        // its styles worked out) as the first minutes of a day at the desk
        // do; they are not counted.
        if n == WARM_UP {
            typing.clear();
            opening.clear();
            checking_in.clear();
        }
        let search = window::element(&driver, "#search-input").await;
        search.clear().await.expect("clear the search");
        search.click().await.expect("focus the search");
        // The first letters of the name, each a keystroke, as the desk types.
        for letter in name.chars().take(6) {
            typing.push(timed_key(&driver, "#results", letter.to_string()).await);
        }
        opening.push(timed_key(&driver, "#page", Key::Enter).await);
        window::element(&driver, "#check-in").await;
        checking_in.push(timed_key(&driver, "#page", Key::Control + Key::Enter).await);
        driver.active_element().await.expect("focused").send_keys(Key::Escape).await.expect("back to the search");
        window::element(&driver, "#search-input").await;
    }
    print("type_ahead", typing);
    print("open_card", opening);
    print("check_in", checking_in);
    tokio::time::sleep(Duration::from_secs(3)).await;
    print_pss("after_the_desk", data.path());
    driver.quit().await.expect("close the app");
}
