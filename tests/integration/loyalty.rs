//! Visits and loyalty, tested through the library on real SQLite files:
//! a property test over random desk sessions, concurrent redeems from two
//! desks, tiers, punch cards, program changes, the visit log and its
//! history, refusals, and the birthday bonus. Time is always passed in.

use crate::util;

use std::sync::{Arc, Barrier};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use regulars::db::settings::{self, BusinessKind, Settings, StaffMember};
use regulars::db::store::Store;
use regulars::features;
use regulars::features::cards;
use regulars::features::desk;
use regulars::features::desk::LogInput;
use regulars::kernel::time::timestamp;
use regulars::records::customers::CustomerInput;
use regulars::records::interactions::{self as visits, HISTORY_PAGE};
use regulars::records::loyalty::{self, Program, PunchCard, Redeemable, Reward};
use regulars::Error;
use rusqlite::Connection;
use util::{name_text, Shop};

// ---------------------------------------------------------------- fixture

/// A shop of `kind` with two staff members; the program is that kind's default.
fn shop_of(kind: BusinessKind) -> Shop {
    let mut shop = Shop::new();
    let settings = Settings {
        shop_name: "Corner Shop".into(),
        business_kind: kind,
        staff: vec![StaffMember { id: None, name: "Ana".into() }, StaffMember { id: None, name: "Ben".into() }],
        setup_done: true,
        ..Settings::default()
    };
    settings::save(shop.conn_mut(), &settings, at(date(2026, 1, 1))).expect("save settings");
    shop
}

/// The desk's loyalty actions on the shared fixture, panicking on refusal.
trait Desk {
    fn staff_id(&self, name: &str) -> String;
    fn customer(&mut self, first_name: &str) -> String;
    /// A customer whose birthday is (day, month), without a year.
    fn customer_born(&mut self, first_name: &str, birthday: Option<(u32, u32)>) -> String;
    fn save_program(&mut self, program: &Program) -> Program;
    fn program(&self) -> Program;
    fn totals(&self, customer: &str) -> loyalty::Totals;
    fn status(&self, customer: &str) -> loyalty::Status;
    fn check_in(&mut self, customer: &str, now: DateTime<Utc>) -> features::desk::Logged;
    fn log(&mut self, customer: &str, input: &LogInput, now: DateTime<Utc>) -> features::desk::Logged;
    fn undo(&mut self, interaction: &str, now: DateTime<Utc>);
    fn adjust(&mut self, customer: &str, points: i64, now: DateTime<Utc>);
}

impl Desk for Shop {
    fn staff_id(&self, name: &str) -> String {
        settings::load(self.conn())
            .expect("settings")
            .staff
            .into_iter()
            .find(|s| s.name == name)
            .and_then(|s| s.id)
            .expect("staff member")
    }

    fn customer(&mut self, first_name: &str) -> String {
        self.customer_born(first_name, None)
    }

    fn customer_born(&mut self, first_name: &str, birthday: Option<(u32, u32)>) -> String {
        let (day, month) = birthday.map_or((String::new(), String::new()), |(d, m)| (d.to_string(), m.to_string()));
        let input = CustomerInput {
            first_name: first_name.into(),
            last_name: "Regular".into(),
            birthday_day: day,
            birthday_month: month,
            ..Default::default()
        };
        cards::create(self.conn_mut(), &input, at(date(2026, 1, 1))).expect("create customer").id
    }

    fn save_program(&mut self, program: &Program) -> Program {
        loyalty::save_program(self.conn_mut(), program, at(date(2026, 1, 1))).expect("save program")
    }

    fn program(&self) -> Program {
        loyalty::load_program(self.conn()).expect("program")
    }

    fn totals(&self, customer: &str) -> loyalty::Totals {
        loyalty::totals(self.conn(), customer).expect("totals")
    }

    fn status(&self, customer: &str) -> loyalty::Status {
        loyalty::status(self.conn(), &self.program(), customer).expect("status")
    }

    fn check_in(&mut self, customer: &str, now: DateTime<Utc>) -> desk::Logged {
        desk::check_in(self.conn_mut(), customer, None, now, now.date_naive()).expect("check in")
    }

    fn log(&mut self, customer: &str, input: &LogInput, now: DateTime<Utc>) -> desk::Logged {
        desk::log(self.conn_mut(), customer, input, now, now.date_naive()).expect("log")
    }

    fn undo(&mut self, interaction: &str, now: DateTime<Utc>) {
        desk::undo(self.conn_mut(), interaction, None, now).expect("undo");
    }

    fn adjust(&mut self, customer: &str, points: i64, now: DateTime<Utc>) {
        loyalty::adjust(self.conn_mut(), customer, points, "test setup", None, now).expect("adjust")
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// 10:00 UTC on `day`, so the UTC date and the shop's date agree.
fn at(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(10, 0, 0).expect("time"))
}

/// A fixed instant plus `minutes`.
fn t(minutes: i64) -> DateTime<Utc> {
    at(date(2026, 3, 10)) + Duration::minutes(minutes)
}

fn visit(amount: &str) -> LogInput {
    LogInput { kind: "visit".into(), summary: "Visit".into(), amount: amount.into(), ..Default::default() }
}

fn purchase(amount: &str) -> LogInput {
    LogInput { kind: "purchase".into(), summary: "Bought shampoo".into(), amount: amount.into(), ..Default::default() }
}

/// The field an `Error::Invalid` names; anything else fails the test.
fn field_of(error: Error) -> &'static str {
    match error {
        Error::Invalid { field, .. } => field,
        other => panic!("expected an invalid-input error, got {other:?}"),
    }
}

fn message_of(error: Error) -> String {
    match error {
        Error::Invalid { reason, .. } => reason,
        other => panic!("expected an invalid-input error, got {other:?}"),
    }
}

/// Every row the desk's writes can touch, as text: equal snapshots mean
/// an operation changed nothing.
fn snapshot(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT * FROM interactions ORDER BY id",
        "SELECT * FROM tasks ORDER BY id",
        "SELECT * FROM points_ledger ORDER BY id",
        "SELECT id, last_contact_at, updated_at FROM customers ORDER BY id",
        "SELECT * FROM settings ORDER BY key",
    ] {
        let mut stmt = conn.prepare(sql).expect("prepare snapshot");
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |row| {
                (0..columns)
                    .map(|i| row.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map(|values| values.join("|"))
            })
            .expect("query snapshot");
        for row in rows {
            out.push(row.expect("snapshot row"));
        }
        out.push("--".into());
    }
    out
}

