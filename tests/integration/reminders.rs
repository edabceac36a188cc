//! Reminders and the scheduler on a real SQLite file, with the time and the
//! time zone passed in: rules on fixed dates, exactly-once firing across
//! restarts and snoozes, the "while you were away" summary, and what happens
//! without a notification server.

use crate::util;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use regulars::app::notify::{Message, Notifier, Recorder};
use regulars::app::scheduler;
use regulars::features;
use regulars::features::desk;
use regulars::features::desk::LogInput;
use regulars::features::desk::PastVisit;
use regulars::features::reminder_sources;
use regulars::kernel::labels::Labelled;
use regulars::kernel::time;
use regulars::records::interactions::{self as visits};
use regulars::records::memberships::MembershipInput;
use regulars::records::reminders::{self, Rules, Snooze, Source};
use util::{customer, InputExt, Shop};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("a valid time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// Logs a call with a next step due `due` ("YYYY-MM-DD" or with "THH:MM").
fn next_step(shop: &mut Shop, customer_id: &str, title: &str, due: &str, now: DateTime<Utc>) {
    let input = LogInput {
        kind: "call".into(),
        summary: "Talked".into(),
        next_step: title.into(),
        next_step_due: due.into(),
        ..Default::default()
    };
    desk::log(shop.conn_mut(), customer_id, &input, now, now.date_naive()).expect("log a call with a next step");
}

fn sent(recorder: &Recorder) -> Vec<Message> {
    recorder.sent.lock().expect("recorder").clone()
}

#[test]
fn a_next_step_fires_once_on_time_across_restarts_and_snoozes() {
    let mut shop = Shop::new();
    let zoe = shop.create(customer("Zoë", "Müller"));
    let now = utc(2027, 5, 12, 12, 0);
    next_step(&mut shop, &zoe.id, "Call about the PT package", "2027-05-13", now);
    let recorder = Recorder::default();

    // Before it is due: stored, not fired; the scheduler knows when to wake.
    let outcome = scheduler::pass(&mut shop.store, &recorder, "live", now, &Berlin).expect("pass");
    assert_eq!(outcome.added, 1);
    assert!(outcome.fired.is_empty());
    // 09:00 in Berlin in May (summer time) is 07:00 UTC.
    assert_eq!(outcome.next_due, Some(utc(2027, 5, 13, 7, 0)));

    let due = utc(2027, 5, 13, 7, 0) + Duration::seconds(1);
    let outcome = scheduler::pass(&mut shop.store, &recorder, "live", due, &Berlin).expect("pass");
    assert_eq!(outcome.fired.len(), 1);
    assert_eq!(
        sent(&recorder),
        vec![Message {
            title: "Zoë Müller: Next step: Call about the PT package".into(),
            body: String::new(),
            customer_id: Some(zoe.id.clone())
        }]
    );

    // A restart, and another pass: nothing fires twice.
    let mut shop = shop.reopen();
    let outcome =
        scheduler::pass(&mut shop.store, &recorder, "away:restart", due + Duration::minutes(5), &Berlin).expect("pass");
    assert!(outcome.fired.is_empty(), "fired again after a restart: {:?}", outcome.fired);
    assert_eq!(sent(&recorder).len(), 1);

    // Snoozed for an hour, it fires once more when the hour is up, and only once.
    let today = reminders::today(shop.conn(), due, &Berlin, None).expect("today");
    let id = today.today.first().map(|r| r.id.clone()).expect("the reminder is listed today");
    let rules = Rules::default();
    let until = reminders::snooze(shop.conn(), &id, Snooze::OneHour, due, &Berlin, &rules).expect("snooze");
    assert_eq!(until, due + Duration::hours(1));
    let early =
        scheduler::pass(&mut shop.store, &recorder, "live", until - Duration::seconds(1), &Berlin).expect("pass");
    assert!(early.fired.is_empty());
    assert_eq!(early.next_due, Some(until));
    let on_time = scheduler::pass(&mut shop.store, &recorder, "live", until, &Berlin).expect("pass");
    assert_eq!(on_time.fired.len(), 1);
    let after =
        scheduler::pass(&mut shop.store, &recorder, "live", until + Duration::minutes(1), &Berlin).expect("pass");
    assert!(after.fired.is_empty());
    assert_eq!(sent(&recorder).len(), 2);

    // Done closes the next step too, and the reminder leaves the list.
    reminder_sources::close(shop.conn_mut(), &id, false, until).expect("done");
    let activity = visits::activity(shop.conn(), &zoe.id, date(2027, 5, 13)).expect("activity");
    assert!(activity.open_tasks.is_empty(), "the next step is done: {:?}", activity.open_tasks);
    let today = reminders::today(shop.conn(), until, &Berlin, None).expect("today");
    assert!(today.today.is_empty() && today.overdue.is_empty());
}

#[test]
fn syncing_again_never_duplicates() {
    let mut shop = Shop::new();
    let zoe = shop.create(customer("Zoë", "Müller").birthday("14", "5", ""));
    let now = utc(2027, 5, 13, 12, 0);
    next_step(&mut shop, &zoe.id, "Send the schedule", "2027-05-13", now);
    let rules = Rules::default();
    let first = reminder_sources::sync(shop.conn_mut(), now, &Utc, &rules).expect("sync");
    assert_eq!(first, 2, "the next step and tomorrow's birthday");
    for _ in 0..3 {
        assert_eq!(reminder_sources::sync(shop.conn_mut(), now, &Utc, &rules).expect("sync"), 0);
    }
    assert_eq!(shop.count("reminders"), 2);
}

#[test]
fn what_fell_due_while_closed_is_one_summary_and_listed_once() {
    let mut shop = Shop::new();
    let monday = utc(2027, 5, 10, 12, 0);
    for name in ["Ada", "Ben", "Cleo", "Dara", "Elif"] {
        let card = shop.create(customer(name, "Lee"));
        next_step(&mut shop, &card.id, "Check in", "2027-05-11", monday);
    }
    // The laptop was closed until Thursday.
    let thursday = utc(2027, 5, 13, 8, 0);
    let recorder = Recorder::default();
    let outcome = scheduler::pass(&mut shop.store, &recorder, "away:thursday", thursday, &Utc).expect("pass");
    assert_eq!(outcome.fired.len(), 5);
    let messages = sent(&recorder);
    assert_eq!(messages.len(), 1, "one summary, not one per reminder: {messages:?}");
    assert_eq!(messages[0].title, "While you were away: 5 reminders");
    assert!(messages[0].body.contains("Ada Lee: Next step: Check in"), "{}", messages[0].body);
    assert!(messages[0].body.ends_with("and 2 more"), "{}", messages[0].body);

    let today = reminders::today(shop.conn(), thursday, &Utc, Some("away:thursday")).expect("today");
    assert_eq!(today.away.len(), 5);
    assert!(today.overdue.is_empty());

    // The next start announces nothing new; the reminders are now just overdue.
    let mut shop = shop.reopen();
    let later = thursday + Duration::hours(2);
    let outcome = scheduler::pass(&mut shop.store, &recorder, "away:later", later, &Utc).expect("pass");
    assert!(outcome.fired.is_empty());
    assert_eq!(sent(&recorder).len(), 1);
    let today = reminders::today(shop.conn(), later, &Utc, Some("away:later")).expect("today");
    assert!(today.away.is_empty());
    assert_eq!(today.overdue.len(), 5);
}

#[test]
fn several_at_once_become_one_summary_while_running() {
    let messages = scheduler::messages(&[], false);
    assert!(messages.is_empty());
    let reminder = |name: &str| reminders::Reminder {
        id: name.into(),
        customer_id: name.into(),
        customer_name: name.into(),
        source: "birthday".into(),
        label: "Birthday".into(),
        title: "Birthday today".into(),
        detail: String::new(),
        due_at: String::new(),
        snoozed: false,
    };
    let three: Vec<_> = ["A", "B", "C"].iter().map(|n| reminder(n)).collect();
    assert_eq!(scheduler::messages(&three, false).len(), 3);
    let four: Vec<_> = ["A", "B", "C", "D"].iter().map(|n| reminder(n)).collect();
    let summary = scheduler::messages(&four, false);
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].title, "4 reminders are due");
}

