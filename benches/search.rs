//! `cargo bench --bench search`: front-desk lookup on a seeded shop of
//! 100,000 customers, beside the naive baseline a simple app would use
//! (`LIKE '%q%'` over the same fields, `ORDER BY name LIMIT 20`), measured
//! on the same data in the same run. Prints one line per case:
//! `bench: <case> p50_ms=<x> p99_ms=<y> baseline_p99_ms=<z>`.
//!
//! REGULARS_BENCH_CUSTOMERS overrides the shop size (5 visits each by
//! default, REGULARS_BENCH_VISITS); REGULARS_BENCH_PHOTOS=all
//! puts a photo on every customer (some: a third of them and half the dogs;
//! none, the default), and then the file's size and the list's thumbnails
//! are measured too.

#[path = "common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use regulars::db::search;
use regulars::db::settings::BusinessKind;
use regulars::db::store;
use regulars::db::store::Store;
use regulars::features::cards;
use regulars::io::backup;
use regulars::io::sample;
use regulars::records::customers::{self, CustomerInput, PersonInput};
use regulars::records::photos;
use rusqlite::params;

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
    common::both_forms(benchmark);
}

fn benchmark() {
    let customers_wanted: usize =
        std::env::var("REGULARS_BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = common::open_in(dir.path());
    println!("bench: shop_file {}", common::form());
    let now = Utc::now();

    let start = Instant::now();
    sample::seed(store.conn_mut(), BusinessKind::Gym, customers_wanted, 42, now).expect("seed");
    // Visits give most customers a rhythm and habits, which the search
    // weighs for every match it ranks (see `db::search`).
    let visits: usize =
        std::env::var("REGULARS_BENCH_VISITS").ok().and_then(|v| v.parse().ok()).unwrap_or(customers_wanted * 5);
    sample::seed_visits(store.conn_mut(), BusinessKind::Gym, visits, 42, now).expect("visits");
    println!(
        "bench: seed customers={customers_wanted} visits={visits} total_ms={:.0}",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let with_photos = std::env::var("REGULARS_BENCH_PHOTOS")
        .ok()
        .and_then(|v| sample::Photos::parse(&v))
        .unwrap_or(sample::Photos::None);
    let start = Instant::now();
    sample::seed_photos(store.conn_mut(), with_photos, 42, now).expect("photos");
    if with_photos != sample::Photos::None {
        println!("bench: seed_photos {with_photos:?} total_ms={:.0}", start.elapsed().as_secs_f64() * 1000.0);
    }

    // One regular with a dog and 200 notes, for the card case and the pet case.
    let card = cards::create(
        store.conn_mut(),
        &CustomerInput {
            first_name: "Zoë".into(),
            last_name: "Benchmark-Müller".into(),
            phone: "(555) 014-2211".into(),
            people: vec![PersonInput {
                id: None,
                name: "Biscotti".into(),
                kind: "dog".into(),
                details: "whippet".into(),
            }],
            ..Default::default()
        },
        now,
    )
    .expect("card");
    for n in 0..200 {
        customers::add_note(
            store.conn_mut(),
            &card.id,
            &format!("Visit note number {n}: trained legs, felt great"),
            n % 50 == 0,
            now,
        )
        .expect("note");
    }

    // From the start to the search box's first answer, as far as Rust goes:
    // open the shop (keyed when encrypted; migrations checked), open a
    // reader and answer "ma". The file is in the OS page cache, as at a
    // restart. The window's own start is the same either way.
    store.checkpoint().expect("checkpoint");
    let database = store.path().to_path_buf();
    let mut ready = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        let opened = Store::open_with(&database, common::key()).expect("open");
        let reader = store::open_reader(&database, common::key()).expect("reader");
        search::search(&reader, "ma", 12, Some(now)).expect("first search");
        ready.push(start.elapsed().as_secs_f64() * 1000.0);
        drop((opened, reader));
    }
    ready.sort_by(f64::total_cmp);
    println!(
        "bench: open_to_first_search p50_ms={:.1} max_ms={:.1} runs={} shop_file={}",
        ready[ready.len() / 2],
        ready[ready.len() - 1],
        ready.len(),
        common::form()
    );

    // The window searches on a read connection (`app::state`), so the
    // cases do too.
    let searcher = store::open_reader(store.path(), common::key()).expect("reader");
    let conn = &searcher;
    let (full_name, phone): (String, String) = conn
        .query_row("SELECT display_name, phone FROM customers WHERE pk = 5000", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
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
        let found = search::search(conn, query, 20, Some(chrono::Utc::now())).expect("search");
        assert!(!found.is_empty(), "{case}: {query:?} found nobody");
        let mut ours = measure(500, || {
            search::search(conn, query, 20, Some(chrono::Utc::now())).expect("search");
        });
        let mut baseline = measure(30, || {
            naive_search(conn, query);
        });
        println!(
            "bench: search_{case} p50_ms={:.3} p99_ms={:.3} baseline_p99_ms={:.3} query={query:?}",
            common::percentile(&mut ours, 0.5),
            common::percentile(&mut ours, 0.99),
            common::percentile(&mut baseline, 0.99),
        );
    }

    // Typing as the desk does: every two-letter start, "aa" to "zz", once
    // each, on a new read connection (the window's first after a start,
    // warmed up as the app warms it), then all again. Without the warm-up
    // (REGULARS_BENCH_NO_WARM_UP=1) the first pass reads every page from
    // the file (decrypting it when encrypted); the second finds most of
    // them in the connection's cache, as a desk does after a while.
    let reader = store::open_reader(store.path(), common::key()).expect("reader");
    if std::env::var("REGULARS_BENCH_NO_WARM_UP").is_err() {
        // As the app does when the shop opens (`app::background`).
        let start = Instant::now();
        let rows = search::warm_up(&reader).expect("warm up");
        println!(
            "bench: search_warm_up ms={:.1} rows={rows} shop_file={}",
            start.elapsed().as_secs_f64() * 1000.0,
            common::form()
        );
    }
    let prefixes: Vec<String> = ('a'..='z').flat_map(|a| ('a'..='z').map(move |b| format!("{a}{b}"))).collect();
    for pass in ["first", "second"] {
        let mut times: Vec<Duration> = prefixes
            .iter()
            .map(|prefix| {
                let start = Instant::now();
                search::search(&reader, prefix, 20, Some(chrono::Utc::now())).expect("search");
                start.elapsed()
            })
            .collect();
        println!(
            "bench: search_every_2_letters_{pass}_pass p50_ms={:.3} p99_ms={:.3} max_ms={:.3} queries={} shop_file={}",
            common::percentile(&mut times, 0.5),
            common::percentile(&mut times, 0.99),
            common::percentile(&mut times, 1.0),
            times.len(),
            common::form()
        );
    }
    drop(reader);

    let mut ours = measure(500, || {
        let loaded = customers::get(conn, &card.id).expect("card");
        assert_eq!(loaded.notes.len(), 200);
    });
    let mut baseline = measure(30, || {
        naive_card(conn, &card.id);
    });
    println!(
        "bench: open_card_200_notes p50_ms={:.3} p99_ms={:.3} baseline_p99_ms={:.3}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
        common::percentile(&mut baseline, 0.99),
    );

    if with_photos != sample::Photos::None {
        // What the list does after a search: one 64 px picture per hit
        // with a photo, each its own request (`app::photos`).
        let hits = search::search(conn, "ma", 12, Some(chrono::Utc::now())).expect("search");
        let ids: Vec<String> = hits.iter().filter_map(|hit| hit.photo.clone()).collect();
        let mut ours = measure(500, || {
            for id in &ids {
                assert!(photos::image(conn, id, photos::Size::Small).expect("picture").is_some());
            }
        });
        println!(
            "bench: list_thumbnails_12 p50_ms={:.3} p99_ms={:.3} pictures={}",
            common::percentile(&mut ours, 0.5),
            common::percentile(&mut ours, 0.99),
            ids.len()
        );
    }
    shop_file_size(store.conn(), &dir.path().join(store::DATABASE_FILE));

    drop(store);
    searches_during_backup(&dir.path().join(store::DATABASE_FILE), "ma");
}

/// The shop file's size with its photos, after a checkpoint, and what one
/// photo takes (the two JPEGs' bytes; the file adds page overhead).
fn shop_file_size(conn: &rusqlite::Connection, database: &std::path::Path) {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
    let (count, small, large): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), coalesce(sum(length(small)), 0), coalesce(sum(length(large)), 0) FROM photos",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("photo sizes");
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0)).expect("pages");
    // SQLCipher answers a keyed file's page size as text.
    let page_size: String = conn
        .query_row("PRAGMA page_size", [], |r| r.get::<_, rusqlite::types::Value>(0))
        .map(|value| match value {
            rusqlite::types::Value::Integer(n) => n.to_string(),
            rusqlite::types::Value::Text(text) => text,
            other => format!("{other:?}"),
        })
        .expect("page size");
    let bytes = std::fs::metadata(database).expect("file").len();
    println!(
        "bench: shop_file bytes={bytes} pages={pages} page_size={page_size} photos={count} photo_bytes_avg={} small_avg={} large_avg={}",
        (small + large) / count.max(1),
        small / count.max(1),
        large / count.max(1)
    );
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
                let conn = store::open_reader(&database, common::key()).expect("backup connection");
                backup::backup_to(&conn, &folder.join(format!("ours-{n}.sqlite3")), common::key()).expect("backup");
            }
            copying.store(false, Ordering::SeqCst);
            started.elapsed()
        })
    };
    let reader = store::open_reader(database, common::key()).expect("read connection");
    let mut ours = Vec::new();
    while copying.load(Ordering::SeqCst) {
        let start = Instant::now();
        search::search(&reader, query, 20, Some(chrono::Utc::now())).expect("search");
        ours.push(start.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    let copy_time = backup.join().expect("backup thread");

    // Baseline: the same, with the search and the backup sharing one locked connection.
    copying.store(true, Ordering::SeqCst);
    let shared = Arc::new(Mutex::new(Store::open_with(database, common::key()).expect("store")));
    let backup = {
        let (shared, folder, copying) = (shared.clone(), out.path().to_path_buf(), copying.clone());
        std::thread::spawn(move || {
            for n in 0..BACKUPS {
                let store = shared.lock().expect("lock");
                backup::backup_to(store.conn(), &folder.join(format!("baseline-{n}.sqlite3")), common::key())
                    .expect("backup");
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
        search::search(store.conn(), query, 20, Some(chrono::Utc::now())).expect("search");
        drop(store);
        baseline.push(start.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    backup.join().expect("backup thread");
    println!(
        "bench: search_during_backup p50_ms={:.3} p99_ms={:.3} max_ms={:.3} baseline_p50_ms={:.3} baseline_max_ms={:.3} searches={} backups={BACKUPS} backup_ms={:.0}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
        common::percentile(&mut ours, 1.0),
        common::percentile(&mut baseline, 0.5),
        common::percentile(&mut baseline, 1.0),
        ours.len(),
        copy_time.as_secs_f64() * 1000.0 / BACKUPS as f64,
    );
}