/// (rows, sum of points, sum of stamps) of one customer, straight from the ledger table.
fn ledger_sums(conn: &Connection, customer: &str) -> (i64, i64, i64) {
    conn.query_row(
        "SELECT count(*), coalesce(sum(points), 0), coalesce(sum(stamps), 0) FROM points_ledger WHERE customer_id = ?1",
        [customer],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .expect("ledger sums")
}

/// The ledger rows written for one interaction: (kind, points, stamps).
fn ledger_of(conn: &Connection, interaction: &str) -> Vec<(String, i64, i64)> {
    let mut stmt = conn
        .prepare("SELECT kind, points, stamps FROM points_ledger WHERE interaction_id = ?1 ORDER BY created_at, id")
        .expect("prepare");
    let rows = stmt.query_map([interaction], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?))).expect("query");
    rows.collect::<rusqlite::Result<_>>().expect("rows")
}

fn last_contact(conn: &Connection, customer: &str) -> Option<String> {
    conn.query_row("SELECT last_contact_at FROM customers WHERE id = ?1", [customer], |row| row.get(0))
        .expect("customer")
}

// ------------------------------------------------------ 1. property test

#[derive(Debug, Clone)]
enum Op {
    CheckIn,
    Visit {
        cents: Option<u32>,
    },
    Purchase {
        cents: u32,
    },
    Call,
    RedeemReward(prop::sample::Index),
    RedeemPunch,
    /// `reason: None` is a blank reason (refused).
    Adjust {
        points: i64,
        reason: Option<String>,
    },
    Undo(prop::sample::Index),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::CheckIn),
        3 => proptest::option::of(0u32..20_000).prop_map(|cents| Op::Visit { cents }),
        2 => (0u32..20_000).prop_map(|cents| Op::Purchase { cents }),
        1 => Just(Op::Call),
        3 => any::<prop::sample::Index>().prop_map(Op::RedeemReward),
        2 => Just(Op::RedeemPunch),
        2 => (-150i64..150, prop::option::weighted(0.9, name_text())).prop_map(|(points, reason)| Op::Adjust { points, reason }),
        3 => any::<prop::sample::Index>().prop_map(Op::Undo),
    ]
}

fn amount_text(cents: u32) -> String {
    // Both decimal separators a desk types.
    if cents.is_multiple_of(2) {
        format!("{}.{:02}", cents / 100, cents % 100)
    } else {
        format!("{},{:02}", cents / 100, cents % 100)
    }
}

/// One interaction as the model remembers it.
struct Logged {
    id: String,
    points: i64,
    stamps: i64,
    bonus: bool,
    undone: bool,
}

/// What the ledger should say, kept by hand beside the database.
#[derive(Default)]
struct Model {
    balance: i64,
    stamps: i64,
    lifetime: i64,
    interactions: Vec<Logged>,
}

fn property_program() -> Program {
    Program {
        points_per_visit: 10,
        points_per_currency_unit: 1,
        punch_card: Some(PunchCard { every: 3, reward: "free coffee".into() }),
        rewards: vec![
            Reward { id: "small".into(), name: "Small treat".into(), cost: 30 },
            Reward { id: "medium".into(), name: "Medium treat".into(), cost: 80 },
            Reward { id: "large".into(), name: "Large treat".into(), cost: 150 },
        ],
        tiers: Program::default().tiers,
        birthday_bonus: 50,
        referral_bonus: 0,
        visit_word: "visit".into(),
    }
}

