//! `cargo bench --bench plan_pdf`: rendering the one-page welcome plan
//! (the gym's default plan for a customer with an accented name, from the
//! database as the app does it) to PDF bytes, beside a naive baseline in the
//! same run: the same page with both fonts parsed for every PDF and embedded
//! whole, unsubset. Prints
//! `bench: plan_pdf p50_ms=<x> p99_ms=<y> bytes=<n> baseline_p50_ms=<a> baseline_bytes=<b>`.

#[path = "common/mod.rs"]
mod common;

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use regulars::db::settings::{self, BusinessKind, Settings, StaffMember};
use regulars::features::cards;
use regulars::io::plan_pdf::{self, RenderOptions};
use regulars::records::customers::CustomerInput;
use regulars::records::onboarding::{self, ShopContact};

fn main() {
    common::both_forms(benchmark);
}

fn benchmark() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = common::open_in(dir.path());
    let now = Utc::now();
    let start = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let shop = Settings {
        shop_name: "Kraftwerk Süd".into(),
        business_kind: BusinessKind::Gym,
        staff: vec![StaffMember { id: None, name: "Søren Ødegård".into() }],
        setup_done: true,
        ..Settings::default()
    };
    settings::save(store.conn_mut(), &shop, now).expect("settings");
    onboarding::save_contact(
        store.conn(),
        &ShopContact {
            phone: "+49 30 1234-567".into(),
            email: "hallo@kraftwerk.de".into(),
            address: "Hauptstraße 5, 10827 Berlin".into(),
            website: String::new(),
        },
        now,
    )
    .expect("contact");
    let input =
        CustomerInput {
            first_name: "Zoë".into(), last_name: "Müller-Łukasiewicz".into(), ..CustomerInput::default()
        };
    let card = cards::create(store.conn_mut(), &input, now).expect("customer");
    onboarding::start(store.conn_mut(), &card.id, start, start, now).expect("plan");

    let iterations = 300;
    // Warm up: the fonts are parsed once per process.
    let warm = plan_pdf::render(&plan_pdf::document(store.conn(), &card.id, start).expect("document")).expect("render");
    let mut samples = Vec::with_capacity(iterations);
    let mut bytes = warm.bytes.len();
    for _ in 0..iterations {
        let t = Instant::now();
        let doc = plan_pdf::document(store.conn(), &card.id, start).expect("document");
        let rendered = plan_pdf::render(&doc).expect("render");
        samples.push(t.elapsed());
        bytes = rendered.bytes.len();
    }
    let p50 = common::percentile(&mut samples, 0.5);
    let p99 = common::percentile(&mut samples, 0.99);

    // Baseline: the same page, fonts parsed each time and embedded whole.
    let regular = include_bytes!("../src-tauri/fonts/DejaVuSans.ttf");
    let bold = include_bytes!("../src-tauri/fonts/DejaVuSans-Bold.ttf");
    let mut baseline = Vec::with_capacity(iterations / 3);
    let mut baseline_bytes = 0;
    for _ in 0..iterations / 3 {
        let t = Instant::now();
        let a = printpdf::ParsedFont::from_bytes(regular, 0, &mut Vec::new()).expect("parse");
        let b = printpdf::ParsedFont::from_bytes(bold, 0, &mut Vec::new()).expect("parse");
        std::hint::black_box((&a, &b));
        let doc = plan_pdf::document(store.conn(), &card.id, start).expect("document");
        let rendered = plan_pdf::render_with(&doc, RenderOptions { subset_fonts: false }).expect("render");
        baseline.push(t.elapsed());
        baseline_bytes = rendered.bytes.len();
    }
    let baseline_p50 = common::percentile(&mut baseline, 0.5);
    println!(
        "bench: plan_pdf p50_ms={p50:.2} p99_ms={p99:.2} bytes={bytes} baseline_p50_ms={baseline_p50:.2} baseline_bytes={baseline_bytes}"
    );
}