struct Broken;

impl Notifier for Broken {
    fn notify(&self, _message: &Message) -> Result<(), String> {
        Err("org.freedesktop.DBus.Error.ServiceUnknown: no notification server".into())
    }
}

#[test]
fn without_a_notification_server_reminders_still_show_in_the_app() {
    let mut shop = Shop::new();
    let zoe = shop.create(customer("Zoë", "Müller"));
    let now = utc(2027, 5, 13, 6, 0);
    next_step(&mut shop, &zoe.id, "Call back", "2027-05-13T06:30", now);
    let due = utc(2027, 5, 13, 6, 31);
    let outcome =
        scheduler::pass(&mut shop.store, &Broken, "live", due, &Utc).expect("a failing desktop is not an error");
    assert_eq!(outcome.fired.len(), 1);
    let today = reminders::today(shop.conn(), due, &Utc, None).expect("today");
    assert_eq!(today.today.len(), 1);
    assert_eq!(today.today[0].title, "Next step: Call back");
}

#[test]
fn leap_day_birthdays_are_remembered_every_year() {
    let mut shop = Shop::new();
    let leap = shop.create(customer("Leo", "Leap").birthday("29", "2", ""));
    let rules = Rules::default();
    let count_for = |shop: &Shop, year: i32| -> i64 {
        shop.conn()
            .query_row(
                "SELECT count(*) FROM reminders WHERE customer_id = ?1 AND dedup_key = ?2",
                rusqlite::params![leap.id, format!("birthday:{}:{year}", leap.id)],
                |row| row.get(0),
            )
            .expect("count")
    };
    // 2027 has no 29 February: the reminder comes on the 28th at 09:00.
    reminder_sources::sync(shop.conn_mut(), utc(2027, 2, 26, 12, 0), &Utc, &rules).expect("sync");
    assert_eq!(count_for(&shop, 2027), 0, "not two days early");
    reminder_sources::sync(shop.conn_mut(), utc(2027, 2, 27, 12, 0), &Utc, &rules).expect("sync");
    assert_eq!(count_for(&shop, 2027), 1);
    let recorder = Recorder::default();
    let outcome = scheduler::pass(&mut shop.store, &recorder, "live", utc(2027, 2, 28, 9, 0), &Utc).expect("pass");
    assert_eq!(outcome.fired.len(), 1);
    assert_eq!(outcome.fired[0].title, "Leo's birthday today");
    // 2028 has one: not on the 28th, on the 29th.
    reminder_sources::sync(shop.conn_mut(), utc(2028, 2, 27, 12, 0), &Utc, &rules).expect("sync");
    assert_eq!(count_for(&shop, 2028), 0);
    reminder_sources::sync(shop.conn_mut(), utc(2028, 2, 28, 12, 0), &Utc, &rules).expect("sync");
    let due: String = shop
        .conn()
        .query_row("SELECT due_at FROM reminders WHERE dedup_key = ?1", [format!("birthday:{}:2028", leap.id)], |row| {
            row.get(0)
        })
        .expect("the 2028 reminder");
    assert_eq!(due, "2028-02-29T09:00:00.000Z");
}

