//! Signed updates: ask the release feed whether a newer Regulars exists,
//! download its bundle and check its minisign signature against the public
//! key the app was built with, before anything is handed to an installer.
//!
//! Why this is here and not only in `tauri-plugin-updater`: nothing outside
//! `app/` may name Tauri (the layer rules), and the plugin's `Updater` can
//! only be built from a running app's handle, so its check and download
//! could not be tested on a real file without a window. This module does
//! the same steps with the same primitives the plugin uses (Tauri's feed
//! format, its platform keys, `minisign-verify`, the version the signature's
//! trusted comment names, reqwest over rustls), plus what the plugin leaves
//! to the app: HTTPS only in release builds, a strictly newer version only,
//! a size limit, plain sentences for every refusal. The plugin is used for
//! the install step only (`app::updates`), and it checks the signature a
//! second time with its own code before it installs: two independent
//! checks of the same key, never zero.
//!
//! The feed is Tauri's static `latest.json`: `version`, `notes`,
//! `pub_date` and `platforms`, a map from a platform key
//! (`linux-x86_64-deb`, `linux-x86_64-rpm`, `windows-x86_64-nsis`,
//! `windows-x86_64-msi`, `darwin-universal`, `darwin-aarch64`,
//! `darwin-x86_64`, ...) to `{ url, signature }`; the signature is the
//! base64 of minisign's `.sig` file as `tauri signer sign` writes it. The
//! feed itself is not signed: a forged feed can only point at bytes, and
//! bytes are accepted only with a signature of the release key whose
//! trusted comment names the very version the feed announces.

use std::time::Duration;

use base64::Engine as _;
use semver::Version;
use serde::Deserialize;

use crate::kernel::error::{Error, Result};

/// Plain http is allowed only to 127.0.0.1 and only in debug builds (the
/// tests' loopback server); release builds speak HTTPS to the feed and to
/// the download, whatever the configuration or the feed says. Decided
/// here, at compile time: the page has no say.
pub const LOOPBACK_HTTP_ALLOWED: bool = cfg!(debug_assertions);

/// The largest bundle downloaded: a .deb is about 10 MB and a universal
/// macOS bundle a few times that; anything far larger is not ours.
pub const MAX_BUNDLE_BYTES: u64 = 256 * 1024 * 1024;

/// The largest feed read: a few platforms' lines.
const MAX_FEED_BYTES: u64 = 1024 * 1024;

/// How often the automatic check runs while Regulars is open.
pub const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// The settings row for the owner's choice of automatic checks (a device's
/// own, like where its backups go: each computer updates itself).
pub const AUTO_CHECK_KEY: &str = "updates.auto_check";

/// This computer's row saying start at login was turned on once for a
/// packaged copy (`app::autostart`), so an owner who turned it off keeps
/// it off. Kept here beside the other installation row, so a restore
/// (`backup::KEPT_SETTINGS`) can name both.
pub const AUTOSTART_OFFERED_KEY: &str = "autostart.offered";

/// Whether the daily check is on (it is unless the owner turned it off).
pub fn auto_check(conn: &rusqlite::Connection) -> Result<bool> {
    Ok(crate::db::settings::load_json::<bool>(conn, AUTO_CHECK_KEY)?.unwrap_or(true))
}

/// Turns the daily check on or off on this computer.
pub fn set_auto_check(conn: &rusqlite::Connection, on: bool, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    crate::db::settings::save_json(conn, AUTO_CHECK_KEY, &on, now)
}

/// What to ask and how to check the answer.
#[derive(Debug, Clone)]
pub struct Config {
    /// The release key: base64 of minisign's public key file, as in
    /// `tauri.conf.json`'s `plugins.updater.pubkey`.
    pub pubkey: String,
    /// The feed's addresses, tried in order until one answers.
    pub endpoints: Vec<String>,
    /// This copy's version (the package's).
    pub current_version: String,
    /// How this copy was installed (`deb`, `rpm`, `nsis`, `msi`, `app`,
    /// `appimage`), when it was installed from a bundle; `None` for a copy
    /// built from source.
    pub bundle: Option<String>,
}

