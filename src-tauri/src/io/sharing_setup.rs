//! Turning sharing on for this device and what it keeps to reconnect: the
//! server's address and user in a settings row of this device's own (never
//! sent: it is not in `sharing::SHARED_SETTINGS`), the password in the
//! system keychain (never in the shop file or a log), and the shop's first
//! snapshot on the server, an encrypted backup, for devices that join later.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::db::{settings, sharing, store};
use crate::io::backup;
use crate::io::nats_link::{Link, LinkSettings};
use crate::kernel::error::{Error, Result};
use crate::kernel::secret::Key;
use crate::records::devices;

/// This device's settings row for its connection.
pub const SETTINGS_KEY: &str = sharing::CONNECTION_SETTING;
/// The keychain's service name (the same as the shop key's).
const KEYCHAIN_SERVICE: &str = "app.regulars.desktop";

/// What this device keeps to reach the shop's server (no password).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    pub server: String,
    pub user: String,
    /// The shop's stream: an opaque name derived from the shop key, the
    /// same on every device of the shop.
    pub stream: String,
    /// Whether the keychain holds a secret without a user: this device's
    /// nkey seed or a hosted account's credentials (`nats_link::Credentials`).
    #[serde(default)]
    pub keychain_secret: bool,
}

impl Setup {
    /// What to keep from the server, user and password the owner typed
    /// (sharing or joining): the password itself goes to the keychain.
    fn typed(server: &str, user: &str, password: &str, key: &Key) -> Result<Setup> {
        Ok(Setup {
            server: server.trim().to_string(),
            user: user.trim().to_string(),
            stream: stream_name(key)?,
            keychain_secret: user.trim().is_empty() && !password.trim().is_empty(),
        })
    }
}

/// What the owner types to share the shop from this device.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ShareInput {
    /// `nats://host:4222` (or `tls://…`).
    pub server: String,
    pub user: String,
    pub password: String,
    /// What the others see this device as ("Front desk").
    pub device_name: String,
}

pub fn load(conn: &Connection) -> Result<Option<Setup>> {
    settings::load_json(conn, SETTINGS_KEY)
}

/// The stream of the shop `key` opens: the same on every device that has
/// the key, and tells the server nothing about the shop.
pub fn stream_name(key: &Key) -> Result<String> {
    let derived = key.derive("regulars shared shop stream name v1")?;
    Ok(format!("regulars-shop-{}", hex::encode(&derived[..10])))
}

pub fn subject(setup: &Setup) -> String {
    format!("{}.changes", setup.stream)
}

fn keychain_account(setup: &Setup) -> String {
    format!("sharing:{}:{}", setup.stream, setup.user)
}

/// The link's settings: the password comes from the keychain.
pub fn link_settings(setup: &Setup) -> Result<LinkSettings> {
    let password = if setup.user.is_empty() && !setup.keychain_secret {
        Zeroizing::new(String::new())
    } else {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &keychain_account(setup)).map_err(keychain_error)?;
        match entry.get_password() {
            Ok(password) => Zeroizing::new(password),
            Err(keyring::Error::NoEntry) => return Err(Error::Sync(
                "This computer's keychain no longer holds the sync server's password: share the shop again to give it."
                    .into(),
            )),
            Err(error) => return Err(keychain_error(error)),
        }
    };
    Ok(LinkSettings::new(&setup.server, &setup.user, &password, &setup.stream))
}

fn keychain_error(error: keyring::Error) -> Error {
    tracing::warn!(%error, "the keychain did not answer for the sync password");
    Error::Sync("This computer's keychain did not answer, so the sync server's password cannot be kept or read.".into())
}

