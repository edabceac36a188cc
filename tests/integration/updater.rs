//! Signed updates (`io::updates`) against a feed and a bundle served on
//! 127.0.0.1 by a tiny HTTP server this test starts, signed with minisign
//! keys made here (the `minisign` crate, as the Tauri CLI's signer does);
//! no release key is stored anywhere.
//!
//! What is exercised: the check (204, an older or equal version, a newer
//! one under this platform's key), the download, the signature and its
//! signed version, and `apply`, which makes a real automatic backup of a
//! real shop before it hands the verified bytes to an install step the
//! test observes. What is not: the plugin's own install (dpkg through
//! pkexec, a restart), which needs an installed package and a window.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use regulars::io::backup;
use regulars::io::updates::{self, Checked, Config};
use regulars::kernel::error::Error;

use crate::util::{now, Shop};

/// A release key pair: the public half as `tauri.conf.json` holds it.
struct ReleaseKey {
    pair: minisign::KeyPair,
    pubkey: String,
}

impl ReleaseKey {
    fn new() -> ReleaseKey {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().expect("a key pair");
        let text = pair.pk.to_box().expect("the public key's box").to_string();
        let pubkey = base64::engine::general_purpose::STANDARD.encode(text);
        ReleaseKey { pair, pubkey }
    }

    /// The feed's `signature` for `bytes` signed as `version`, as `tauri
    /// signer sign` writes it (base64 of the .sig file).
    fn sign(&self, bytes: &[u8], version: &str) -> String {
        let trusted = format!("timestamp:1765000000\tfile:Regulars_{version}_amd64.deb\tversion:{version}");
        let signature = minisign::sign(
            Some(&self.pair.pk),
            &self.pair.sk,
            std::io::Cursor::new(bytes),
            Some(&trusted),
            Some("signature from tauri secret key"),
        )
        .expect("a signature");
        base64::engine::general_purpose::STANDARD.encode(signature.to_string())
    }
}

/// What the server answers per path: a status and a body.
type Routes = Arc<Mutex<HashMap<String, (u16, Vec<u8>)>>>;

/// A one-thread HTTP/1.1 server on 127.0.0.1 serving `routes` (404
/// otherwise), each connection closed after one answer.
struct Server {
    base: String,
    routes: Routes,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("its address"));
        let routes: Routes = Arc::default();
        let served = routes.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&request).lines().next().unwrap_or_default().to_string();
                let path = line.split(' ').nth(1).unwrap_or("/").to_string();
                let (status, body) =
                    served.lock().expect("routes").get(&path).cloned().unwrap_or((404, b"not here".to_vec()));
                let reason = match status {
                    200 => "OK",
                    204 => "No Content",
                    _ => "Not Found",
                };
                let head = if status == 204 {
                    format!("HTTP/1.1 204 {reason}\r\nConnection: close\r\n\r\n")
                } else {
                    format!("HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                };
                let _ = stream.write_all(head.as_bytes());
                if status != 204 {
                    let _ = stream.write_all(&body);
                }
            }
        });
        Server { base, routes }
    }

    fn serve(&self, path: &str, status: u16, body: impl Into<Vec<u8>>) {
        self.routes.lock().expect("routes").insert(path.to_string(), (status, body.into()));
    }

    /// A feed offering `version` for this platform's .deb at `/bundle`.
    fn serve_feed(&self, version: &str, signature: &str) {
        let key = updates::platform_keys(Some("deb"))[0].clone();
        let feed = serde_json::json!({
            "version": version,
            "notes": "Faster search.",
            "pub_date": "2026-12-07T12:00:00Z",
            "platforms": {
                key: { "url": format!("{}/bundle", self.base), "signature": signature },
                "linux-x86_64-rpm": { "url": format!("{}/other.rpm", self.base), "signature": "unused" },
                "windows-x86_64-nsis": { "url": "https://example.org/setup.exe", "signature": "unused" },
            }
        });
        self.serve("/latest.json", 200, feed.to_string());
    }

    fn config(&self, key: &ReleaseKey) -> Config {
        Config {
            pubkey: key.pubkey.clone(),
            endpoints: vec![format!("{}/latest.json", self.base)],
            current_version: "0.1.0".into(),
            bundle: Some("deb".into()),
        }
    }
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime").block_on(future)
}