fn run_ops(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut shop = shop_of(BusinessKind::Other);
    let program = shop.save_program(&property_program());
    // The session runs in her birthday week, so the bonus is in play.
    let customer = shop.customer_born("Maya", Some((11, 3)));
    let bystander = shop.customer("Bystander");
    shop.check_in(&bystander, t(-5));
    let bystander_before = ledger_sums(shop.conn(), &bystander);
    let mut model = Model::default();

    for (step, op) in ops.iter().enumerate() {
        let now = t(step as i64 * 30);
        let today = now.date_naive();
        let before = snapshot(shop.conn());
        let rows_before = ledger_sums(shop.conn(), &customer).0;
        let conn = shop.store.conn_mut();
        // Ok(true) applied, Ok(false) refused as expected.
        let applied: bool = match op {
            Op::CheckIn | Op::Visit { .. } | Op::Purchase { .. } | Op::Call => {
                let (input, kind, cents) = match op {
                    Op::CheckIn => (visit(""), "visit", None),
                    Op::Visit { cents } => (visit(&cents.map(amount_text).unwrap_or_default()), "visit", *cents),
                    Op::Purchase { cents } => (purchase(&amount_text(*cents)), "purchase", Some(*cents)),
                    _ => (
                        LogInput { kind: "call".into(), summary: "Called back".into(), ..Default::default() },
                        "call",
                        None,
                    ),
                };
                let logged = desk::log(conn, &customer, &input, now, today)
                    .map_err(|e| TestCaseError::fail(format!("log failed: {e}")))?;
                let mut points = if kind == "visit" { program.points_per_visit } else { 0 };
                if kind != "call" {
                    points += i64::from(cents.unwrap_or(0) / 100) * program.points_per_currency_unit;
                }
                let stamps = i64::from(kind == "visit");
                prop_assert_eq!(logged.points, points, "points earned by {:?}", op);
                prop_assert_eq!(logged.stamps, stamps);
                // One birthday bonus while a visit that carried one still stands.
                let bonus_standing = model.interactions.iter().any(|i| i.bonus && !i.undone);
                let bonus_due = kind == "visit" && !bonus_standing;
                prop_assert_eq!(
                    logged.birthday_bonus,
                    if bonus_due { 50 } else { 0 },
                    "birthday bonus at step {}",
                    step
                );
                let earned = points + logged.birthday_bonus;
                model.balance += earned;
                model.lifetime += earned;
                model.stamps += stamps;
                model.interactions.push(Logged {
                    id: logged.interaction_id,
                    points: earned,
                    stamps,
                    bonus: bonus_due,
                    undone: false,
                });
                true
            }
            Op::RedeemReward(index) => {
                let reward = index.get(&program.rewards);
                let result = loyalty::redeem(conn, &customer, &Redeemable::Reward(reward.id.clone()), None, now);
                if model.balance >= reward.cost {
                    prop_assert!(result.is_ok(), "redeem {} with balance {}: {:?}", reward.cost, model.balance, result);
                    model.balance -= reward.cost;
                    true
                } else {
                    let error = result.expect_err("redeem above the balance must be refused");
                    prop_assert_eq!(field_of(error), "reward");
                    false
                }
            }
            Op::RedeemPunch => {
                let result = loyalty::redeem(conn, &customer, &Redeemable::PunchCard, None, now);
                if model.stamps >= 3 {
                    prop_assert!(result.is_ok(), "punch card with {} stamps: {:?}", model.stamps, result);
                    model.stamps -= 3;
                    true
                } else {
                    prop_assert_eq!(field_of(result.expect_err("too few stamps")), "reward");
                    false
                }
            }
            Op::Adjust { points, reason } => {
                let result = loyalty::adjust(conn, &customer, *points, reason.as_deref().unwrap_or("  "), None, now);
                if reason.is_none() {
                    prop_assert_eq!(field_of(result.expect_err("blank reason")), "reason");
                    false
                } else if *points == 0 || model.balance + points < 0 {
                    prop_assert_eq!(field_of(result.expect_err("zero or overdraw")), "points");
                    false
                } else {
                    prop_assert!(result.is_ok(), "adjust {} on {}: {:?}", points, model.balance, result);
                    model.balance += points;
                    model.lifetime += points;
                    true
                }
            }
            Op::Undo(index) => {
                if model.interactions.is_empty() {
                    let result = desk::undo(conn, "no-such-interaction", None, now);
                    prop_assert!(matches!(result, Err(Error::NotFound(_))), "{:?}", result);
                    false
                } else {
                    let which = index.index(model.interactions.len());
                    let target = &model.interactions[which];
                    let result = desk::undo(conn, &target.id, None, now);
                    if target.undone {
                        prop_assert!(matches!(result, Err(Error::Conflict(_))), "second undo: {:?}", result);
                        false
                    } else {
                        prop_assert!(result.is_ok(), "undo: {:?}", result);
                        // What it earned, at most what is left.
                        let points_back = target.points.min(model.balance);
                        let stamps_back = target.stamps.min(model.stamps);
                        model.interactions[which].undone = true;
                        model.balance -= points_back;
                        model.lifetime -= points_back;
                        model.stamps -= stamps_back;
                        true
                    }
                }
            }
        };

        let (rows, sum_points, sum_stamps) = ledger_sums(shop.conn(), &customer);
        let totals = shop.totals(&customer);
        if !applied {
            prop_assert_eq!(rows, rows_before, "a refused {:?} added ledger rows", op);
            prop_assert!(snapshot(shop.conn()) == before, "a refused {:?} changed the database", op);
        }
        prop_assert_eq!(totals.balance, sum_points, "balance is the sum of the ledger");
        prop_assert_eq!(totals.stamps, sum_stamps);
        prop_assert!(totals.balance >= 0, "balance {} below zero after {:?}", totals.balance, op);
        prop_assert!(totals.stamps >= 0, "stamps {} below zero after {:?}", totals.stamps, op);
        prop_assert_eq!(totals.balance, model.balance, "balance after step {} {:?}", step, op);
        prop_assert_eq!(totals.stamps, model.stamps, "stamps after step {} {:?}", step, op);
        prop_assert_eq!(totals.lifetime, model.lifetime, "lifetime after step {} {:?}", step, op);
    }

    // The card agrees with the ledger, and nobody else's points moved.
    let status = shop.status(&customer);
    prop_assert_eq!(status.balance, model.balance);
    prop_assert_eq!(status.punch.as_ref().map(|p| p.free_available * 3 + p.stamps), Some(model.stamps));
    prop_assert_eq!(ledger_sums(shop.conn(), &bystander), bystander_before);
    let standing = model.interactions.iter().filter(|i| !i.undone).count() as i64;
    let counted: i64 = shop
        .conn()
        .query_row("SELECT count(*) FROM interactions WHERE customer_id = ?1 AND undone_at IS NULL", [&customer], |r| {
            r.get(0)
        })
        .expect("count");
    prop_assert_eq!(counted, standing);
    Ok(())
}

proptest! {
    // 64 cases by default; PROPTEST_CASES=5000 for a deeper run.
    #![proptest_config(ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() { ProptestConfig::default().cases } else { 64 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_desk_session_keeps_the_ledger_consistent(ops in prop::collection::vec(op(), 1..=40)) {
        run_ops(&ops)?;
    }
}

// ------------------------------------------- 2. concurrent redeems

