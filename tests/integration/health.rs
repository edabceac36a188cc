//! Relationship health, feedback, complaints and the dashboard's figures,
//! on real SQLite files with the time passed in: health rules on fixed dates
//! with their reasons word for word, NPS and CSAT arithmetic, retention on a
//! small hand-built shop, the complaint lifecycle, and the maintained
//! figures always equal to a recount.

use crate::util;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use proptest::prelude::*;
use regulars::db::settings::{self, BusinessKind, Settings, StaffMember};
use regulars::derived::health::{self, Colour, Health};
use regulars::features;
use regulars::features::cards;
use regulars::features::dashboard;
use regulars::features::desk;
use regulars::features::desk::LogInput;
use regulars::features::reminder_sources;
use regulars::records::complaints::{self, OpenInput, UpdateInput};
use regulars::records::feedback::{self, FeedbackInput};
use regulars::records::loyalty;
use regulars::records::memberships::MembershipInput;
use regulars::records::reminders::Rules;
use regulars::Error;
use util::{assert_invalid, assert_unchanged, customer, dump_of, Shop};

const HEALTH_TABLES: &[&str] = &[
    "customers",
    "interactions",
    "tasks",
    "feedback",
    "complaints",
    "complaint_updates",
    "activity_months",
    "month_stats",
    "points_ledger",
];

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().expect("a valid time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// A gym with two staff members.
fn gym() -> Shop {
    let mut shop = Shop::new();
    let settings = Settings {
        shop_name: "Corner Gym".into(),
        business_kind: BusinessKind::Gym,
        staff: vec![StaffMember { id: None, name: "Ana".into() }, StaffMember { id: None, name: "Ben".into() }],
        setup_done: true,
        ..Settings::default()
    };
    settings::save(shop.conn_mut(), &settings, utc(2026, 1, 1, 8)).expect("save settings");
    shop
}

fn staff_id(shop: &Shop, name: &str) -> String {
    settings::load(shop.conn())
        .expect("settings")
        .staff
        .into_iter()
        .find(|s| s.name == name)
        .and_then(|s| s.id)
        .expect("staff member")
}

fn add(shop: &mut Shop, first: &str, at: DateTime<Utc>) -> String {
    cards::create(shop.conn_mut(), &customer(first, "Regular"), at).expect("create customer").id
}

fn log(shop: &mut Shop, id: &str, kind: &str, amount: &str, late: bool, at: DateTime<Utc>) -> String {
    let input = LogInput {
        kind: kind.into(),
        summary: "Test".into(),
        amount: amount.into(),
        paid_late: late,
        ..Default::default()
    };
    desk::log(shop.conn_mut(), id, &input, at, at.date_naive()).expect("log").interaction_id
}

fn health_at(shop: &Shop, id: &str, now: DateTime<Utc>) -> Health {
    let live = health::assess(shop.conn(), id, now, &Berlin).expect("assess");
    // The stored form the dashboard counts with must always agree.
    let stored = health::stored_colour(shop.conn(), id, now).expect("stored health");
    assert_eq!(stored, live.colour, "stored and live health disagree at {now} for {id}: {live:?}");
    live
}

fn reasons(health: &Health) -> Vec<String> {
    health.reasons.iter().map(|r| r.text.clone()).collect()
}

fn feedback(shop: &mut Shop, id: &str, kind: &str, score: i64, at: DateTime<Utc>) -> feedback::Recorded {
    let input = FeedbackInput { kind: kind.into(), score: score.to_string(), ..Default::default() };
    features::feedback::record(shop.conn_mut(), id, &input, at, at.date_naive()).expect("record feedback")
}

fn open_complaint(shop: &mut Shop, id: &str, at: DateTime<Utc>, checkpoint: &str) -> complaints::Complaint {
    let input = OpenInput {
        summary: "Locker 12 was broken twice".into(),
        owner_id: staff_id(shop, "Ana"),
        checkpoint_date: checkpoint.into(),
        checkpoint_time: "10:00".into(),
        staff_id: None,
    };
    features::complaints::open(shop.conn_mut(), id, &input, at, &Berlin).expect("open complaint")
}

// ------------------------------------------------------------ health rules

#[test]
fn rhythm_turns_yellow_then_red_with_the_reason_in_words() {
    let mut shop = gym();
    let zoe = add(&mut shop, "Zoë", utc(2026, 1, 1, 9));
    for day in [5, 12, 19, 26] {
        log(&mut shop, &zoe, "visit", "", false, utc(2026, 1, day, 10));
    }
    let green = health_at(&shop, &zoe, utc(2026, 2, 2, 10));
    assert_eq!(green.colour, Colour::Green);
    assert!(green.reasons.is_empty() && green.action.is_none(), "{green:?}");

    // Usually every 7 days: yellow after 10.5 days, red after 21.
    assert_eq!(health_at(&shop, &zoe, utc(2026, 2, 5, 21)).colour, Colour::Green);
    let yellow = health_at(&shop, &zoe, utc(2026, 2, 6, 12));
    assert_eq!(
        (yellow.colour, reasons(&yellow)),
        (Colour::Yellow, vec!["No visit in 11 days, usually every 7".to_string()])
    );
    assert_eq!(health_at(&shop, &zoe, utc(2026, 2, 16, 9)).colour, Colour::Yellow);
    let red = health_at(&shop, &zoe, utc(2026, 3, 1, 10));
    assert_eq!((red.colour, reasons(&red)), (Colour::Red, vec!["No visit in 34 days, usually every 7".to_string()]));
    assert_eq!(red.action.as_deref(), Some("Send a \u{201c}we miss you\u{201d} message"));

    // Long after, contact is overdue too, but the rhythm already says why.
    let later = health_at(&shop, &zoe, utc(2026, 4, 1, 10));
    assert_eq!(reasons(&later), vec!["No visit in 65 days, usually every 7".to_string()]);

    // Coming back makes them green again.
    log(&mut shop, &zoe, "visit", "", false, utc(2026, 4, 1, 11));
    assert_eq!(health_at(&shop, &zoe, utc(2026, 4, 1, 12)).colour, Colour::Green);
}

#[test]
fn no_contact_counts_from_joining_and_any_call_resets_it() {
    let mut shop = gym();
    let ben = add(&mut shop, "Ben", utc(2026, 1, 1, 10));
    assert_eq!(health_at(&shop, &ben, utc(2026, 2, 14, 9)).colour, Colour::Green);
    let yellow = health_at(&shop, &ben, utc(2026, 2, 20, 10));
    assert_eq!(
        (yellow.colour, reasons(&yellow)),
        (Colour::Yellow, vec!["No contact since joining 50 days ago".to_string()])
    );
    let red = health_at(&shop, &ben, utc(2026, 4, 5, 10));
    assert_eq!((red.colour, reasons(&red)), (Colour::Red, vec!["No contact since joining 94 days ago".to_string()]));
    log(&mut shop, &ben, "call", "", false, utc(2026, 4, 5, 11));
    assert_eq!(health_at(&shop, &ben, utc(2026, 4, 6, 10)).colour, Colour::Green);
    let again = health_at(&shop, &ben, utc(2026, 5, 26, 11));
    assert_eq!(reasons(&again), vec!["No contact in 51 days".to_string()]);
}

#[test]
fn late_payments_are_yellow_then_red_and_an_on_time_payment_clears_them() {
    let mut shop = gym();
    let mia = add(&mut shop, "Mia", utc(2026, 3, 1, 9));
    let before = dump_of(shop.conn(), HEALTH_TABLES);
    let refused = LogInput { kind: "visit".into(), paid_late: true, ..Default::default() };
    assert_invalid(desk::log(shop.conn_mut(), &mia, &refused, utc(2026, 3, 2, 10), date(2026, 3, 2)), "paid_late");
    assert_unchanged(&before, &dump_of(shop.conn(), HEALTH_TABLES), "a late flag without an amount");

    log(&mut shop, &mia, "purchase", "40", true, utc(2026, 3, 2, 10));
    let one = health_at(&shop, &mia, utc(2026, 3, 3, 10));
    assert_eq!((one.colour, reasons(&one)), (Colour::Yellow, vec!["Last payment was late (yesterday)".to_string()]));
    assert_eq!(one.action.as_deref(), Some("Have a friendly word about payment"));
    let second = log(&mut shop, &mia, "visit", "25", true, utc(2026, 3, 9, 10));
    let two = health_at(&shop, &mia, utc(2026, 3, 9, 11));
    assert_eq!((two.colour, reasons(&two)), (Colour::Red, vec!["Last 2 payments were late".to_string()]));
    // Undoing the second late payment leaves one.
    desk::undo(shop.conn_mut(), &second, None, utc(2026, 3, 9, 12)).expect("undo");
    assert_eq!(health_at(&shop, &mia, utc(2026, 3, 9, 13)).colour, Colour::Yellow);
    log(&mut shop, &mia, "visit", "25", false, utc(2026, 3, 10, 10));
    assert_eq!(health_at(&shop, &mia, utc(2026, 3, 10, 11)).colour, Colour::Green);
}

#[test]
fn a_renewal_coming_up_is_yellow_with_the_days_left() {
    let mut shop = gym();
    let ola = add(&mut shop, "Ola", utc(2026, 5, 30, 9));
    log(&mut shop, &ola, "visit", "", false, utc(2026, 6, 1, 9));
    let input = MembershipInput {
        plan_name: "Monthly".into(),
        price: "49".into(),
        term: "month".into(),
        renews_on: "2026-06-20".into(),
    };
    features::memberships::set(shop.conn_mut(), &ola, &input, utc(2026, 6, 1, 10)).expect("membership");
    assert_eq!(health_at(&shop, &ola, utc(2026, 6, 5, 23)).colour, Colour::Green);
    let soon = health_at(&shop, &ola, utc(2026, 6, 6, 1));
    assert_eq!(
        (soon.colour, reasons(&soon)),
        (Colour::Yellow, vec!["Membership renews in 14 days (20 Jun)".to_string()])
    );
    assert_eq!(reasons(&health_at(&shop, &ola, utc(2026, 6, 19, 9))), vec!["Membership renews tomorrow".to_string()]);
    log(&mut shop, &ola, "visit", "", false, utc(2026, 6, 21, 9));
    assert_eq!(
        reasons(&health_at(&shop, &ola, utc(2026, 6, 22, 9))),
        vec!["Membership renewal was due 2 days ago".to_string()]
    );
    features::memberships::renew(shop.conn_mut(), &ola, utc(2026, 6, 22, 10)).expect("renew");
    assert_eq!(health_at(&shop, &ola, utc(2026, 6, 22, 11)).colour, Colour::Green);
}

// ------------------------------------------------------------ feedback

#[test]
fn feedback_scores_move_health_and_a_detractor_opens_a_follow_up() {
    let mut shop = gym();
    let kim = add(&mut shop, "Kim", utc(2026, 3, 1, 9));
    let before = dump_of(shop.conn(), HEALTH_TABLES);
    let bad = |kind: &str, score: &str| FeedbackInput { kind: kind.into(), score: score.into(), ..Default::default() };
    let now = utc(2026, 3, 2, 10);
    assert_invalid(
        features::feedback::record(shop.conn_mut(), &kim, &bad("nps", "11"), now, now.date_naive()),
        "score",
    );
    assert_invalid(
        features::feedback::record(shop.conn_mut(), &kim, &bad("csat", "0"), now, now.date_naive()),
        "score",
    );
    assert_invalid(
        features::feedback::record(shop.conn_mut(), &kim, &bad("csat", "four"), now, now.date_naive()),
        "score",
    );
    assert_invalid(
        features::feedback::record(shop.conn_mut(), &kim, &bad("stars", "4"), now, now.date_naive()),
        "feedback_kind",
    );
    assert_unchanged(&before, &dump_of(shop.conn(), HEALTH_TABLES), "refused feedback");

    let detractor = feedback(&mut shop, &kim, "nps", 4, now);
    assert_eq!(detractor.follow_up.as_deref(), Some("Follow up on their feedback (4 out of 10)"));
    assert_eq!(detractor.answer.label, "Detractor");
    let red = health_at(&shop, &kim, utc(2026, 3, 2, 11));
    assert_eq!((red.colour, reasons(&red)), (Colour::Red, vec!["Latest feedback: 4 out of 10".to_string()]));
    assert_eq!(red.action.as_deref(), Some("Call to hear what went wrong"));
    // The follow-up is a task due today, so it becomes a reminder.
    reminder_sources::sync(shop.conn_mut(), utc(2026, 3, 2, 11), &Berlin, &Rules::default()).expect("sync");
    let titles: Vec<String> = shop
        .conn()
        .prepare("SELECT title FROM reminders WHERE customer_id = ?1")
        .unwrap()
        .query_map([&kim], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(titles, vec!["Next step: Follow up on their feedback (4 out of 10)".to_string()]);

    assert_eq!(feedback::promoter_answer_since(shop.conn(), &kim, utc(2026, 3, 1, 0)).unwrap(), None);
    let promoter = feedback(&mut shop, &kim, "nps", 9, utc(2026, 3, 20, 10));
    assert!(promoter.follow_up.is_none());
    assert_eq!(health_at(&shop, &kim, utc(2026, 3, 20, 11)).colour, Colour::Green);
    assert!(feedback::promoter_answer_since(shop.conn(), &kim, utc(2026, 3, 1, 0)).unwrap().is_some());
    feedback(&mut shop, &kim, "csat", 3, utc(2026, 3, 21, 10));
    let neutral = health_at(&shop, &kim, utc(2026, 3, 21, 11));
    assert_eq!((neutral.colour, reasons(&neutral)), (Colour::Yellow, vec!["Latest feedback: 3 out of 5".to_string()]));
}

#[test]
fn nps_and_csat_per_month_match_hand_counts() {
    let mut shop = gym();
    let people: Vec<String> = (0..6).map(|i| add(&mut shop, &format!("P{i}"), utc(2025, 12, 1, 9))).collect();
    // January: NPS 10, 9, 8, 6, 0 -> 2 promoters, 2 detractors of 5 = 0.
    for (i, score) in [10, 9, 8, 6, 0].iter().enumerate() {
        feedback(&mut shop, &people[i], "nps", *score, utc(2026, 1, 10 + i as u32, 10));
    }
    // CSAT 5, 4, 2 -> 11 / 3 = 3.7.
    for (i, score) in [5, 4, 2].iter().enumerate() {
        feedback(&mut shop, &people[i], "csat", *score, utc(2026, 1, 20 + i as u32, 10));
    }
    // February: 9, 9, 9, 7 -> 3 of 4 promoters, none detractors = 75.
    for (i, score) in [9, 9, 9, 7].iter().enumerate() {
        feedback(&mut shop, &people[i + 1], "nps", *score, utc(2026, 2, 3, 10 + i as u32));
    }
    let months = feedback::monthly(shop.conn(), date(2026, 2, 15), 3).expect("monthly");
    type Month = (String, i64, Option<i64>, i64, Option<f64>);
    let summary: Vec<Month> =
        months.iter().map(|m| (m.month.clone(), m.nps_answers, m.nps, m.csat_answers, m.csat_average)).collect();
    assert_eq!(
        summary,
        vec![
            ("2025-12".to_string(), 0, None, 0, None),
            ("2026-01".to_string(), 5, Some(0), 3, Some(3.7)),
            ("2026-02".to_string(), 4, Some(75), 0, None),
        ]
    );
    assert_eq!((months[1].promoters, months[1].detractors), (2, 2));
    assert_figures_match_a_recount(&shop);
    // A deleted customer's answers leave the figures: P0 gave January's 10 and a CSAT 5.
    cards::erase(shop.conn_mut(), &people[0]).unwrap();
    let months = feedback::monthly(shop.conn(), date(2026, 2, 15), 3).expect("monthly");
    assert_eq!(
        (months[1].nps_answers, months[1].nps, months[1].csat_answers, months[1].csat_average),
        (4, Some(-25), 2, Some(3.0))
    );
    assert_figures_match_a_recount(&shop);
}

// ------------------------------------------------------------ complaints

#[test]
fn a_complaint_is_red_until_closed_with_a_recap_and_its_checkpoints_remind() {
    let mut shop = gym();
    let lea = add(&mut shop, "Lea", utc(2026, 2, 1, 9));
    log(&mut shop, &lea, "visit", "", false, utc(2026, 3, 2, 8));
    let monday = utc(2026, 3, 2, 10); // Monday 2 March 2026

    let before = dump_of(shop.conn(), HEALTH_TABLES);
    let ana = staff_id(&shop, "Ana");
    let no_owner =
        OpenInput { summary: "Cold showers".into(), checkpoint_date: "2026-03-04".into(), ..Default::default() };
    assert_invalid(features::complaints::open(shop.conn_mut(), &lea, &no_owner, monday, &Berlin), "complaint_owner");
    let no_summary = OpenInput { owner_id: ana.clone(), checkpoint_date: "2026-03-04".into(), ..Default::default() };
    assert_invalid(
        features::complaints::open(shop.conn_mut(), &lea, &no_summary, monday, &Berlin),
        "complaint_summary",
    );
    let past = OpenInput {
        summary: "Cold showers".into(),
        owner_id: ana.clone(),
        checkpoint_date: "2026-03-01".into(),
        ..Default::default()
    };
    assert_invalid(features::complaints::open(shop.conn_mut(), &lea, &past, monday, &Berlin), "checkpoint_date");
    assert_unchanged(&before, &dump_of(shop.conn(), HEALTH_TABLES), "refused complaints");

    assert!(!complaints::has_open(shop.conn(), &lea).unwrap());
    let complaint = open_complaint(&mut shop, &lea, monday, "2026-03-04");
    assert_eq!(complaint.owner_name, "Ana");
    assert!(complaints::has_open(shop.conn(), &lea).unwrap());
    let red = health_at(&shop, &lea, utc(2026, 3, 5, 12));
    assert_eq!((red.colour, reasons(&red)), (Colour::Red, vec!["Complaint open since Monday".to_string()]));
    assert_eq!(red.action.as_deref(), Some("Follow up on the open complaint"));

    // The checkpoint (10:00 Berlin = 09:00 UTC on 4 March) becomes one reminder.
    let reminders_of = |shop: &Shop| -> Vec<(String, bool)> {
        shop.conn()
            .prepare("SELECT due_at, done_at IS NOT NULL FROM reminders WHERE source = 'complaint' ORDER BY due_at")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    for _ in 0..2 {
        reminder_sources::sync(shop.conn_mut(), utc(2026, 3, 3, 12), &Berlin, &Rules::default()).expect("sync");
    }
    assert_eq!(reminders_of(&shop), vec![("2026-03-04T09:00:00.000Z".to_string(), false)]);

    // An update that moves the checkpoint answers the old reminder; the next comes later.
    let update = UpdateInput {
        body: "Plumber booked".into(),
        checkpoint_date: "2026-03-06".into(),
        checkpoint_time: "15:30".into(),
        staff_id: None,
    };
    let updated =
        complaints::add_update(shop.conn_mut(), &complaint.id, &update, utc(2026, 3, 4, 9), &Berlin).expect("update");
    assert_eq!(updated.updates.len(), 1);
    assert_eq!(updated.updates[0].body, "Plumber booked");
    reminder_sources::sync(shop.conn_mut(), utc(2026, 3, 5, 16), &Berlin, &Rules::default()).expect("sync");
    assert_eq!(
        reminders_of(&shop),
        vec![("2026-03-04T09:00:00.000Z".to_string(), true), ("2026-03-06T14:30:00.000Z".to_string(), false)]
    );

    // Closing needs a recap; a refused close changes nothing.
    let before_close = dump_of(shop.conn(), HEALTH_TABLES);
    assert_invalid(
        features::complaints::close(shop.conn_mut(), &complaint.id, "  ", None, utc(2026, 3, 6, 16)),
        "complaint_recap",
    );
    assert_unchanged(&before_close, &dump_of(shop.conn(), HEALTH_TABLES), "a close without a recap");
    assert_eq!(complaints::resolved_since(shop.conn(), &lea, utc(2026, 3, 1, 0)).unwrap(), None);
    let closed = features::complaints::close(
        shop.conn_mut(),
        &complaint.id,
        "New showers fitted; we check them weekly",
        None,
        utc(2026, 3, 6, 16),
    )
    .expect("close");
    assert_eq!(closed.recap, "New showers fitted; we check them weekly");
    assert!(!complaints::has_open(shop.conn(), &lea).unwrap());
    assert!(complaints::resolved_since(shop.conn(), &lea, utc(2026, 3, 1, 0)).unwrap().is_some());
    assert_eq!(reminders_of(&shop).iter().filter(|(_, done)| !done).count(), 0, "closing answers the checkpoint");
    assert_eq!(health_at(&shop, &lea, utc(2026, 3, 6, 17)).colour, Colour::Green);
    assert!(matches!(
        features::complaints::close(shop.conn_mut(), &complaint.id, "again", None, utc(2026, 3, 6, 18)),
        Err(Error::Conflict(_))
    ));

    // Older complaints are named by date.
    open_complaint(&mut shop, &lea, utc(2026, 3, 12, 10), "2026-03-20");
    assert_eq!(reasons(&health_at(&shop, &lea, utc(2026, 3, 20, 10))), vec!["Complaint open since 12 Mar".to_string()]);
}

// ------------------------------------------------------------ retention

fn month_stats(shop: &Shop) -> Vec<(String, i64, i64)> {
    shop.conn()
        .prepare("SELECT month, active, retained FROM month_stats WHERE active > 0 OR retained > 0 ORDER BY month")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn retention_percents(shop: &Shop, today: NaiveDate) -> Vec<(String, i64, i64, Option<i64>)> {
    dashboard::retention(shop.conn(), today, 3)
        .unwrap()
        .into_iter()
        .map(|r| (r.month, r.base, r.retained, r.percent))
        .collect()
}

#[test]
fn retention_on_a_small_shop_by_hand() {
    let mut shop = gym();
    let [a, b, c, d] = ["Ann", "Bob", "Cat", "Dan"].map(|n| add(&mut shop, n, utc(2025, 12, 20, 9)));
    // January: A, B, C come in. February: A and B again, D is new, C only calls.
    for who in [&a, &b, &c] {
        log(&mut shop, who, "visit", "", false, utc(2026, 1, 10, 10));
    }
    log(&mut shop, &a, "visit", "", false, utc(2026, 1, 20, 10)); // a second January visit counts once
    log(&mut shop, &a, "visit", "", false, utc(2026, 2, 3, 10));
    log(&mut shop, &b, "purchase", "12", false, utc(2026, 2, 4, 10));
    log(&mut shop, &d, "visit", "", false, utc(2026, 2, 5, 10));
    log(&mut shop, &c, "call", "", false, utc(2026, 2, 6, 10));
    // March: A comes; B's only March visit is undone.
    log(&mut shop, &a, "visit", "", false, utc(2026, 3, 2, 10));
    let mistake = log(&mut shop, &b, "visit", "", false, utc(2026, 3, 3, 10));
    desk::undo(shop.conn_mut(), &mistake, None, utc(2026, 3, 3, 11)).unwrap();

    assert_eq!(month_stats(&shop), vec![("2026-01".into(), 3, 0), ("2026-02".into(), 3, 2), ("2026-03".into(), 1, 1)]);
    assert_eq!(
        retention_percents(&shop, date(2026, 3, 15)),
        vec![("2026-01".into(), 0, 0, None), ("2026-02".into(), 3, 2, Some(67)), ("2026-03".into(), 3, 1, Some(33))]
    );
    assert_figures_match_a_recount(&shop);

    // Deleting A takes them out of every month.
    cards::erase(shop.conn_mut(), &a).unwrap();
    assert_eq!(
        retention_percents(&shop, date(2026, 3, 15)),
        vec![("2026-01".into(), 0, 0, None), ("2026-02".into(), 2, 1, Some(50)), ("2026-03".into(), 2, 0, Some(0))]
    );
    assert_figures_match_a_recount(&shop);
}

// ------------------------------------------------------------ maintained figures

/// Every maintained figure equals a recount from the raw rows.
fn assert_figures_match_a_recount(shop: &Shop) {
    let conn = shop.conn();
    let wrong: i64 = conn
        .query_row(
            "SELECT count(*) FROM customers c WHERE
                c.lifetime_cents != coalesce((SELECT sum(amount_cents) FROM interactions i WHERE i.customer_id = c.id AND i.undone_at IS NULL), 0)
             OR c.points_balance != coalesce((SELECT sum(points) FROM points_ledger l WHERE l.customer_id = c.id), 0)
             OR c.stamps_balance != coalesce((SELECT sum(stamps) FROM points_ledger l WHERE l.customer_id = c.id), 0)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(wrong, 0, "lifetime or balances differ from the recount");
    let recount = |sql: &str| -> Vec<(String, String, i64)> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        recount("SELECT customer_id, month, visits FROM activity_months ORDER BY 1, 2"),
        recount(
            "SELECT customer_id, substr(happened_at, 1, 7), count(*) FROM interactions
             WHERE kind IN ('visit', 'purchase') AND undone_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        "activity by month differs from the recount"
    );
    let stats = |sql: &str| -> Vec<(String, i64, i64)> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        stats("SELECT month, active, retained FROM month_stats WHERE active != 0 OR retained != 0 ORDER BY month"),
        stats(
            "WITH months AS (SELECT DISTINCT customer_id, substr(happened_at, 1, 7) AS month FROM interactions
                             WHERE kind IN ('visit', 'purchase') AND undone_at IS NULL)
             SELECT m.month, count(*), sum(EXISTS (SELECT 1 FROM months p WHERE p.customer_id = m.customer_id
                                                   AND p.month = strftime('%Y-%m', m.month || '-01', '-1 month')))
             FROM months m GROUP BY m.month ORDER BY m.month"
        ),
        "monthly figures differ from the recount"
    );
    let answers = |sql: &str| -> Vec<(String, String, i64, i64)> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        answers("SELECT month, kind, score, answers FROM feedback_months WHERE answers != 0 ORDER BY 1, 2, 3"),
        answers(
            "SELECT substr(answered_at, 1, 7), kind, score, count(*) FROM feedback GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ),
        "feedback by month differs from the recount"
    );
}

#[derive(Debug, Clone)]
enum Op {
    /// A customer with any name a person can type.
    Add {
        name: String,
    },
    Visit {
        who: usize,
        cents: Option<u32>,
        late: bool,
        days: u8,
    },
    Call {
        who: usize,
        days: u8,
    },
    Undo {
        which: usize,
    },
    Feedback {
        who: usize,
        score: u8,
    },
    Complaint {
        who: usize,
    },
    CloseComplaint {
        who: usize,
    },
    Redeem {
        who: usize,
    },
    Membership {
        who: usize,
        days: u8,
    },
    Delete {
        who: usize,
    },
    /// A vaccination for the customer's dog (added to the card first if
    /// missing), expiring `days - 20` days from now.
    Vaccinate {
        who: usize,
        days: u8,
    },
    /// The dog taken off the card, its vaccinations with it.
    RemovePet {
        who: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => util::name_text().prop_map(|name| Op::Add { name }),
        6 => (0..8usize, proptest::option::of(100..9000u32), any::<bool>(), 0..60u8).prop_map(|(who, cents, late, days)| Op::Visit { who, cents, late, days }),
        2 => (0..8usize, 0..60u8).prop_map(|(who, days)| Op::Call { who, days }),
        2 => (0..40usize).prop_map(|which| Op::Undo { which }),
        1 => (0..8usize, 0..=10u8).prop_map(|(who, score)| Op::Feedback { who, score }),
        1 => (0..8usize).prop_map(|who| Op::Complaint { who }),
        1 => (0..8usize).prop_map(|who| Op::CloseComplaint { who }),
        1 => (0..8usize).prop_map(|who| Op::Redeem { who }),
        1 => (0..8usize, 0..90u8).prop_map(|(who, days)| Op::Membership { who, days }),
        1 => (0..8usize).prop_map(|who| Op::Delete { who }),
        2 => (0..8usize, 0..120u8).prop_map(|(who, days)| Op::Vaccinate { who, days }),
        1 => (0..8usize).prop_map(|who| Op::RemovePet { who }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random desk sessions: the maintained figures always equal a recount,
    /// and the stored health always agrees with the live one, at any time.
    #[test]
    fn maintained_figures_always_equal_a_recount(ops in proptest::collection::vec(op(), 1..45)) {
        let mut shop = gym();
        let start = utc(2026, 1, 1, 10);
        let mut people: Vec<String> = vec![add(&mut shop, "First", start)];
        let mut logged: Vec<String> = Vec::new();
        let mut clock = start;
        for op in ops {
            clock += Duration::hours(7);
            let pick = |who: usize, people: &Vec<String>| people.get(who % people.len().max(1)).cloned();
            match op {
                Op::Add { name } => people.push(add(&mut shop, &name, clock)),
                Op::Visit { who, cents, late, days } => {
                    let Some(id) = pick(who, &people) else { continue };
                    let at = clock - Duration::days(i64::from(days));
                    let amount = cents.map(|c| format!("{}.{:02}", c / 100, c % 100)).unwrap_or_default();
                    let input = LogInput { kind: if days % 3 == 0 { "purchase".into() } else { "visit".into() }, amount, paid_late: late && cents.is_some(), ..Default::default() };
                    // Backdated visits are logged through the same path as the desk's.
                    if let Ok(done) = desk::log(shop.conn_mut(), &id, &input, at, at.date_naive()) {
                        logged.push(done.interaction_id);
                    }
                }
                Op::Call { who, days } => {
                    let Some(id) = pick(who, &people) else { continue };
                    let at = clock - Duration::days(i64::from(days));
                    logged.push(log(&mut shop, &id, "call", "", false, at));
                }
                Op::Undo { which } => {
                    if let Some(interaction) = logged.get(which % logged.len().max(1)) {
                        let _ = desk::undo(shop.conn_mut(), interaction, None, clock);
                    }
                }
                Op::Feedback { who, score } => {
                    let Some(id) = pick(who, &people) else { continue };
                    feedback(&mut shop, &id, "nps", i64::from(score), clock);
                }
                Op::Complaint { who } => {
                    let Some(id) = pick(who, &people) else { continue };
                    let day = (clock + Duration::days(2)).date_naive().to_string();
                    open_complaint(&mut shop, &id, clock, &day);
                }
                Op::CloseComplaint { who } => {
                    let Some(id) = pick(who, &people) else { continue };
                    for open in complaints::for_customer(shop.conn(), &id).unwrap().into_iter().filter(|c| c.closed_at.is_none()) {
                        features::complaints::close(shop.conn_mut(), &open.id, "Sorted", None, clock).unwrap();
                    }
                }
                Op::Redeem { who } => {
                    let Some(id) = pick(who, &people) else { continue };
                    let _ = loyalty::redeem(shop.conn_mut(), &id, &loyalty::Redeemable::PunchCard, None, clock);
                }
                Op::Membership { who, days } => {
                    let Some(id) = pick(who, &people) else { continue };
                    let renews = (clock + Duration::days(i64::from(days))).date_naive().to_string();
                    let input = MembershipInput { plan_name: "Monthly".into(), price: "30".into(), term: "month".into(), renews_on: renews };
                    features::memberships::set(shop.conn_mut(), &id, &input, clock).unwrap();
                }
                Op::Vaccinate { who, days } => {
                    let Some(id) = pick(who, &people) else { continue };
                    let card = regulars::records::customers::get(shop.conn(), &id).unwrap();
                    let dog = match card.people.iter().find(|p| p.kind == "dog") {
                        Some(dog) => dog.id.clone(),
                        None => {
                            let input = util::InputExt::pet(util::input_from(&card), "Rex", "dog");
                            cards::update(shop.conn_mut(), &id, &input, clock).unwrap().people.last().unwrap().id.clone()
                        }
                    };
                    let expires_on = (clock + Duration::days(i64::from(days) - 20)).date_naive().to_string();
                    let name = if days % 2 == 0 { "Rabies" } else { "DHPP" };
                    let input = regulars::records::pets::VaccinationInput { name: name.into(), given_on: String::new(), expires_on };
                    features::pets::add_vaccination(shop.conn_mut(), &dog, &input, clock.date_naive(), clock).unwrap();
                }
                Op::RemovePet { who } => {
                    let Some(id) = pick(who, &people) else { continue };
                    let mut input = util::input_from(&regulars::records::customers::get(shop.conn(), &id).unwrap());
                    input.people.retain(|p| p.kind != "dog");
                    cards::update(shop.conn_mut(), &id, &input, clock).unwrap();
                }
                Op::Delete { who } => {
                    if people.len() > 1 {
                        let id = people.remove(who % people.len());
                        cards::erase(shop.conn_mut(), &id).unwrap();
                        logged.retain(|i| shop.conn().query_row("SELECT 1 FROM interactions WHERE id = ?1", [i], |_| Ok(())).is_ok());
                    }
                }
            }
        }
        assert_figures_match_a_recount(&shop);
        for id in &people {
            for later in [0, 3, 11, 25, 50, 100, 200] {
                health_at(&shop, id, clock + Duration::days(later));
            }
        }
    }
}

#[test]
fn stored_health_is_filled_once_after_an_upgrade_and_when_rules_change() {
    let mut shop = gym();
    let joe = add(&mut shop, "Joe", utc(2026, 1, 1, 9));
    // As a database from before health existed: nothing stored.
    shop.conn().execute("UPDATE customers SET health_yellow_from = NULL, health_red_from = NULL", []).unwrap();
    shop.conn().execute("DELETE FROM settings WHERE key = 'health_version'", []).unwrap();
    health::ensure_fresh(shop.conn_mut(), utc(2026, 3, 1, 9)).unwrap();
    health_at(&shop, &joe, utc(2026, 2, 20, 9)); // agrees, so it was filled
    assert_eq!(health::stored_colour(shop.conn(), &joe, utc(2026, 2, 20, 9)).unwrap(), Colour::Yellow);

    let mut rules = health::load_rules(shop.conn()).unwrap();
    rules.contact_yellow_days = 60;
    rules.contact_red_days = 30;
    assert_invalid(health::save_rules(shop.conn_mut(), &rules, utc(2026, 3, 1, 9)), "contact_red_days");
    rules.contact_red_days = 120;
    health::save_rules(shop.conn_mut(), &rules, utc(2026, 3, 1, 9)).unwrap();
    assert_eq!(health_at(&shop, &joe, utc(2026, 2, 20, 9)).colour, Colour::Green);
}

#[test]
fn the_dashboard_counts_what_the_shop_has() {
    let mut shop = gym();
    let now = utc(2026, 3, 20, 10);
    let big = add(&mut shop, "Big", utc(2026, 1, 5, 9));
    let quiet = add(&mut shop, "Quiet", utc(2025, 11, 1, 9));
    let fresh = add(&mut shop, "Fresh", utc(2026, 3, 2, 9));
    log(&mut shop, &big, "purchase", "900", false, utc(2026, 3, 18, 10));
    log(&mut shop, &quiet, "purchase", "50", false, utc(2025, 11, 2, 10));
    log(&mut shop, &fresh, "visit", "20", false, utc(2026, 3, 19, 10));
    open_complaint(&mut shop, &big, utc(2026, 3, 19, 10), "2026-03-20");

    let board = dashboard::build(shop.conn(), now, &Berlin).unwrap();
    assert_eq!((board.red, board.yellow), (2, 0), "Big has a complaint, Quiet has not been in touch for 138 days");
    assert_eq!(board.at_risk.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), vec!["Big Regular", "Quiet Regular"]);
    assert_eq!(board.at_risk[0].detail, "Red: Complaint open since yesterday");
    assert_eq!(board.new_this_month, 1);
    assert_eq!(
        board.top.iter().map(|l| (l.name.as_str(), l.detail.as_str())).collect::<Vec<_>>()[0],
        ("Big Regular", "900.00 EUR")
    );
    assert_eq!(board.scores.len(), 12);
    assert_eq!(board.retention.len(), 6);
}
