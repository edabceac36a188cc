//! One installed .deb version to the next through the app's own updater:
//! the older .deb installed with apt-get, the installed app asked in
//! Settings → Updates to check and then to install; it downloads the next
//! .deb from a feed on https://127.0.0.1, checks its signature, backs the
//! shop up and hands the package to dpkg (through pkexec or sudo), then
//! restarts. dpkg-query then lists the new version, the program running on
//! the data folder is the new /usr/bin/regulars, and opened again it says
//! it is the new version and still has the customer.
//!
//! `make test-update` builds both .debs with this run's release key and the
//! feed's address in their configuration, and names them through
//! `REGULARS_UPDATE_TEST_DIR`, `REGULARS_UPDATE_FROM`, `REGULARS_UPDATE_TO`
//! and `REGULARS_UPDATE_PORT`. The feed is served over HTTPS (a release
//! build takes nothing else) with a certificate authority made here and
//! trusted system-wide only while the test runs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::desktop::wait_until;
use crate::window::{self, click_settled, element, screenshot_from, text_when, type_into};
use crate::{as_root, install, new_shop_with_a_visit, package_status, Installed, Uninstall, INSTALLED};

/// Where `update-ca-certificates` takes local authorities from.
const LOCAL_AUTHORITY: &str = "/usr/local/share/ca-certificates/regulars-update-test.crt";

fn setting(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run `make test-update`, which builds both packages"))
}

/// Runs a command and fails the test with its output when it fails.
fn run(program: &str, args: &[&str], dir: &Path) {
    let out = Command::new(program).args(args).current_dir(dir).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A certificate authority of this test and a certificate for 127.0.0.1
/// signed by it, in `dir`.
fn make_certificates(dir: &Path) {
    run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=Regulars update test authority",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        dir,
    );
    run(
        "openssl",
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
        dir,
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("extensions");
    run(
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-out",
            "server.crt",
            "-extfile",
            "server.ext",
        ],
        dir,
    );
}

/// The test's authority, trusted by the system while this lives.
struct TrustedAuthority;

impl TrustedAuthority {
    fn add(ca: &Path) -> TrustedAuthority {
        let ca = ca.to_string_lossy();
        as_root("install", &["-m", "644", &ca, LOCAL_AUTHORITY]);
        as_root("update-ca-certificates", &[]);
        TrustedAuthority
    }
}

impl Drop for TrustedAuthority {
    fn drop(&mut self) {
        let _ = crate::root_command("rm").args(["-f", LOCAL_AUTHORITY]).output();
        let _ = crate::root_command("update-ca-certificates").arg("--fresh").output();
    }
}

/// The feed and the bundle, served over HTTPS on 127.0.0.1 by Python's
/// own server; stopped when this is dropped.
struct Feed(Child);

impl Feed {
    fn serve(dir: &Path, tls: &Path, port: &str) -> Feed {
        let script = "import http.server, ssl, sys\n\
            server = http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)\n\
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n\
            context.load_cert_chain(sys.argv[2], sys.argv[3])\n\
            server.socket = context.wrap_socket(server.socket, server_side=True)\n\
            server.serve_forever()\n";
        // The port is fixed by the packages' configuration: another
        // listener there would answer in the feed's place.
        let address = format!("127.0.0.1:{port}");
        drop(std::net::TcpListener::bind(&address).unwrap_or_else(|e| {
            panic!("the feed's port {port} is taken ({e}); build with another: make test-update UPDATE_TEST_PORT=N")
        }));
        let mut child = Command::new("python3")
            .args(["-c", script, port])
            .arg(tls.join("server.crt"))
            .arg(tls.join("server.key"))
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 serves the feed");
        wait_until("the feed's server to listen", Duration::from_secs(10), || {
            std::net::TcpStream::connect(&address).is_ok()
        });
        assert!(child.try_wait().is_ok_and(|ended| ended.is_none()), "the feed's server stopped at its start");
        Feed(child)
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The processes running `/usr/bin/regulars` on `data_dir`: their ids and
/// what their program file is now.
fn running_on(data_dir: &Path) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else { continue };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let args: Vec<String> = cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        if args.first().is_some_and(|program| program.ends_with("regulars"))
            && args.iter().any(|a| a == &data_dir.to_string_lossy())
        {
            let exe = std::fs::read_link(entry.path().join("exe")).map(|p| p.to_string_lossy().into_owned());
            found.push((pid, exe.unwrap_or_default()));
        }
    }
    found
}

