//! `cargo bench --bench desk`: how many keystrokes the front desk types
//! before the customer in front of it is the top hit, replayed over a
//! simulated month of a 3,000-customer dog-walking shop.
//!
//! Each customer gets a rhythm (three times a week, weekly or every other
//! week on their own weekday, about monthly, or rarely) and, seven in ten
//! of them, a usual time of day they keep to within 40 minutes either way
//! (a booked walk, a class); twelve weeks of visits by it, and then a
//! month in which they come by it (nine times in ten), in the order of
//! their arrival through the day. For every check-in the desk types "first name, space, last name"
//! one character at a time; the count is the characters typed when the
//! customer is first the top hit, or never. Each check-in is then logged,
//! so rhythms move as they would. Printed beside the same figures for the
//! name order the desk had before (`search` without a clock):
//! `bench: desk_keystrokes p50= p90= never_pct= name_order_p50= ...`.
//!
//! REGULARS_BENCH_CUSTOMERS overrides the shop size.

#[path = "common/mod.rs"]
mod common;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regulars::db::search;
use regulars::db::settings::BusinessKind;
use regulars::features::desk::{self, PastVisit};
use regulars::io::sample;
use regulars::records::customers;

/// When a customer comes: on some weekdays every week or every other
/// week, or every so many days give or take a few.
#[derive(Clone, Copy)]
enum Rhythm {
    Weekdays { days: [Option<u32>; 3], every_weeks: i64, week_offset: i64 },
    AboutEvery { days: i64, jitter: i64 },
}

fn pick_rhythm(rng: &mut ChaCha8Rng) -> Rhythm {
    let weekday = rng.gen_range(0..6);
    match rng.gen_range(0..100) {
        0..=7 => {
            let first = rng.gen_range(0..2);
            Rhythm::Weekdays { days: [Some(first), Some(first + 2), Some(first + 4)], every_weeks: 1, week_offset: 0 }
        }
        8..=29 => Rhythm::Weekdays { days: [Some(weekday), None, None], every_weeks: 1, week_offset: 0 },
        30..=41 => {
            Rhythm::Weekdays { days: [Some(weekday), None, None], every_weeks: 2, week_offset: rng.gen_range(0..2) }
        }
        42..=66 => Rhythm::AboutEvery { days: 30, jitter: 5 },
        _ => Rhythm::AboutEvery { days: 100, jitter: 30 },
    }
}

/// Whether a customer with this rhythm comes on `day` (days since a Monday
/// long ago), given when they last came.
fn comes(rhythm: Rhythm, day: i64, last: Option<i64>, rng: &mut ChaCha8Rng) -> bool {
    match rhythm {
        Rhythm::Weekdays { days, every_weeks, week_offset } => {
            let weekday = day.rem_euclid(7) as u32;
            (day / 7 + week_offset) % every_weeks == 0 && days.contains(&Some(weekday)) && rng.gen_bool(0.9)
        }
        Rhythm::AboutEvery { days, jitter } => {
            let due = last.map_or(rng.gen_range(0..days), |last| last + days);
            day >= due - jitter && rng.gen_bool(1.0 / (2 * jitter + 1) as f64)
        }
    }
}

/// Characters of `typed` the desk needs before `id` is the top hit.
fn keystrokes(conn: &rusqlite::Connection, typed: &str, id: &str, now: Option<DateTime<Utc>>) -> Option<usize> {
    let chars: Vec<char> = typed.chars().collect();
    (1..=chars.len()).find(|&n| {
        let prefix: String = chars[..n].iter().collect();
        search::search(conn, &prefix, search::DEFAULT_LIMIT, now)
            .expect("search")
            .first()
            .is_some_and(|hit| hit.id == id)
    })
}

