//! `cargo bench --bench shop`: logging visits, a check-in that uses a pass, opening a busy card,
//! working out which reminders are due, the dashboard and a card's health, on a shop of 100,000 customers and
//! 1,000,000 visits, beside a naive baseline on the same data in the same
//! run. Prints
//! `bench: <case> p50_ms=<x> p99_ms=<y> baseline_p99_ms=<z>`.
//!
//! A change and a reminder pass run on the writer (8 MB of decrypted
//! pages); a card, the dashboard and a card's health on a read connection
//! (16 MB), as the window reads them (`AppState::read`).
//!
//! REGULARS_BENCH_CUSTOMERS and REGULARS_BENCH_VISITS override the sizes;
//! REGULARS_BENCH_PHOTOS=all puts a photo on every customer (some: a third
//! of them and half the dogs; none, the default).

#[path = "common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use regulars::app::notify::Recorder;
use regulars::app::scheduler;
use regulars::db::settings::BusinessKind;
use regulars::db::store;
use regulars::derived::health;
use regulars::features::card_view;
use regulars::features::cards;
use regulars::features::dashboard;
use regulars::features::desk;
use regulars::features::desk::LogInput;
use regulars::features::desk::PastVisit;
use regulars::io::{sample, setup};
use regulars::records::customers::{self, CustomerInput};
use regulars::records::interactions::{self as visits};
use regulars::records::loyalty;
use regulars::records::passes;

fn measure(iterations: usize, mut run: impl FnMut(usize)) -> Vec<Duration> {
    (0..iterations)
        .map(|i| {
            let start = Instant::now();
            run(i);
            start.elapsed()
        })
        .collect()
}

/// What a simple app does for a card: count and sum by scanning, no indexes.
fn naive_card(conn: &rusqlite::Connection, id: &str) -> i64 {
    let mut total = 0;
    for sql in [
        "SELECT count(*) FROM interactions NOT INDEXED WHERE customer_id = ?1 AND undone_at IS NULL",
        "SELECT coalesce(sum(points), 0) FROM points_ledger NOT INDEXED WHERE customer_id = ?1",
        "SELECT count(*) FROM (SELECT * FROM interactions NOT INDEXED WHERE customer_id = ?1 ORDER BY happened_at DESC LIMIT 20)",
    ] {
        total += conn.query_row(sql, [id], |row| row.get::<_, i64>(0)).expect("baseline query");
    }
    total
}

fn main() {
    common::both_forms(benchmark);
}

