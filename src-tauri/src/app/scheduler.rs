//! The reminder scheduler: one tokio task that sleeps until the next
//! reminder is due (never polling faster than that), wakes early when data
//! changes, and at most every minute so that a laptop waking from sleep or
//! a clock change is noticed within a minute.
//!
//! The first pass after start-up is the "while you were away" pass: all
//! that fell due while the app was closed is marked with this start's
//! marker and announced in one summary notification.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use tokio::sync::Notify;

use crate::app::notify::{Message, Notifier};
use crate::db::store::Store;
use crate::kernel::error::Result;
use crate::records::reminders::{self, Reminder};

/// The longest the scheduler sleeps; bounds the delay after suspend/resume.
pub const MAX_SLEEP: Duration = Duration::from_secs(60);
/// The first pass waits for the window to be ready, but no longer than this.
const FIRST_PASS_AT_LATEST: Duration = Duration::from_secs(5);
/// More reminders than this at once become one summary notification.
const ONE_BY_ONE_LIMIT: usize = 3;

pub struct PassOutcome {
    pub added: usize,
    pub fired: Vec<Reminder>,
    pub next_due: Option<DateTime<Utc>>,
}

/// One pass: bring reminders up to date, fire what is due (marked before
/// it is shown, so nothing fires twice), and say when to look next.
pub fn pass<Tz: TimeZone>(
    store: &mut Store,
    notifier: &dyn Notifier,
    how: &str,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Result<PassOutcome> {
    let rules = reminders::load_rules(store.conn())?;
    let added = crate::features::reminder_sources::sync(store.conn_mut(), now, tz, &rules)?;
    let fired = reminders::take_due(store.conn_mut(), now, how)?;
    for message in messages(&fired, how.starts_with("away")) {
        if let Err(error) = notifier.notify(&message) {
            // No notification server or no session bus: the reminders are
            // still listed in the app; the desktop just cannot show them.
            // The title and body name the customer: the log takes their id only.
            tracing::warn!(%error, customer = ?message.customer_id, "could not show a desktop notification");
        }
    }
    let next_due = reminders::next_due(store.conn())?;
    store.checkpoint()?;
    Ok(PassOutcome { added, fired, next_due })
}

/// What to show for the reminders that just fell due.
pub fn messages(fired: &[Reminder], away: bool) -> Vec<Message> {
    if fired.is_empty() {
        return Vec::new();
    }
    let line = |r: &Reminder| {
        if r.detail.is_empty() {
            format!("{}: {}", r.customer_name, r.title)
        } else {
            format!("{}: {} ({})", r.customer_name, r.title, r.detail)
        }
    };
    if away || fired.len() > ONE_BY_ONE_LIMIT {
        let mut body: Vec<String> = fired.iter().take(ONE_BY_ONE_LIMIT).map(line).collect();
        if fired.len() > ONE_BY_ONE_LIMIT {
            body.push(format!("and {} more", fired.len() - ONE_BY_ONE_LIMIT));
        }
        let count = if fired.len() == 1 { "1 reminder".to_string() } else { format!("{} reminders", fired.len()) };
        let title = if away { format!("While you were away: {count}") } else { format!("{count} are due") };
        return vec![Message { title, body: body.join("\n"), customer_id: None }];
    }
    fired
        .iter()
        .map(|r| Message {
            title: format!("{}: {}", r.customer_name, r.title),
            body: r.detail.clone(),
            customer_id: Some(r.customer_id.clone()),
        })
        .collect()
}

/// Runs forever on its own connection (a write every pass, so it waits on
/// SQLite's lock, never on the desk's). `on_change` is told after a pass that fired reminders
/// (the app refreshes its Today list and badge; reminders added for later
/// change neither).
pub async fn run(
    mut store: Store,
    notifier: Arc<dyn Notifier>,
    wake: Arc<Notify>,
    away_marker: String,
    data_dir: std::path::PathBuf,
    on_change: Box<dyn Fn() + Send + Sync>,
) {
    // Let the window come up first: the first pass may have a lot to catch
    // up on, and the search box must not wait for it. The UI wakes us when
    // it is ready; a window that never says so still gets reminders.
    let _ = tokio::time::timeout(FIRST_PASS_AT_LATEST, wake.notified()).await;
    let mut how = away_marker;
    let mut calendar = crate::io::calendar::Keeper::default();
    loop {
        let now = Utc::now();
        // A pass that panics (a bug, a row no check foresaw) must not end
        // this task: no reminder would fire and no WAL checkpoint run until
        // the next start. It is logged and the next pass tries again.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pass(&mut store, notifier.as_ref(), &how, now, &chrono::Local)
        }))
        .unwrap_or_else(|_| Err(crate::kernel::error::Error::Conflict("the reminder pass panicked".into())));
        how = "live".to_string();
        // The calendar file, if the owner keeps one: after the reminders,
        // and its failure (a folder on a drive that is gone) is only logged.
        let kept = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            calendar.look(store.conn(), now, &|path| {
                crate::app::files::check(crate::app::files::Purpose::Calendar, path, &data_dir)
            })
        }))
        .unwrap_or_else(|_| Err(crate::kernel::error::Error::Conflict("the calendar pass panicked".into())));
        if let Err(error) = kept {
            tracing::warn!(error = %crate::io::logging::error_line(&error), "the calendar file could not be brought up to date");
        }
        let wait = match outcome {
            Ok(outcome) => {
                if !outcome.fired.is_empty() {
                    tracing::info!(count = outcome.fired.len(), "reminders fell due");
                    on_change();
                }
                outcome
                    .next_due
                    .map(|next| (next - Utc::now()).to_std().unwrap_or(Duration::ZERO))
                    .unwrap_or(MAX_SLEEP)
                    .min(MAX_SLEEP)
            }
            Err(error) => {
                tracing::error!(error = %crate::io::logging::error_line(&error), "the reminder pass failed");
                MAX_SLEEP
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.notified() => {}
        }
    }
}