/// Desks that each open their own connection to the same file redeem at
/// the same moment; `covers` of them can be paid for.
fn race_redeems(desks: usize, covers: i64, rounds: usize) {
    let mut shop = shop_of(BusinessKind::Gym);
    let smoothie = shop.program().rewards.iter().find(|r| r.name == "Free smoothie").expect("smoothie").clone();
    let path = shop.db_path();
    for round in 0..rounds {
        let customer = shop.customer(&format!("Racer{round}"));
        shop.adjust(&customer, smoothie.cost * covers, t(round as i64));
        let barrier = Arc::new(Barrier::new(desks));
        let handles: Vec<_> = (0..desks)
            .map(|desk| {
                let (path, barrier, customer, reward) =
                    (path.clone(), barrier.clone(), customer.clone(), smoothie.id.clone());
                std::thread::spawn(move || {
                    let mut store = Store::open(&path).expect("each desk opens its own store");
                    barrier.wait();
                    loyalty::redeem(
                        store.conn_mut(),
                        &customer,
                        &Redeemable::Reward(reward),
                        None,
                        t(1000 + desk as i64),
                    )
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().expect("desk thread")).collect();
        let succeeded = results.iter().filter(|r| r.is_ok()).count() as i64;
        assert_eq!(succeeded, covers, "round {round}: {results:?}");
        for result in results.into_iter().filter(Result::is_err) {
            let message = match result.expect_err("refused") {
                Error::Invalid { field, reason } => {
                    assert_eq!(field, "reward");
                    reason
                }
                other => panic!("round {round}: expected a refusal naming the reward, got {other:?}"),
            };
            assert_eq!(message, "Free smoothie needs 100 points; the balance is 0.");
        }
        let totals = shop.totals(&customer);
        assert_eq!(totals.balance, 0, "round {round}");
        assert_eq!(ledger_sums(shop.conn(), &customer), (1 + covers, 0, 0), "round {round}");
    }
}

#[test]
fn two_desks_redeeming_at_once_cannot_overdraw() {
    race_redeems(2, 1, 15);
}

#[test]
fn four_desks_redeeming_at_once_pay_exactly_what_the_balance_covers() {
    race_redeems(4, 1, 8);
    race_redeems(4, 2, 8);
}

// --------------------------------------------------------- 3. tiers

#[test]
fn tiers_start_exactly_at_their_threshold() {
    let mut shop = shop_of(BusinessKind::Other);
    let program = shop.program();
    assert_eq!(
        program.tiers.iter().map(|t| (t.name.as_str(), t.threshold)).collect::<Vec<_>>(),
        vec![("Silver", 500), ("Gold", 1500)]
    );

    let cases: [(i64, Option<&str>, Option<&str>); 6] = [
        (0, None, Some("500 more points to Silver")),
        (498, None, Some("2 more points to Silver")),
        (499, None, Some("1 more point to Silver")),
        (500, Some("Silver"), Some("1000 more points to Gold")),
        (1499, Some("Silver"), Some("1 more point to Gold")),
        (1500, Some("Gold"), None),
    ];
    for (lifetime, tier, next) in cases {
        let customer = shop.customer(&format!("Life{lifetime}"));
        if lifetime > 0 {
            shop.adjust(&customer, lifetime, t(0));
        }
        let status = shop.status(&customer);
        assert_eq!(status.lifetime, lifetime);
        assert_eq!(status.tier.as_ref().map(|t| t.name.as_str()), tier, "tier at {lifetime}");
        assert_eq!(status.next_tier.as_deref(), next, "next tier at {lifetime}");
    }

    // Reaching the threshold with a visit counts the same as an adjustment.
    let visitor = shop.customer("Visitor");
    shop.adjust(&visitor, 490, t(0));
    assert_eq!(shop.status(&visitor).tier, None);
    shop.check_in(&visitor, t(1));
    assert_eq!(shop.status(&visitor).tier.map(|t| t.name), Some("Silver".into()));

    // Redeeming spends the balance but not the lifetime: the tier stays.
    let gold = shop.customer("Goldie");
    shop.adjust(&gold, 1500, t(0));
    let gift = program.rewards[0].clone();
    for minute in 1..=3 {
        loyalty::redeem(shop.conn_mut(), &gold, &Redeemable::Reward(gift.id.clone()), None, t(minute)).expect("redeem");
    }
    let status = shop.status(&gold);
    assert_eq!(status.balance, 1500 - 3 * gift.cost);
    assert_eq!(status.lifetime, 1500);
    assert_eq!(status.tier.map(|t| t.name), Some("Gold".into()));
    assert_eq!(status.next_tier, None);

    // Taking points back with an adjustment does lower it.
    shop.adjust(&gold, -1, t(10));
    let status = shop.status(&gold);
    assert_eq!(status.lifetime, 1499);
    assert_eq!(status.tier.map(|t| t.name), Some("Silver".into()));
    assert_eq!(status.next_tier.as_deref(), Some("1 more point to Gold"));
}

// ------------------------------------------------------ 4. punch card

#[test]
fn punch_card_counts_across_undo_and_redeem() {
    let mut shop = shop_of(BusinessKind::DogWalking);
    let program = shop.program();
    assert_eq!(program.punch_card, Some(PunchCard { every: 10, reward: "free walk".into() }));
    let owner = shop.customer("Rex's owner");
    let ready = "A free walk is ready!";

    let mut walks = Vec::new();
    for i in 0..9 {
        walks.push(shop.check_in(&owner, t(i * 60)).interaction_id);
    }
    let status = shop.status(&owner);
    assert_eq!(status.punch.as_ref().map(|p| (p.stamps, p.free_available)), Some((9, 0)));
    assert_eq!(
        status.progress.first().map(String::as_str),
        Some("1 more walk to a free walk"),
        "{:?}",
        status.progress
    );
    assert!(!status.ready.iter().any(|r| r == ready), "{:?}", status.ready);

    walks.push(shop.check_in(&owner, t(9 * 60)).interaction_id);
    let status = shop.status(&owner);
    assert_eq!(status.punch.as_ref().map(|p| (p.stamps, p.free_available)), Some((0, 1)));
    assert!(status.ready.iter().any(|r| r == ready), "{:?}", status.ready);
    assert_eq!(status.progress.first().map(String::as_str), Some("10 more walks to a free walk"));

    // The tenth walk was logged by mistake.
    shop.undo(&walks[9], t(601));
    assert_eq!(shop.totals(&owner).stamps, 9);
    let status = shop.status(&owner);
    assert!(!status.ready.iter().any(|r| r == ready), "{:?}", status.ready);
    assert_eq!(status.progress.first().map(String::as_str), Some("1 more walk to a free walk"));

    // Too few stamps: refused, naming the reward and the count.
    let before = snapshot(shop.conn());
    let error = loyalty::redeem(shop.conn_mut(), &owner, &Redeemable::PunchCard, None, t(602)).expect_err("9 stamps");
    assert_eq!(message_of(error), "The free walk needs 10 stamps; the card has 9.");
    assert_eq!(snapshot(shop.conn()), before);

    walks.push(shop.check_in(&owner, t(700)).interaction_id);
    assert_eq!(shop.totals(&owner).stamps, 10);
    loyalty::redeem(shop.conn_mut(), &owner, &Redeemable::PunchCard, None, t(701)).expect("redeem the free walk");
    let totals = shop.totals(&owner);
    assert_eq!(totals.stamps, 0);
    assert_eq!(totals.balance, 100, "the punch card costs stamps, not points");
    let status = shop.status(&owner);
    assert!(!status.ready.iter().any(|r| r == ready));
    assert_eq!(status.progress.first().map(String::as_str), Some("10 more walks to a free walk"));

    // Undoing a walk whose stamp was already redeemed: no negative stamps.
    shop.undo(&walks[0], t(702));
    let totals = shop.totals(&owner);
    assert_eq!((totals.stamps, totals.balance), (0, 90));
    assert_eq!(ledger_of(shop.conn(), &walks[0]), vec![("earn".into(), 10, 1), ("reverse".into(), -10, 0)]);
    shop.undo(&walks[1], t(703));
    assert_eq!(shop.totals(&owner).stamps, 0);
    assert_eq!(ledger_sums(shop.conn(), &owner).2, 0);

    // The next walk starts the card again from one.
    shop.check_in(&owner, t(800));
    let status = shop.status(&owner);
    assert_eq!(status.punch.map(|p| p.stamps), Some(1));
    assert_eq!(status.progress.first().map(String::as_str), Some("9 more walks to a free walk"));
}

// ------------------------------------------------ 5. program changes

#[test]
fn program_changes_leave_past_entries_untouched() {
    let mut shop = shop_of(BusinessKind::Other);
    let mut program = shop.program();
    program.points_per_visit = 10;
    shop.save_program(&program);
    let customer = shop.customer("Olga");

    let old = shop.check_in(&customer, t(0));
    assert_eq!(old.points, 10);
    let old_purchase = shop.log(&customer, &purchase("20.00"), t(1));
    assert_eq!(old_purchase.points, 20);

    program.points_per_visit = 25;
    program.points_per_currency_unit = 3;
    let saved = shop.save_program(&program);
    assert_eq!(shop.program(), saved);

    // Earlier rows still say what they earned then.
    assert_eq!(ledger_of(shop.conn(), &old.interaction_id), vec![("earn".into(), 10, 0)]);
    assert_eq!(ledger_of(shop.conn(), &old_purchase.interaction_id), vec![("earn".into(), 20, 0)]);

    let new = shop.check_in(&customer, t(2));
    assert_eq!(new.points, 25);
    assert_eq!(shop.log(&customer, &purchase("20.00"), t(3)).points, 60);
    assert_eq!(shop.totals(&customer).balance, 10 + 20 + 25 + 60);

    // Undo takes back what the visit earned, not what it would earn now.
    shop.undo(&old.interaction_id, t(4));
    assert_eq!(ledger_of(shop.conn(), &old.interaction_id), vec![("earn".into(), 10, 0), ("reverse".into(), -10, 0)]);
    shop.undo(&old_purchase.interaction_id, t(5));
    assert_eq!(ledger_of(shop.conn(), &old_purchase.interaction_id).last(), Some(&("reverse".into(), -20, 0)));
    assert_eq!(shop.totals(&customer).balance, 25 + 60);
}

// ------------------------------------------------------------ 6. visits

#[test]
fn amounts_are_stored_in_cents_and_earn_points_per_whole_unit() {
    let mut shop = shop_of(BusinessKind::Other);
    let mut program = shop.program();
    program.points_per_visit = 0;
    program.points_per_currency_unit = 1;
    shop.save_program(&program);
    let customer = shop.customer("Pia");

    let logged = shop.log(&customer, &visit("12.50"), t(0));
    assert_eq!((logged.points, logged.stamps, logged.birthday_bonus), (12, 0, 0));
    let stored: Option<i64> = shop
        .conn()
        .query_row("SELECT amount_cents FROM interactions WHERE id = ?1", [&logged.interaction_id], |r| r.get(0))
        .expect("row");
    assert_eq!(stored, Some(1250));

    assert_eq!(shop.log(&customer, &purchase("12,5"), t(1)).points, 12);
    assert_eq!(shop.log(&customer, &purchase("7"), t(2)).points, 7);
    // Under one unit earns nothing and writes no ledger row.
    let small = shop.log(&customer, &purchase("0.99"), t(3));
    assert_eq!(small.points, 0);
    assert!(ledger_of(shop.conn(), &small.interaction_id).is_empty());
    // A call with an amount earns nothing.
    let call = LogInput { kind: "call".into(), amount: "40".into(), ..Default::default() };
    assert_eq!(shop.log(&customer, &call, t(4)).points, 0);

    let activity = visits::activity(shop.conn(), &customer, date(2026, 3, 10)).expect("activity");
    assert_eq!(activity.lifetime_spend_cents, 1250 + 1250 + 700 + 99 + 4000);
    assert_eq!(activity.visit_count, 1);
    assert_eq!(activity.currency, "EUR");
    assert_eq!(activity.loyalty.balance, 31);
    assert_eq!(
        activity.history.items.iter().map(|i| i.amount_cents).collect::<Vec<_>>(),
        vec![Some(4000), Some(99), Some(700), Some(1250), Some(1250)]
    );

    // With the default 10 points per visit the same visit earns 10 + 12.
    program.points_per_visit = 10;
    shop.save_program(&program);
    assert_eq!(shop.log(&customer, &visit("12.50"), t(5)).points, 22);
}

#[test]
fn invalid_log_input_names_its_field_and_changes_nothing() {
    let mut shop = shop_of(BusinessKind::Salon);
    let customer = shop.customer("Quinn");
    shop.check_in(&customer, t(0));

    let base = LogInput { kind: "visit".into(), summary: "Cut".into(), ..Default::default() };
    let cases: Vec<(&str, LogInput)> = vec![
        ("kind", LogInput { kind: "visitt".into(), ..base.clone() }),
        ("kind", LogInput { kind: String::new(), ..base.clone() }),
        ("amount", LogInput { amount: "abc".into(), ..base.clone() }),
        ("amount", LogInput { amount: "-3".into(), ..base.clone() }),
        ("amount", LogInput { amount: "1.234".into(), ..base.clone() }),
        ("amount", LogInput { amount: "99999999999".into(), ..base.clone() }),
        ("next_step_due", LogInput { next_step: "Call about colour".into(), ..base.clone() }),
        ("next_step", LogInput { next_step_due: "2026-03-20".into(), ..base.clone() }),
        ("next_step_due", LogInput { next_step: "Call".into(), next_step_due: "2026-02-30".into(), ..base.clone() }),
        ("next_step_due", LogInput { next_step: "Call".into(), next_step_due: "20/03/2026".into(), ..base.clone() }),
        ("summary", LogInput { summary: "x".repeat(501), ..base.clone() }),
        ("staff", LogInput { staff_id: Some("not-a-staff-id".into()), ..base.clone() }),
    ];
    for (field, input) in cases {
        let before = snapshot(shop.conn());
        let error = desk::log(shop.conn_mut(), &customer, &input, t(5), date(2026, 3, 10)).expect_err("refused");
        assert_eq!(field_of(error), field, "{input:?}");
        assert_eq!(snapshot(shop.conn()), before, "a refused log changed something: {input:?}");
    }

    // An unknown customer is not found, and nothing is written either.
    let before = snapshot(shop.conn());
    let result = desk::log(shop.conn_mut(), "no-such-customer", &base, t(6), date(2026, 3, 10));
    assert!(matches!(result, Err(Error::NotFound(_))), "{result:?}");
    assert_eq!(snapshot(shop.conn()), before);

    // Staff by id: the name is kept with the row.
    let ana = shop.staff_id("Ana");
    let with_staff = LogInput { staff_id: Some(ana), ..base };
    shop.log(&customer, &with_staff, t(7));
    let history = visits::history(shop.conn(), &customer, None, 20).expect("history");
    assert_eq!(history.items[0].staff_name, "Ana");
    assert_eq!(history.items[1].staff_name, "");
}

#[test]
fn next_steps_become_open_tasks_until_done() {
    let mut shop = shop_of(BusinessKind::Gym);
    let ben = shop.staff_id("Ben");
    let customer = shop.customer("Rosa");
    let today = date(2026, 3, 10);
    let input = LogInput {
        kind: "call".into(),
        summary: "Asked about classes".into(),
        staff_id: Some(ben.clone()),
        next_step: "  Send the timetable ".into(),
        next_step_due: "2026-03-12".into(),
        ..Default::default()
    };
    shop.log(&customer, &input, at(today));
    let second =
        LogInput { next_step: "Book a trial".into(), next_step_due: "2026-03-10".into(), staff_id: None, ..input };
    shop.log(&customer, &second, at(today) + Duration::minutes(1));

    let open =
        |shop: &Shop, today: NaiveDate| visits::activity(shop.conn(), &customer, today).expect("activity").open_tasks;
    let tasks = open(&shop, today);
    assert_eq!(
        tasks
            .iter()
            .map(|t| (t.title.as_str(), t.due_on.as_str(), t.overdue, t.staff_name.as_str()))
            .collect::<Vec<_>>(),
        vec![("Book a trial", "2026-03-10", false, ""), ("Send the timetable", "2026-03-12", false, "Ben")],
        "ordered by due date; due today is not overdue"
    );
    let tasks = open(&shop, date(2026, 3, 12));
    assert_eq!(tasks.iter().map(|t| t.overdue).collect::<Vec<_>>(), vec![true, false]);
    let tasks = open(&shop, date(2026, 3, 13));
    assert_eq!(tasks.iter().map(|t| t.overdue).collect::<Vec<_>>(), vec![true, true]);

    let done_at = at(date(2026, 3, 11));
    let owner = desk::complete_task(shop.conn_mut(), &tasks[0].id, Some(&ben), done_at).expect("complete");
    assert_eq!(owner, customer);
    let (done, by): (Option<String>, String) = shop
        .conn()
        .query_row("SELECT done_at, done_by FROM tasks WHERE id = ?1", [&tasks[0].id], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("task");
    assert_eq!(done, Some(timestamp(done_at)));
    assert_eq!(by, "Ben");
    assert_eq!(open(&shop, today).iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), vec!["Send the timetable"]);

    // Completing it twice keeps the first record.
    desk::complete_task(shop.conn_mut(), &tasks[0].id, None, done_at + Duration::hours(1)).expect("again");
    let by: String =
        shop.conn().query_row("SELECT done_by FROM tasks WHERE id = ?1", [&tasks[0].id], |r| r.get(0)).expect("task");
    assert_eq!(by, "Ben");

    let result = desk::complete_task(shop.conn_mut(), "no-such-task", None, done_at);
    assert!(matches!(result, Err(Error::NotFound(_))), "{result:?}");
    let error = desk::complete_task(shop.conn_mut(), &tasks[1].id, Some("gone"), done_at).expect_err("unknown staff");
    assert_eq!(field_of(error), "staff");
    assert_eq!(open(&shop, today).len(), 1);

    // The desk ticks the last one off without naming anyone.
    desk::complete_task(shop.conn_mut(), &tasks[1].id, None, done_at).expect("complete");
    assert!(open(&shop, today).is_empty());
    let by: String =
        shop.conn().query_row("SELECT done_by FROM tasks WHERE id = ?1", [&tasks[1].id], |r| r.get(0)).expect("task");
    assert_eq!(by, "the desk");
}

#[test]
fn undo_keeps_the_row_closes_its_steps_and_recomputes_last_contact() {
    let mut shop = shop_of(BusinessKind::Gym);
    let ana = shop.staff_id("Ana");
    let customer = shop.customer("Sam");
    let step = |title: &str| LogInput {
        kind: "visit".into(),
        summary: "Workout".into(),
        next_step: title.into(),
        next_step_due: "2026-03-20".into(),
        ..Default::default()
    };
    let first = shop.log(&customer, &step("Check progress"), t(0));
    let second = shop.log(&customer, &step("Plan next block"), t(60));
    assert_eq!(last_contact(shop.conn(), &customer), Some(timestamp(t(60))));
    assert_eq!(shop.totals(&customer).balance, 20);

    desk::undo(shop.conn_mut(), &second.interaction_id, Some(&ana), t(61)).expect("undo");
    assert_eq!(last_contact(shop.conn(), &customer), Some(timestamp(t(0))), "back to the visit that still stands");
    assert_eq!(shop.totals(&customer).balance, 10);
    let activity = visits::activity(shop.conn(), &customer, date(2026, 3, 10)).expect("activity");
    assert_eq!(activity.open_tasks.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), vec!["Check progress"]);
    assert_eq!(activity.visit_count, 1);
    let undone = &activity.history.items[0];
    assert_eq!(undone.id, second.interaction_id, "an undone visit stays in the history");
    assert_eq!(undone.undone_at, Some(timestamp(t(61))));
    assert_eq!(undone.undo_reason.as_deref(), Some("Undone by Ana"));
    assert_eq!(activity.history.items[1].undone_at, None);
    let by: String = shop
        .conn()
        .query_row("SELECT done_by FROM tasks WHERE interaction_id = ?1", [&second.interaction_id], |r| r.get(0))
        .expect("task");
    assert_eq!(by, "visit undone");

    // Undoing twice is a conflict and changes nothing.
    let before = snapshot(shop.conn());
    let result = desk::undo(shop.conn_mut(), &second.interaction_id, None, t(62));
    assert!(matches!(result, Err(Error::Conflict(_))), "{result:?}");
    assert_eq!(snapshot(shop.conn()), before);
    let result = desk::undo(shop.conn_mut(), "no-such-visit", None, t(62));
    assert!(matches!(result, Err(Error::NotFound(_))), "{result:?}");
    assert_eq!(snapshot(shop.conn()), before);

    // Undoing the only one left clears last contact.
    shop.undo(&first.interaction_id, t(63));
    assert_eq!(last_contact(shop.conn(), &customer), None);
    let activity = visits::activity(shop.conn(), &customer, date(2026, 3, 10)).expect("activity");
    assert!(activity.open_tasks.is_empty());
    assert_eq!(activity.visit_count, 0);
    assert_eq!(activity.history.items.len(), 2);
    assert_eq!(activity.history.items[1].undo_reason.as_deref(), Some("Undone by the desk"));
    assert_eq!(shop.totals(&customer).balance, 0);

    // A newer visit moves last contact forward again; undoing an older
    // visit does not move it back.
    let third = shop.check_in(&customer, t(120));
    shop.check_in(&customer, t(180));
    shop.undo(&third.interaction_id, t(181));
    assert_eq!(last_contact(shop.conn(), &customer), Some(timestamp(t(180))));
}

#[test]
fn history_pages_newest_first_without_gaps_or_duplicates() {
    let mut shop = shop_of(BusinessKind::Other);
    let customer = shop.customer("Tess");
    let other = shop.customer("Other");
    let mut logged = Vec::new();
    for i in 0..45 {
        let input =
            LogInput { kind: visits::KINDS[i % 4].into(), summary: format!("Interaction {i}"), ..Default::default() };
        logged.push(shop.log(&customer, &input, t(i as i64 * 15)).interaction_id);
        if i % 10 == 0 {
            shop.check_in(&other, t(i as i64 * 15 + 1));
        }
    }
    let newest_first: Vec<String> = logged.iter().rev().cloned().collect();

    let read_all = |shop: &Shop, customer: &str| {
        let mut sizes = Vec::new();
        let mut ids = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let page = visits::history(shop.conn(), customer, before.as_deref(), HISTORY_PAGE).expect("page");
            sizes.push(page.items.len());
            ids.extend(page.items.iter().map(|i| i.id.clone()));
            match page.next_before {
                Some(next) => before = Some(next),
                None => break,
            }
            assert!(sizes.len() < 10, "paging does not end");
        }
        (sizes, ids)
    };
    let (sizes, ids) = read_all(&shop, &customer);
    assert_eq!(HISTORY_PAGE, 20);
    assert_eq!(sizes, vec![20, 20, 5]);
    assert_eq!(ids, newest_first);

    let first = visits::activity(shop.conn(), &customer, date(2026, 3, 10)).expect("activity").history;
    assert_eq!(first.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), newest_first[..20].to_vec());
    assert_eq!(first.items[0].summary, "Interaction 44");

    // A visit arriving between pages does not shift the older pages.
    let page1 = visits::history(shop.conn(), &customer, None, HISTORY_PAGE).expect("page 1");
    shop.check_in(&customer, t(10_000));
    let page2 = visits::history(shop.conn(), &customer, page1.next_before.as_deref(), HISTORY_PAGE).expect("page 2");
    assert_eq!(page2.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), newest_first[20..40].to_vec());

    // Exactly one page's worth: no empty trailing page is promised.
    let exact = shop.customer("Exact");
    for i in 0..20 {
        shop.check_in(&exact, t(i));
    }
    let page = visits::history(shop.conn(), &exact, None, HISTORY_PAGE).expect("page");
    assert_eq!((page.items.len(), page.next_before), (20, None));

    // Many interactions in the same millisecond still page cleanly.
    let burst = shop.customer("Burst");
    let mut burst_ids = Vec::new();
    for _ in 0..45 {
        burst_ids.push(shop.check_in(&burst, t(500)).interaction_id);
    }
    let (sizes, ids) = read_all(&shop, &burst);
    assert_eq!(sizes, vec![20, 20, 5]);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 45, "no duplicates");
    burst_ids.sort();
    assert_eq!(unique, burst_ids, "no gaps");

    // Another customer's history is their own.
    let (sizes, _) = read_all(&shop, &other);
    assert_eq!(sizes, vec![5]);
}

