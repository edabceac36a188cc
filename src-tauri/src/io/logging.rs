//! A rotating log file in the data folder (`logs/regulars.YYYY-MM-DD.log`,
//! the last 14 days kept), so a shop can send it when something goes wrong.
//!
//! A log is meant to be sent to someone, so it holds ids and counts, never
//! a customer's name, notes, phone or email: no log line takes a title, a
//! message written for the user (it may quote what they typed) or a panic's
//! message. Errors go in through `error_line`.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

use crate::kernel::error::Error;

/// The folder in the data folder the log files go to.
pub const LOGS_DIR: &str = "logs";

/// Starts logging; keep the guard alive for the life of the process so the
/// last lines are flushed. Logging that cannot start must not stop the app.
pub fn init(data_dir: &Path) -> Option<WorkerGuard> {
    use tracing_subscriber::util::SubscriberInitExt;
    let (subscriber, guard) = subscriber(data_dir)?;
    // Also takes in the `log` records of other crates (Tauri, WebKit's glue).
    if subscriber.try_init().is_err() {
        return None;
    }
    install_panic_hook();
    Some(guard)
}

/// The subscriber that writes the data folder's log files (`init` makes it
/// the process's; a test can make it a thread's). Other crates' lines are
/// kept from warnings up only: their own info lines are not ours to vet.
pub fn subscriber(data_dir: &Path) -> Option<(impl tracing::Subscriber + Send + Sync, WorkerGuard)> {
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("regulars")
        .filename_suffix("log")
        .max_log_files(14)
        .build(data_dir.join(LOGS_DIR));
    let appender = match appender {
        Ok(appender) => appender,
        Err(error) => {
            eprintln!("regulars: cannot write logs in {}: {error}", data_dir.display());
            return None;
        }
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("REGULARS_LOG").unwrap_or_else(|_| EnvFilter::new("warn,regulars=info"));
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(false).finish();
    Some((subscriber, guard))
}

/// Logs every panic with where it happened, not what it said: a panic's
/// message can quote the text it choked on (a cell of a spreadsheet, a
/// name). The standard error gets the same line and nothing more, in place
/// of Rust's default hook, which prints the message: a desktop launcher
/// sends the standard error to the system journal, which keeps it.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|at| format!("{}:{}", at.file(), at.line())).unwrap_or_default();
        tracing::error!(%location, "panic");
        eprintln!("{}", panic_line(&location));
    }));
}

/// What a panic puts on the standard error: where, never what.
pub fn panic_line(location: &str) -> String {
    format!("regulars: an internal error at {location} (its details are left out: they can quote customer data)")
}

/// An error as a log line may show it: its kind, the field it names and,
/// for a storage or file error, the library's code; never the message
/// written for the user, which may quote what they typed ("\"Zoë…\" is not
/// an email address").
pub fn error_line(error: &Error) -> String {
    match error {
        Error::NotFound(what) => format!("not_found: {what}"),
        Error::Invalid { field, .. } => format!("invalid: {field}"),
        Error::Conflict(_) => "conflict".to_string(),
        Error::NewerSchema { found, known } => format!("newer_schema: {found} (known {known})"),
        Error::Panicked => "internal: a panic".to_string(),
        Error::OwnerOnly => "owner_only".to_string(),
        Error::WrongKey => "wrong_key".to_string(),
        // Written by io::nats_link from the server's address and fixed
        // words; no customer data can be in it.
        Error::Sync(sentence) => format!("sync: {sentence}"),
        // Written by io::updates from versions, the server's host and
        // fixed words; no customer data can be in it.
        Error::Update(sentence) => format!("update: {sentence}"),
        // The mail server's words may name a recipient: the kind alone.
        Error::Mail(_) => "mail".to_string(),
        // SQLite's own message names tables, columns and constraints, never
        // the values; other rusqlite errors may carry a value, so only
        // their variant's name is kept.
        Error::Storage(rusqlite::Error::SqliteFailure(code, message)) => {
            format!("storage: {:?} ({}) {}", code.code, code.extended_code, message.as_deref().unwrap_or(""))
        }
        Error::Storage(other) => {
            let shown = format!("{other:?}");
            format!("storage: {}", shown.split(['(', '{', ' ']).next().unwrap_or_default())
        }
        // The kind and the OS's number: a message made from another error
        // (CSV, JSON) may quote a file's contents.
        Error::Io(io) => match io.raw_os_error() {
            Some(code) => format!("io: {} (os error {code})", io.kind()),
            None => format!("io: {}", io.kind()),
        },
    }
}
