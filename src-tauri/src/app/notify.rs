//! Desktop notifications behind one small trait, so the scheduler can be
//! tested with a recorder and the real notify-rust path against a real
//! notification server on a private D-Bus session bus.

use std::sync::{Arc, Mutex};

/// One notification: a title, a body, and the card to open when clicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub body: String,
    pub customer_id: Option<String>,
}

pub trait Notifier: Send + Sync {
    /// Shows the message. An error means the desktop could not show it
    /// (no notification server, no session bus); callers log it and go on.
    fn notify(&self, message: &Message) -> Result<(), String>;
}

/// What to do when the person clicks a notification (open that card).
pub type OnClick = Arc<dyn Fn(&str) + Send + Sync>;

/// The real notifier: notify-rust over D-Bus on Linux.
pub struct Desktop {
    pub on_click: Option<OnClick>,
}

impl Notifier for Desktop {
    fn notify(&self, message: &Message) -> Result<(), String> {
        let mut notification = notify_rust::Notification::new();
        notification.appname("Regulars").summary(&message.title).body(&message.body);
        #[cfg(all(unix, not(target_os = "macos")))]
        if message.customer_id.is_some() && self.on_click.is_some() {
            notification.action("default", "Open card");
        }
        let handle = notification.show().map_err(|e| e.to_string())?;
        #[cfg(all(unix, not(target_os = "macos")))]
        if let (Some(customer_id), Some(on_click)) = (message.customer_id.clone(), self.on_click.clone()) {
            // Waiting for the click blocks, so it gets its own thread; the
            // thread ends when the notification is clicked or closed.
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" {
                        on_click(&customer_id);
                    }
                });
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = handle;
        Ok(())
    }
}

/// Keeps every message, for tests of the scheduler.
#[derive(Default, Clone)]
pub struct Recorder {
    pub sent: Arc<Mutex<Vec<Message>>>,
}

impl Notifier for Recorder {
    fn notify(&self, message: &Message) -> Result<(), String> {
        self.sent.lock().map_err(|e| e.to_string())?.push(message.clone());
        Ok(())
    }
}