#[test]
fn activity_counts_leave_out_undone_interactions() {
    let mut shop = shop_of(BusinessKind::Gym);
    let customer = shop.customer("Uma");
    shop.log(&customer, &visit("10.00"), t(0));
    let b = shop.log(&customer, &visit("5.50"), t(1));
    shop.log(&customer, &purchase("20.00"), t(2));
    let c = shop.log(&customer, &purchase("3.00"), t(3));
    shop.log(&customer, &LogInput { kind: "message".into(), ..Default::default() }, t(4));

    let activity = visits::activity(shop.conn(), &customer, date(2026, 3, 10)).expect("activity");
    assert_eq!((activity.visit_count, activity.lifetime_spend_cents), (2, 3850));
    assert_eq!(activity.last_contact_at, Some(timestamp(t(4))));

    shop.undo(&b.interaction_id, t(5));
    shop.undo(&c.interaction_id, t(6));
    let activity = visits::activity(shop.conn(), &customer, date(2026, 3, 10)).expect("activity");
    assert_eq!((activity.visit_count, activity.lifetime_spend_cents), (1, 3000));
    assert_eq!(activity.history.items.len(), 5, "undone rows are still listed");
    assert_eq!(activity.loyalty.balance, shop.totals(&customer).balance);
    assert_eq!(activity.loyalty.balance, (10 + 10) + 20);

    let result = visits::activity(shop.conn(), "no-such-customer", date(2026, 3, 10));
    assert!(matches!(result, Err(Error::NotFound(_))), "{result:?}");
}