/// An update the feed offers, newer than this copy and with a download for
/// this platform. Not yet downloaded, so not yet trusted.
#[derive(Debug, Clone)]
pub struct Offer {
    pub version: String,
    /// The release notes as the feed wrote them: text, shown as text.
    pub notes: Option<String>,
    /// The platform key the download was found under.
    pub platform: String,
    pub url: String,
    signature: String,
    /// The feed as received, which the installer (the plugin) reads again.
    pub feed: serde_json::Value,
}

/// What a check found.
#[derive(Debug, Clone)]
pub enum Checked {
    /// The feed answered "no update" (HTTP 204) or offered a version that is
    /// not newer than this one.
    UpToDate,
    Available(Offer),
}

/// A downloaded bundle whose signature was checked. Only `download` and
/// `verify` make one, so an installer given a `Verified` is given bytes the
/// release key signed for this version.
pub struct Verified {
    version: String,
    bytes: Vec<u8>,
}

impl Verified {
    pub fn version(&self) -> &str {
        &self.version
    }
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[derive(Deserialize)]
struct Feed {
    version: String,
    notes: Option<String>,
    #[serde(default)]
    platforms: std::collections::BTreeMap<String, Download>,
    /// The dynamic form of the feed: one download at the top level.
    #[serde(flatten)]
    single: Option<Download>,
}

#[derive(Deserialize, Clone)]
struct Download {
    url: String,
    signature: String,
}

/// The platform keys this copy looks for in the feed, most specific first:
/// `{os}-{arch}-{bundle}` (e.g. `linux-x86_64-deb`), then `{os}-{arch}`, as
/// the plugin does.
pub fn platform_keys(bundle: Option<&str>) -> Vec<String> {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = std::env::consts::ARCH;
    let mut keys = Vec::new();
    if let Some(bundle) = bundle {
        keys.push(format!("{os}-{arch}-{bundle}"));
    }
    keys.push(format!("{os}-{arch}"));
    keys
}

/// Whether an address may be asked: HTTPS always; plain http only to
/// 127.0.0.1 and only when `LOOPBACK_HTTP_ALLOWED`.
pub fn check_address(address: &str) -> Result<reqwest::Url> {
    let url = reqwest::Url::parse(address)
        .map_err(|_| Error::Update(format!("The update address “{address}” is not a web address.")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if LOOPBACK_HTTP_ALLOWED && url.host_str() == Some("127.0.0.1") => Ok(url),
        _ => Err(Error::Update(
            "Updates are only fetched over HTTPS; this address was refused and nothing was downloaded.".into(),
        )),
    }
}

fn client(timeout: Duration, url: &reqwest::Url) -> Result<reqwest::Client> {
    // reqwest's rustls needs a process-wide provider; the sync link installs
    // the same one (ring), whichever comes first wins and both are ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("regulars/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .timeout(timeout)
        // A redirect gets the same rule as the address itself.
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() > 5 {
                attempt.error("too many redirects")
            } else if check_address(attempt.url().as_str()).is_ok() {
                attempt.follow()
            } else {
                attempt.error("a redirect to an address that is not HTTPS")
            }
        }));
    if url.host_str() == Some("127.0.0.1") {
        // A proxy must never stand between the app and this computer.
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| Error::Update(format!("Could not prepare the update check: {e}")))
}

fn unreachable(error: reqwest::Error) -> Error {
    // The address only: reqwest's words name the host, never a customer.
    let host = error.url().and_then(|url| url.host_str().map(str::to_owned)).unwrap_or_default();
    tracing::warn!(%error, "an update request failed");
    Error::Update(if error.is_timeout() {
        format!("The update server {host} did not answer in time. Nothing was changed; try again later.")
    } else {
        format!("The update server {host} could not be reached. Nothing was changed; check the internet connection.")
    })
}

