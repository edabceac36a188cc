//! `cargo bench --bench data`: importing a 100,000-row spreadsheet and
//! exporting 100,000 customers to CSV, beside a naive baseline measured in
//! the same run. Prints
//! `bench: <case> p50_ms=<x> runs=<n> baseline_ms=<y>`.
//!
//! The import is the whole path the app takes: read the file, decode,
//! detect the delimiter, parse, guess the mapping, validate and check every
//! row for duplicates, then one transaction that writes and indexes every
//! card. The baseline is what a simple importer does: one
//! `cards::create` (its own transaction) per row.
//!
//! REGULARS_BENCH_ROWS overrides the size; REGULARS_BENCH_RUNS the runs.

#[path = "common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use regulars::features::cards;
use regulars::io::export;
use regulars::io::importer::{self, Options};
use regulars::records::customers::{self, CustomerInput, PersonInput};

fn p50(samples: &mut [Duration]) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

const FIRST: [&str; 16] = [
    "Zoë", "Łukasz", "Maria", "José", "Søren", "Aoife", "Mei", "Omar", "Ana", "Jürgen", "Priya", "Tom", "Élodie",
    "Kwame", "Ines", "Lars",
];
const LAST: [&str; 16] = [
    "Müller",
    "Walker",
    "García",
    "Nowak",
    "Østergård",
    "Murphy",
    "Chen",
    "Haddad",
    "Silva",
    "Groß",
    "Patel",
    "Smith",
    "Dubois",
    "Mensah",
    "Rossi",
    "Berg",
];
const PETS: [&str; 6] = ["Biscuit (dog)", "Rex (dog)", "Mittens (cat)", "", "", ""];

/// A realistic export from another tool: semicolons, day-first birthdays,
/// tags, pets and a note on most rows.
fn spreadsheet(rows: usize) -> String {
    let mut csv = String::from("First name;Last name;Mobile;E-mail;Date of birth;Tags;Pets;Notes\r\n");
    for i in 0..rows {
        let first = FIRST[i % 16];
        let last = LAST[(i / 16) % 16];
        csv.push_str(&format!(
            "{first};{last}-{i};+44 7700 {:06};{}.{}{i}@example.com;{:02}/{:02}/{};{};{};\"Prefers mornings, asks for {}\"\r\n",
            i % 1_000_000,
            first.to_lowercase(),
            "x",
            1 + i % 28,
            1 + i % 12,
            1950 + i % 55,
            if i % 3 == 0 { "vip, regular" } else { "regular" },
            PETS[i % 6],
            LAST[i % 16],
        ));
    }
    csv
}

fn main() {
    common::both_forms(benchmark);
}

fn benchmark() {
    let rows = common::env_size("REGULARS_BENCH_ROWS", 100_000);
    let runs = common::env_size("REGULARS_BENCH_RUNS", 5);
    let now = Utc::now();
    println!("bench: shop_file {}", common::form());
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("customers.csv");
    std::fs::write(&file, spreadsheet(rows)).expect("write csv");
    let size_mb = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0;

    if std::env::var_os("REGULARS_BENCH_PHASES").is_some() {
        let start = Instant::now();
        let table = importer::read_file(&file).expect("read");
        let read = start.elapsed();
        let store = common::open_in(&dir.path().join("phases"));
        let start = Instant::now();
        importer::preview(store.conn(), &table, "x.csv", &Options::default(), now).expect("preview");
        println!("phases: read_ms={} plan_ms={}", read.as_millis(), start.elapsed().as_millis());
    }

    // Ours: the whole import, each run into a fresh shop.
    let mut samples = Vec::new();
    let mut last_store = None;
    for run in 0..runs {
        let data = dir.path().join(format!("ours-{run}"));
        let mut store = common::open_in(&data);
        let start = Instant::now();
        let report =
            importer::import_file(store.conn_mut(), common::key(), &file, &Options::default(), now).expect("import");
        samples.push(start.elapsed());
        assert_eq!(report.imported, rows, "every row imported: {:?}", report.problems.first());
        // Keep one shop for the export; the disk is small.
        if let Some(previous) = last_store.replace((store, data)) {
            drop(previous.0);
            std::fs::remove_dir_all(&previous.1).expect("remove a finished run");
        }
    }
    let ours = p50(&mut samples);
    import_vcf(rows, runs, &file, dir.path(), now);
    if std::env::var_os("REGULARS_BENCH_NO_BASELINE").is_some() {
        println!("bench: import_{}k p50_ms={ours:.0} runs={runs} (no baseline)", rows / 1000);
        return;
    }

    // Baseline: the same rows (already parsed, so only the writes are
    // timed), one cards::create and its own transaction per row.
    let table = importer::read_file(&file).expect("read");
    let inputs: Vec<(CustomerInput, String)> = table
        .rows
        .iter()
        .map(|(_, c)| {
            let birthday: Vec<&str> = c[4].split('/').collect();
            let people = importer_pet(&c[6]);
            let input = CustomerInput {
                first_name: c[0].clone(),
                last_name: c[1].clone(),
                phone: c[2].clone(),
                email: c[3].clone(),
                birthday_day: birthday[0].into(),
                birthday_month: birthday[1].into(),
                birthday_year: birthday[2].into(),
                tags: c[5].split(", ").map(str::to_string).collect(),
                people,
                ..Default::default()
            };
            (input, c[7].clone())
        })
        .collect();
    let mut baseline_store = common::open_in(&dir.path().join("baseline"));
    let start = Instant::now();
    for (input, note) in &inputs {
        let card = cards::create(baseline_store.conn_mut(), input, now).expect("create");
        customers::add_note(baseline_store.conn_mut(), &card.id, note, false, now).expect("note");
    }
    let baseline = start.elapsed().as_secs_f64() * 1000.0;
    println!(
        "bench: import_{}k p50_ms={ours:.0} runs={runs} file_mb={size_mb:.1} baseline_ms={baseline:.0} (one create + note per row, own transactions)",
        rows / 1000
    );

    // Export: every customer with people and notes to CSV.
    let (store, _) = last_store.expect("a shop");
    let out = dir.path().join("export.csv");
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let count = export::export_customers_csv(store.conn(), &out).expect("export");
        samples.push(start.elapsed());
        assert_eq!(count, rows);
    }
    let ours = p50(&mut samples);
    // Baseline: load each card with customers::get and write it.
    let ids = customers::all_ids(store.conn()).expect("ids");
    let start = Instant::now();
    let mut writer = csv::Writer::from_path(dir.path().join("baseline.csv")).expect("baseline file");
    for id in &ids {
        let card = customers::get(store.conn(), id).expect("card");
        let people: Vec<String> = card.people.iter().map(|p| format!("{} ({})", p.name, p.kind)).collect();
        let notes: Vec<String> = card.notes.iter().map(|n| n.body.clone()).collect();
        writer
            .write_record([
                &card.id,
                &card.first_name,
                &card.last_name,
                &card.phone,
                &card.email,
                &card.tags.join(", "),
                &people.join("; "),
                &notes.join("\n\n"),
            ])
            .expect("write");
    }
    writer.flush().expect("flush");
    let baseline = start.elapsed().as_secs_f64() * 1000.0;
    let size_mb = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0;
    println!(
        "bench: export_{}k p50_ms={ours:.0} runs={runs} file_mb={size_mb:.1} baseline_ms={baseline:.0} (customers::get per customer)",
        rows / 1000
    );

    // The same shop as vCard contacts, beside the CSV export's figure.
    let csv_ms = ours;
    let out = dir.path().join("export.vcf");
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let count = export::export_vcards(store.conn(), None, &out).expect("export vcf");
        samples.push(start.elapsed());
        assert_eq!(count, rows);
    }
    let ours = p50(&mut samples);
    let size_mb = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0;
    println!(
        "bench: export_vcf_{}k p50_ms={ours:.0} runs={runs} file_mb={size_mb:.1} csv_p50_ms={csv_ms:.0}",
        rows / 1000
    );
}

