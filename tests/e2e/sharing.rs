//! A shared shop in the real window, with a real `nats-server` on loopback:
//! the owner shares the shop from Settings, the top bar says so in words, a
//! customer checked in at another device (the app's own code on a second
//! shop file) shows in this window's search, a check-in here reaches that
//! device, and the status says "Offline" while the server is down and "up
//! to date" once it is back; a field the other device overwrote is on the
//! card's history with what it was, and the owner removes that device.
//! And two real windows on two data folders (a second tauri-driver on the
//! same desktop): the second desk joins from the snapshot, sees the first
//! desk's check-in on its open card and its new customer in its search.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use regulars::db::settings::BusinessKind;
use regulars::db::sharing;
use regulars::db::store::{self, Store};
use regulars::features::{cards, desk};
use regulars::io::nats_link::{Link, LinkSettings};
use regulars::io::setup;
use regulars::io::sharing_setup::{self, JoinInput};
use regulars::io::syncer::{Syncer, Writer};
use regulars::io::vault::{self, Door};
use regulars::kernel::secret::Key;
use regulars::records::customers::{self, CustomerInput};
use regulars::records::devices;

use crate::nats::NatsServer;
use crate::window::{self, element, screenshot, screenshot_from, set_value, text_when, type_into, Harness};

fn shop_with_ada(data: &Path) {
    let mut store = Store::open_in(data).expect("store");
    setup::start_shop(store.conn_mut(), "Corner Gym", BusinessKind::Gym, false, Utc::now()).expect("setup");
    let ada = CustomerInput { first_name: "Ada".into(), last_name: "Lovelace".into(), ..Default::default() };
    cards::create(store.conn_mut(), &ada, Utc::now()).expect("ada");
}

/// The window's shop key, from the test desktop's keychain (where
/// `regulars encrypt` put it), as a second device gets it from the recovery sheet.
fn key_of(harness: &Harness, data: &Path) -> Key {
    match vault::look(data, &DesktopKeychain::of(harness)).expect("look") {
        Door::Open(key) => key,
        other => panic!("the keychain should give the key: {other:?}"),
    }
}

/// The test desktop's keychain, through `secret-tool` on that desktop's bus.
/// Not through the app's own keychain code in this process: libdbus keeps
/// the first session bus address a process used, so a second test's
/// desktop could not be reached from here. The entries are the ones the
/// `keyring` crate reads and writes (service, username, target).
struct DesktopKeychain {
    bus: String,
}

impl DesktopKeychain {
    fn of(harness: &Harness) -> DesktopKeychain {
        DesktopKeychain { bus: harness.desktop.bus_address.clone() }
    }

    fn tool(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new("secret-tool");
        command.args(args).env("DBUS_SESSION_BUS_ADDRESS", &self.bus);
        command
    }
}

const KEYCHAIN_SERVICE: &str = "app.regulars.desktop";

impl vault::Keychain for DesktopKeychain {
    fn load(&self, account: &str) -> Result<Option<Key>, String> {
        let found = self
            .tool(&["lookup", "service", KEYCHAIN_SERVICE, "username", account, "target", "default"])
            .output()
            .map_err(|e| format!("secret-tool: {e}"))?;
        let text = String::from_utf8_lossy(&found.stdout).trim().to_string();
        if !found.status.success() || text.is_empty() {
            return Ok(None);
        }
        Key::from_recovery(&text).map(Some).map_err(|_| "the keychain's entry is damaged".to_string())
    }

    fn save(&self, account: &str, key: &Key) -> Result<(), String> {
        use std::io::Write;
        let mut child = self
            .tool(&[
                "store",
                "--label=Regulars shop key",
                "service",
                KEYCHAIN_SERVICE,
                "username",
                account,
                "target",
                "default",
                "application",
                "rust-keyring",
            ])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("secret-tool: {e}"))?;
        child.stdin.take().ok_or("no stdin")?.write_all(key.hex().as_bytes()).map_err(|e| e.to_string())?;
        let status = child.wait().map_err(|e| e.to_string())?;
        status.success().then_some(()).ok_or_else(|| "secret-tool could not store the key".to_string())
    }
}

/// The other desk: the app's code on a second shop file, sharing the stream.
struct OtherDesk {
    store: Mutex<Store>,
    syncer: Syncer,
    _dir: tempfile::TempDir,
}

impl OtherDesk {
    async fn new(server: &NatsServer, key: &Key) -> OtherDesk {
        let dir = tempfile::tempdir().expect("temp");
        let mut store = Store::open_with(&dir.path().join("regulars.sqlite3"), Some(key)).expect("store");
        store::write(store.conn_mut(), |tx| {
            let me = sharing::start(tx, "Second desk")?;
            devices::add(tx, &me.id, &me.name, Utc::now())
        })
        .expect("share");
        let stream = sharing_setup::stream_name(key).expect("stream");
        let link = Link::connect(&LinkSettings::new(&server.url(), "", "", &stream)).await.expect("link");
        link.ensure_stream().await.expect("stream");
        let syncer = Syncer::new(link, key.clone(), &format!("{stream}.changes"), Utc::now);
        OtherDesk { store: Mutex::new(store), syncer, _dir: dir }
    }

