//! `cargo bench --bench search`: front-desk lookup on a seeded shop of
//! 100,000 customers, beside the naive baseline a simple app would use
//! (`LIKE '%q%'` over the same fields, `ORDER BY name LIMIT 20`), measured
//! on the same data in the same run. Prints one line per case:
//! `bench: <case> p50_ms=<x> p99_ms=<y> baseline_p99_ms=<z>`.
//!
//! REGULARS_BENCH_CUSTOMERS overrides the shop size.

use std::time::{Duration, Instant};

use chrono::Utc;
use regulars::records::customers::{self, CustomerInput, PersonInput};
use regulars::db::settings::BusinessKind;
use regulars::db::store::Store;
use regulars::io::sample;
use regulars::db::search;
use regulars::db::store;
use regulars::features::cards;
use regulars::io::backup;
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
    let card = cards::create(
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

    drop(store);
    searches_during_backup(&dir.path().join(store::DATABASE_FILE), "ma");
}

/// A search typed while the automatic backup copies the whole file, one
/// keystroke every 20 ms. Ours: the backup reads on a connection of its own
/// and the search on a read connection (WAL: neither waits). Baseline: one
/// connection behind one lock, as the app had it: the search waits for
/// the copy to finish.
fn searches_during_backup(database: &std::path::Path, query: &str) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    const BACKUPS: usize = 3;
    let out = tempfile::tempdir().expect("backup folder");
    let copying = Arc::new(AtomicBool::new(true));

    // Ours.
    let backup = {
        let (database, folder, copying) = (database.to_path_buf(), out.path().to_path_buf(), copying.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            for n in 0..BACKUPS {
                let conn = store::open_reader(&database).expect("backup connection");
                backup::backup_to(&conn, &folder.join(format!("ours-{n}.sqlite3"))).expect("backup");
            }
            copying.store(false, Ordering::SeqCst);
            started.elapsed()
        })
    };
    let reader = store::open_reader(database).expect("read connection");
    let mut ours = Vec::new();
    while copying.load(Ordering::SeqCst) {
        let start = Instant::now();
        search::search(&reader, query, 20).expect("search");
        ours.push(start.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    let copy_time = backup.join().expect("backup thread");

    // Baseline: the same, with the search and the backup sharing one locked connection.
    copying.store(true, Ordering::SeqCst);
    let shared = Arc::new(Mutex::new(Store::open(database).expect("store")));
    let backup = {
        let (shared, folder, copying) = (shared.clone(), out.path().to_path_buf(), copying.clone());
        std::thread::spawn(move || {
            for n in 0..BACKUPS {
                let store = shared.lock().expect("lock");
                backup::backup_to(store.conn(), &folder.join(format!("baseline-{n}.sqlite3"))).expect("backup");
                drop(store);
                std::thread::sleep(Duration::from_millis(1));
            }
            copying.store(false, Ordering::SeqCst);
        })
    };
    let mut baseline = Vec::new();
    while copying.load(Ordering::SeqCst) {
        let start = Instant::now();
        let store = shared.lock().expect("lock");
        search::search(store.conn(), query, 20).expect("search");
        drop(store);
        baseline.push(start.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    backup.join().expect("backup thread");
    println!(
        "bench: search_during_backup p50_ms={:.3} p99_ms={:.3} max_ms={:.3} baseline_p50_ms={:.3} baseline_max_ms={:.3} searches={} backups={BACKUPS} backup_ms={:.0}",
        percentile(&mut ours, 0.5),
        percentile(&mut ours, 0.99),
        percentile(&mut ours, 1.0),
        percentile(&mut baseline, 0.5),
        percentile(&mut baseline, 1.0),
        ours.len(),
        copy_time.as_secs_f64() * 1000.0 / BACKUPS as f64,
    );
}