/// Checks the input, reaches the server with it (so a wrong address or
/// password is said now, next to the form) and returns the link and what
/// to keep. Refuses a server that already holds this shop's changes when
/// this device never shared it: that is a device to join, not to share from.
pub async fn connect_to_share(
    conn_device: Option<sharing::Device>,
    key: &Key,
    input: &ShareInput,
) -> Result<(Link, Setup, u64)> {
    sharing::check_device_name(&input.device_name)?;
    if input.server.trim().is_empty() {
        return Err(Error::invalid("server", "Type the sync server's address, such as nats://192.168.1.20:4222."));
    }
    let setup = Setup::typed(&input.server, &input.user, &input.password, key)?;
    let settings = LinkSettings::new(&setup.server, &setup.user, &input.password, &setup.stream);
    let link = Link::connect(&settings).await?;
    link.ensure_stream().await?;
    let last = link.last_seq().await?;
    if last > 0 && conn_device.is_none() {
        return Err(Error::Conflict(
            "This server already holds this shop's changes from another device. On a computer that should have the shop, use \"Join a shared shop\" instead."
                .into(),
        ));
    }
    Ok((link, setup, last))
}

/// Keeps the password (or the nkey seed, or the credentials) in the
/// keychain; none for a server without users.
pub fn keep_password(setup: &Setup, password: &str) -> Result<()> {
    if setup.user.is_empty() && !setup.keychain_secret {
        return Ok(());
    }
    let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &keychain_account(setup)).map_err(keychain_error)?;
    entry.set_password(password).map_err(keychain_error)
}

/// Turns sharing on in one transaction: this device recorded (named
/// `device_name`), its position in the stream, its connection kept.
pub fn turn_on(
    conn: &mut Connection,
    setup: &Setup,
    device_name: &str,
    stream_at: u64,
    now: DateTime<Utc>,
) -> Result<sharing::Device> {
    store::write(conn, |tx| {
        let device = sharing::start(tx, device_name)?;
        // This transaction's rows (the device's own line) are this
        // device's first change, stamped with its first clock reading.
        sharing::begin(tx, now)?;
        sharing::skip_to(tx, stream_at)?;
        settings::save_json(tx, SETTINGS_KEY, setup, now)?;
        devices::add(tx, &device.id, &device.name, now)?;
        Ok(device)
    })
}

/// Whether the owner removed this device from the shared shop.
pub fn this_device_removed(conn: &Connection) -> Result<bool> {
    match sharing::device(conn)? {
        Some(me) => devices::is_removed(conn, &me.id),
        None => Ok(false),
    }
}

/// Removes another device from the shared shop (the owner's, from
/// Settings): every device drops the changes it makes from now on, and it
/// stops sharing when it hears of it. Its credentials stop working only
/// when they are taken off the server (README, "Removing a device").
pub fn remove_device(conn: &mut Connection, device_id: &str, now: DateTime<Utc>) -> Result<devices::SharedDevice> {
    store::write(conn, |tx| {
        if sharing::device(tx)?.is_some_and(|me| me.id == device_id) {
            return Err(Error::invalid(
                "device",
                "This is the device you are using: choose Stop sharing on this device instead.",
            ));
        }
        devices::remove(tx, device_id, now)
    })
}

/// Stops sharing from this device: nothing more is recorded or sent, its
/// connection is forgotten; the shop stays as it is here.
pub fn turn_off(conn: &mut Connection) -> Result<()> {
    store::write(conn, |tx| {
        sharing::stop(tx)?;
        settings::remove(tx, SETTINGS_KEY)
    })
}

/// Publishes the shop as it is now as the snapshot later devices start
/// from: an encrypted backup (the backup code's own), covering the stream
/// up to `covers_seq`, written in the data folder and removed after.
pub async fn publish_snapshot(link: &Link, database: &Path, data_dir: &Path, key: &Key, covers_seq: u64) -> Result<()> {
    let file = data_dir.join("sharing-snapshot.tmp");
    let (source, dest, backup_key) = (database.to_path_buf(), file.clone(), key.clone());
    let made = tokio::task::spawn_blocking(move || {
        let conn = store::open_streaming_reader(&source, Some(&backup_key))?;
        backup::backup_to(&conn, &dest, Some(&backup_key))
    })
    .await
    .map_err(|_| Error::Panicked)?;
    let result = match made {
        Ok(()) => link.put_snapshot(&file, covers_seq).await,
        Err(error) => Err(error),
    };
    let _ = std::fs::remove_file(&file);
    result
}