/// Reads a response's body up to `limit` bytes; more is refused.
async fn body(mut response: reqwest::Response, limit: u64) -> Result<Vec<u8>> {
    if response.content_length().is_some_and(|length| length > limit) {
        return Err(Error::Update("The update is far larger than Regulars ever is, so it was refused.".into()));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        if bytes.len() as u64 + chunk.len() as u64 > limit {
            return Err(Error::Update("The update is far larger than Regulars ever is, so it was refused.".into()));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Asks the feed whether there is a newer version for this platform.
pub async fn check(config: &Config) -> Result<Checked> {
    let current = Version::parse(&config.current_version).map_err(|_| {
        Error::Update(format!("This copy's version {} is not a version number.", config.current_version))
    })?;
    if config.endpoints.is_empty() {
        return Err(Error::Update(
            "This copy of Regulars has no update address, so it cannot look for updates.".into(),
        ));
    }
    let mut last = None;
    for endpoint in &config.endpoints {
        match ask(endpoint).await {
            Ok(None) => return Ok(Checked::UpToDate),
            Ok(Some(feed)) => return offer(config, &current, feed),
            Err(error) => last = Some(error),
        }
    }
    Err(last.unwrap_or_else(|| Error::Update("No update address answered.".into())))
}

/// One endpoint's answer: `None` for 204 No Content.
async fn ask(endpoint: &str) -> Result<Option<serde_json::Value>> {
    let url = check_address(endpoint)?;
    let response = client(Duration::from_secs(30), &url)?
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    if status == reqwest::StatusCode::NO_CONTENT {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(Error::Update(format!(
            "The update server answered “{status}”. Nothing was changed; try again later."
        )));
    }
    let bytes = body(response, MAX_FEED_BYTES).await?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| Error::Update("The update server's answer could not be read. Nothing was changed.".into()))
}

/// The feed's offer for this copy, if it is strictly newer.
fn offer(config: &Config, current: &Version, raw: serde_json::Value) -> Result<Checked> {
    let feed: Feed = serde_json::from_value(raw.clone())
        .map_err(|_| Error::Update("The update server's answer could not be read. Nothing was changed.".into()))?;
    let version = Version::parse(feed.version.trim_start_matches('v')).map_err(|_| {
        Error::Update(format!("The update server offered “{}”, which is not a version number.", feed.version))
    })?;
    if !is_newer(current, &version) {
        tracing::info!(offered = %version, current = %current, "the feed offers no newer version");
        return Ok(Checked::UpToDate);
    }
    let keys = platform_keys(config.bundle.as_deref());
    let found = keys
        .iter()
        .find_map(|key| feed.platforms.get(key).map(|download| (key.clone(), download.clone())))
        .or_else(|| feed.single.clone().map(|download| (keys.last().cloned().unwrap_or_default(), download)));
    let Some((platform, download)) = found else {
        return Err(Error::Update(format!(
            "Version {version} is out, but not yet for this kind of computer ({}). Nothing was changed.",
            keys.join(", ")
        )));
    };
    Ok(Checked::Available(Offer {
        version: version.to_string(),
        notes: feed.notes,
        platform,
        url: download.url,
        signature: download.signature,
        feed: raw,
    }))
}

/// What a check found, as the sentence beside the button says it.
pub fn words(checked: &Checked, current_version: &str) -> String {
    match checked {
        Checked::UpToDate => format!("No update: Regulars {current_version} is the latest version."),
        Checked::Available(offer) => {
            format!("Version {} is ready to download and install (this is {current_version}).", offer.version)
        }
    }
}

/// Only a strictly newer version is an update: the same version again or
/// an older one (a downgrade, which could bring back a fixed bug) never is.
pub fn is_newer(current: &Version, offered: &Version) -> bool {
    offered > current
}

/// Downloads the offer's bundle and checks its signature (see `verify`).
pub async fn download(config: &Config, offer: &Offer) -> Result<Verified> {
    let url = check_address(&offer.url)?;
    let response = client(Duration::from_secs(10 * 60), &url)?.get(url).send().await.map_err(unreachable)?;
    let status = response.status();
    if !status.is_success() {
        return Err(Error::Update(format!(
            "The download of version {} failed (“{status}”). Nothing was changed.",
            offer.version
        )));
    }
    let bytes = body(response, MAX_BUNDLE_BYTES).await?;
    tracing::info!(version = %offer.version, bytes = bytes.len(), "update downloaded");
    verify(&config.pubkey, offer, bytes)
}

/// Checks that `bytes` carry the release key's signature from the feed,
/// and that the signature's trusted comment names the version the feed
/// announced (`version:X`, as `tauri signer sign` writes it): a feed that
/// pairs a new version number with an older signed bundle is refused, as
/// with the plugin's `requireSignedVersion`.
pub fn verify(pubkey: &str, offer: &Offer, bytes: Vec<u8>) -> Result<Verified> {
    let refused = |why: &str| {
        tracing::warn!(version = %offer.version, why, "update refused");
        Error::Update(format!(
            "Version {} was refused: {why}. Nothing was installed; this version keeps running.",
            offer.version
        ))
    };
    let key_text = base64_text(pubkey).ok_or_else(|| refused("this copy's update key is unreadable"))?;
    let key =
        minisign_verify::PublicKey::decode(&key_text).map_err(|_| refused("this copy's update key is unreadable"))?;
    let signature_text = base64_text(&offer.signature).ok_or_else(|| refused("its signature is unreadable"))?;
    let signature =
        minisign_verify::Signature::decode(&signature_text).map_err(|_| refused("its signature is unreadable"))?;
    key.verify(&bytes, &signature, false)
        .map_err(|_| refused("its signature does not match (the download was changed, or signed by another key)"))?;
    // Only now is the trusted comment trusted: the signature covers it.
    let signed = signed_version(signature.trusted_comment())
        .ok_or_else(|| refused("its signature does not say which version it is for"))?;
    let same = match (Version::parse(signed.trim_start_matches('v')), Version::parse(&offer.version)) {
        (Ok(signed), Ok(offered)) => signed == offered,
        _ => false,
    };
    if !same {
        return Err(refused(&format!("it was signed as version {signed}, not {}", offer.version)));
    }
    Ok(Verified { version: offer.version.clone(), bytes })
}

fn base64_text(encoded: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

/// The `version:` field of a trusted comment the Tauri CLI writes
/// (`timestamp:…\tfile:…\tversion:1.2.3`).
fn signed_version(trusted_comment: &str) -> Option<&str> {
    trusted_comment.split('\t').find_map(|field| field.strip_prefix("version:")).map(str::trim)
}

/// Installs a verified update: first `backup` (the automatic backup, made
/// while the caller holds the writer, so no change is half done), and only
/// when it succeeded, `install`. Either failing leaves this version
/// running, with the reason.
pub fn apply(
    verified: &Verified,
    backup: impl FnOnce() -> Result<()>,
    install: impl FnOnce(&Verified) -> Result<()>,
) -> Result<()> {
    backup().map_err(|error| {
        Error::Update(format!(
            "The backup before the update could not be made ({error}), so version {} was not installed.",
            verified.version
        ))
    })?;
    install(verified)?;
    tracing::info!(version = %verified.version, bytes = verified.bytes.len(), "update installed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trusted_comment_names_its_version() {
        assert_eq!(signed_version("timestamp:1\tfile:r.deb\tversion:0.2.0"), Some("0.2.0"));
        assert_eq!(signed_version("timestamp:1\tfile:r.deb"), None);
    }

    #[test]
    fn plain_http_only_to_loopback_in_debug() {
        assert!(check_address("https://example.org/latest.json").is_ok());
        assert!(check_address("http://example.org/latest.json").is_err());
        assert!(check_address("http://localhost:80/latest.json").is_err());
        assert!(check_address("ftp://127.0.0.1/latest.json").is_err());
        assert_eq!(check_address("http://127.0.0.1:9/latest.json").is_ok(), cfg!(debug_assertions));
    }
}
