//! Settings → Updates and start at login, in the real window. The app is
//! pointed (test switches) at a feed served on 127.0.0.1 by this test and
//! at the key of the Tauri CLI signature in `tests/fixtures/updater/`; its
//! HOME (and XDG_CONFIG_HOME) is a temporary folder, so the autostart
//! entry it writes is this test's. The app under test is not a packaged
//! copy, so it finds and names the update but does not offer to install
//! it, and an install asked for anyway is refused with the reason while
//! this version runs on. The install itself is covered in
//! `tests/integration/updater.rs` (the step, not dpkg).

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::desktop::wait_until;
use crate::window::{self, click_settled, element, invoke, screenshot_from, text_when, Harness};

/// A loopback server answering every request with `answer` (status, body).
fn serve(answer: Arc<Mutex<(u16, String)>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = format!("http://{}/latest.json", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buffer = [0u8; 2048];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let (status, body) = answer.lock().expect("answer").clone();
            let head = if status == 204 {
                "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".to_string()
            } else {
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
            };
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    address
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_updates_panel_checks_the_feed_and_start_at_login_writes_its_entry() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/updater");
    let pubkey = std::fs::read_to_string(fixtures.join("tauri-cli.pub")).expect("the fixture key");
    let signature = std::fs::read_to_string(fixtures.join("Regulars_0.2.0_amd64.deb.sig")).expect("the signature");
    let key = format!("linux-{}-deb", std::env::consts::ARCH);
    let feed = json!({
        "version": "0.2.0",
        "notes": "Faster search <b>not bold</b>.",
        "platforms": {
            key: { "url": "http://127.0.0.1:9/never-downloaded.deb", "signature": signature.trim() },
            format!("linux-{}", std::env::consts::ARCH): { "url": "http://127.0.0.1:9/never.deb", "signature": signature.trim() },
        }
    });
    let answer = Arc::new(Mutex::new((200, feed.to_string())));
    let address = serve(answer.clone());
    let home = tempfile::tempdir().expect("a home folder");
    let config_home = home.path().join(".config");
    let harness = Harness::start_with_env(&[
        ("HOME", home.path().as_os_str()),
        ("XDG_CONFIG_HOME", config_home.as_os_str()),
        ("REGULARS_UPDATE_FEED", OsStr::new(&address)),
        ("REGULARS_UPDATE_PUBKEY", OsStr::new(pubkey.trim())),
    ]);
    let data = tempfile::tempdir().expect("temp data folder");
    let driver = harness.open_app(data.path()).await;
    window::start_empty_shop(&driver, "Corner Gym").await;

    window::nav(&driver, "nav-settings").await;
    element(&driver, "#update-settings").await;
    let hint = element(&driver, "#update-settings").await.text().await.expect("text");
    assert!(hint.contains("This is Regulars 0.1.0"), "{hint}");
    assert!(hint.contains("built from source"), "an unpackaged copy says how it is updated: {hint}");

    // Check now: the feed's newer version is named with its notes, as text.
    click_settled(&driver, "#check-updates").await;
    let words = text_when(&driver, "#update-words", |t| t.contains("0.2.0")).await;
    assert_eq!(words, "Version 0.2.0 is ready to download and install (this is 0.1.0).");
    let notes = element(&driver, "#update-settings .update-notes").await.text().await.expect("notes");
    assert_eq!(notes, "Faster search <b>not bold</b>.", "the notes are shown as text");
    let hidden =
        driver.execute("return document.getElementById('install-update').hidden", vec![]).await.expect("script");
    assert_eq!(hidden.json(), &json!(true), "a copy built from source offers no install");
    screenshot_from(&driver, "#update-settings", "settings-updates").await;

    // Asked anyway (as a script in the page could), the install is
    // refused with the reason, and this version runs on.
    let refused = invoke(&driver, "install_update", json!({})).await.message();
    assert!(refused.contains("built from source"), "{refused}");
    assert_eq!(element(&driver, "#shop-name").await.text().await.expect("name"), "Corner Gym");

    // "No update", said plainly.
    *answer.lock().expect("answer") = (204, String::new());
    click_settled(&driver, "#check-updates").await;
    let words = text_when(&driver, "#update-words", |t| t.starts_with("No update")).await;
    assert_eq!(words, "No update: Regulars 0.1.0 is the latest version.");

    // The daily check, turned off, stays off.
    click_settled(&driver, "#update-auto-check").await;
    let start = std::time::Instant::now();
    loop {
        if let window::Answer::Ok(view) = invoke(&driver, "get_updates", json!({})).await {
            if view["auto_check"] == json!(false) {
                break;
            }
        }
        assert!(start.elapsed() < Duration::from_secs(10), "the daily check was never saved as off");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    window::nav(&driver, "nav-search").await;
    window::nav(&driver, "nav-settings").await;
    let auto = element(&driver, "#update-auto-check").await;
    assert!(!auto.is_selected().await.expect("checked?"), "the daily check was turned off");

    // Start at login, beside "keep running in the tray": the XDG autostart
    // entry appears and goes. (auto-launch 0.6, under the plugin, writes it
    // under $HOME/.config, which is XDG_CONFIG_HOME here.)
    let entry = config_home.join("autostart/Regulars.desktop");
    let at_login = element(&driver, "#start-at-login").await;
    assert!(!at_login.is_selected().await.expect("checked?"), "a copy built from source does not add itself");
    assert!(!entry.exists());
    click_settled(&driver, "#start-at-login").await;
    wait_until("the autostart entry written", Duration::from_secs(10), || entry.exists());
    let text = std::fs::read_to_string(&entry).expect("the entry");
    assert!(text.contains(&format!("Exec={} ", window::APP)), "the entry starts this program: {text}");
    screenshot_from(&driver, "#reminder-rules-form", "settings-start-at-login").await;
    click_settled(&driver, "#start-at-login").await;
    wait_until("the autostart entry removed", Duration::from_secs(10), || !entry.exists());
    driver.quit().await.expect("quit");
}
