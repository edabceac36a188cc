//! The .deb, proved by installing it on this machine: `apt-get install`,
//! the installed `/usr/bin/regulars` (not the one cargo built) started
//! under a private Xvfb display through WebDriver, a shop made and a
//! customer checked in; `apt-get remove` leaves the shop's data folder
//! exactly as it was; installed again, the customer is found with the visit.
//! At its first start the packaged copy turns start at login on (an XDG
//! autostart entry under the test's own HOME).
//!
//! It installs and removes the system package `regulars`, so it runs only
//! when asked: `make test-package` builds the package and runs this test
//! with `REGULARS_DEB` naming it (`test = false` in Cargo.toml keeps it out
//! of `cargo test`). Needs root or sudo, and what the end-to-end tests need.

#[path = "../desktop/mod.rs"]
mod desktop;
// The end-to-end tests' window helpers; this test uses a few of them.
#[allow(dead_code)]
#[path = "../e2e/window/mod.rs"]
mod window;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

mod update;

use desktop::wait_until;
use thirtyfour::prelude::*;

use window::{click_settled, element, screenshot, text_when, type_into, Harness};

const INSTALLED: &str = "/usr/bin/regulars";

/// The .deb `make test-package` built.
fn deb() -> PathBuf {
    let path = std::env::var_os("REGULARS_DEB")
        .map(PathBuf::from)
        .expect("REGULARS_DEB is not set: run `make test-package`, which builds the .deb and names it");
    assert!(path.is_absolute() && path.is_file(), "REGULARS_DEB={} is not a .deb file", path.display());
    path
}

/// `program` run as root: directly when this is root, else through sudo.
fn root_command(program: &str) -> Command {
    let root = Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.starts_with(b"0\n"));
    let mut command = Command::new(if root { program } else { "sudo" });
    if !root {
        command.arg(program);
    }
    command.env("DEBIAN_FRONTEND", "noninteractive");
    command
}

/// Runs a package command as root and fails the test with its output
/// when it fails.
fn as_root(program: &str, args: &[&str]) {
    let out = root_command(program).args(args).output().unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The package's state as dpkg has it ("" when it was never installed).
fn package_status() -> String {
    Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Abbrev}${Version}", "regulars"])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default()
}

fn install(deb: &Path) {
    // A path with a slash: apt-get takes it as a file, not a package name.
    as_root("apt-get", &["install", "-y", "--no-install-recommends", &deb.to_string_lossy()]);
    assert!(package_status().starts_with("ii"), "dpkg does not list regulars as installed: {:?}", package_status());
    let owner = Command::new("dpkg").args(["-S", INSTALLED]).output().expect("dpkg -S");
    assert!(
        String::from_utf8_lossy(&owner.stdout).starts_with("regulars: "),
        "{INSTALLED} does not come from the package: {}",
        String::from_utf8_lossy(&owner.stderr)
    );
}

/// Every file under `dir` with its bytes and permissions: the data folder
/// as it is. The socket the app leaves (`regulars.sock`) has no bytes to
/// read; it is listed by name.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(folder) = todo.pop() {
        for entry in std::fs::read_dir(&folder).expect("read the data folder").flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.strip_prefix(dir).expect("inside").to_path_buf();
            if meta.is_dir() {
                files.insert(name, (meta.permissions().mode(), Vec::new()));
                todo.push(path);
            } else if meta.is_file() {
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
                files.insert(name, (meta.permissions().mode(), bytes));
            } else {
                files.insert(name, (meta.permissions().mode(), Vec::new()));
            }
        }
    }
    files
}

/// The installed app's surroundings: a temporary HOME (a packaged copy
/// turns start at login on at its first start, and that entry must be the
/// test's, not the machine's), a private test desktop and a data folder.
struct Installed {
    _home: tempfile::TempDir,
    config_home: PathBuf,
    harness: Harness,
    data: tempfile::TempDir,
}

impl Installed {
    fn start() -> Installed {
        let home = tempfile::tempdir().expect("a home folder");
        let config_home = home.path().join(".config");
        let harness = Harness::start_with_env(&[("HOME", home.path()), ("XDG_CONFIG_HOME", config_home.as_path())]);
        Installed { _home: home, config_home, harness, data: tempfile::tempdir().expect("temp data folder") }
    }
}

