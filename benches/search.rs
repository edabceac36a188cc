//! `cargo bench --bench search`: front-desk lookup on a seeded shop of
//! 100,000 customers, beside the naive baseline a simple app would use
//! (`LIKE '%q%'` over the same fields, `ORDER BY name LIMIT 20`), measured
//! on the same data in the same run. Prints one line per case:
//! `bench: <case> p50_ms=<x> p99_ms=<y> baseline_p99_ms=<z>`.
//!
//! REGULARS_BENCH_CUSTOMERS overrides the shop size.

use std::time::{Duration, Instant};

use chrono::Utc;
use regulars::customers::{self, CustomerInput, PersonInput};
use regulars::settings::BusinessKind;
use regulars::store::Store;
use regulars::{sample, search};
use rusqlite::params;

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index].as_secs_f64() * 1000.0
}

fn measure(iterations: usize, mut run: impl FnMut()) -> Vec<Duration> {
    for _ in 0..iterations.min(10) {
        run(); // warm the page cache and the statement cache
    }
    (0..iterations)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect()
}

/// What a simple app does: LIKE over every field, sorted by name.
fn naive_search(conn: &rusqlite::Connection, query: &str) -> Vec<String> {
    let pattern = format!("%{query}%");
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.id FROM customers c
             WHERE c.display_name LIKE ?1 OR c.phone LIKE ?1 OR c.email LIKE ?1
                OR EXISTS (SELECT 1 FROM people p WHERE p.customer_id = c.id AND p.name LIKE ?1)
                OR EXISTS (SELECT 1 FROM notes n WHERE n.customer_id = c.id AND n.body LIKE ?1)
             ORDER BY c.display_name LIMIT 20",
        )
        .expect("baseline statement");
    stmt.query_map(params![pattern], |row| row.get(0)).expect("baseline query").map(|r| r.expect("row")).collect()
}

/// A card read without the indexes on notes and people: a full scan.
fn naive_card(conn: &rusqlite::Connection, id: &str) -> usize {
    let mut count = 0;
    for sql in [
        "SELECT * FROM customers WHERE id = ?1",
        "SELECT * FROM people NOT INDEXED WHERE customer_id = ?1",
        "SELECT * FROM notes NOT INDEXED WHERE customer_id = ?1 ORDER BY pinned DESC, created_at DESC",
    ] {
        let mut stmt = conn.prepare_cached(sql).expect("statement");
        let mut rows = stmt.query([id]).expect("query");
        while rows.next().expect("row").is_some() {
            count += 1;
        }
    }
    count
}

fn main() {
    let customers_wanted: usize = std::env::var("REGULARS_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open_in(dir.path()).expect("open store");
    let now = Utc::now();

    let start = Instant::now();
    sample::seed(store.conn_mut(), BusinessKind::Gym, customers_wanted, 42, now).expect("seed");
    println!("bench: seed customers={customers_wanted} total_ms={:.0}", start.elapsed().as_secs_f64() * 1000.0);

    // One regular with a dog and 200 notes, for the card case and the pet case.
    let card = customers::create(
        store.conn_mut(),
        &CustomerInput {
            first_name: "Zoë".into(),
            last_name: "Benchmark-Müller".into(),
            phone: "(555) 014-2211".into(),
            people: vec![PersonInput { id: None, name: "Biscotti".into(), kind: "dog".into(), details: "whippet".into() }],
            ..Default::default()
        },
        now,
    )
    .expect("card");
    for n in 0..200 {
        customers::add_note(store.conn_mut(), &card.id, &format!("Visit note number {n}: trained legs, felt great"), n % 50 == 0, now)
            .expect("note");
    }

    let conn = store.conn();
    let (full_name, phone): (String, String) = conn
        .query_row("SELECT display_name, phone FROM customers WHERE pk = 5000", [], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("a seeded customer");
    let phone_digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let phone_fragment = phone_digits[phone_digits.len() - 6..].to_string();

    let cases: Vec<(&str, String)> = vec![
        ("prefix_1_letter", "m".into()),
        ("prefix_2_letters", "ma".into()),
        ("prefix_3_letters", "mar".into()),
        ("full_name", full_name),
        ("phone_fragment", phone_fragment),
        ("pet_name", "biscott".into()),
        ("note_word", "marathon".into()),
    ];
    for (case, query) in &cases {
        let found = search::search(conn, query, 20).expect("search");
        assert!(!found.is_empty(), "{case}: {query:?} found nobody");
        let mut ours = measure(500, || {
            search::search(conn, query, 20).expect("search");
        });
        let mut baseline = measure(30, || {
            naive_search(conn, query);
        });
        println!(
            "bench: search_{case} p50_ms={:.3} p99_ms={:.3} baseline_p99_ms={:.3} query={query:?}",
            percentile(&mut ours, 0.5),
            percentile(&mut ours, 0.99),
            percentile(&mut baseline, 0.99),
        );
    }

    let mut ours = measure(500, || {
        let loaded = customers::get(conn, &card.id).expect("card");
        assert_eq!(loaded.notes.len(), 200);
    });
    let mut baseline = measure(30, || {
        naive_card(conn, &card.id);
    });
    println!(
        "bench: open_card_200_notes p50_ms={:.3} p99_ms={:.3} baseline_p99_ms={:.3}",
        percentile(&mut ours, 0.5),
        percentile(&mut ours, 0.99),
        percentile(&mut baseline, 0.99),
    );
}