/// The bundle the release would ship (any bytes: the signature is what counts).
fn bundle() -> Vec<u8> {
    (0..200_000u32).map(|n| (n % 251) as u8).collect()
}

fn update_refusal(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::Update(sentence)) => sentence,
        other => panic!("expected an update refusal, got {other:?}"),
    }
}

#[test]
fn an_update_is_found_downloaded_verified_and_installed_after_a_backup() {
    let key = ReleaseKey::new();
    let server = Server::start();
    let bytes = bundle();
    server.serve("/bundle", 200, bytes.clone());
    server.serve_feed("0.2.0", &key.sign(&bytes, "0.2.0"));
    let config = server.config(&key);

    let Checked::Available(offer) = run(updates::check(&config)).expect("the check") else {
        panic!("0.2.0 should be offered to 0.1.0");
    };
    assert_eq!(offer.version, "0.2.0");
    assert_eq!(offer.platform, format!("{}-{}-deb", std::env::consts::OS, std::env::consts::ARCH));
    assert_eq!(offer.notes.as_deref(), Some("Faster search."));
    assert!(updates::words(&Checked::Available(offer.clone()), "0.1.0").contains("Version 0.2.0 is ready"));

    let verified = run(updates::download(&config, &offer)).expect("a verified download");
    assert_eq!(verified.version(), "0.2.0");

    // The install step gets the very bytes that were signed, and only
    // after the automatic backup of the shop exists.
    let shop = Shop::new();
    let steps = Mutex::new(Vec::new());
    updates::apply(
        &verified,
        || {
            let made = backup::automatic(shop.conn(), &shop.data_dir(), backup::DEFAULT_KEEP, None, now())?;
            steps.lock().expect("steps").push(format!("backup {}", made.exists()));
            Ok(())
        },
        |verified| {
            assert_eq!(verified.bytes(), &bytes[..], "the installer gets the signed bytes");
            steps.lock().expect("steps").push("install".into());
            Ok(())
        },
    )
    .expect("installed");
    assert_eq!(*steps.lock().expect("steps"), ["backup true", "install"]);
    assert_eq!(backup::list(&shop.data_dir()).expect("backups").len(), 1);
}

#[test]
fn a_bundle_with_one_byte_changed_is_refused_and_never_installed() {
    let key = ReleaseKey::new();
    let server = Server::start();
    let bytes = bundle();
    let mut changed = bytes.clone();
    changed[100_000] ^= 0x01;
    server.serve("/bundle", 200, changed);
    server.serve_feed("0.2.0", &key.sign(&bytes, "0.2.0"));
    let config = server.config(&key);

    let Checked::Available(offer) = run(updates::check(&config)).expect("the check") else {
        panic!("0.2.0 should be offered");
    };
    let why = update_refusal(run(updates::download(&config, &offer)).map(|_| ()));
    assert!(why.contains("signature does not match"), "{why}");
    assert!(why.contains("this version keeps running"), "{why}");
}

#[test]
fn a_bundle_signed_by_another_key_is_refused() {
    let release = ReleaseKey::new();
    let stranger = ReleaseKey::new();
    let server = Server::start();
    let bytes = bundle();
    server.serve("/bundle", 200, bytes.clone());
    server.serve_feed("0.2.0", &stranger.sign(&bytes, "0.2.0"));
    let config = server.config(&release);

    let Checked::Available(offer) = run(updates::check(&config)).expect("the check") else {
        panic!("0.2.0 should be offered");
    };
    let why = update_refusal(run(updates::download(&config, &offer)).map(|_| ()));
    assert!(why.contains("signed by another key"), "{why}");
}

#[test]
fn an_older_or_equal_version_is_never_an_update() {
    let key = ReleaseKey::new();
    let server = Server::start();
    let bytes = bundle();
    server.serve("/bundle", 200, bytes.clone());
    for version in ["0.0.9", "0.1.0", "0.1.0-beta.1"] {
        server.serve_feed(version, &key.sign(&bytes, version));
        assert!(
            matches!(run(updates::check(&server.config(&key))), Ok(Checked::UpToDate)),
            "{version} must not be offered to 0.1.0"
        );
    }
}

