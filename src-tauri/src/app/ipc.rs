//! How the page's calls reach the commands. Tauri runs an `async`
//! command as a task and a panic in it never answers the page: the window
//! waits for ever. So the commands are plain functions and `guarded` runs
//! each call on a blocking thread of its own inside `catch_unwind`: a
//! panic becomes `Error::Panicked` ("Something went wrong; nothing was
//! changed."), logged with the command's name only (its arguments can hold
//! a customer's words).
//!
//! It is also where desk mode is enforced: an owner-only command asked
//! for in desk mode is answered `Error::OwnerOnly` without running.
//!
//! "Nothing was changed" holds for the data: a change runs in a
//! transaction (`db::store::write`), which rolls back as the panic unwinds
//! through it; `AppState` takes a lock poisoned by a panic again and drops
//! a read connection a panic left behind, so the next call works.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use tauri::ipc::Invoke;
use tauri::{Manager, Runtime};

use crate::app::owner;
use crate::app::state::AppState;
use crate::kernel::error::Error;

/// Wraps the handler `tauri::generate_handler!` makes.
pub fn guarded<R: Runtime>(
    handler: impl Fn(Invoke<R>) -> bool + Send + Sync + 'static,
) -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    let handler = Arc::new(handler);
    move |invoke: Invoke<R>| {
        let handler = Arc::clone(&handler);
        // The answer goes through this clone when the call cannot answer.
        let resolver = invoke.resolver.clone();
        let command = invoke.message.command().to_string();
        tauri::async_runtime::spawn_blocking(move || {
            // Owner-only work in desk mode is refused here, before the
            // command runs, whatever the page sent (see `app::owner`).
            let webview = invoke.message.webview();
            if owner::OWNER_ONLY.contains(&command.as_str()) {
                let allowed = webview.try_state::<AppState>().map(|state| owner::in_owner_mode(&state));
                match allowed {
                    Some(Ok(true)) | None => {}
                    Some(Ok(false)) => {
                        tracing::info!(command = %command, "refused in desk mode");
                        resolver.reject(Error::OwnerOnly);
                        return;
                    }
                    Some(Err(error)) => {
                        resolver.reject(error);
                        return;
                    }
                }
            }
            // No call is use by itself: only `owner_activity`, which the
            // page sends for a key or a click, keeps owner mode open.
            // Unwind safety: see the module comment (transactions, relocked mutexes).
            match catch_unwind(AssertUnwindSafe(|| handler(invoke))) {
                Ok(true) => {}
                // As Tauri answers a name that is no command.
                Ok(false) => resolver.reject(format!("Command {command} not found")),
                Err(_) => {
                    tracing::error!(command = %command, "a command panicked; the page was told nothing was changed");
                    resolver.reject(Error::Panicked);
                }
            }
        });
        true
    }
}