fn benchmark() {
    let customers_wanted = common::env_size("REGULARS_BENCH_CUSTOMERS", 100_000);
    let visits_wanted = common::env_size("REGULARS_BENCH_VISITS", 1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = common::open_in(dir.path());
    println!("bench: shop_file {}", common::form());
    let now = Utc::now();
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");

    let start = Instant::now();
    let photos = std::env::var("REGULARS_BENCH_PHOTOS")
        .ok()
        .and_then(|v| sample::Photos::parse(&v))
        .unwrap_or(sample::Photos::None);
    setup::seed_shop(store.conn_mut(), BusinessKind::Gym, customers_wanted, visits_wanted, photos, 42, now)
        .expect("seed");
    let (customers, interactions): (i64, i64) = store
        .conn()
        .query_row("SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM interactions)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("counts");
    println!(
        "bench: seed customers={customers} visits={interactions} total_ms={:.0}",
        start.elapsed().as_secs_f64() * 1000.0
    );

    // One very regular customer with 1,000 visits.
    let busy = cards::create(
        store.conn_mut(),
        &CustomerInput { first_name: "Busy".into(), last_name: "Regular".into(), ..Default::default() },
        now,
    )
    .expect("customer");
    let past: Vec<PastVisit> = (0..1000)
        .map(|i| PastVisit {
            customer_id: busy.id.clone(),
            kind: "visit",
            summary: format!("Session {i}"),
            amount_cents: (i % 3 == 0).then_some(1250),
            at: now - chrono::Duration::hours(i as i64 * 20),
        })
        .collect();
    desk::record_past(store.conn_mut(), &past).expect("history");

    let ids = customers::all_ids(store.conn()).expect("ids");
    let input =
        LogInput { kind: "visit".into(), summary: "Check-in".into(), amount: "12.50".into(), ..Default::default() };
    common::pages(store.conn());
    let mut ours = measure(2000, |i| {
        let id = &ids[(i * 7919) % ids.len()];
        desk::log(store.conn_mut(), id, &input, now, today).expect("log");
    });
    let (hits, misses, writes) = common::pages(store.conn());
    println!(
        "bench: log_visit_pages hits_per_op={} read_per_op={:.1} written_per_op={:.1}",
        hits / 2000,
        misses as f64 / 2000.0,
        writes as f64 / 2000.0
    );
    // Baseline: the same write, then the balance recomputed by a full scan,
    // as an app that keeps no index on the ledger would.
    let mut baseline = measure(30, |i| {
        let id = &ids[(i * 104_729) % ids.len()];
        desk::log(store.conn_mut(), id, &input, now, today).expect("log");
        store
            .conn()
            .query_row(
                "SELECT coalesce(sum(points), 0) FROM points_ledger NOT INDEXED WHERE customer_id = ?1",
                [id],
                |r| r.get::<_, i64>(0),
            )
            .expect("scan");
    });
    println!(
        "bench: log_visit_with_points p50_ms={:.3} p99_ms={:.3} baseline_p99_ms={:.3}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
        common::percentile(&mut baseline, 0.99)
    );

    // The window's own calls: a check-in (the visit, its sentence and the
    // refreshed card view) and opening a card (the whole card view, its
    // photos' ids included), on customers picked across the shop.
    let with_photo: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM photos WHERE person_id IS NULL", [], |r| r.get(0))
        .expect("photos");
    // Never the busy regular measured below (its visit count is checked).
    let others: Vec<&String> = ids.iter().filter(|id| **id != busy.id).collect();
    common::pages(store.conn());
    let mut ours = measure(2000, |i| {
        let id = others[(i * 6143) % others.len()];
        desk::check_in_and_show(store.conn_mut(), id, None, now, today, &chrono::Utc).expect("check in");
    });
    let (hits, misses, writes) = common::pages(store.conn());
    // Where a check-in's time goes: a page read from the file is decrypted,
    // a page written is encrypted (each 16 KB, with its HMAC).
    println!(
        "bench: check_in_pages hits_per_op={} read_per_op={:.1} written_per_op={:.1}",
        hits / 2000,
        misses as f64 / 2000.0,
        writes as f64 / 2000.0
    );
    println!(
        "bench: check_in p50_ms={:.3} p99_ms={:.3} customers_with_photo={with_photo}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
    );
    // The window reads a card on a read connection beside the writer.
    let reader = store::open_reader(store.path(), store.key()).expect("reader");
    let conn = &reader;
    let mut ours = measure(2000, |i| {
        let id = &ids[(i * 4099) % ids.len()];
        std::hint::black_box(card_view::load(conn, id, now, today, &chrono::Utc).expect("card view"));
    });
    println!(
        "bench: open_card_view p50_ms={:.3} p99_ms={:.3} customers_with_photo={with_photo}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
    );

    // Check-ins that use a pass: 2,000 customers with a 10-class pass each
    // (the rest of the benches then run with these passes in the shop).
    let types = passes::save_types(
        store.conn_mut(),
        &[passes::PassTypeInput {
            id: None,
            name: "10-class pass".into(),
            price: "120".into(),
            sessions: 10,
            valid_months: 3,
        }],
        now,
    )
    .expect("pass type");
    // Spread over the shop, never the busy regular measured below (its visit count is checked).
    let holders: Vec<&String> =
        ids.iter().filter(|id| **id != busy.id).step_by((ids.len() / 2000).max(1)).take(2000).collect();
    for id in &holders {
        desk::sell_pass(store.conn_mut(), id, &types[0].id, None, now, today).expect("sell a pass");
    }
    let mut ours = measure(2000, |i| {
        let logged = desk::check_in(store.conn_mut(), holders[i % holders.len()], None, now, today).expect("check in");
        assert!(logged.pass.is_some());
    });
    // Baseline: the same check-in, then what is left worked out by scanning
    // the ledger, as an app without the ledger's index would.
    let mut baseline = measure(30, |i| {
        let id = holders[(i * 31) % holders.len()];
        desk::check_in(store.conn_mut(), id, None, now, today).expect("check in");
        store
            .conn()
            .query_row(
                "SELECT coalesce(sum(sessions), 0) FROM pass_ledger NOT INDEXED WHERE customer_id = ?1",
                [id],
                |r| r.get::<_, i64>(0),
            )
            .expect("scan");
    });
    println!(
        "bench: check_in_with_pass p50_ms={:.3} p99_ms={:.3} baseline_p99_ms={:.3} passes={}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
        common::percentile(&mut baseline, 0.99),
        holders.len()
    );

    let conn = &reader;
    let mut ours = measure(500, |_| {
        let card = customers::get(conn, &busy.id).expect("card");
        let activity = visits::activity(conn, &card.id, today).expect("activity");
        assert_eq!(activity.visit_count, 1000);
        assert_eq!(activity.history.items.len(), visits::HISTORY_PAGE);
    });
    let mut baseline = measure(30, |_| {
        naive_card(conn, &busy.id);
    });
    let status = loyalty::status(conn, &loyalty::load_program(conn).expect("program"), &busy.id).expect("status");
    println!(
        "bench: open_card_1000_visits p50_ms={:.3} p99_ms={:.3} baseline_p99_ms={:.3} balance={}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
        common::percentile(&mut baseline, 0.99),
        status.balance
    );

    // Reminders: the first pass after an upgrade turns every customer who
    // has gone quiet into a reminder; after that each pass reads only what
    // is new. A pass = sync + fire what is due + find the next wake-up.
    let recorder = Recorder::default();
    let start = Instant::now();
    let first = scheduler::pass(&mut store, &recorder, "away:bench", now, &chrono::Utc).expect("first pass");
    let open: i64 = store.conn().query_row("SELECT count(*) FROM reminders", [], |r| r.get(0)).expect("count");
    println!(
        "bench: due_reminders_first_pass total_ms={:.0} reminders={open} fired={}",
        start.elapsed().as_secs_f64() * 1000.0,
        first.fired.len()
    );
    common::pages(store.conn());
    let mut ours = measure(500, |i| {
        let at = now + chrono::Duration::seconds(10 * (i as i64 + 1));
        scheduler::pass(&mut store, &recorder, "live", at, &chrono::Utc).expect("pass");
    });
    let (hits, misses, writes) = common::pages(store.conn());
    println!(
        "bench: due_reminders_pages hits_per_op={} read_per_op={:.1} written_per_op={:.1}",
        hits / 500,
        misses as f64 / 500.0,
        writes as f64 / 500.0
    );
    let conn = store.conn();
    let mut baseline = measure(20, |_| {
        naive_due(conn);
    });
    println!(
        "bench: due_reminders p50_ms={:.3} p99_ms={:.3} baseline_p99_ms={:.3}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
        common::percentile(&mut baseline, 0.99)
    );

    // The dashboard (home screen) and a card's health, read as the window reads them.
    let conn = &reader;
    common::pages(conn);
    let mut ours = measure(300, |_| {
        let board = dashboard::build(conn, now, &chrono::Utc).expect("dashboard");
        assert_eq!(board.top.len(), 5);
    });
    let (hits, misses, _) = common::pages(conn);
    println!("bench: dashboard_pages hits_per_op={} read_per_op={:.1}", hits / 300, misses as f64 / 300.0);
    let mut baseline = measure(3, |_| {
        naive_dashboard(conn, now);
    });
    let board = dashboard::build(conn, now, &chrono::Utc).expect("dashboard");
    println!(
        "bench: dashboard p50_ms={:.3} p99_ms={:.3} baseline_p99_ms={:.3} red={} yellow={}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
        common::percentile(&mut baseline, 0.99),
        board.red,
        board.yellow
    );
    let mut ours = measure(2000, |i| {
        let id = &ids[(i * 7919) % ids.len()];
        health::assess(conn, id, now, &chrono::Utc).expect("health");
    });
    let mut baseline = measure(20, |i| {
        naive_health(conn, &ids[(i * 7919) % ids.len()]);
    });
    println!(
        "bench: health_card p50_ms={:.3} p99_ms={:.3} baseline_p99_ms={:.3}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
        common::percentile(&mut baseline, 0.99)
    );
}

/// A card's health the simple way: the same signals read by scanning.
fn naive_health(conn: &rusqlite::Connection, id: &str) -> i64 {
    let mut total = 0;
    for sql in [
        "SELECT count(*) FROM complaints NOT INDEXED WHERE customer_id = ?1 AND closed_at IS NULL",
        "SELECT count(*) FROM (SELECT paid_late FROM interactions NOT INDEXED WHERE customer_id = ?1 AND amount_cents IS NOT NULL ORDER BY happened_at DESC LIMIT 2)",
        "SELECT count(*) FROM (SELECT score FROM feedback NOT INDEXED WHERE customer_id = ?1 ORDER BY answered_at DESC LIMIT 1)",
        "SELECT count(*) FROM (SELECT happened_at FROM interactions NOT INDEXED WHERE customer_id = ?1 AND kind = 'visit' ORDER BY happened_at DESC LIMIT 13)",
        "SELECT count(*) FROM memberships NOT INDEXED WHERE customer_id = ?1 AND ended_at IS NULL",
    ] {
        total += conn.query_row(sql, [id], |row| row.get::<_, i64>(0)).expect("baseline query");
    }
    total
}

/// The dashboard the simple way: every figure aggregated from the raw rows,
/// and every customer's health worked out, on each load.
fn naive_dashboard(conn: &rusqlite::Connection, now: chrono::DateTime<Utc>) -> usize {
    let mut found = 0;
    for sql in [
        "SELECT customer_id, sum(amount_cents) FROM interactions WHERE undone_at IS NULL GROUP BY customer_id ORDER BY 2 DESC LIMIT 5",
        "SELECT customer_id, sum(points) FROM points_ledger GROUP BY customer_id HAVING sum(points) BETWEEN 80 AND 99",
        "WITH m AS (SELECT DISTINCT customer_id, substr(happened_at, 1, 7) AS month FROM interactions
                    WHERE kind IN ('visit', 'purchase') AND undone_at IS NULL)
         SELECT a.month, count(*) FROM m a JOIN m b ON b.customer_id = a.customer_id
             AND b.month = strftime('%Y-%m', a.month || '-01', '+1 month') GROUP BY a.month",
    ] {
        let mut stmt = conn.prepare_cached(sql).expect("statement");
        let mut rows = stmt.query([]).expect("query");
        while rows.next().expect("row").is_some() {
            found += 1;
        }
    }
    let rules = health::load_rules(conn).expect("rules");
    for id in customers::all_ids(conn).expect("ids") {
        let signals = health::load_signals(conn, &id, &rules).expect("signals");
        if health::evaluate(&signals, &rules, now, &chrono::Utc).colour != health::Colour::Green {
            found += 1;
        }
    }
    found
}

/// What a simple app does to find who has gone quiet and whose birthday is
/// near: aggregate every visit and scan every customer, each time.
fn naive_due(conn: &rusqlite::Connection) -> usize {
    let mut found = 0;
    let mut stmt = conn
        .prepare_cached(
            "SELECT customer_id, max(happened_at), count(*) FROM interactions
             WHERE kind = 'visit' AND undone_at IS NULL GROUP BY customer_id
             HAVING max(happened_at) < datetime('now', '-30 days')",
        )
        .expect("statement");
    let mut rows = stmt.query([]).expect("query");
    while rows.next().expect("row").is_some() {
        found += 1;
    }
    let birthdays: i64 = conn
        .query_row(
            "SELECT count(*) FROM customers NOT INDEXED WHERE substr(birthday, -5) = strftime('%m-%d', 'now')",
            [],
            |r| r.get(0),
        )
        .expect("birthdays");
    found + birthdays as usize
}