/// The same people and fields as `spreadsheet` as a vCard 3.0 file the way
/// an iPhone exports it: a grouped mobile with Apple's types, a folded note
/// line, categories, and the pet as a related name with Apple's label.
fn vcard_file(rows: usize) -> String {
    let mut vcf = String::new();
    for i in 0..rows {
        let first = FIRST[i % 16];
        let last = LAST[(i / 16) % 16];
        vcf.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:{last}-{i};{first};;;\r\nFN:{first} {last}-{i}\r\n\
item1.TEL;type=CELL;type=VOICE;type=pref:+44 7700 {:06}\r\n\
EMAIL;type=INTERNET;type=pref:{}.x{i}@example.com\r\n\
BDAY:{}-{:02}-{:02}\r\nCATEGORIES:{}\r\nNOTE:Prefers mornings\\, asks \r\n for {}\r\n{}END:VCARD\r\n",
            i % 1_000_000,
            first.to_lowercase(),
            1950 + i % 55,
            1 + i % 12,
            1 + i % 28,
            if i % 3 == 0 { "vip,regular" } else { "regular" },
            LAST[i % 16],
            match PETS[i % 6].split_once(" (") {
                Some((name, kind)) =>
                    format!("item2.X-ABRELATEDNAMES:{name}\r\nitem2.X-ABLabel:{}\r\n", kind.trim_end_matches(')')),
                None => String::new(),
            },
        ));
    }
    vcf
}

/// `bench: import_vcf_100k`: the whole import of a vCard file, beside the
/// CSV import of the same people (the goal: at most 1.2 times it). The two
/// take turns, each run into a fresh shop, so both meet the same disk and
/// the same page cache: run after run, a disk still writing the previous
/// shop made whichever came later look slower.
fn import_vcf(rows: usize, runs: usize, csv: &std::path::Path, dir: &std::path::Path, now: chrono::DateTime<Utc>) {
    let file = dir.join("contacts.vcf");
    std::fs::write(&file, vcard_file(rows)).expect("write vcf");
    let size_mb = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0;
    let (mut vcf_samples, mut csv_samples) = (Vec::new(), Vec::new());
    for run in 0..runs {
        for (source, samples) in [(&file, &mut vcf_samples), (&csv.to_path_buf(), &mut csv_samples)] {
            let data = dir.join(format!("turns-{run}"));
            let mut store = common::open_in(&data);
            let start = Instant::now();
            let report = importer::import_file(store.conn_mut(), common::key(), source, &Options::default(), now)
                .expect("import");
            samples.push(start.elapsed());
            assert_eq!(report.imported, rows, "every contact imported: {:?}", report.problems.first());
            drop(store);
            std::fs::remove_dir_all(&data).expect("remove a finished run");
        }
    }
    let (vcf_ms, csv_ms) = (p50(&mut vcf_samples), p50(&mut csv_samples));
    println!(
        "bench: import_vcf_{}k p50_ms={vcf_ms:.0} runs={runs} file_mb={size_mb:.1} csv_p50_ms={csv_ms:.0} ratio={:.2}",
        rows / 1000,
        vcf_ms / csv_ms
    );
}

fn importer_pet(cell: &str) -> Vec<PersonInput> {
    match cell.split_once(" (") {
        Some((name, kind)) => vec![PersonInput {
            id: None,
            name: name.into(),
            kind: kind.trim_end_matches(')').into(),
            details: String::new(),
        }],
        None => Vec::new(),
    }
}
