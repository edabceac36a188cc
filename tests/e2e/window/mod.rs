//! The app in a real window, for end-to-end tests: a private desktop
//! (see `desktop`), tauri-driver on a free port, and small waiting helpers.
//! Each end-to-end test starts its own `Harness`, so tests never share a
//! display or a driver; they share the process, so harnesses take turns.

use std::ffi::OsStr;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::prelude::*;
use thirtyfour::Capabilities;

pub const APP: &str = env!("CARGO_BIN_EXE_regulars");

use crate::desktop::{find_tool, wait_until, Desktop, Server};

pub struct Harness {
    pub desktop: Desktop,
    pub port: u16,
    /// Scripted answers to the app's native file dialogs, one path per
    /// line (see `test_switches` in the app); WebDriver cannot click in them.
    file_answers: tempfile::NamedTempFile,
    /// This test's turn (see `TURN`). Last, so it is given back only after
    /// the driver and the desktop above have been stopped.
    _turn: MutexGuard<'static, ()>,
}

/// One harness at a time in this process. The test harness runs tests on
/// parallel threads; two desktops at once could pick the same free X
/// display number or port, and screenshots find the display through
/// `DISPLAY`. So `Harness::start` waits here and the harness holds the
/// lock until it is dropped. A test that panics poisons the lock while its
/// harness unwinds; the next test takes it anyway, as the processes of the
/// failed one are gone by then.
static TURN: Mutex<()> = Mutex::new(());

