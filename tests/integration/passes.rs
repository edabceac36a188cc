//! Passes and packages on real SQLite files: pass types in the settings,
//! a sale as a purchase on the history, check-ins using the pass that ends
//! first, undo giving the session back, the append-only ledger, two desks
//! racing for the last session, expiry, reminders made exactly once, the
//! dashboard, export and erase.

use crate::util;

use std::sync::{Arc, Barrier};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use regulars::db::settings::{self, BusinessKind, Settings};
use regulars::db::store::Store;
use regulars::features::{card_view, cards, dashboard, desk, reminder_sources};
use regulars::io::export;
use regulars::records::passes::{self, PassType, PassTypeInput};
use regulars::records::reminders::{self, Rules};
use util::{assert_invalid, customer, Shop};

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn pass_type(name: &str, price: &str, sessions: i64, months: i64) -> PassTypeInput {
    PassTypeInput { id: None, name: name.into(), price: price.into(), sessions, valid_months: months }
}

/// A studio that sells a 10-class pass (3 months) and 5 walks (no end).
fn studio() -> (Shop, Vec<PassType>) {
    let mut shop = Shop::new();
    let shop_settings = Settings {
        shop_name: "Studio".into(),
        business_kind: BusinessKind::Gym,
        setup_done: true,
        ..Settings::default()
    };
    settings::save(shop.conn_mut(), &shop_settings, utc(2026, 1, 1, 9)).unwrap();
    let types = passes::save_types(
        shop.conn_mut(),
        &[pass_type("10-class pass", "120", 10, 3), pass_type("5 walks", "75,50", 5, 0)],
        utc(2026, 1, 1, 9),
    )
    .unwrap();
    (shop, types)
}

fn left_of(shop: &Shop, pass_id: &str) -> i64 {
    passes::left(shop.conn(), pass_id).unwrap()
}

