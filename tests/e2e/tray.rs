//! The tray: on a desktop with a tray (a StatusNotifierWatcher on the bus,
//! here python-dbusmock's), the app puts its icon there, and closing the
//! window (the window manager's close, WM_DELETE_WINDOW) hides it while the
//! app goes on: a note says so, and a reminder that falls due afterwards
//! still arrives as a notification, whose click opens the card in the
//! closed window. The tray's menu, clicked over D-Bus,
//! opens Today (its line counts the reminders due), opens the window and
//! quits. With the owner's "Keep running in the tray" off, closing quits.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::desktop::{close_window, wait_until, window_mapped, windows_titled};
use crate::window::{self, click_settled, element, screenshot, screenshot_from, text_when, type_into, Harness};

const STEP: &str = "Call back about the tray";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_window_keeps_reminders_firing_from_the_tray() {
    let mut harness = Harness::start();
    let log = tempfile::NamedTempFile::new().expect("watcher log");
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/desktop/status_notifier_watcher.py");
    let watcher = Command::new("/usr/bin/python3")
        .args(["-m", "dbusmock", "--session", "-t"])
        .arg(&template)
        .arg("-l")
        .arg(log.path())
        .env("DBUS_SESSION_BUS_ADDRESS", &harness.desktop.bus_address)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the StatusNotifierWatcher mock");
    harness.desktop.processes.0.push(watcher);
    let bus = harness.desktop.bus_address.clone();
    wait_until("the StatusNotifierWatcher on the bus", Duration::from_secs(15), || {
        Command::new("dbus-send")
            .args([
                &format!("--bus={bus}"),
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.kde.StatusNotifierWatcher",
            ])
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("boolean true"))
    });

    let data = tempfile::tempdir().expect("temp data folder");
    let driver = harness.open_app(data.path()).await;
    window::start_empty_shop(&driver, "Corner Gym").await;
    wait_until("the tray icon registered with the watcher", Duration::from_secs(15), || {
        std::fs::read_to_string(log.path()).is_ok_and(|text| text.contains("RegisterStatusNotifierItem"))
    });

    // A customer with a next step due 20 seconds from now.
    element(&driver, "#search-input").await.send_keys(Key::Control + "n").await.expect("ctrl+n");
    type_into(&driver, "#first-name", "Maria").await;
    type_into(&driver, "#last-name", "Okafor").await;
    click_settled(&driver, "#save-customer").await;
    text_when(&driver, "#card-name", |t| t == "Maria Okafor").await;
    driver
        .execute(
            "document.getElementById('log-kind').value = 'call';
             const d = new Date(Date.now() + 20000);
             const pad = (n) => String(n).padStart(2, '0');
             document.getElementById('log-next-due').value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
             document.getElementById('log-next-time').value = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;",
            vec![],
        )
        .await
        .expect("set kind and due time");
    type_into(&driver, "#log-summary", "Asked about the evening classes").await;
    type_into(&driver, "#log-next-step", STEP).await;
    click_settled(&driver, "#log-save").await;
    text_when(&driver, "#open-tasks", |t| t.contains(STEP)).await;

    // Back to the search, so the card shows again only if a click opens it.
    driver.find(By::Css("body")).await.expect("body").send_keys(Key::Escape).await.expect("escape");
    element(&driver, "#search-input").await;
    assert!(driver.find(By::Css("#card-name")).await.is_err(), "the card is closed before the window is");

    // Closed as a window manager closes it: hidden, and the app still runs.
    let display = harness.desktop.display.clone();
    let windows = windows_titled(&display, "Regulars");
    assert_eq!(windows.len(), 1, "one app window on the display: {windows:?}");
    let id = windows[0].clone();
    assert!(window_mapped(&display, &id), "the window is shown before it is closed");
    close_window(&display, &id);
    wait_until("the window to hide", Duration::from_secs(10), || !window_mapped(&display, &id));
    let note =
        wait_for(&harness, "the note that Regulars keeps running", |summary| summary == "Regulars is still running")
            .await;
    assert!(note.1.contains("tray"), "the note says where Regulars went: {note:?}");
    assert!(folder_held(data.path()), "the app still holds its data folder after the window was closed");

    // The reminder falls due with the window closed: the notification comes.
    let (summary, _) = wait_for(&harness, "the reminder's notification", |summary| summary.contains(STEP)).await;
    assert_eq!(summary, format!("Maria Okafor: Next step: {STEP}"));
    assert!(!window_mapped(&display, &id), "the reminder did not need the window");

    // A click on it opens her card in the window that was closed.
    let sent = harness.desktop.notifications();
    let number = sent.iter().position(|(summary, _)| summary.contains(STEP)).expect("the reminder was sent") + 1;
    harness.desktop.click_notification(u32::try_from(number).expect("a small number"));
    wait_until("the window to come back for the card", Duration::from_secs(10), || window_mapped(&display, &id));
    text_when(&driver, "#card-name", |t| t == "Maria Okafor").await;
    close_window(&display, &id);
    wait_until("the window to hide again", Duration::from_secs(10), || !window_mapped(&display, &id));

    // The tray's menu, clicked over D-Bus as a desktop's tray does: Today's
    // reminders (with the count the hidden window's badge asked for) opens
    // the window on Today; closed again, Open Regulars brings it back as it
    // was; Quit Regulars ends the app.
    let item = wait_for_item(log.path(), 1);
    click_tray(&harness, &item, "Today's reminders (1 due)");
    wait_until("the window to come back", Duration::from_secs(10), || window_mapped(&display, &id));
    text_when(&driver, "#group-due-today", |t| t.contains(STEP)).await;
    screenshot(&driver, "tray-01-today-from-the-tray").await;
    close_window(&display, &id);
    wait_until("the window to hide again", Duration::from_secs(10), || !window_mapped(&display, &id));
    click_tray(&harness, &item, "Open Regulars");
    wait_until("the window to come back", Duration::from_secs(10), || window_mapped(&display, &id));
    text_when(&driver, "#group-due-today", |t| t.contains(STEP)).await;
    click_tray(&harness, &item, "Quit Regulars");
    wait_until("the app to quit and let go of its folder", Duration::from_secs(15), || !folder_held(data.path()));
    // The app is gone; the session's end has nothing left to close.
    let _ = driver.quit().await;

    // Started by the login's autostart entry: straight to the tray, the
    // window hidden; Open Regulars shows it.
    let driver = harness.open_app_at_login(data.path()).await;
    text_when(&driver, "#shop-name", |t| t == "Corner Gym").await;
    let windows = windows_titled(&display, "Regulars");
    assert_eq!(windows.len(), 1, "one app window on the display: {windows:?}");
    let id = windows[0].clone();
    wait_until("the window to be hidden at a start at login", Duration::from_secs(10), || {
        !window_mapped(&display, &id)
    });
    assert!(folder_held(data.path()), "the app started at login runs in the tray");
    let item = wait_for_item(log.path(), 2);
    click_tray(&harness, &item, "Open Regulars");
    wait_until("the window to come from the tray", Duration::from_secs(10), || window_mapped(&display, &id));
    click_tray(&harness, &item, "Quit Regulars");
    wait_until("the app to quit and let go of its folder", Duration::from_secs(15), || !folder_held(data.path()));
    let _ = driver.quit().await;

    // With "Keep running in the tray" turned off (Settings, the reminder
    // rules), closing the window quits even with the tray there.
    let driver = harness.open_app(data.path()).await;
    text_when(&driver, "#shop-name", |t| t == "Corner Gym").await;
    window::nav(&driver, "nav-settings").await;
    let keep = element(&driver, "#rule-keep_running_in_tray").await;
    assert_eq!(keep.prop("checked").await.expect("checked").as_deref(), Some("true"), "on by default");
    screenshot_from(&driver, "#reminder-rules-form", "tray-02-keep-running-setting").await;
    click_settled(&driver, "#rule-keep_running_in_tray").await;
    click_settled(&driver, "#save-reminder-rules").await;
    text_when(&driver, "#reminder-rules-form .saved", |t| t == "Saved.").await;
    let keep = element(&driver, "#rule-keep_running_in_tray").await;
    assert_eq!(keep.prop("checked").await.expect("checked").as_deref(), Some("false"), "saved as off");
    let windows = windows_titled(&display, "Regulars");
    assert_eq!(windows.len(), 1, "one app window on the display: {windows:?}");
    close_window(&display, &windows[0]);
    wait_until("the app to quit when its window closes", Duration::from_secs(15), || !folder_held(data.path()));
    let _ = driver.quit().await;

    // With it off, a start at login shows the window: closing it would quit.
    let driver = harness.open_app_at_login(data.path()).await;
    text_when(&driver, "#shop-name", |t| t == "Corner Gym").await;
    let windows = windows_titled(&display, "Regulars");
    assert_eq!(windows.len(), 1, "one app window on the display: {windows:?}");
    assert!(window_mapped(&display, &windows[0]), "the window shows when Regulars does not keep running in the tray");
    driver.quit().await.expect("quit");
}