/// p50, p90 (None when beyond every count: "never") and the share of never.
fn figures(mut counts: Vec<Option<usize>>) -> (String, String, f64) {
    // `None` sorts first; put the nevers last.
    counts.sort_by_key(|c| c.map_or(usize::MAX, |c| c));
    let at = |p: f64| {
        counts[((counts.len() - 1) as f64 * p).round() as usize].map_or("never".to_string(), |c| c.to_string())
    };
    let never = counts.iter().filter(|c| c.is_none()).count() as f64 * 100.0 / counts.len() as f64;
    (at(0.5), at(0.9), never)
}

fn main() {
    // Keystrokes, not time: the same for either form, so the encrypted shop alone.
    benchmark();
}

fn benchmark() {
    let size: usize = std::env::var("REGULARS_BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = common::open_in(dir.path());
    // The month starts on a Monday; the shop's history is the twelve weeks before.
    let month_start = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
    assert_eq!(month_start.weekday(), chrono::Weekday::Mon);
    let history_days = 12 * 7;
    let first_day = month_start - Duration::days(history_days);
    sample::seed(store.conn_mut(), BusinessKind::DogWalking, size, 7, first_day).expect("seed");
    let ids = customers::all_ids(store.conn()).expect("ids");
    let typed: Vec<String> = ids
        .iter()
        .map(|id| {
            store
                .conn()
                .query_row("SELECT first_name || ' ' || last_name FROM customers WHERE id = ?1", [id], |row| row.get(0))
                .expect("name")
        })
        .collect();

    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let rhythms: Vec<Rhythm> = ids.iter().map(|_| pick_rhythm(&mut rng)).collect();
    // Minutes after 8:00 (the shop is open ten hours), for those with a usual time.
    let usual_time: Vec<Option<i64>> = ids.iter().map(|_| rng.gen_bool(0.7).then(|| rng.gen_range(40..560))).collect();
    let arrival = |n: usize, rng: &mut ChaCha8Rng| match usual_time[n] {
        Some(usual) => usual + rng.gen_range(-40..=40),
        None => rng.gen_range(0..600),
    };
    let mut last: Vec<Option<i64>> = vec![None; ids.len()];
    let at = |day: i64, minute: i64| first_day + Duration::days(day) + Duration::minutes(8 * 60 + minute);

    // The history, logged in one go.
    let mut history = Vec::new();
    for day in 0..history_days {
        for (n, id) in ids.iter().enumerate() {
            if comes(rhythms[n], day, last[n], &mut rng) {
                last[n] = Some(day);
                let minute = arrival(n, &mut rng);
                history.push(PastVisit {
                    customer_id: id.clone(),
                    kind: "visit",
                    summary: "Walk".into(),
                    amount_cents: None,
                    at: at(day, minute),
                });
            }
        }
    }
    desk::record_past(store.conn_mut(), &history).expect("history");

    // The month, one check-in at a time.
    let (mut ranked, mut by_name) = (Vec::new(), Vec::new());
    for day in history_days..history_days + 28 {
        let mut arrivals: Vec<(i64, usize)> = Vec::new();
        for n in 0..ids.len() {
            if comes(rhythms[n], day, last[n], &mut rng) {
                arrivals.push((arrival(n, &mut rng), n));
            }
        }
        arrivals.sort();
        for (minute, n) in arrivals {
            let now = at(day, minute);
            ranked.push(keystrokes(store.conn(), &typed[n], &ids[n], Some(now)));
            by_name.push(keystrokes(store.conn(), &typed[n], &ids[n], None));
            last[n] = Some(day);
            let visit = PastVisit {
                customer_id: ids[n].clone(),
                kind: "visit",
                summary: "Walk".into(),
                amount_cents: None,
                at: now,
            };
            desk::record_past(store.conn_mut(), &[visit]).expect("check-in");
        }
    }

    let checkins = ranked.len();
    let (p50, p90, never) = figures(ranked);
    let (name_p50, name_p90, name_never) = figures(by_name);
    println!(
        "bench: desk_keystrokes customers={size} checkins={checkins} p50={p50} p90={p90} never_pct={never:.1} \
         name_order_p50={name_p50} name_order_p90={name_p90} name_order_never_pct={name_never:.1}"
    );
}