fn backups(data_dir: &Path) -> usize {
    std::fs::read_dir(data_dir.join("backups")).map_or(0, |dir| dir.flatten().count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installed_package_updates_itself_to_the_next_signed_version() {
    let dir = PathBuf::from(setting("REGULARS_UPDATE_TEST_DIR"));
    let (from, to, port) =
        (setting("REGULARS_UPDATE_FROM"), setting("REGULARS_UPDATE_TO"), setting("REGULARS_UPDATE_PORT"));
    let older = dir.join(format!("Regulars_{from}_amd64.deb"));
    let newer = format!("Regulars_{to}_amd64.deb");
    let signature = std::fs::read_to_string(dir.join(format!("{newer}.sig"))).expect("the new version's signature");
    assert!(
        !package_status().starts_with("ii"),
        "regulars is already installed on this machine; remove it first (this test installs and removes it)"
    );
    let _uninstall = Uninstall;

    let tls = tempfile::tempdir().expect("a folder for the certificates");
    make_certificates(tls.path());
    let _trusted = TrustedAuthority::add(&tls.path().join("ca.crt"));
    let feed = json!({
        "version": to,
        "notes": "The next version, for the update test.",
        "pub_date": "2026-12-07T12:00:00Z",
        "platforms": {
            format!("linux-{}-deb", std::env::consts::ARCH): {
                "url": format!("https://127.0.0.1:{port}/{newer}"),
                "signature": signature.trim(),
            }
        }
    });
    std::fs::write(dir.join("latest.json"), feed.to_string()).expect("the feed");
    let _served = Feed::serve(&dir, tls.path(), &port);

    install(&older);
    assert!(package_status().ends_with(&from), "{}", package_status());
    let installed = Installed::start();
    let (harness, data) = (&installed.harness, &installed.data);
    let driver = harness.open_program(Path::new(INSTALLED), data.path()).await;
    new_shop_with_a_visit(&driver).await;

    window::nav(&driver, "nav-settings").await;
    let hint = element(&driver, "#update-settings").await.text().await.expect("text");
    assert!(hint.contains(&format!("This is Regulars {from}.")), "{hint}");
    click_settled(&driver, "#check-updates").await;
    let words = text_when(&driver, "#update-words", |t| t.contains(&to)).await;
    assert_eq!(words, format!("Version {to} is ready to download and install (this is {from})."));
    screenshot_from(&driver, "#update-settings", "package-03-update-found").await;
    let backups_before = backups(data.path());
    click_settled(&driver, "#install-update").await;

    // dpkg has the new version once the app's updater installed it; the
    // app then starts again as the new program on the same data folder.
    let start = std::time::Instant::now();
    while package_status() != format!("ii {to}") {
        // A refusal is said next to the button (the window then stays).
        let refused = driver
            .execute("const w = document.getElementById('update-words'); return w && w.classList.contains('field-error') ? w.textContent : null", vec![])
            .await
            .ok()
            .and_then(|answer| answer.json().as_str().map(str::to_owned));
        assert!(refused.is_none(), "the update was not installed: {refused:?}");
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "dpkg does not list {to} after 3 minutes: {}",
            package_status()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(backups(data.path()), backups_before + 1, "a backup was made before the update");
    wait_until("the new version to run on the data folder", Duration::from_secs(60), || {
        let running = running_on(data.path());
        running.len() == 1 && running[0].1 == INSTALLED
    });
    // The old session's app is gone; its driver has nothing left to close.
    drop(driver);
    for (pid, _) in running_on(data.path()) {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
    harness.wait_for_folder(data.path());

    let driver = harness.open_program(Path::new(INSTALLED), data.path()).await;
    text_when(&driver, "#shop-name", |t| t == "Corner Gym").await;
    window::nav(&driver, "nav-settings").await;
    let hint = element(&driver, "#update-settings").await.text().await.expect("text");
    assert!(hint.contains(&format!("This is Regulars {to}.")), "{hint}");
    screenshot_from(&driver, "#update-settings", "package-04-updated").await;
    window::nav(&driver, "nav-search").await;
    type_into(&driver, "#search-input", "zoe").await;
    text_when(&driver, "#results li.selected", |t| t.contains("Zoë Brennan")).await;
    driver.quit().await.expect("quit");
    harness.wait_for_folder(data.path());
    as_root("apt-get", &["remove", "-y", "regulars"]);
}