    async fn step(&self) {
        self.syncer.push(&self.store).await.expect("push");
        self.syncer.pull(&self.store).await.expect("pull");
    }

    fn count(&self, table: &str) -> i64 {
        self.store
            .with_writer(|conn| Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?))
            .expect("count")
    }
}

/// Waits until the top bar's status line says what `check` wants (read
/// from the page, so a line the bar shortens with an ellipsis reads whole).
async fn status_when(driver: &thirtyfour::WebDriver, check: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let value = driver
            .execute(
                "const n = document.getElementById('sharing-status'); return n && !n.hidden ? n.textContent : '';",
                vec![],
            )
            .await
            .expect("script");
        let text = value.json().as_str().unwrap_or_default().to_string();
        if check(&text) {
            return text;
        }
        if start.elapsed() > Duration::from_secs(20) {
            screenshot(driver, "failure").await;
            panic!("the status line never matched; last seen: {text:?} (screen saved as failure.png)");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_shared_from_settings_stays_in_step_with_another_desk_and_says_how_it_stands() {
    let mut server = NatsServer::start();
    let harness = Harness::start();
    let data = tempfile::tempdir().expect("data");
    shop_with_ada(data.path());
    let driver = harness.open_app(data.path()).await;
    text_when(&driver, "#search-input", |_| true).await;
    let key = key_of(&harness, data.path());

    // The owner shares the shop from Settings.
    window::nav(&driver, "nav-settings").await;
    element(&driver, "#sharing-settings").await.scroll_into_view().await.expect("scroll");
    set_value(&driver, "#sharing-server", &server.url()).await;
    set_value(&driver, "#sharing-device-name", "Front desk").await;
    element(&driver, "#share-shop").await.click().await.expect("share");
    status_when(&driver, |t| t == "Shared · up to date").await;
    screenshot_from(&driver, "#sharing-settings", "sharing-01-shared-from-settings").await;

    // Another desk checks a new customer in: this window's search finds them.
    let other = OtherDesk::new(&server, &key).await;
    let bruno = other
        .store
        .with_writer(|conn| {
            let id = cards::create(
                conn,
                &CustomerInput {
                    first_name: "Bruno".into(),
                    last_name: "Zed".into(),
                    phone: "0611 111 111".into(),
                    ..Default::default()
                },
                Utc::now(),
            )?
            .id;
            desk::check_in(conn, &id, None, Utc::now(), Utc::now().date_naive())?;
            Ok(id)
        })
        .expect("bruno");
    other.step().await;
    window::nav(&driver, "nav-search").await;
    let started = Instant::now();
    type_into(&driver, "#search-input", "bruno").await;
    text_when(&driver, "#results", |t| t.contains("Bruno Zed")).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    screenshot(&driver, "sharing-02-a-customer-from-the-other-desk").await;

    // A check-in here reaches the other desk.
    let answer = window::invoke(&driver, "check_in", serde_json::json!({ "customerId": bruno, "staffId": null })).await;
    assert!(matches!(answer, window::Answer::Ok(_)), "{answer:?}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while other.count("interactions") < 2 {
        assert!(Instant::now() < deadline, "the window's check-in never reached the other desk");
        tokio::time::sleep(Duration::from_millis(200)).await;
        other.step().await;
    }

    // The server goes away: the desk works on and says so; back, it catches up.
    server.stop();
    let answer = window::invoke(&driver, "check_in", serde_json::json!({ "customerId": bruno, "staffId": null })).await;
    assert!(matches!(answer, window::Answer::Ok(_)), "a check-in works offline: {answer:?}");
    status_when(&driver, |t| t.starts_with("Offline since") && t.contains("waiting")).await;
    screenshot(&driver, "sharing-03-offline-with-changes-waiting").await;
    server.restart();
    status_when(&driver, |t| t == "Shared · up to date").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while other.count("interactions") < 3 {
        assert!(Instant::now() < deadline, "the offline check-in never arrived");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _ = other.syncer.pull(&other.store).await;
    }

    // The other desk changes Bruno's phone: his card here says so, and keeps the number it had.
    other
        .store
        .with_writer(|conn| {
            let mut input = CustomerInput::from(&customers::get(conn, &bruno)?);
            input.phone = "0622 222 222".into();
            cards::update(conn, &bruno, &input, Utc::now()).map(|_| ())
        })
        .expect("edit");
    other.step().await;
    window::nav(&driver, "nav-search").await;
    type_into(&driver, "#search-input", "bruno").await;
    text_when(&driver, "#results", |t| t.contains("Bruno Zed")).await;
    element(&driver, "#search-input").await.send_keys(thirtyfour::Key::Enter).await.expect("open the card");
    let line = text_when(&driver, "#overwritten", |t| t.contains("Phone changed on Second desk")).await;
    assert!(line.contains("0611 111 111"), "the overwritten number is kept: {line}");
    screenshot_from(&driver, "#overwritten", "sharing-04-a-field-the-other-desk-changed").await;

    // The owner removes the other desk from Settings.
    window::nav(&driver, "nav-settings").await;
    element(&driver, "#sharing-settings").await.scroll_into_view().await.expect("scroll");
    text_when(&driver, "#device-list", |t| t.contains("Second desk") && t.contains("this computer")).await;
    element(&driver, "#device-list .remove-device").await.click().await.expect("remove");
    text_when(&driver, "#device-list", |t| t.contains("removed")).await;
    screenshot_from(&driver, "#sharing-settings", "sharing-05-a-device-removed").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        other.step().await;
        let removed = other.store.with_writer(|conn| sharing_setup::this_device_removed(conn)).expect("removed");
        if removed {
            break;
        }
        assert!(Instant::now() < deadline, "the removal never reached the other desk");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    driver.quit().await.expect("quit");
}

/// Two real windows, two data folders, one server: the second desk joins
/// from the snapshot the first published; a customer added and checked in
/// at the first desk shows in the second desk's search and in its open
/// card; the second desk's status says offline while the server is away
/// and up to date once it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desks_in_two_windows_see_each_other_s_check_ins() {
    let mut server = NatsServer::start();
    let mut harness = Harness::start();
    let first_dir = tempfile::tempdir().expect("data");
    shop_with_ada(first_dir.path());
    let first = harness.open_app(first_dir.path()).await;
    text_when(&first, "#search-input", |_| true).await;
    window::nav(&first, "nav-settings").await;
    element(&first, "#sharing-settings").await.scroll_into_view().await.expect("scroll");
    set_value(&first, "#sharing-server", &server.url()).await;
    set_value(&first, "#sharing-device-name", "Front desk").await;
    element(&first, "#share-shop").await.click().await.expect("share");
    status_when(&first, |t| t == "Shared · up to date").await;

    // The second desk joins with the recovery key, as its first screen does,
    // and opens in a window of its own.
    let key = key_of(&harness, first_dir.path());
    let second_dir = tempfile::tempdir().expect("data");
    let input = JoinInput {
        server: server.url(),
        user: String::new(),
        password: String::new(),
        device_name: "Second desk".into(),
        recovery_key: key.recovery_text().to_string(),
    };
    let joined = sharing_setup::join(second_dir.path(), &input, Utc::now()).await.expect("join");
    vault::keep_joined_key(second_dir.path(), &joined, &DesktopKeychain::of(&harness)).expect("keep the key");
    let port = harness.second_driver();
    let second = harness.open_program_on(port, Path::new(window::APP), second_dir.path()).await;
    status_when(&second, |t| t == "Shared · up to date").await;
    type_into(&second, "#search-input", "ada").await;
    text_when(&second, "#results", |t| t.contains("Ada Lovelace")).await;
    element(&second, "#search-input").await.send_keys(thirtyfour::Key::Enter).await.expect("open the card");
    text_when(&second, "#card-name", |t| t == "Ada Lovelace").await;

    // Ada checks in at the first desk: the second desk's open card says so.
    window::nav(&first, "nav-search").await;
    type_into(&first, "#search-input", "ada").await;
    text_when(&first, "#results", |t| t.contains("Ada Lovelace")).await;
    element(&first, "#search-input").await.send_keys(thirtyfour::Key::Enter).await.expect("open the card");
    text_when(&first, "#card-name", |t| t == "Ada Lovelace").await;
    let points = |text: &str| text.trim().parse::<i64>().ok();
    let before = points(&text_when(&second, "#points-balance", |t| !t.is_empty()).await);
    element(&first, "#check-in").await.click().await.expect("check in");
    text_when(&first, "#checkin-said", |t| t.contains("checked in")).await;
    let started = Instant::now();
    text_when(&second, "#points-balance", |t| points(t) > before).await;
    assert!(started.elapsed() < Duration::from_secs(10), "the check-in took {:?} to show", started.elapsed());
    screenshot(&second, "sharing-06-second-window-sees-the-check-in").await;

    // A customer added at the first desk is found at the second.
    let answer = window::invoke(
        &first,
        "create_customer",
        serde_json::json!({ "input": { "first_name": "Bruno", "last_name": "Zed" } }),
    )
    .await;
    assert!(matches!(answer, window::Answer::Ok(_)), "{answer:?}");
    window::nav(&second, "nav-search").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        type_into(&second, "#search-input", "bruno").await;
        let found =
            second.find(thirtyfour::By::Css("#results")).await.expect("results").text().await.unwrap_or_default();
        if found.contains("Bruno Zed") {
            break;
        }
        assert!(Instant::now() < deadline, "Bruno never showed in the second desk's search: {found:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // The server goes away and comes back: the second desk says so.
    server.stop();
    status_when(&second, |t| t.starts_with("Offline since")).await;
    screenshot(&second, "sharing-07-second-window-offline").await;
    server.restart();
    status_when(&second, |t| t == "Shared · up to date").await;
    second.quit().await.expect("quit");
    first.quit().await.expect("quit");
}