// ------------------------------------------------- 7. refused changes

#[test]
fn redeem_and_adjust_refusals_explain_and_change_nothing() {
    let mut shop = shop_of(BusinessKind::Gym);
    let program = shop.program();
    let smoothie = program.rewards.iter().find(|r| r.name == "Free smoothie").expect("smoothie").clone();
    let customer = shop.customer("Vic");
    shop.adjust(&customer, 40, t(0));

    let before = snapshot(shop.conn());
    let error = loyalty::redeem(shop.conn_mut(), &customer, &Redeemable::Reward(smoothie.id.clone()), None, t(1))
        .expect_err("short");
    assert_eq!(message_of(error), "Free smoothie needs 100 points; the balance is 40.");
    assert_eq!(snapshot(shop.conn()), before);

    let error = loyalty::redeem(shop.conn_mut(), &customer, &Redeemable::Reward("retired".into()), None, t(1))
        .expect_err("unknown");
    assert_eq!(field_of(error), "reward");
    let error =
        loyalty::redeem(shop.conn_mut(), &customer, &Redeemable::PunchCard, None, t(1)).expect_err("no punch card");
    assert_eq!(field_of(error), "reward");
    let result =
        loyalty::redeem(shop.conn_mut(), "no-such-customer", &Redeemable::Reward(smoothie.id.clone()), None, t(1));
    assert!(matches!(result, Err(Error::NotFound(_))), "{result:?}");
    assert_eq!(snapshot(shop.conn()), before);

    for (points, reason, field) in [
        (10, "", "reason"),
        (10, "   ", "reason"),
        (0, "Because", "points"),
        (-41, "Correction", "points"),
        (1_000_001, "Too many", "points"),
    ] {
        let error = loyalty::adjust(shop.conn_mut(), &customer, points, reason, None, t(2)).expect_err("refused");
        assert_eq!(field_of(error), field, "adjust {points} {reason:?}");
        assert_eq!(snapshot(shop.conn()), before);
    }
    let error = loyalty::adjust(shop.conn_mut(), &customer, -41, "Correction", None, t(2)).expect_err("below zero");
    assert_eq!(message_of(error), "The balance is 40; it cannot go below zero.");

    // Down to exactly zero is fine, and the reason is kept.
    let ana = shop.staff_id("Ana");
    loyalty::adjust(shop.conn_mut(), &customer, -40, "  Entered twice ", Some(&ana), t(3)).expect("adjust");
    assert_eq!(shop.totals(&customer).balance, 0);
    let line = &shop.status(&customer).ledger[0];
    assert_eq!(
        (line.kind.as_str(), line.points, line.memo.as_str(), line.staff_name.as_str()),
        ("adjust", -40, "Adjusted: Entered twice", "Ana")
    );

    // With enough points the same redeem goes through, once.
    shop.adjust(&customer, 100, t(4));
    loyalty::redeem(shop.conn_mut(), &customer, &Redeemable::Reward(smoothie.id.clone()), None, t(5)).expect("redeem");
    assert_eq!(shop.totals(&customer).balance, 0);
    assert_eq!(shop.status(&customer).ledger[0].memo, "Redeemed: Free smoothie");
    let error =
        loyalty::redeem(shop.conn_mut(), &customer, &Redeemable::Reward(smoothie.id), None, t(6)).expect_err("spent");
    assert_eq!(message_of(error), "Free smoothie needs 100 points; the balance is 0.");
}

