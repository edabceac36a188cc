//! `cargo bench --bench mail`: news by email at 20,000 customers, half of
//! whom agreed to news (imported from a Square-like export with its
//! "Email Subscription Status" column). Prints
//! `bench: group_prepare_10k p50_ms=<x> runs=<n> baseline_ms=<y> messages=<m>`
//! and `bench: group_send_loopback per_second=<x> messages=<n>`.
//!
//! `group_prepare_10k` chooses the group and personalises one message with
//! `{first_name}` and `{pet_name}` for each of the 10,000 who may receive
//! it (`features::newsletter::personalise`: one query for the group, small
//! point reads per member). The baseline is the obvious way: every
//! customer's whole card and consent read, then the template's values
//! (`templates::values_for`) and the render.
//!
//! `group_send_loopback` sends 500 of them through a real SMTP server on
//! loopback (aiosmtpd with STARTTLS and a password, `tests/smtp`), the
//! hourly and daily limits off, each marked sent with its history line.
//!
//! REGULARS_BENCH_ROWS overrides the size; REGULARS_BENCH_RUNS the runs.

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/nats/mod.rs"]
mod nats;
#[path = "../tests/smtp/mod.rs"]
mod smtp;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use regulars::db::store::Store;
use regulars::features::groups::GroupFilter;
use regulars::features::newsletter::{self, Context, Draft};
use regulars::features::templates;
use regulars::io::importer::{self, Options};
use regulars::io::mail_account::{MailAccount, Security};
use regulars::io::mailer::{self, MailerConfig};
use regulars::records::{audit, consent, customers};
use zeroize::Zeroizing;

const FIRST: [&str; 8] = ["Zoë", "Łukasz", "Maria", "José", "Søren", "Aoife", "Mei", "Omar"];
const PETS: [&str; 4] = ["Biscuit (dog)", "Rex (dog)", "Mittens (cat)", "Luna (dog)"];

/// A Square-like export: names, email, a pet, and the subscription column.
fn spreadsheet(rows: usize) -> String {
    let mut csv = String::from("First Name,Last Name,Email Address,Pets,Email Subscription Status\r\n");
    for i in 0..rows {
        let status = if i % 2 == 0 { "subscribed" } else { "unsubscribed" };
        csv.push_str(&format!(
            "{},Walker{i},c{i}@example.org,{},{status}\r\n",
            FIRST[i % FIRST.len()],
            PETS[i % PETS.len()]
        ));
    }
    csv
}

fn draft() -> Draft {
    Draft {
        filter: GroupFilter::default(),
        group_name: "Everyone".into(),
        subject: "Spring walks for {pet_name}".into(),
        body: "Hi {first_name}, {pet_name} is invited to our spring walks on Saturday!".into(),
    }
}

fn p50(samples: &mut [Duration]) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    common::both_forms(benchmark);
}

fn benchmark() {
    let rows = common::env_size("REGULARS_BENCH_ROWS", 20_000);
    let runs = common::env_size("REGULARS_BENCH_RUNS", 5);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("customers.csv");
    std::fs::write(&file, spreadsheet(rows)).expect("write csv");
    let data = dir.path().join("shop");
    let mut store = common::open_in(&data);
    let options = Options { mapping: None, ..Options::default() };
    importer::import_file(store.conn_mut(), common::key(), &file, &options, Utc::now()).expect("import");
    let now = Utc::now();
    let ctx = Context {
        staff_name: "",
        review_link: "",
        shop_address: "hello@pawsandco.example",
        now,
        today: now.date_naive(),
        tz: &Utc,
    };

    let mut ours = Vec::new();
    let mut messages = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let (ready, skipped) = newsletter::personalise(store.conn(), &draft(), &ctx, None).expect("personalise");
        ours.push(start.elapsed());
        messages = ready.len();
        assert!(skipped.is_empty());
    }
    let baseline = naive(store.conn(), &ctx);
    println!(
        "bench: group_prepare_10k p50_ms={:.1} runs={runs} baseline_ms={:.1} messages={messages}",
        p50(&mut ours),
        baseline.as_secs_f64() * 1000.0
    );
    send(&mut store, &data, &ctx);
}

/// The obvious way: every card read whole, its consent, its values, the render.
fn naive(conn: &rusqlite::Connection, ctx: &Context<'_, Utc>) -> Duration {
    let d = draft();
    let start = Instant::now();
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM customers WHERE archived_at IS NULL")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("ids");
    let mut made = 0;
    for id in &ids {
        let card = customers::get(conn, id).expect("card");
        if !consent::get(conn, id).expect("consent").agreed || card.email.is_empty() {
            continue;
        }
        let values = templates::values_for(conn, id, ctx.staff_name, ctx.review_link, ctx.tz).expect("values");
        let subject = templates::render(&d.subject, &values);
        let body = templates::render(&d.body, &values);
        if subject.missing.is_empty() && body.missing.is_empty() {
            made += 1;
        }
    }
    assert!(made > 0);
    start.elapsed()
}

/// 500 messages through a real SMTP server on loopback, no limits.
fn send(store: &mut Store, data: &std::path::Path, ctx: &Context<'_, Utc>) {
    const SENT: usize = 500;
    let tagged = Draft { filter: GroupFilter { tags: vec!["bench".into()], ..GroupFilter::default() }, ..draft() };
    let ids: Vec<String> = store
        .conn()
        .prepare("SELECT c.id FROM customers c JOIN email_consent e ON e.customer_id = c.id LIMIT ?1")
        .and_then(|mut s| s.query_map([SENT as i64], |r| r.get(0))?.collect())
        .expect("ids");
    for id in &ids {
        store.conn().execute("UPDATE customers SET tags = '[\"bench\"]' WHERE id = ?1", [id]).expect("tag");
    }
    newsletter::queue(store.conn_mut(), &tagged, ctx, audit::OWNER).expect("queue");
    let server = smtp::SmtpServer::start(smtp::Behaviour::default());
    let account = MailAccount {
        address: "hello@pawsandco.example".into(),
        from_name: "Paws & Co".into(),
        host: "127.0.0.1".into(),
        port: server.port,
        security: Security::Starttls,
        user: "hello@pawsandco.example".into(),
        per_hour: 0,
        per_day: 0,
    };
    let config = MailerConfig {
        account,
        password: Zeroizing::new(smtp::PASSWORD.into()),
        trusted_root_pem: Some(server.ca_pem.clone()),
    };
    let writer =
        Mutex::new(Store::open_with(&data.join(regulars::db::store::DATABASE_FILE), common::key()).expect("writer"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    // The pooled transport starts its tasks on the runtime it is made in.
    let _entered = runtime.enter();
    let transport = mailer::transport(&config).expect("transport");
    let start = Instant::now();
    let round =
        runtime.block_on(mailer::send_queued(&writer, &transport, &config.account, Utc::now, &|| {})).expect("send");
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(round.sent, SENT);
    assert_eq!(server.count(), SENT);
    println!("bench: group_send_loopback per_second={:.0} messages={SENT}", SENT as f64 / elapsed);
}
