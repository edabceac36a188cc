//! The integration tests: one binary, one module per area, in the manner of
//! ripgrep's `tests/integration/`. Every test uses the library on a real
//! SQLite file in a temp folder (see `util`).

// The private desktop (Xvfb, D-Bus, dunst) the notify tests need; the
// end-to-end binary shares it.
#[path = "../desktop/mod.rs"]
mod desktop;
// A real nats-server (one, or a cluster of three) for the shared shop's
// tests; the end-to-end binary and the benchmarks can share it too.
#[path = "../nats/mod.rs"]
mod nats;
// A real SMTP server (aiosmtpd, STARTTLS, a password) for group messages.
#[path = "../smtp/mod.rs"]
mod smtp;
mod util;

mod architecture;
mod boundary;
mod calendar;
mod cards;
mod chosen_files;
mod data;
mod encryption;
mod group_mail;
mod health;
mod layouts;
mod loyalty;
mod notify;
mod outreach;
mod owner;
mod passes;
mod pets;
mod photos;
mod plans;
mod preferred_name;
mod privacy;
mod reminders;
mod robustness;
mod search;
mod sharing;
mod sharing_nats;
mod storage;
mod sync_link;
mod trust;
mod updater;
mod vcard;