/// Makes the shop "Corner Gym" in a first start's window, adds Zoë Brennan
/// and checks her in; her points balance as the card shows it.
async fn new_shop_with_a_visit(driver: &WebDriver) -> String {
    window::start_empty_shop(driver, "Corner Gym").await;
    element(driver, "#search-input").await.send_keys(Key::Control + "n").await.expect("ctrl+n");
    element(driver, "#customer-form").await;
    type_into(driver, "#first-name", "Zoë").await;
    type_into(driver, "#last-name", "Brennan").await;
    click_settled(driver, "#save-customer").await;
    text_when(driver, "#card-name", |t| t == "Zoë Brennan").await;
    click_settled(driver, "#check-in").await;
    text_when(driver, "#checkin-said", |t| t.starts_with("Zoë Brennan checked in")).await;
    text_when(driver, "#points-balance", |t| !t.is_empty() && t != "0").await
}

/// Removes the package if a failed run left it installed.
struct Uninstall;

impl Drop for Uninstall {
    fn drop(&mut self) {
        if package_status().starts_with("ii") {
            let _ = root_command("apt-get").args(["remove", "-y", "regulars"]).output();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn installed_package_keeps_the_shop_across_remove_and_reinstall() {
    let deb = deb();
    assert!(
        !package_status().starts_with("ii"),
        "regulars is already installed on this machine; remove it first (this test installs and removes it)"
    );
    let _uninstall = Uninstall;
    install(&deb);
    let entry = Path::new("/usr/share/applications/Regulars.desktop");
    let menu = std::fs::read_to_string(entry).unwrap_or_else(|e| panic!("no menu entry {}: {e}", entry.display()));
    assert!(menu.contains("\nExec=regulars"), "the menu entry starts the installed program:\n{menu}");
    assert!(
        Path::new("/usr/share/icons/hicolor/128x128/apps/regulars.png").is_file(),
        "the menu entry's icon is installed"
    );

    let installed = Installed::start();
    let (harness, data) = (&installed.harness, &installed.data);
    let driver = harness.open_program(Path::new(INSTALLED), data.path()).await;
    let points = new_shop_with_a_visit(&driver).await;
    let autostart = installed.config_home.join("autostart/Regulars.desktop");
    wait_until("the packaged copy's start-at-login entry", Duration::from_secs(10), || autostart.exists());
    let entry = std::fs::read_to_string(&autostart).expect("the autostart entry");
    assert!(entry.contains(&format!("Exec={INSTALLED} ")), "start at login starts the installed program:\n{entry}");
    screenshot(&driver, "package-01-checked-in").await;
    driver.quit().await.expect("quit");
    harness.wait_for_folder(data.path());

    let before = snapshot(data.path());
    assert!(
        before.keys().any(|name| name == Path::new("regulars.sqlite3")),
        "the shop is in the data folder: {:?}",
        before.keys().collect::<Vec<_>>()
    );
    as_root("apt-get", &["remove", "-y", "regulars"]);
    assert!(!Path::new(INSTALLED).exists(), "{INSTALLED} is gone after apt-get remove");
    assert!(!package_status().starts_with("ii"), "dpkg still lists regulars as installed");
    let after = snapshot(data.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "apt-get remove changed which files the data folder holds"
    );
    assert!(before == after, "apt-get remove changed a file in the data folder");

    install(&deb);
    let driver = harness.open_program(Path::new(INSTALLED), data.path()).await;
    text_when(&driver, "#shop-name", |t| t == "Corner Gym").await;
    type_into(&driver, "#search-input", "zoe").await;
    text_when(&driver, "#results li.selected", |t| t.contains("Zoë Brennan")).await;
    element(&driver, "#search-input").await.send_keys(Key::Enter).await.expect("enter");
    text_when(&driver, "#card-name", |t| t == "Zoë Brennan").await;
    text_when(&driver, "#history", |t| t.contains("Visit")).await;
    text_when(&driver, "#points-balance", |t| t == points).await;
    screenshot(&driver, "package-02-after-reinstall").await;
    driver.quit().await.expect("quit");
    harness.wait_for_folder(data.path());
    as_root("apt-get", &["remove", "-y", "regulars"]);
}
