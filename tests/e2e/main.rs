//! The end-to-end tests: the real app window, driven through tauri-driver
//! and WebKitWebDriver under a private Xvfb display and D-Bus session bus.
//! One binary, one module per feature area (ipc: what a script in the page
//! can make Rust do). The tests run one at a time:
//! `window::Harness::start` waits for the previous test's harness to be
//! dropped (see there).
//!
//! Needs: Xvfb, WebKitWebDriver (webkit2gtk-driver), dbus-daemon, dunst,
//! python3-dbusmock, ImageMagick, poppler-utils and tauri-driver;
//! `make test` installs them.

#[path = "../desktop/mod.rs"]
mod desktop;
#[path = "../nats/mod.rs"]
mod nats;
#[path = "../smtp/mod.rs"]
mod smtp;
mod window;

mod card_changes;
mod desk;
mod encryption;
mod health;
mod import;
mod ipc;
mod news;
mod outreach;
mod owner;
mod passes;
mod photos;
mod plans;
mod sharing;
mod story;
mod tray;
mod updates;