fn ledger_kinds(shop: &Shop, pass_id: &str) -> Vec<(String, i64)> {
    let mut stmt = shop
        .conn()
        .prepare("SELECT kind, sessions FROM pass_ledger WHERE pass_id = ?1 ORDER BY created_at, rowid")
        .unwrap();
    stmt.query_map([pass_id], |row| Ok((row.get(0)?, row.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_sale_is_a_purchase_and_each_check_in_uses_the_pass_that_ends_first() {
    let (mut shop, types) = studio();
    let zoe = shop.create(customer("Zoë", "Müller")).id;
    let sold_at = utc(2026, 12, 3, 10);
    let walks = desk::sell_pass(shop.conn_mut(), &zoe, &types[1].id, None, sold_at, day(2026, 12, 3)).unwrap();
    let classes =
        desk::sell_pass(shop.conn_mut(), &zoe, &types[0].id, None, sold_at + Duration::minutes(1), day(2026, 12, 3))
            .unwrap();

    // Each sale is a purchase on the history, for its price.
    let history = regulars::records::interactions::history(shop.conn(), &zoe, None, 20).unwrap();
    let purchases: Vec<(String, Option<i64>)> =
        history.items.iter().map(|i| (i.summary.clone(), i.amount_cents)).collect();
    assert_eq!(
        purchases,
        vec![
            ("10-class pass (10 sessions)".to_string(), Some(12000)),
            ("5 walks (5 sessions)".to_string(), Some(7550))
        ]
    );

    // The 10-class pass ends on 3 March; the walks never: the class pass goes first.
    let at = utc(2026, 12, 4, 9);
    let checked = desk::check_in_and_show(shop.conn_mut(), &zoe, None, at, day(2026, 12, 4), &Utc).unwrap();
    let used = checked.logged.pass.clone().expect("a session used");
    assert_eq!(used.pass_id, classes);
    assert_eq!(used.said, "10-class pass: 9 of 10 left, until 3 March 2027");
    assert!(checked.said.ends_with(" 10-class pass: 9 of 10 left, until 3 March 2027."), "{}", checked.said);
    assert_eq!(checked.view.passes[0].said, "9 of 10 left, until 3 March 2027");
    assert_eq!(left_of(&shop, &walks), 5);

    // A visit paid at the desk uses no session.
    let paid = desk::LogInput { kind: "visit".into(), amount: "15".into(), ..Default::default() };
    assert_eq!(desk::log(shop.conn_mut(), &zoe, &paid, at + Duration::hours(1), day(2026, 12, 4)).unwrap().pass, None);
    assert_eq!(left_of(&shop, &classes), 9);

    // Undo gives the session back, once.
    desk::undo(shop.conn_mut(), &checked.logged.interaction_id, None, at + Duration::hours(2)).unwrap();
    assert_eq!(left_of(&shop, &classes), 10);
    assert!(desk::undo(shop.conn_mut(), &checked.logged.interaction_id, None, at + Duration::hours(3)).is_err());
    assert_eq!(left_of(&shop, &classes), 10);
    assert_eq!(ledger_kinds(&shop, &classes), vec![("sold".into(), 10), ("used".into(), -1), ("returned".into(), 1)]);

    // Once the class pass is used up, check-ins use the walks.
    for i in 0..10 {
        desk::check_in(shop.conn_mut(), &zoe, None, at + Duration::days(1) + Duration::minutes(i), day(2026, 12, 5))
            .unwrap();
    }
    assert_eq!(left_of(&shop, &classes), 0);
    let next = desk::check_in(shop.conn_mut(), &zoe, None, utc(2026, 12, 6, 9), day(2026, 12, 6)).unwrap();
    assert_eq!(next.pass.map(|p| p.said), Some("5 walks: 4 of 5 left".to_string()));

    // It all survives a restart.
    let shop = shop.reopen();
    let view = card_view::load(shop.conn(), &zoe, utc(2026, 12, 6, 10), day(2026, 12, 6), &Utc).unwrap();
    let lines: Vec<(&str, &str, bool)> =
        view.passes.iter().map(|p| (p.name.as_str(), p.said.as_str(), p.usable)).collect();
    assert_eq!(lines, vec![("5 walks", "4 of 5 left", true), ("10-class pass", "All 10 used", false)]);
    assert_eq!(view.pass_types.len(), 2);
}

#[test]
fn a_sale_undone_voids_its_pass_and_a_check_in_without_a_pass_is_a_plain_visit() {
    let (mut shop, types) = studio();
    let ben = shop.create(customer("Ben", "Ode")).id;
    assert_eq!(desk::check_in(shop.conn_mut(), &ben, None, utc(2026, 12, 3, 9), day(2026, 12, 3)).unwrap().pass, None);
    desk::sell_pass(shop.conn_mut(), &ben, &types[0].id, None, utc(2026, 12, 3, 10), day(2026, 12, 3)).unwrap();
    let sale = regulars::records::interactions::history(shop.conn(), &ben, None, 1).unwrap().items[0].id.clone();
    desk::undo(shop.conn_mut(), &sale, None, utc(2026, 12, 3, 11)).unwrap();
    let view = card_view::load(shop.conn(), &ben, utc(2026, 12, 3, 12), day(2026, 12, 3), &Utc).unwrap();
    assert_eq!(view.passes[0].said, "All 10 used", "nothing left to use");
    assert_eq!(view.passes[0].ledger[0].memo, "Adjusted: the sale was undone");
    assert_eq!(desk::check_in(shop.conn_mut(), &ben, None, utc(2026, 12, 4, 9), day(2026, 12, 4)).unwrap().pass, None);
}

#[test]
fn refusals_name_their_field_and_change_nothing() {
    let (mut shop, types) = studio();
    let ada = shop.create(customer("Ada", "Steps")).id;
    let before = shop.count("interactions");
    assert_invalid(
        desk::sell_pass(shop.conn_mut(), &ada, "gone", None, utc(2026, 12, 3, 10), day(2026, 12, 3)),
        "pass_type",
    );
    assert_eq!(shop.count("interactions"), before);
    assert_invalid(
        passes::save_types(shop.conn_mut(), &[pass_type("Pass", "12€", 10, 1)], utc(2026, 1, 1, 9)),
        "pass_types",
    );
    assert_invalid(
        passes::save_types(shop.conn_mut(), &[pass_type("Pass", "12", 0, 1)], utc(2026, 1, 1, 9)),
        "pass_types",
    );
    assert_eq!(passes::load_types(shop.conn()).unwrap(), types, "nothing changed");

    let pass =
        desk::sell_pass(shop.conn_mut(), &ada, &types[1].id, None, utc(2026, 12, 3, 10), day(2026, 12, 3)).unwrap();
    assert_invalid(passes::adjust(shop.conn_mut(), &pass, 1, "  ", None, utc(2026, 12, 3, 11)), "reason");
    assert_invalid(passes::adjust(shop.conn_mut(), &pass, -6, "Miscount", None, utc(2026, 12, 3, 11)), "sessions");
    assert_invalid(passes::adjust(shop.conn_mut(), &pass, 0, "Miscount", None, utc(2026, 12, 3, 11)), "sessions");
    passes::adjust(shop.conn_mut(), &pass, 1, "Goodwill: the class was cancelled", None, utc(2026, 12, 3, 11)).unwrap();
    assert_eq!(left_of(&shop, &pass), 6);
    assert_eq!(ledger_kinds(&shop, &pass), vec![("sold".into(), 5), ("adjusted".into(), 1)]);
}

/// Two desks, each on its own connection, check the same customer in at
/// the same moment with one session left: exactly one uses it.
#[test]
fn two_desks_using_the_last_session_at_once_cannot_both_succeed() {
    let (mut shop, types) = studio();
    let path = shop.db_path();
    for round in 0..12 {
        let racer = shop.create(customer(&format!("Racer{round}"), "Last")).id;
        let pass = desk::sell_pass(shop.conn_mut(), &racer, &types[1].id, None, utc(2026, 12, 3, 9), day(2026, 12, 3))
            .unwrap();
        passes::adjust(shop.conn_mut(), &pass, -4, "Leave one", None, utc(2026, 12, 3, 9)).unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|desk_no| {
                let (path, barrier, racer) = (path.clone(), barrier.clone(), racer.clone());
                std::thread::spawn(move || {
                    let mut store = Store::open(&path).expect("each desk opens its own store");
                    barrier.wait();
                    desk::check_in(
                        store.conn_mut(),
                        &racer,
                        None,
                        utc(2026, 12, 4, 9) + Duration::seconds(desk_no),
                        day(2026, 12, 4),
                    )
                })
            })
            .collect();
        let results: Vec<_> =
            handles.into_iter().map(|h| h.join().expect("desk thread").expect("both visits are logged")).collect();
        let with_session = results.iter().filter(|logged| logged.pass.is_some()).count();
        assert_eq!(with_session, 1, "round {round}: {results:?}");
        assert_eq!(left_of(&shop, &pass), 0, "round {round}");
        let used: i64 = shop
            .conn()
            .query_row("SELECT count(*) FROM pass_ledger WHERE pass_id = ?1 AND kind = 'used'", [&pass], |r| r.get(0))
            .unwrap();
        assert_eq!(used, 1, "round {round}");
    }
}

fn sync(shop: &mut Shop, at: DateTime<Utc>) -> usize {
    reminder_sources::sync(shop.conn_mut(), at, &Utc, &Rules::default()).unwrap()
}

fn pass_reminders(shop: &Shop) -> Vec<(String, String, String)> {
    let mut stmt = shop
        .conn()
        .prepare("SELECT source, title, detail FROM reminders WHERE source LIKE 'pass%' ORDER BY due_at, title")
        .unwrap();
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn one_session_left_and_a_week_before_the_end_remind_exactly_once() {
    let (mut shop, types) = studio();
    let ada = shop.create(customer("Ada", "Steps")).id;
    let classes =
        desk::sell_pass(shop.conn_mut(), &ada, &types[0].id, None, utc(2026, 12, 3, 10), day(2026, 12, 3)).unwrap();
    passes::adjust(shop.conn_mut(), &classes, -7, "Moved from the paper card", None, utc(2026, 12, 3, 10)).unwrap();
    sync(&mut shop, utc(2026, 12, 3, 11));
    assert!(pass_reminders(&shop).is_empty(), "3 left and three months to go");

    let first = desk::check_in(shop.conn_mut(), &ada, None, utc(2026, 12, 4, 9), day(2026, 12, 4)).unwrap();
    desk::check_in(shop.conn_mut(), &ada, None, utc(2026, 12, 5, 9), day(2026, 12, 5)).unwrap();
    sync(&mut shop, utc(2026, 12, 5, 10));
    let expected_last = (
        "pass_last_session".to_string(),
        "One session left on the 10-class pass".to_string(),
        "Until 3 March 2027".to_string(),
    );
    assert_eq!(pass_reminders(&shop), vec![expected_last.clone()]);

    // Undo and use again: back to one left, still one reminder. Syncing
    // again, and after a restart, adds nothing.
    desk::undo(shop.conn_mut(), &first.interaction_id, None, utc(2026, 12, 5, 11)).unwrap();
    sync(&mut shop, utc(2026, 12, 5, 12));
    desk::check_in(shop.conn_mut(), &ada, None, utc(2026, 12, 6, 9), day(2026, 12, 6)).unwrap();
    assert_eq!(sync(&mut shop, utc(2026, 12, 6, 10)), 0);
    let mut shop = shop.reopen();
    assert_eq!(sync(&mut shop, utc(2026, 12, 6, 11)), 0);
    assert_eq!(pass_reminders(&shop), vec![expected_last.clone()]);
    // It fires once.
    let fired = reminders::take_due(shop.conn_mut(), utc(2026, 12, 6, 12), "test").unwrap();
    assert_eq!(fired.iter().filter(|r| r.source == "pass_last_session").count(), 1);
    assert!(reminders::take_due(shop.conn_mut(), utc(2026, 12, 6, 13), "test").unwrap().is_empty());

    // A week before the end with a session left: once, due a week ahead at the due hour.
    sync(&mut shop, utc(2027, 2, 20, 10));
    assert_eq!(pass_reminders(&shop).len(), 1, "not yet: 3 March is more than 8 days off");
    sync(&mut shop, utc(2027, 2, 22, 10));
    sync(&mut shop, utc(2027, 2, 23, 10));
    let ending = pass_reminders(&shop);
    assert_eq!(ending.len(), 2, "{ending:?}");
    assert_eq!(
        ending[1],
        ("pass_expiring".into(), "The 10-class pass ends on 3 March".into(), "1 session left".into())
    );
    let due: String =
        shop.conn().query_row("SELECT due_at FROM reminders WHERE source = 'pass_expiring'", [], |r| r.get(0)).unwrap();
    assert_eq!(due, "2027-02-24T09:00:00.000Z");

    // After the end the session is written off as expired, once.
    sync(&mut shop, utc(2027, 3, 4, 10));
    sync(&mut shop, utc(2027, 3, 5, 10));
    assert_eq!(left_of(&shop, &classes), 0);
    let kinds = ledger_kinds(&shop, &classes);
    assert_eq!(
        kinds.iter().filter(|(kind, _)| kind == "expired").collect::<Vec<_>>(),
        vec![&("expired".to_string(), -1)]
    );

    // A new pass answers the open pass reminders.
    desk::sell_pass(shop.conn_mut(), &ada, &types[0].id, None, utc(2027, 3, 6, 10), day(2027, 3, 6)).unwrap();
    let open: i64 = shop
        .conn()
        .query_row("SELECT count(*) FROM reminders WHERE source LIKE 'pass%' AND done_at IS NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(open, 0);
}

#[test]
fn the_dashboard_lists_passes_running_out() {
    let (mut shop, types) = studio();
    let ada = shop.create(customer("Ada", "Steps")).id;
    let ben = shop.create(customer("Ben", "Ode")).id;
    let cy = shop.create(customer("Cy", "Far")).id;
    let a = desk::sell_pass(shop.conn_mut(), &ada, &types[1].id, None, utc(2026, 12, 3, 10), day(2026, 12, 3)).unwrap();
    passes::adjust(shop.conn_mut(), &a, -4, "Used on paper", None, utc(2026, 12, 3, 10)).unwrap();
    desk::sell_pass(shop.conn_mut(), &ben, &types[0].id, None, utc(2026, 9, 28, 10), day(2026, 9, 28)).unwrap();
    desk::sell_pass(shop.conn_mut(), &cy, &types[0].id, None, utc(2026, 12, 1, 10), day(2026, 12, 1)).unwrap();
    let board = dashboard::build(shop.conn(), utc(2026, 12, 22, 10), &Utc).unwrap();
    assert_eq!(board.passes_running_out, 2);
    let lines: Vec<(&str, &str)> = board.passes.iter().map(|l| (l.name.as_str(), l.detail.as_str())).collect();
    assert_eq!(
        lines,
        vec![("Ben Ode", "10-class pass: 10 of 10 left, until 28 December"), ("Ada Steps", "5 walks: 1 of 5 left")]
    );
}

#[test]
fn export_holds_the_passes_and_erase_removes_them() {
    let (mut shop, types) = studio();
    let ada = shop.create(customer("Ada", "Steps")).id;
    let other = shop.create(customer("Other", "Person")).id;
    for id in [&ada, &other] {
        desk::sell_pass(shop.conn_mut(), id, &types[0].id, None, utc(2026, 12, 3, 10), day(2026, 12, 3)).unwrap();
        desk::check_in(shop.conn_mut(), id, None, utc(2026, 12, 4, 10), day(2026, 12, 4)).unwrap();
    }
    let data = export::customer_data(shop.conn(), &ada, utc(2026, 12, 5, 10)).unwrap();
    assert_eq!(data.records["passes"].len(), 1);
    assert_eq!(data.records["pass_ledger"].len(), 2);
    assert!(data.records["pass_ledger"].iter().any(|row| row["kind"] == "used"));

    cards::erase(shop.conn_mut(), &ada).unwrap();
    let left = |table: &str, id: &str| -> i64 {
        shop.conn()
            .query_row(&format!("SELECT count(*) FROM {table} WHERE customer_id = ?1"), [id], |r| r.get(0))
            .unwrap()
    };
    assert_eq!((left("passes", &ada), left("pass_ledger", &ada)), (0, 0));
    assert_eq!((left("passes", &other), left("pass_ledger", &other)), (1, 2), "the other customer's pass stays");
}
