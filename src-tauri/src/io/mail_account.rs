//! The shop's own email account that group messages go out from: the
//! server, the address, the user, the hourly and daily limits, in a
//! settings row of this device's own (the device that sends; see
//! `db::sharing`), and the password in the system keychain like the sync
//! server's (`io::sharing_setup`): never in the shop file or a log.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::db::{settings, store};
use crate::kernel::error::{Error, Result};

/// The settings row (device-local: not in `SHARED_SETTINGS`).
pub const SETTINGS_KEY: &str = "mail_account";
const KEYCHAIN_SERVICE: &str = "app.regulars.desktop";

/// What an app password is, in a plain sentence for the form.
pub const APP_PASSWORD: &str = "Gmail, Outlook, iCloud, Fastmail and Yahoo ask for an app password here, not the one you sign in with: a separate password made for this app in your account's security settings, which you can take back at any time.";

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// TLS from the first byte (port 465).
    Tls,
    /// A plain connection made secure with STARTTLS before anything is sent (port 587).
    Starttls,
}

/// The account as kept (no password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MailAccount {
    /// The shop's address: messages come from it, and replies and
    /// "unsubscribe" go to it.
    pub address: String,
    /// The name shown beside it ("Paws & Co").
    pub from_name: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The user name at the server (often the address itself).
    pub user: String,
    /// Most messages in an hour (0: no limit).
    pub per_hour: u32,
    /// Most messages in a day (0: no limit); providers limit a day's messages.
    pub per_day: u32,
}

/// The form: the account and, when typed, a new password.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct MailAccountInput {
    pub account: MailAccount,
    /// Empty keeps the password already in the keychain.
    pub password: String,
}

/// A provider's server, for the form's presets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Preset {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The daily limit the provider is known to keep to, as a starting value.
    pub per_day: u32,
}

/// The common providers' servers.
pub fn presets() -> Vec<Preset> {
    let preset = |name: &str, host: &str, port: u16, security: Security, per_day: u32| Preset {
        name: name.into(),
        host: host.into(),
        port,
        security,
        per_day,
    };
    vec![
        preset("Gmail", "smtp.gmail.com", 465, Security::Tls, 500),
        preset("Outlook / Office 365", "smtp.office365.com", 587, Security::Starttls, 300),
        preset("Outlook.com / Hotmail", "smtp-mail.outlook.com", 587, Security::Starttls, 300),
        preset("iCloud Mail", "smtp.mail.me.com", 587, Security::Starttls, 1000),
        preset("Fastmail", "smtp.fastmail.com", 465, Security::Tls, 1000),
        preset("Yahoo Mail", "smtp.mail.yahoo.com", 465, Security::Tls, 500),
    ]
}

/// A plain check of an address's shape: one @, something either side, a
/// dot in the domain, no spaces.
pub fn looks_like_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// The account checked and tidied: a clear message next to the field.
pub fn validate(account: &MailAccount) -> Result<MailAccount> {
    let clean = MailAccount {
        address: account.address.trim().to_string(),
        from_name: account.from_name.trim().to_string(),
        host: account.host.trim().to_string(),
        user: account.user.trim().to_string(),
        ..account.clone()
    };
    if !looks_like_address(&clean.address) {
        return Err(Error::invalid("mail_address", "Type the shop's email address, such as hello@pawsandco.com."));
    }
    if clean.from_name.chars().count() > 80 || clean.from_name.contains(['\r', '\n', '"', '<', '>']) {
        return Err(Error::invalid("mail_from_name", "The name can be at most 80 characters, without quotes or < >."));
    }
    let host_ok = !clean.host.is_empty()
        && clean.host.len() <= 253
        && clean.host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !host_ok {
        return Err(Error::invalid(
            "mail_host",
            "Type the mail server's name, such as smtp.gmail.com, or choose a provider.",
        ));
    }
    if clean.port == 0 {
        return Err(Error::invalid("mail_port", "Type the server's port: 465 for TLS, 587 for STARTTLS."));
    }
    if clean.user.is_empty() || clean.user.chars().count() > 200 {
        return Err(Error::invalid("mail_user", "Type the user name for the server (often your email address)."));
    }
    if clean.per_hour > 100_000 || clean.per_day > 1_000_000 {
        return Err(Error::invalid("mail_limits", "Those limits are too large: use 0 for no limit."));
    }
    Ok(clean)
}

/// The account kept on this device, if any.
pub fn load(conn: &Connection) -> Result<Option<MailAccount>> {
    settings::load_json(conn, SETTINGS_KEY)
}

fn keychain_account(account: &MailAccount) -> String {
    format!("mail:{}:{}:{}", account.host, account.port, account.user)
}

fn keychain_error(error: keyring::Error) -> Error {
    tracing::warn!(%error, "the keychain did not answer for the mail password");
    Error::Mail(
        "This computer's keychain did not answer, so the mail account's password cannot be kept or read.".into(),
    )
}

/// The password from the keychain.
pub fn password(account: &MailAccount) -> Result<Zeroizing<String>> {
    let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &keychain_account(account)).map_err(keychain_error)?;
    match entry.get_password() {
        Ok(password) => Ok(Zeroizing::new(password)),
        Err(keyring::Error::NoEntry) => Err(Error::invalid(
            "mail_password",
            "This computer's keychain holds no password for this mail account: type it in the mail account form.",
        )),
        Err(error) => Err(keychain_error(error)),
    }
}

/// Keeps the account: the password (when typed) in the keychain first,
/// then the settings row.
pub fn save(conn: &mut Connection, input: &MailAccountInput, now: DateTime<Utc>) -> Result<MailAccount> {
    let clean = validate(&input.account)?;
    if input.password.is_empty() {
        password(&clean)?;
    } else {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &keychain_account(&clean)).map_err(keychain_error)?;
        entry.set_password(&input.password).map_err(keychain_error)?;
    }
    store::write(conn, |tx| settings::save_json(tx, SETTINGS_KEY, &clean, now))?;
    Ok(clean)
}
