//! The real notification path: notify-rust talking to a real notification
//! server (dunst) on a private D-Bus session bus, read back from the bus
//! with dbus-monitor. One test, because the bus address is process-wide;
//! no other test in this binary talks to D-Bus.

use crate::desktop;
use crate::util;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use desktop::{Desktop, Server};
use regulars::app::notify::{self, Message, Notifier};
use regulars::app::scheduler;
use regulars::features::desk;
use regulars::features::desk::LogInput;
use util::{customer, Shop};

#[test]
fn notifications_reach_a_real_notification_server() {
    // No session bus at all: an error to log, never a panic.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/regulars-test-bus");
    let desktop_notifier = notify::Desktop { on_click: None };
    let message = Message { title: "Nobody listens".into(), body: "…".into(), customer_id: None };
    assert!(desktop_notifier.notify(&message).is_err(), "showing without a bus must report an error");

    let desktop = Desktop::start(Server::Dunst);
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &desktop.bus_address);
    std::env::set_var("DISPLAY", &desktop.display);

    // A message with accents and an emoji arrives as sent.
    let message =
        Message { title: "Zoë Müller: Birthday today 🎂".into(), body: "Turns 30".into(), customer_id: None };
    desktop_notifier.notify(&message).expect("dunst accepts the notification");
    let (summary, body) = desktop.wait_for_notification(Duration::from_secs(10), |s, _| s.starts_with("Zoë"));
    assert_eq!(summary, "Zoë Müller: Birthday today 🎂");
    assert_eq!(body, "Turns 30");

    // The scheduler's own pass, with the real notifier, on a real shop.
    let mut shop = Shop::new();
    let zoe = shop.create(customer("Søren", "Ødegård"));
    let now = Utc.with_ymd_and_hms(2027, 5, 13, 8, 0, 0).single().expect("time");
    let input = LogInput {
        kind: "call".into(),
        summary: "Asked about the group walks".into(),
        next_step: "Send the schedule".into(),
        next_step_due: "2027-05-13T08:30".into(),
        ..Default::default()
    };
    desk::log(shop.conn_mut(), &zoe.id, &input, now, now.date_naive()).expect("log");
    let due = Utc.with_ymd_and_hms(2027, 5, 13, 8, 30, 0).single().expect("time");
    let clicked = notify::Desktop { on_click: Some(std::sync::Arc::new(|_: &str| {})) };
    let outcome = scheduler::pass(&mut shop.store, &clicked, "live", due, &Utc).expect("pass");
    assert_eq!(outcome.fired.len(), 1);
    let (summary, body) =
        desktop.wait_for_notification(Duration::from_secs(10), |s, _| s.contains("Send the schedule"));
    assert_eq!(summary, "Søren Ødegård: Next step: Send the schedule");
    assert_eq!(body, "");
    // Fired once: another pass sends nothing more.
    let again =
        scheduler::pass(&mut shop.store, &clicked, "live", due + chrono::Duration::minutes(1), &Utc).expect("pass");
    assert!(again.fired.is_empty());
    std::thread::sleep(Duration::from_millis(500));
    let sent = desktop.notifications().into_iter().filter(|(s, _)| s.contains("Send the schedule")).count();
    assert_eq!(sent, 1, "the reminder was notified exactly once");
}
