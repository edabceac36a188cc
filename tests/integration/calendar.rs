//! The calendar file of birthdays and renewals: what it holds, that it is
//! rewritten only when its text changes, and that the scheduler's keeper
//! brings it up to date after a change made on another connection.

use crate::util;

use chrono::Duration;
use regulars::db::store::Store;
use regulars::features;
use regulars::io::calendar::{self, CalendarFile, Keeper, KEEP_EVERY};
use regulars::records::customers;
use regulars::records::memberships::MembershipInput;
use util::*;

fn birthday(
    input: regulars::records::customers::CustomerInput,
    day: u32,
    month: u32,
    year: Option<i32>,
) -> regulars::records::customers::CustomerInput {
    regulars::records::customers::CustomerInput {
        birthday_day: day.to_string(),
        birthday_month: month.to_string(),
        birthday_year: year.map(|y| y.to_string()).unwrap_or_default(),
        ..input
    }
}

/// The unfolded lines of a calendar file.
fn lines(text: &str) -> Vec<String> {
    text.replace("\r\n ", "").split("\r\n").filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[test]
fn birthdays_and_renewals_as_events() {
    let mut shop = Shop::new();
    let zoe = shop.create(birthday(customer("Zoë", "Müller, Jr."), 14, 3, Some(1988)));
    shop.create(birthday(customer("Seán", "O'Brien"), 29, 2, None));
    let gone = shop.create(birthday(customer("Old", "Customer"), 1, 1, None));
    customers::set_archived(shop.conn_mut(), &gone.id, true, now()).unwrap();
    shop.create(customer("No", "Birthday"));
    let input = MembershipInput {
        plan_name: "Unlimited".into(),
        price: "49.90".into(),
        term: "month".into(),
        renews_on: "2027-03-01".into(),
    };
    let membership = features::memberships::set(shop.conn_mut(), &zoe.id, &input, now()).unwrap();

    let (text, events) = calendar::calendar_text(shop.conn()).unwrap();
    assert_eq!(events, 3, "two birthdays (not the archived card's) and one renewal");
    assert!(text.split("\r\n").all(|l| l.len() <= 75));
    let lines = lines(&text);
    let at = |line: &str| lines.iter().position(|l| l == line).unwrap_or_else(|| panic!("no {line:?} in {lines:#?}"));
    let zoe_at = at(&format!("UID:birthday-{}@regulars", zoe.id));
    assert_eq!(lines[zoe_at + 2], "DTSTART;VALUE=DATE:19880314");
    assert_eq!(lines[zoe_at + 3], "RRULE:FREQ=YEARLY");
    assert!(lines.contains(&"SUMMARY:Birthday: Zoë Müller\\, Jr.".to_string()), "the comma is escaped");
    let sean_at = at("SUMMARY:Birthday: Seán O'Brien");
    assert_eq!(
        lines[sean_at - 1],
        "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1",
        "29 February on the last day of February"
    );
    assert_eq!(lines[sean_at - 2], "DTSTART;VALUE=DATE:20000229");
    let renewal_at = at(&format!("UID:renewal-{}@regulars", membership.id));
    assert_eq!(lines[renewal_at + 2], "DTSTART;VALUE=DATE:20270301");
    assert_eq!(lines[renewal_at + 3], "SUMMARY:Renewal: Zoë Müller\\, Jr. (Unlimited)");
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 3);

    // Written once; the same text is not written again.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regulars-calendar.ics");
    assert_eq!(calendar::write_calendar(shop.conn(), &path).unwrap(), (3, true));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert_eq!(calendar::write_calendar(shop.conn(), &path).unwrap(), (3, false));
}

/// The scheduler's keeper, on a connection of its own as in the app: it
/// writes after a change made by the desk's connection, at most once per
/// `KEEP_EVERY`, and stops when the owner stops it.
#[test]
fn the_keeper_brings_the_file_up_to_date_after_a_change() {
    let mut shop = Shop::new();
    shop.create(birthday(customer("Zoë", "Müller"), 14, 3, Some(1988)));
    let scheduler = Store::open_in(&shop.data_dir()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.ics");
    let mut keeper = Keeper::default();
    let t0 = now();
    assert_eq!(keeper.look(scheduler.conn(), t0, &|_| Ok(())).unwrap(), None, "no calendar file chosen");
    assert!(!path.exists());

    calendar::save_setting(shop.conn(), Some(&CalendarFile { path: path.clone() }), t0).unwrap();
    assert_eq!(keeper.look(scheduler.conn(), t0, &|_| Ok(())).unwrap(), Some(true));
    assert!(std::fs::read_to_string(&path).unwrap().contains("Zoë Müller"));

    shop.create(birthday(customer("Seán", "O'Brien"), 21, 5, None));
    assert_eq!(
        keeper.look(scheduler.conn(), t0 + Duration::seconds(10), &|_| Ok(())).unwrap(),
        None,
        "not twice within a minute"
    );
    assert!(!std::fs::read_to_string(&path).unwrap().contains("Seán"));
    assert_eq!(keeper.look(scheduler.conn(), t0 + KEEP_EVERY, &|_| Ok(())).unwrap(), Some(true));
    assert!(std::fs::read_to_string(&path).unwrap().contains("Seán O'Brien"));
    assert_eq!(keeper.look(scheduler.conn(), t0 + KEEP_EVERY * 3, &|_| Ok(())).unwrap(), None, "nothing changed since");

    // A change that leaves the events as they were is looked at, not written.
    shop.create(customer("No", "Birthday"));
    assert_eq!(keeper.look(scheduler.conn(), t0 + KEEP_EVERY * 4, &|_| Ok(())).unwrap(), Some(false));

    calendar::save_setting(shop.conn(), None, t0).unwrap();
    shop.create(birthday(customer("Renée", "Fabre"), 2, 12, None));
    assert_eq!(keeper.look(scheduler.conn(), t0 + KEEP_EVERY * 6, &|_| Ok(())).unwrap(), None, "stopped");
    assert!(!std::fs::read_to_string(&path).unwrap().contains("Renée"));
    assert_eq!(calendar::load_setting(shop.conn()).unwrap(), None);
}