#[test]
fn a_feed_pairing_a_new_version_with_an_older_signed_bundle_is_refused() {
    let key = ReleaseKey::new();
    let server = Server::start();
    let old = bundle();
    server.serve("/bundle", 200, old.clone());
    // The old release's bytes and signature, announced as 0.2.0.
    server.serve_feed("0.2.0", &key.sign(&old, "0.0.9"));
    let config = server.config(&key);
    let Checked::Available(offer) = run(updates::check(&config)).expect("the check") else {
        panic!("0.2.0 is announced");
    };
    let why = update_refusal(run(updates::download(&config, &offer)).map(|_| ()));
    assert!(why.contains("signed as version 0.0.9, not 0.2.0"), "{why}");
}

#[test]
fn no_content_is_said_plainly_as_no_update() {
    let key = ReleaseKey::new();
    let server = Server::start();
    server.serve("/latest.json", 204, Vec::new());
    let checked = run(updates::check(&server.config(&key))).expect("204 is an answer");
    assert!(matches!(checked, Checked::UpToDate));
    assert_eq!(updates::words(&checked, "0.1.0"), "No update: Regulars 0.1.0 is the latest version.");
}

#[test]
fn failures_are_sentences_and_change_nothing() {
    let key = ReleaseKey::new();
    let server = Server::start();
    // No feed at all (404).
    let why = update_refusal(run(updates::check(&server.config(&key))).map(|_| ()));
    assert!(why.contains("answered “404 Not Found”"), "{why}");
    // A release for other platforms only.
    server.serve(
        "/latest.json",
        200,
        serde_json::json!({ "version": "0.2.0", "platforms": { "windows-x86_64-msi": { "url": "https://example.org/a.msi", "signature": "x" } } })
            .to_string(),
    );
    let why = update_refusal(run(updates::check(&server.config(&key))).map(|_| ()));
    assert!(why.contains("not yet for this kind of computer"), "{why}");
    // An address that is not HTTPS (and not this computer's loopback).
    let mut config = server.config(&key);
    config.endpoints = vec!["http://updates.example.org/latest.json".into()];
    let why = update_refusal(run(updates::check(&config)).map(|_| ()));
    assert!(why.contains("only fetched over HTTPS"), "{why}");
    // A backup that fails stops the install.
    let bytes = bundle();
    server.serve("/bundle", 200, bytes.clone());
    server.serve_feed("0.2.0", &key.sign(&bytes, "0.2.0"));
    let config = server.config(&key);
    let Ok(Checked::Available(offer)) = run(updates::check(&config)) else { panic!("offered") };
    let verified = run(updates::download(&config, &offer)).expect("verified");
    let installed = std::cell::Cell::new(false);
    let why = update_refusal(updates::apply(
        &verified,
        || Err(Error::Conflict("the disk is full".into())),
        |_| {
            installed.set(true);
            Ok(())
        },
    ));
    assert!(!installed.get());
    assert!(why.contains("backup before the update could not be made"), "{why}");
}

/// The format the release will really use: a key pair made by the Tauri
/// CLI pinned in `.ci/package.json` (2.12.6, `tauri signer generate`, its
/// private half then deleted) and a file it signed with `tauri signer sign
/// --app-version 0.2.0`, kept in `tests/fixtures/updater/`. Accepted as
/// it is, refused under another version or with a byte changed.
#[test]
fn a_bundle_signed_by_the_tauri_cli_is_accepted() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/updater");
    let read = |name: &str| std::fs::read(fixtures.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let pubkey = String::from_utf8(read("tauri-cli.pub")).expect("text");
    let signature = String::from_utf8(read("Regulars_0.2.0_amd64.deb.sig")).expect("text");
    let bytes = read("Regulars_0.2.0_amd64.deb");
    let server = Server::start();
    server.serve("/bundle", 200, bytes.clone());
    server.serve_feed("0.2.0", signature.trim());
    let config = Config { pubkey: pubkey.trim().to_string(), ..server.config(&ReleaseKey::new()) };
    let Checked::Available(offer) = run(updates::check(&config)).expect("the check") else {
        panic!("0.2.0 should be offered");
    };
    let verified = run(updates::download(&config, &offer)).expect("the CLI's signature is accepted");
    assert_eq!(verified.bytes(), &bytes[..]);

    let mut changed = bytes;
    changed[0] ^= 0x20;
    server.serve("/bundle", 200, changed);
    let why = update_refusal(run(updates::download(&config, &offer)).map(|_| ()));
    assert!(why.contains("signature does not match"), "{why}");
}