// ------------------------------------------------- 8. birthday bonus

/// Checks `customer` in on each day and returns the birthday bonus each earned.
fn bonuses(shop: &mut Shop, customer: &str, days: &[NaiveDate]) -> Vec<i64> {
    days.iter().map(|day| shop.check_in(customer, at(*day)).birthday_bonus).collect()
}

#[test]
fn birthday_bonus_once_a_year_within_a_week_of_the_birthday() {
    let mut shop = shop_of(BusinessKind::Gym);
    assert_eq!(shop.program().birthday_bonus, 50);

    let ida = shop.customer_born("Ida", Some((14, 3)));
    let earned = bonuses(
        &mut shop,
        &ida,
        &[
            date(2026, 3, 1),
            date(2026, 3, 10),
            date(2026, 3, 14),
            date(2026, 3, 20),
            date(2027, 3, 20),
            date(2027, 3, 21),
        ],
    );
    assert_eq!(earned, vec![0, 50, 0, 0, 50, 0], "outside the week, then once in 2026, once in 2027");
    assert_eq!(shop.totals(&ida).balance, 6 * 10 + 2 * 50);
    let bonus_rows: i64 = shop
        .conn()
        .query_row("SELECT count(*) FROM points_ledger WHERE customer_id = ?1 AND kind = 'bonus'", [&ida], |r| r.get(0))
        .expect("count");
    assert_eq!(bonus_rows, 2);

    // The edges of the week: 7 days either side count, 8 do not.
    for (day, bonus) in [(date(2026, 3, 7), 50), (date(2026, 3, 21), 50), (date(2026, 3, 6), 0), (date(2026, 3, 22), 0)]
    {
        let customer = shop.customer_born("Edge", Some((14, 3)));
        assert_eq!(bonuses(&mut shop, &customer, &[day]), vec![bonus], "visit on {day}");
    }

    // Only visits earn it: a purchase in the week does not use it up.
    let jo = shop.customer_born("Jo", Some((14, 3)));
    let bought = shop.log(&jo, &purchase("5.00"), at(date(2026, 3, 13)));
    assert_eq!(bought.birthday_bonus, 0);
    assert_eq!(bonuses(&mut shop, &jo, &[date(2026, 3, 14)]), vec![50]);

    // No birthday, no bonus; a zero bonus in the program turns it off.
    let kim = shop.customer("Kim");
    assert_eq!(bonuses(&mut shop, &kim, &[date(2026, 3, 14)]), vec![0]);
    let lou = shop.customer_born("Lou", Some((14, 3)));
    let mut program = shop.program();
    program.birthday_bonus = 0;
    shop.save_program(&program);
    assert_eq!(bonuses(&mut shop, &lou, &[date(2026, 3, 14)]), vec![0]);
    let later = shop.check_in(&lou, at(date(2026, 3, 15)));
    assert_eq!(ledger_of(shop.conn(), &later.interaction_id), vec![("earn".into(), 10, 0)]);
}