/// The object path of the `nth` registration in the watcher mock's log (a
/// new start of the app registers its tray item again).
fn wait_for_item(log: &Path, nth: usize) -> String {
    wait_until("the tray icon registered again", Duration::from_secs(15), || {
        std::fs::read_to_string(log).is_ok_and(|text| text.matches("RegisterStatusNotifierItem").count() >= nth)
    });
    let text = std::fs::read_to_string(log).expect("watcher log");
    text.lines()
        .filter(|line| line.contains("RegisterStatusNotifierItem"))
        .nth(nth - 1)
        .and_then(|line| line.split('"').nth(1))
        .unwrap_or_else(|| panic!("no registration {nth} in the watcher's log:\n{text}"))
        .to_string()
}

/// Clicks the tray menu's item `label` (see tests/desktop/tray_menu.py).
fn click_tray(harness: &Harness, item: &str, label: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/desktop/tray_menu.py");
    let out = Command::new("/usr/bin/python3")
        .arg(&script)
        .args([item, label])
        .env("DBUS_SESSION_BUS_ADDRESS", &harness.desktop.bus_address)
        .output()
        .expect("run tray_menu.py");
    assert!(
        out.status.success(),
        "could not click {label:?} in the tray menu: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether a running app holds the data folder's lock.
fn folder_held(data_dir: &Path) -> bool {
    std::fs::File::open(data_dir.join("regulars.lock")).is_ok_and(|lock| {
        let free = lock.try_lock().is_ok();
        let _ = lock.unlock();
        !free
    })
}

/// Waits (without blocking the runtime) for a notification whose summary
/// satisfies `check`; returns its summary and body.
async fn wait_for(harness: &Harness, what: &str, check: impl Fn(&str) -> bool) -> (String, String) {
    let started = Instant::now();
    loop {
        let seen = harness.desktop.notifications();
        if let Some(hit) = seen.iter().find(|(summary, _)| check(summary)) {
            return hit.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(45), "no notification for {what}; seen: {seen:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