#[test]
fn birthdays_ahead_and_missed_while_closed() {
    let mut shop = Shop::new();
    shop.create(customer("Mia", "Stone").birthday("20", "6", "1990"));
    let rules = Rules { birthday_days_ahead: 3, ..Rules::default() };
    // Opened on 10 June, then closed until 25 June: the reminder that was due
    // on 17 June (3 days ahead of the 20th) is caught up.
    reminder_sources::sync(shop.conn_mut(), utc(2027, 6, 10, 12, 0), &Utc, &rules).expect("sync");
    assert_eq!(shop.count("reminders"), 0);
    reminder_sources::sync(shop.conn_mut(), utc(2027, 6, 25, 12, 0), &Utc, &rules).expect("sync");
    let (title, detail, due): (String, String, String) = shop
        .conn()
        .query_row("SELECT title, detail, due_at FROM reminders", [], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("one birthday reminder");
    assert_eq!(title, "Mia's birthday on 20 June");
    assert_eq!(detail, "Turns 37");
    assert_eq!(due, "2027-06-17T09:00:00.000Z");
}

#[test]
fn renewals_are_remembered_ahead_across_month_ends() {
    let mut shop = Shop::new();
    let zoe = shop.create(customer("Zoë", "Müller"));
    let now = utc(2027, 2, 20, 12, 0);
    let input = MembershipInput {
        plan_name: "Unlimited".into(),
        price: "49.90".into(),
        term: "month".into(),
        renews_on: "2027-03-01".into(),
    };
    features::memberships::set(shop.conn_mut(), &zoe.id, &input, now).expect("membership");
    let rules = Rules::default(); // 7 days ahead at 09:00
    reminder_sources::sync(shop.conn_mut(), now, &Utc, &rules).expect("sync");
    assert_eq!(shop.count("reminders"), 0, "8 days ahead is too early");
    let recorder = Recorder::default();
    let outcome = scheduler::pass(&mut shop.store, &recorder, "live", utc(2027, 2, 21, 12, 0), &Utc).expect("pass");
    assert_eq!(outcome.next_due, Some(utc(2027, 2, 22, 9, 0)));
    let outcome = scheduler::pass(&mut shop.store, &recorder, "live", utc(2027, 2, 22, 9, 0), &Utc).expect("pass");
    assert_eq!(outcome.fired.len(), 1);
    assert_eq!(outcome.fired[0].title, "Renewal on 1 March: Unlimited");
    assert_eq!(outcome.fired[0].detail, "49.90 EUR per month");

    // Renewed: the date moves on a month and the answered reminder closes.
    let renewed = features::memberships::renew(shop.conn_mut(), &zoe.id, utc(2027, 2, 23, 10, 0)).expect("renew");
    assert_eq!(renewed.renews_on, "2027-04-01");
    let today = reminders::today(shop.conn(), utc(2027, 2, 23, 10, 0), &Utc, None).expect("today");
    assert!(today.overdue.is_empty(), "{:?}", today.overdue);
    reminder_sources::sync(shop.conn_mut(), utc(2027, 3, 24, 12, 0), &Utc, &rules).expect("sync");
    let next: String = shop
        .conn()
        .query_row("SELECT due_at FROM reminders WHERE done_at IS NULL", [], |row| row.get(0))
        .expect("next cycle's reminder");
    assert_eq!(next, "2027-03-25T09:00:00.000Z");
}

#[test]
fn due_hours_follow_daylight_saving_time() {
    // Berlin switches to summer time on 28 March 2027 at 02:00 (-> 03:00).
    assert_eq!(
        time::local_to_utc(&Berlin, date(2027, 3, 27), chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()),
        utc(2027, 3, 27, 8, 0)
    );
    assert_eq!(
        time::local_to_utc(&Berlin, date(2027, 3, 29), chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()),
        utc(2027, 3, 29, 7, 0)
    );
    // 02:30 does not exist that night: it moves an hour later, to 03:30 CEST.
    assert_eq!(
        time::local_to_utc(&Berlin, date(2027, 3, 28), chrono::NaiveTime::from_hms_opt(2, 30, 0).unwrap_or_default()),
        utc(2027, 3, 28, 1, 30)
    );
    // 02:30 happens twice on 31 October: the first one counts.
    assert_eq!(
        time::local_to_utc(&Berlin, date(2027, 10, 31), chrono::NaiveTime::from_hms_opt(2, 30, 0).unwrap_or_default()),
        utc(2027, 10, 31, 0, 30)
    );

    let mut shop = Shop::new();
    let zoe = shop.create(customer("Zoë", "Müller"));
    next_step(&mut shop, &zoe.id, "Night call", "2027-03-28T02:30", utc(2027, 3, 27, 12, 0));
    let outcome =
        scheduler::pass(&mut shop.store, &Recorder::default(), "live", utc(2027, 3, 27, 12, 0), &Berlin).expect("pass");
    assert_eq!(outcome.next_due, Some(utc(2027, 3, 28, 1, 30)));
}

fn past_visits(customer_id: &str, days_ago: &[i64], now: DateTime<Utc>) -> Vec<PastVisit> {
    days_ago
        .iter()
        .map(|d| PastVisit {
            customer_id: customer_id.into(),
            kind: "visit",
            summary: "Walk".into(),
            amount_cents: None,
            at: now - Duration::days(*d),
        })
        .collect()
}

#[test]
fn gone_quiet_follows_each_customers_own_rhythm() {
    let mut shop = Shop::new();
    let start = utc(2027, 5, 1, 10, 0);
    let weekly = shop.create(customer("Wes", "Weekly"));
    let monthly = shop.create(customer("Mo", "Monthly"));
    let newbie = shop.create(customer("Nina", "New"));
    // Wes: every 7 days, last 1 May. Mo: every 28 days. Nina: two visits only.
    desk::record_past(shop.conn_mut(), &past_visits(&weekly.id, &[0, 7, 14, 21, 28], start)).expect("visits");
    desk::record_past(shop.conn_mut(), &past_visits(&monthly.id, &[0, 28, 56, 84, 112], start)).expect("visits");
    desk::record_past(shop.conn_mut(), &past_visits(&newbie.id, &[0, 3], start)).expect("visits");
    let rules = Rules::default(); // 2x the usual gap, at least 4 visits, new: 30 days

    let quiet_names = |shop: &mut Shop, at: DateTime<Utc>| -> Vec<String> {
        reminder_sources::sync(shop.conn_mut(), at, &Utc, &rules).expect("sync");
        let today = reminders::today(shop.conn(), at, &Utc, None).expect("today");
        let mut names: Vec<String> = today
            .overdue
            .iter()
            .chain(&today.today)
            .filter(|r| r.source == "gone_quiet" && r.due_at <= time::timestamp(at))
            .map(|r| r.customer_name.clone())
            .collect();
        names.sort();
        names
    };
    assert!(quiet_names(&mut shop, start + Duration::days(13)).is_empty());
    assert_eq!(quiet_names(&mut shop, start + Duration::days(15)), vec!["Wes Weekly"]);
    let today = reminders::today(shop.conn(), start + Duration::days(15), &Utc, None).expect("today");
    let wes =
        today.overdue.iter().chain(&today.today).find(|r| r.customer_name == "Wes Weekly").expect("Wes is listed");
    assert_eq!(wes.detail, "No visit in 15 days, usually every 7");
    // Nina's short history uses the fixed threshold for new customers.
    assert_eq!(quiet_names(&mut shop, start + Duration::days(31)), vec!["Nina New", "Wes Weekly"]);
    assert_eq!(quiet_names(&mut shop, start + Duration::days(57)), vec!["Mo Monthly", "Nina New", "Wes Weekly"]);

    // Wes comes back: his reminder is answered and his rhythm starts again.
    let back = start + Duration::days(58);
    desk::check_in(shop.conn_mut(), &weekly.id, None, back, back.date_naive()).expect("check in");
    assert_eq!(quiet_names(&mut shop, back + Duration::hours(1)), vec!["Mo Monthly", "Nina New"]);
}

#[test]
fn a_birthday_typed_in_today_still_makes_its_reminder() {
    // The sync of 10:00 has looked at today's and tomorrow's birthdays;
    // the card gets its birthday (today) at 10:05. The edit asks the next
    // sync to look at those days again, so it reaches the reminders.
    let mut shop = Shop::new();
    let mia = shop.create(customer("Mia", "Later"));
    let rules = Rules::default();
    reminder_sources::sync(shop.conn_mut(), utc(2026, 6, 10, 10, 0), &Utc, &rules).expect("sync");
    let mut input = util::input_from(&mia);
    input.birthday_day = "10".into();
    input.birthday_month = "6".into();
    regulars::features::cards::update(shop.conn_mut(), &mia.id, &input, utc(2026, 6, 10, 10, 5))
        .expect("birthday added");
    reminder_sources::sync(shop.conn_mut(), utc(2026, 6, 10, 10, 6), &Utc, &rules).expect("sync again");
    let titles: Vec<String> = shop
        .conn()
        .prepare("SELECT title FROM reminders WHERE customer_id = ?1 AND source = 'birthday'")
        .expect("statement")
        .query_map([&mia.id], |row| row.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    assert_eq!(titles, vec!["Mia's birthday today".to_string()]);
}

#[test]
fn every_reminder_source_has_one_entry_and_the_today_list_says_its_name() {
    let entries: Vec<Source> = reminder_sources::SOURCES.iter().map(|s| s.source).collect();
    for source in Source::ALL {
        let times = entries.iter().filter(|s| *s == source).count();
        assert_eq!(times, 1, "{source:?} has {times} entries in SOURCES");
        assert!(!source.label().is_empty(), "{source:?} has no label");
    }

    let mut shop = Shop::new();
    let ada = shop.create(customer("Ada", "Steps"));
    let at = utc(2026, 6, 10, 8, 0);
    next_step(&mut shop, &ada.id, "Call back", "2026-06-10T09:00", at);
    reminder_sources::sync(shop.conn_mut(), at, &Utc, &Rules::default()).expect("sync");
    let today = reminder_sources::today(shop.conn(), utc(2026, 6, 10, 9, 30), &Utc, None).expect("today");
    let labels: Vec<(&str, &str)> =
        today.overdue.iter().chain(&today.today).map(|r| (r.source.as_str(), r.label.as_str())).collect();
    assert_eq!(labels, vec![("next_step", "Next step")]);
}

#[test]
fn the_card_view_names_the_customers_reminder_due_first_and_drops_it_once_done() {
    let mut shop = Shop::new();
    let ada = shop.create(customer("Ada", "Steps"));
    let bo = shop.create(customer("Bo", "Other"));
    let fresh = shop.create(customer("Cy", "New"));
    let at = utc(2026, 6, 10, 8, 0);
    next_step(&mut shop, &ada.id, "Send the price list", "2026-06-20", at);
    next_step(&mut shop, &ada.id, "Call back", "2026-06-12T09:00", at);
    next_step(&mut shop, &bo.id, "Bo's own call", "2026-06-11", at);
    // A next step becomes a reminder the day before it is due.
    let eve = utc(2026, 6, 11, 8, 0);
    reminder_sources::sync(shop.conn_mut(), eve, &Utc, &Rules::default()).expect("sync");

    let view = features::card_view::load(shop.conn(), &ada.id, eve, eve.date_naive(), &Utc).expect("card view");
    let next = view.next_reminder.expect("Ada has an open reminder");
    assert_eq!((next.label.as_str(), next.title.as_str()), ("Next step", "Next step: Call back"), "hers, not Bo's");

    reminders::close(shop.conn(), &next.id, false, utc(2026, 6, 12, 10, 0)).expect("done");
    let later = utc(2026, 6, 19, 8, 0);
    reminder_sources::sync(shop.conn_mut(), later, &Utc, &Rules::default()).expect("sync");
    let view = features::card_view::load(shop.conn(), &ada.id, later, later.date_naive(), &Utc).expect("card view");
    assert_eq!(
        view.next_reminder.map(|r| r.title),
        Some("Next step: Send the price list".to_string()),
        "the done one is gone"
    );
    assert!(features::card_view::load(shop.conn(), &fresh.id, at, at.date_naive(), &Utc)
        .expect("view")
        .next_reminder
        .is_none());
}

#[test]
fn keeping_running_in_the_tray_is_on_unless_the_owner_turns_it_off() {
    let mut shop = Shop::new();
    assert!(reminders::load_rules(shop.conn()).expect("rules").keep_running_in_tray, "on in a new shop");
    // Rules saved by a version without the setting read as on.
    let older = r#"{"due_hour":8,"renewal_days_ahead":7,"birthday_days_ahead":0,"quiet_multiplier":2.0,"quiet_min_visits":4,"quiet_min_days":7,"quiet_new_customer_days":30}"#;
    regulars::db::settings::put_raw(shop.conn(), reminders::RULES_KEY, Some(older), utc(2027, 1, 4, 9, 0))
        .expect("store older rules");
    let read = reminders::load_rules(shop.conn()).expect("rules");
    assert_eq!(read.due_hour, 8, "the older row is the one read");
    assert!(read.keep_running_in_tray, "on for rules saved before the setting existed");
    let off = Rules { keep_running_in_tray: false, ..read };
    reminder_sources::save_rules(shop.conn_mut(), &off, utc(2027, 1, 4, 9, 5)).expect("save");
    assert!(!reminders::load_rules(shop.conn()).expect("rules").keep_running_in_tray, "off once turned off");
}