/// What a new computer types to join a shared shop.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct JoinInput {
    pub server: String,
    pub user: String,
    pub password: String,
    pub device_name: String,
    /// The recovery key from the shop's recovery sheet: the shop key.
    pub recovery_key: String,
}

/// Joins the shop on the server that `input` names: downloads its latest
/// snapshot into the data folder, makes it this device's (a new device id,
/// its place in the stream, this device's connection, none of the first
/// device's own settings rows), and leaves it ready to take the new shop's
/// place at the next start (`vault::look`). Returns the shop key. Nothing
/// in the data folder changes until the snapshot is whole and opens with
/// the key.
pub async fn join(dir: &Path, input: &JoinInput, now: DateTime<Utc>) -> Result<Key> {
    sharing::check_device_name(&input.device_name)?;
    let key = Key::from_recovery(&input.recovery_key)?;
    let setup = Setup::typed(&input.server, &input.user, &input.password, &key)?;
    let link = Link::connect(&LinkSettings::new(&setup.server, &setup.user, &input.password, &setup.stream)).await?;
    let part = dir.join(format!("{}.joining-part", store::DATABASE_FILE));
    let _ = std::fs::remove_file(&part);
    let Some(covers) = link.get_snapshot(&part).await? else {
        return Err(Error::invalid(
            "recovery_key",
            "That server holds no shop for this recovery key. Check the key, or share the shop from its first computer (Settings → Share this shop).",
        ));
    };
    let (name, ready, joined_key, joining, kept) = (
        input.device_name.trim().to_string(),
        part.clone(),
        key.clone(),
        crate::io::vault::joining_file(dir),
        setup.clone(),
    );
    let kept_for_file = setup;
    let prepared = tokio::task::spawn_blocking(move || -> Result<()> {
        let mut store = crate::db::store::Store::open_with(&ready, Some(&joined_key)).map_err(|error| match error {
            Error::WrongKey => {
                Error::invalid("recovery_key", "This recovery key does not open the shop on that server.")
            }
            other => other,
        })?;
        turn_on_joined(store.conn_mut(), &kept_for_file, &name, covers, now)?;
        drop(store);
        std::fs::rename(&ready, &joining)?;
        Ok(())
    })
    .await
    .map_err(|_| Error::Panicked)?;
    if let Err(error) = prepared {
        let _ = std::fs::remove_file(&part);
        return Err(error);
    }
    keep_password(&kept, &input.password)?;
    Ok(key)
}

/// The joined copy becomes this device's, in one transaction.
pub fn turn_on_joined(
    conn: &mut Connection,
    setup: &Setup,
    device_name: &str,
    stream_at: u64,
    now: DateTime<Utc>,
) -> Result<()> {
    store::write(conn, |tx| {
        sharing::forget_device(tx)?;
        for key in settings::keys(tx)? {
            if !sharing::SHARED_SETTINGS.contains(&key.as_str()) {
                settings::remove(tx, &key)?;
            }
        }
        let device = sharing::start(tx, device_name)?;
        // The change this transaction opened was the copied device's
        // (`forget_device` dropped it): the rows from here on are this
        // device's first change.
        sharing::begin(tx, now)?;
        sharing::skip_to(tx, stream_at)?;
        settings::save_json(tx, SETTINGS_KEY, setup, now)?;
        devices::add(tx, &device.id, &device.name, now)?;
        crate::records::audit::append(
            tx,
            "owner",
            "joined the shared shop",
            &format!("as a new device, from stream position {stream_at}"),
            now,
        )
    })
}
