//! A rotating log file in the data folder (`logs/regulars.YYYY-MM-DD.log`,
//! the last 14 days kept), so a shop can send it when something goes wrong.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

/// Starts logging; keep the guard alive for the life of the process so the
/// last lines are flushed. Logging that cannot start must not stop the app.
pub fn init(data_dir: &Path) -> Option<WorkerGuard> {
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("regulars")
        .filename_suffix("log")
        .max_log_files(14)
        .build(data_dir.join("logs"));
    let appender = match appender {
        Ok(appender) => appender,
        Err(error) => {
            eprintln!("regulars: cannot write logs in {}: {error}", data_dir.display());
            return None;
        }
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("REGULARS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    if installed.is_err() {
        return None;
    }
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        default_hook(info);
    }));
    Some(guard)
}
