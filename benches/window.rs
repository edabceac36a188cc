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
//!   with the check-in sentence;
//! - `window_log_visit`: Enter in the card's log form, the card drawn again
//!   with the visit;
//! - `window_floor`: a key that only changes one word on the page (no call
//!   to Rust): the event, the frame wait and nothing else, measured the same
//!   way in the same run, so a slow machine can be told from slow code. Each
//!   case also prints `over_floor_p99_ms=` (its p99 less the floor's).
//!
//! Each case also prints `ipc_p50_ms=`: the median time its calls to Rust
//! took as the page saw them (from `invoke` to its answer: Rust's work,
//! the JSON both ways and the trip), so the rest of a figure is the page's
//! own work (DOM, style, layout, paint) and the frame wait.
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
/// under `selector` after it stops it at the next frame. Calls to Rust made
/// meanwhile are timed by `ui/api.js` into `window.__regularsCallTimes`.
const ARM: &str = "
    const selector = arguments[0];
    window.__regularsCallTimes = [];
    window.__probe = null;
    let start = null;
    const onKey = () => { if (start === null) start = performance.now(); };
    document.addEventListener('keydown', onKey, true);
    const observer = new MutationObserver(() => {
      if (start === null) return;
      observer.disconnect();
      document.removeEventListener('keydown', onKey, true);
      requestAnimationFrame(() => {
        window.__probe = { ms: performance.now() - start, ipc: window.__regularsCallTimes.reduce((a, b) => a + b, 0) };
      });
    });
    observer.observe(document.querySelector(selector), { childList: true, subtree: true, characterData: true });";

/// The floor's key: the page changes one word for it and calls nothing.
/// On `window`, after the probe's listener on `document` has started the
/// clock.
const FLOOR: &str = "
    if (!document.getElementById('bench-floor')) {
      const word = document.createElement('span');
      word.id = 'bench-floor';
      word.style.cssText = 'position: fixed; right: 0; bottom: 0; font-size: 10px';
      word.textContent = '0';
      document.body.append(word);
      window.addEventListener('keydown', (event) => {
        if (event.key === 'F8') word.textContent = String(Number(word.textContent) + 1);
      });
    }";

/// One timed key: milliseconds to the frame after the change, and of those
/// the time the calls to Rust took.
#[derive(Clone, Copy)]
struct Sample {
    ms: f64,
    ipc_ms: f64,
}

/// Waits for the armed probe's figure.
async fn probe_result(driver: &WebDriver) -> Sample {
    let started = Instant::now();
    loop {
        let value = driver.execute("return window.__probe", vec![]).await.expect("read the probe");
        if let Some(ms) = value.json().get("ms").and_then(|v| v.as_f64()) {
            let ipc_ms = value.json().get("ipc").and_then(|v| v.as_f64()).unwrap_or(0.0);
            return Sample { ms, ipc_ms };
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the page did not change within ten seconds");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Arms the probe on `selector`, sends `keys` to the focused element, and
/// returns the time from the key to the frame after the change.
async fn timed_key(driver: &WebDriver, selector: &str, keys: impl Into<TypingData>) -> Sample {
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

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn print(case: &str, samples: &[Sample], floor: &[Sample]) {
    let times: Vec<f64> = samples.iter().map(|s| s.ms).collect();
    let ipc: Vec<f64> = samples.iter().map(|s| s.ipc_ms).collect();
    let floor_p99 = percentile(&floor.iter().map(|s| s.ms).collect::<Vec<_>>(), 0.99);
    println!(
        "bench: window_{case} p50_ms={:.1} p90_ms={:.1} p99_ms={:.1} max_ms={:.1} ipc_p50_ms={:.1} over_floor_p99_ms={:.1} samples={}",
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        percentile(&ipc, 0.5),
        percentile(&times, 0.99) - floor_p99,
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

    driver.execute(FLOOR, vec![]).await.expect("the floor's word");
    let (mut typing, mut opening, mut checking_in) = (Vec::new(), Vec::new(), Vec::new());
    let (mut logging, mut floor) = (Vec::new(), Vec::new());
    for (n, name) in names.iter().enumerate() {
        // The first five customers warm the page up (its code compiled,
        // its styles worked out) as the first minutes of a day at the desk
        // do; they are not counted.
        if n == WARM_UP {
            typing.clear();
            opening.clear();
            checking_in.clear();
            logging.clear();
            floor.clear();
        }
        let search = window::element(&driver, "#search-input").await;
        search.clear().await.expect("clear the search");
        search.click().await.expect("focus the search");
        for _ in 0..6 {
            floor.push(timed_key(&driver, "#bench-floor", Key::F8).await);
        }
        // The first letters of the name, each a keystroke, as the desk types.
        for letter in name.chars().take(6) {
            typing.push(timed_key(&driver, "#results", letter.to_string()).await);
        }
        opening.push(timed_key(&driver, "#page", Key::Enter).await);
        window::element(&driver, "#check-in").await;
        checking_in.push(timed_key(&driver, "#page", Key::Control + Key::Enter).await);
        let summary = window::element(&driver, "#log-summary").await;
        summary.click().await.expect("focus the log form");
        summary.send_keys("Bench visit").await.expect("type the summary");
        logging.push(timed_key(&driver, "#page", Key::Enter).await);
        driver.active_element().await.expect("focused").send_keys(Key::Escape).await.expect("back to the search");
        window::element(&driver, "#search-input").await;
    }
    print("floor", &floor, &floor);
    print("type_ahead", &typing, &floor);
    print("open_card", &opening, &floor);
    print("check_in", &checking_in, &floor);
    print("log_visit", &logging, &floor);
    tokio::time::sleep(Duration::from_secs(3)).await;
    print_pss("after_the_desk", data.path());
    driver.quit().await.expect("close the app");
}
