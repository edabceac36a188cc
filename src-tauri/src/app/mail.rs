//! The group-message sender: one background task that sends the outbox
//! through the shop's own mail server (`io::mailer`) whenever something is
//! queued, at the owner's hourly and daily limits, and says how it stands
//! in one sentence for the send screen.
//!
//! At its start it turns rows cut off by a crash or a kill mid-hand-over
//! into failures that say so (`mailings::recover_interrupted`): they are
//! listed for the owner to retry, never re-sent on their own. Pausing and
//! cancelling are the message's state in the database, so they hold across
//! a restart; the message being handed over when one is asked for finishes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{Local, Utc};
use tauri::Manager;
use tokio::sync::Notify;

use crate::app::state::AppState;
use crate::io::logging;
use crate::io::mail_account::{self, MailAccount};
use crate::io::mailer::{self, MailerConfig, Stopped};
use crate::kernel::error::Result;
use crate::records::mailings;

/// How long the sender waits before it tries a server that failed again.
const RETRY: Duration = Duration::from_secs(60);

/// The sender's state, managed by Tauri beside `AppState`.
#[derive(Default)]
pub struct MailEngine {
    started: AtomicBool,
    /// Wakes the sender: something was queued, resumed or retried.
    pub wake: Notify,
    /// How sending stands, in a sentence ("" while all is well).
    status: Mutex<String>,
}

impl MailEngine {
    pub fn status(&self) -> String {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn set_status(&self, words: String) {
        if let Ok(mut status) = self.status.lock() {
            *status = words;
        }
    }
}

/// The certificate the tests' own mail server is signed by (test builds
/// only, from `app::test_switches`); `None` in the app.
pub fn trusted_root() -> Option<Vec<u8>> {
    #[cfg(feature = "test-switches")]
    if let Some(pem) = crate::app::test_switches::smtp_trusted_root() {
        return Some(pem);
    }
    None
}

/// How to reach the account's server, the password from the keychain.
pub fn config(account: MailAccount) -> Result<MailerConfig> {
    let password = mail_account::password(&account)?;
    Ok(MailerConfig { account, password, trusted_root_pem: trusted_root() })
}

/// Starts the sender once per run of the app.
pub fn start(app: &tauri::AppHandle) {
    let engine = app.state::<MailEngine>();
    if engine.started.swap(true, Ordering::AcqRel) {
        return;
    }
    tauri::async_runtime::spawn(run(app.clone()));
}

async fn run(app: tauri::AppHandle) {
    let state = app.state::<AppState>();
    let engine = app.state::<MailEngine>();
    match state.write(|conn| mailings::recover_interrupted(conn, Utc::now())) {
        Ok(0) => {}
        Ok(rows) => tracing::warn!(rows, "messages cut off mid-hand-over by the last stop are listed as failures"),
        Err(error) => tracing::warn!(error = %logging::error_line(&error), "could not look for interrupted messages"),
    }
    loop {
        let wait = match send_round(&state, &engine).await {
            Ok(None) => None,
            Ok(Some(wait)) => Some(wait),
            Err(error) => {
                tracing::warn!(error = %logging::error_line(&error), "group messages could not be sent");
                engine.set_status(error.to_string());
                Some(RETRY)
            }
        };
        match wait {
            None => engine.wake.notified().await,
            Some(wait) => {
                let _ = tokio::time::timeout(wait, engine.wake.notified()).await;
            }
        }
    }
}

/// Sends what is queued; `Some(wait)` when it must go on later.
async fn send_round(state: &AppState, engine: &MailEngine) -> Result<Option<Duration>> {
    if state.read(mailings::next_queued)?.is_none() {
        engine.set_status(String::new());
        return Ok(None);
    }
    let Some(account) = state.read(mail_account::load)? else {
        engine.set_status("Set up the shop's mail account to send.".into());
        return Ok(None);
    };
    let config = config(account)?;
    let transport = mailer::transport(&config)?;
    engine.set_status(String::new());
    let round = mailer::send_queued(state, &transport, &config.account, Utc::now, &|| {}).await?;
    tracing::info!(sent = round.sent, failed = round.failed, "group messages sent");
    match round.stopped {
        Stopped::Finished => Ok(None),
        Stopped::Limit(until) => {
            let at = until.with_timezone(&Local).format("%H:%M");
            engine.set_status(format!(
                "The hourly or daily limit you set is reached: sending goes on by itself after {at}."
            ));
            let wait = (until - Utc::now()).to_std().unwrap_or(Duration::from_secs(1));
            Ok(Some(wait.max(Duration::from_secs(1))))
        }
    }
}