#[test]
fn birthday_on_29_february_in_a_non_leap_year() {
    let mut shop = shop_of(BusinessKind::Gym);
    // 2027 has no 29 February: the birthday counts on 28 February.
    for (day, bonus) in [
        (date(2027, 2, 28), 50),
        (date(2027, 3, 1), 50),
        (date(2027, 2, 21), 50),
        (date(2027, 3, 7), 50),
        (date(2027, 3, 8), 0),
        (date(2027, 2, 20), 0),
        // 2028 is a leap year: the week is around 29 February itself.
        (date(2028, 3, 7), 50),
        (date(2028, 3, 8), 0),
        (date(2028, 2, 22), 50),
    ] {
        let customer = shop.customer_born("Leap", Some((29, 2)));
        assert_eq!(bonuses(&mut shop, &customer, &[day]), vec![bonus], "visit on {day}");
    }
    let leap = shop.customer_born("Leaper", Some((29, 2)));
    let earned = bonuses(&mut shop, &leap, &[date(2027, 2, 27), date(2027, 3, 2), date(2028, 2, 29), date(2028, 3, 1)]);
    assert_eq!(earned, vec![50, 0, 50, 0]);
}

#[test]
fn birthday_week_reaching_across_new_year() {
    let mut shop = shop_of(BusinessKind::Gym);
    // 28 December is four days before a 1 January birthday.
    let nia = shop.customer_born("Nia", Some((1, 1)));
    let earned = bonuses(&mut shop, &nia, &[date(2025, 12, 28), date(2026, 1, 1), date(2026, 1, 5)]);
    assert_eq!(earned, vec![50, 0, 0], "one bonus for the one birthday, though it spans two calendar years");
    // 3 January is four days after a 30 December birthday.
    let ole = shop.customer_born("Ole", Some((30, 12)));
    assert_eq!(bonuses(&mut shop, &ole, &[date(2026, 1, 3), date(2026, 12, 29)]), vec![50, 50]);
}

#[test]
fn undoing_the_birthday_visit_leaves_the_bonus_for_the_real_one() {
    let mut shop = shop_of(BusinessKind::Gym);
    let pat = shop.customer_born("Pat", Some((14, 3)));
    // Checked in by mistake (the wrong Pat), then undone.
    let mistake = shop.check_in(&pat, at(date(2026, 3, 12)));
    assert_eq!(mistake.birthday_bonus, 50);
    shop.undo(&mistake.interaction_id, at(date(2026, 3, 12)) + Duration::minutes(1));
    assert_eq!(shop.totals(&pat).balance, 0);
    let real = shop.check_in(&pat, at(date(2026, 3, 13)));
    assert_eq!(real.birthday_bonus, 50, "the undone visit's bonus was taken back");
    assert_eq!(shop.check_in(&pat, at(date(2026, 3, 14))).birthday_bonus, 0);
    assert_eq!(shop.totals(&pat).balance, 10 + 50 + 10);
}