/// tauri-driver on free ports of `desktop` (its display, bus and keychain),
/// stopped with the desktop's other processes; the port it listens on.
fn start_driver<V: AsRef<OsStr>>(desktop: &mut Desktop, file_answers: &Path, env: &[(&str, V)]) -> u16 {
    let (port, native_port) = (free_port(), free_port());
    let driver = Command::new(find_tool("tauri-driver"))
        .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
        .env("DISPLAY", &desktop.display)
        .env("DBUS_SESSION_BUS_ADDRESS", &desktop.bus_address)
        .env("NO_AT_BRIDGE", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("REGULARS_FILE_ANSWERS", file_answers)
        .envs(env.iter().map(|(key, value)| (*key, value)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start tauri-driver");
    desktop.processes.0.push(driver);
    wait_until("tauri-driver", Duration::from_secs(20), || TcpStream::connect(("127.0.0.1", port)).is_ok());
    port
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("no free local port")
}

impl Harness {
    pub fn start() -> Harness {
        Harness::start_with_env::<&str>(&[])
    }

    /// `start`, with extra environment for tauri-driver and so for the app
    /// it starts. Given here rather than with `std::env::set_var`, which
    /// would reach every test in the process.
    pub fn start_with_env<V: AsRef<OsStr>>(env: &[(&str, V)]) -> Harness {
        let turn = TURN.lock().unwrap_or_else(PoisonError::into_inner);
        let mut desktop = Desktop::start(Server::Mock);
        *DISPLAY.lock().unwrap_or_else(PoisonError::into_inner) = Some(desktop.display.clone());
        let file_answers = tempfile::NamedTempFile::new().expect("file answers");
        let port = start_driver(&mut desktop, file_answers.path(), env);
        Harness { desktop, port, file_answers, _turn: turn }
    }

    /// A second tauri-driver on this desktop, for a second window beside the
    /// first (two devices of one shop); its port, for `open_program_on`.
    pub fn second_driver(&mut self) -> u16 {
        start_driver::<&str>(&mut self.desktop, self.file_answers.path(), &[])
    }

    /// The next native file dialog the app opens answers `path` at once.
    pub fn answer_next_file_dialog(&self, path: &Path) {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().append(true).open(self.file_answers.path()).expect("answers file");
        writeln!(file, "{}", path.display()).expect("write answer");
    }

    /// Starts the app on `data_dir`. A shop the test made itself through
    /// `Store` is a plain file: it is encrypted first, as its owner would
    /// at the first start of this version (`regulars encrypt`, the key in
    /// this desktop's keychain), so the app opens it straight away.
    pub async fn open_app(&self, data_dir: &Path) -> WebDriver {
        self.wait_for_folder(data_dir);
        let shop = data_dir.join("regulars.sqlite3");
        if std::fs::read(&shop).is_ok_and(|bytes| bytes.starts_with(b"SQLite format 3\0")) {
            let out = Command::new(APP)
                .args(["encrypt", "--data-dir"])
                .arg(data_dir)
                .env("DBUS_SESSION_BUS_ADDRESS", &self.desktop.bus_address)
                .output()
                .expect("run regulars encrypt");
            assert!(out.status.success(), "regulars encrypt failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        self.open_app_as_is(data_dir).await
    }

    /// One app per data folder: after a quit, wait until the copy that
    /// had this folder has let go of it, as a restart would.
    pub fn wait_for_folder(&self, data_dir: &Path) {
        wait_until("the previous copy to let go of the data folder", Duration::from_secs(20), || {
            std::fs::File::open(data_dir.join("regulars.lock")).map_or(true, |lock| {
                let free = lock.try_lock().is_ok();
                let _ = lock.unlock();
                free
            })
        });
    }

    /// Starts the app on `data_dir` as the folder is (a plain shop is
    /// offered encryption in the window).
    pub async fn open_app_as_is(&self, data_dir: &Path) -> WebDriver {
        self.open_program(Path::new(APP), data_dir).await
    }

    /// Starts `program` on `data_dir` as the folder is: the app cargo
    /// built, or a copy installed from the package (tests/package).
    pub async fn open_program(&self, program: &Path, data_dir: &Path) -> WebDriver {
        self.open_program_on(self.port, program, data_dir).await
    }

    /// `open_program` through the tauri-driver on `port` (see `second_driver`).
    pub async fn open_program_on(&self, port: u16, program: &Path, data_dir: &Path) -> WebDriver {
        self.open_with_args(port, program, data_dir, &[]).await
    }

    /// The app as the login's autostart entry starts it (`--at-login`).
    pub async fn open_app_at_login(&self, data_dir: &Path) -> WebDriver {
        self.open_with_args(self.port, Path::new(APP), data_dir, &["--at-login"]).await
    }

    async fn open_with_args(&self, port: u16, program: &Path, data_dir: &Path, more: &[&str]) -> WebDriver {
        self.wait_for_folder(data_dir);
        let mut caps = Capabilities::new();
        let mut args = vec![String::from("--data-dir"), data_dir.to_string_lossy().into_owned()];
        args.extend(more.iter().map(|arg| arg.to_string()));
        let options = json!({ "application": program, "args": args });
        caps.set("tauri:options", options).expect("capabilities");
        // No keep-alive: tauri-driver drops idle connections after a few
        // seconds, and a request on such a connection hung until its timeout.
        WebDriver::builder(format!("http://127.0.0.1:{port}"), caps)
            .keep_alive(false)
            .await
            .expect("cannot open a WebDriver session on the app")
    }
}

pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

/// The display the app of the current harness runs on, for screenshots.
static DISPLAY: Mutex<Option<String>> = Mutex::new(None);

/// Saves what the window shows. The X display has no window manager, so
/// the window sits undecorated on it and is cut out of the root window at
/// its place and size. (The WebDriver screenshot command hangs in
/// WebKitWebDriver once the page has been idle for a few seconds, so the
/// display is captured instead.)
pub async fn screenshot(driver: &WebDriver, name: &str) {
    driver.execute("window.scrollTo(0, 0)", vec![]).await.expect("scroll");
    capture(driver, name).await;
}

/// Saves what the screen shows with the element `css` scrolled to the top,
/// for screens longer than the window.
pub async fn screenshot_from(driver: &WebDriver, css: &str, name: &str) {
    element(driver, css).await;
    driver
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({ block: 'start' })",
            vec![serde_json::json!(css)],
        )
        .await
        .expect("scroll");
    capture(driver, name).await;
}

/// Captures the window (after a moment to paint) as `<name>.png`.
async fn capture(driver: &WebDriver, name: &str) {
    tokio::time::sleep(Duration::from_millis(300)).await; // let it paint
    let rect = driver.get_window_rect().await.expect("the window's place and size");
    let path = screenshot_dir().join(format!("{name}.png"));
    let display = DISPLAY.lock().unwrap_or_else(PoisonError::into_inner).clone().expect("the desktop is started");
    let status = Command::new(find_tool("import"))
        .args(["-display", &display, "-window", "root", "-crop"])
        .arg(format!("{}x{}+{}+{}", rect.width, rect.height, rect.x.max(0), rect.y.max(0)))
        .arg("+repage")
        .arg(&path)
        .status()
        .expect("run ImageMagick's import");
    assert!(status.success(), "could not capture the screen for {name}");
}

/// Resizes the window to `width`×`height` and waits until the page has
/// been laid out at that size.
pub async fn resize(driver: &WebDriver, width: u32, height: u32) {
    driver.set_window_rect(0, 0, width, height).await.expect("resize the window");
    let start = Instant::now();
    loop {
        let size = driver.execute("return [window.innerWidth, window.innerHeight]", vec![]).await.expect("script");
        if size.json() == &json!([width, height]) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the window did not take {width}×{height}; it is {:?}",
            size.json()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Two frames, so observers (the top bar's fitting) have run.
    driver
        .execute_async(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()))",
            vec![],
        )
        .await
        .expect("wait for a frame");
}

/// Sets a field's or a select's value from script and tells the page it
/// changed (date inputs and selects are not typed into reliably).
pub async fn set_value(driver: &WebDriver, css: &str, value: &str) {
    element(driver, css).await;
    driver
        .execute(
            "const field = document.querySelector(arguments[0]); field.value = arguments[1]; field.dispatchEvent(new Event('change'));",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await
        .expect("set a field's value");
}

/// Waits for an element that matches `css` and is displayed.
pub async fn element(driver: &WebDriver, css: &str) -> WebElement {
    let start = Instant::now();
    loop {
        if let Ok(found) = driver.find(By::Css(css)).await {
            if found.is_displayed().await.unwrap_or(false) {
                return found;
            }
        }
        if start.elapsed() > Duration::from_secs(15) {
            screenshot(driver, "failure").await;
            panic!("no visible element matches {css} (screen saved as failure.png)");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks `css` once it has stopped moving. Panels of a card fill in as
/// their data arrives, pushing what is below them down; a click aimed at
/// where a button was a moment ago lands on something else.
/// A panel drawn again while it settles holds a new element of the same
/// name: it is found again, never clicked stale.
pub async fn click_settled(driver: &WebDriver, css: &str) {
    let mut last = None;
    let start = Instant::now();
    loop {
        assert!(start.elapsed() < Duration::from_secs(15), "{css} never stopped moving");
        let target = element(driver, css).await;
        let rect = match target.scroll_into_view().await {
            Ok(()) => target.rect().await,
            Err(error) => Err(error),
        };
        let Ok(rect) = rect else {
            last = None;
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let here = (rect.x.round() as i64, rect.y.round() as i64);
        if last == Some(here) {
            if target.click().await.is_ok() {
                return;
            }
            last = None;
            continue;
        }
        last = Some(here);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits until the text of `css` satisfies `check`, and returns it.
pub async fn text_when(driver: &WebDriver, css: &str, check: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    let mut last = String::new();
    loop {
        if let Ok(found) = driver.find(By::Css(css)).await {
            last = found.text().await.unwrap_or_default();
            if check(&last) {
                return last;
            }
        }
        if start.elapsed() > Duration::from_secs(15) {
            screenshot(driver, "failure").await;
            panic!("text of {css} never matched; last seen: {last:?} (screen saved as failure.png)");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `text_when` for the text content of `css`, also below the fold, where
/// WebDriver's rendered text is empty.
pub async fn content_when(driver: &WebDriver, css: &str, check: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let value = driver
            .execute("const n = document.querySelector(arguments[0]); return n ? n.textContent : '';", vec![json!(css)])
            .await
            .expect("script");
        let text = value.json().as_str().unwrap_or_default().to_string();
        if check(&text) {
            return text;
        }
        if start.elapsed() > Duration::from_secs(15) {
            screenshot(driver, "failure").await;
            panic!("text of {css} never matched; last seen: {text:?} (screen saved as failure.png)");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A first start's welcome: a new, empty shop named `name`, open.
pub async fn start_empty_shop(driver: &WebDriver, name: &str) {
    element(driver, "#welcome-form").await;
    type_into(driver, "#welcome-shop-name", name).await;
    click_settled(driver, "#start-empty").await;
    text_when(driver, "#shop-name", |t| t == name).await;
}

pub async fn focused_id(driver: &WebDriver) -> String {
    let value =
        driver.execute("return document.activeElement ? document.activeElement.id : ''", vec![]).await.expect("script");
    value.json().as_str().unwrap_or_default().to_string()
}

pub async fn type_into(driver: &WebDriver, css: &str, text: &str) {
    let field = element(driver, css).await;
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

/// How many calls the page has made to Rust so far (`api.js` counts them).
pub async fn calls(driver: &WebDriver) -> i64 {
    let value = driver.execute("return window.__regularsCalls || 0", vec![]).await.expect("script");
    value.json().as_i64().unwrap_or_default()
}

/// Counts the batches of changes to the page area (a MutationObserver
/// reports each task's changes in one batch): a card that paints once,
/// whole or in place, changes it in one batch.
pub async fn watch_page(driver: &WebDriver) {
    driver
        .execute(
            "window.__pageBatches = 0; if (window.__pageWatch) window.__pageWatch.disconnect(); \
             window.__pageWatch = new MutationObserver(() => { window.__pageBatches += 1; }); \
             window.__pageWatch.observe(document.getElementById('page'), { childList: true, subtree: true, characterData: true });",
            vec![],
        )
        .await
        .expect("watch the page");
}

/// The batches counted since `watch_page`, once anything that would fill
/// in later has had time to arrive.
pub async fn page_batches(driver: &WebDriver) -> i64 {
    tokio::time::sleep(Duration::from_millis(700)).await;
    driver.execute("return window.__pageBatches", vec![]).await.expect("script").json().as_i64().unwrap_or(-1)
}

/// What the page got from one call to Rust.
#[derive(Debug)]
pub enum Answer {
    Ok(serde_json::Value),
    /// The rejection: `{kind, field, message}` from the app, or Tauri's own text.
    Err(serde_json::Value),
    /// No answer within ten seconds: the page would wait for ever.
    None,
}

impl Answer {
    /// The error's message, or a panic saying what came instead.
    pub fn message(&self) -> String {
        match self {
            Answer::Err(error) => {
                error.get("message").and_then(|m| m.as_str()).map_or_else(|| error.to_string(), str::to_string)
            }
            other => panic!("expected the call to be refused, got {other:?}"),
        }
    }
}

/// Calls a command through the window's IPC, as any script in the page
/// could, and waits at most ten seconds for the answer.
pub async fn invoke(driver: &WebDriver, command: &str, args: serde_json::Value) -> Answer {
    let script = "const [command, args, done] = arguments; \
        const late = new Promise((resolve) => setTimeout(() => resolve({ answer: 'none' }), 10000)); \
        const call = window.__TAURI__.core.invoke(command, args) \
          .then((value) => ({ answer: 'ok', value: value === undefined ? null : value }), (error) => ({ answer: 'err', value: error })); \
        Promise.race([call, late]).then(done);";
    let result = driver.execute_async(script, vec![json!(command), args]).await.expect("script");
    let result = result.json();
    let value = result.get("value").cloned().unwrap_or(serde_json::Value::Null);
    match result.get("answer").and_then(|a| a.as_str()) {
        Some("ok") => Answer::Ok(value),
        Some("err") => Answer::Err(value),
        _ => Answer::None,
    }
}

/// axe-core's script, installed under .ci by `npm ci --prefix .ci` (which
/// `make test` runs), read once per test process.
fn axe_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{} is missing ({e}): run `npm ci --prefix .ci` (make test does)", path.display())
        })
    })
}

/// Runs axe-core in the window on the page as it is now and returns each
/// violation of impact serious or critical as a line naming the rule and
/// the elements. The script is injected once per page load.
pub async fn axe_violations(driver: &WebDriver) -> Vec<String> {
    let loaded = driver.execute("return typeof window.axe === 'object'", vec![]).await.expect("script");
    if loaded.json() != &json!(true) {
        driver.execute(axe_source(), vec![]).await.expect("inject axe-core");
    }
    let script = "const done = arguments[0]; \
        window.axe.run(document, { resultTypes: ['violations'] }).then((result) => done(result.violations \
          .filter((v) => v.impact === 'serious' || v.impact === 'critical') \
          .map((v) => `${v.impact} ${v.id} (${v.help}): ` + v.nodes.slice(0, 6) \
            .map((n) => `${n.target.join(' ')} [${(n.failureSummary || '').replace(/\\s+/g, ' ')}]`).join('; '))), \
          (error) => done([`axe-core failed: ${error}`]));";
    let result = driver.execute_async(script, vec![]).await.expect("run axe-core");
    serde_json::from_value(result.json().clone()).expect("axe-core's answer is a list of lines")
}

/// Fails the test when axe-core finds a serious or critical violation on
/// the page as it is now; `screen` names the screen in the message.
pub async fn assert_accessible(driver: &WebDriver, screen: &str) {
    let violations = axe_violations(driver).await;
    assert!(violations.is_empty(), "axe-core on {screen}:\n{}", violations.join("\n"));
}

/// Opens a top-bar destination (`"nav-data"`, …) as a mouse user would: its
/// button, or under "More" when the window is too narrow to show it.
pub async fn nav(driver: &WebDriver, id: &str) {
    // Right after a screen shows, the bar may still be fitting its
    // destinations (main.js, fitNav): wait until either way in is shown.
    let start = Instant::now();
    loop {
        let button = driver.find(By::Id(id)).await.unwrap_or_else(|e| panic!("no #{id}: {e}"));
        if button.is_displayed().await.unwrap_or(false) {
            button.click().await.unwrap_or_else(|e| panic!("click #{id}: {e}"));
            return;
        }
        if let Ok(more) = driver.find(By::Css("#nav-more")).await {
            if more.is_displayed().await.unwrap_or(false) {
                more.click().await.expect("open More");
                let item = element(driver, &format!("#more-{id}")).await;
                item.click().await.unwrap_or_else(|e| panic!("click More › {id}: {e}"));
                return;
            }
        }
        if start.elapsed() > Duration::from_secs(15) {
            screenshot(driver, "failure").await;
            panic!("neither #{id} nor More is shown (screen saved as failure.png)");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
