//! `cargo bench --bench sync` (`make bench-sync`): a shared shop through a
//! real `nats-server` on loopback, at 100,000 customers
//! (REGULARS_BENCH_CUSTOMERS), encrypted (sharing needs the shop key).
//!
//! - `check_in_sharing`: a check-in with sharing on (the outbox filled and
//!   sealed in the same transaction) beside the same check-in with sharing
//!   off, in alternating blocks on the same shop (`off_p99_ms=`, `x_off_p99=`).
//! - `sync_join`: a new device joins: the first device publishes its
//!   snapshot, the new one downloads it, makes it its own and opens it.
//! - `sync_propagation`: a check-in on one device until it is applied on the
//!   other (push, the other woken by the server, pull and apply), beside the
//!   bare server round trip of a message of the same size (`baseline_`).
//! - `sync_catch_up_10k`: 10,000 check-ins made on one device while the
//!   other was away, applied there on its return, beside the same check-ins
//!   made directly on that device (`baseline_`); `sent_from_the_other_ms`
//!   is how long the first device took to send them.

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/nats/mod.rs"]
mod nats;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use regulars::db::settings::BusinessKind;
use regulars::db::sharing;
use regulars::db::store::{Store, DATABASE_FILE};
use regulars::features::desk;
use regulars::io::nats_link::{Link, LinkSettings};
use regulars::io::sharing_setup::{self, JoinInput, Setup};
use regulars::io::syncer::{Syncer, Writer};
use regulars::io::{sample, setup, vault};
use regulars::kernel::secret::Key;
use regulars::records::customers;

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(benchmark());
}

struct Device {
    store: Mutex<Store>,
    syncer: Syncer,
}

async fn syncer(server: &nats::NatsServer, key: &Key, stream: &str) -> Syncer {
    let link = Link::connect(&LinkSettings::new(&server.url(), "", "", stream)).await.expect("link");
    link.ensure_stream().await.expect("stream");
    Syncer::new(link, key.clone(), &format!("{stream}.changes"), Utc::now)
}

async fn benchmark() {
    let wanted = common::env_size("REGULARS_BENCH_CUSTOMERS", 100_000);
    let server = nats::NatsServer::start();
    let key = Key::generate();
    let stream = sharing_setup::stream_name(&key).expect("stream");
    let first_dir = tempfile::tempdir().expect("temp");
    let database = first_dir.path().join(DATABASE_FILE);
    let mut store = Store::open_with(&database, Some(&key)).expect("store");
    let seeding = Instant::now();
    setup::seed_shop(store.conn_mut(), BusinessKind::Gym, wanted, wanted * 2, sample::Photos::None, 42, Utc::now())
        .expect("seed");
    println!("bench: sync_seed customers={wanted} total_ms={:.0}", ms(seeding.elapsed()));
    let ids = customers::all_ids(store.conn()).expect("ids");
    let setup = Setup { server: server.url(), user: String::new(), stream: stream.clone(), keychain_secret: false };
    sharing_setup::turn_on(store.conn_mut(), &setup, "Front desk", 0, Utc::now()).expect("share");

    check_in_sharing(&mut store, &ids);

    let first = Device { store: Mutex::new(store), syncer: syncer(&server, &key, &stream).await };
    first.syncer.push(&first.store).await.expect("push the check-ins made while measuring");
    let publishing = Instant::now();
    let link = first.syncer.link();
    sharing_setup::publish_snapshot(link, &database, first_dir.path(), &key, link.last_seq().await.expect("seq"))
        .await
        .expect("snapshot");
    let published = publishing.elapsed();
    let second = join(&server, &key, &stream, published).await;

    propagation(&first, &second, &ids).await;
    catch_up(&first, &second, &ids).await;
}

/// Check-ins with sharing on and off, alternating blocks of 50, 5,000 each
/// (with 1,000 the p99 was the 10th slowest and moved by a third between
/// runs of the same code).
fn check_in_sharing(store: &mut Store, ids: &[String]) {
    let (mut on, mut off) = (Vec::new(), Vec::new());
    // Pages written per check-in, on and off (SQLite's counters).
    let (mut written_on, mut written_off) = (0, 0);
    for block in 0..200 {
        let sharing_on = block % 2 == 0;
        sharing::set_capture(store.conn(), sharing_on).expect("capture");
        for i in 0..50 {
            let id = &ids[(block * 50 + i) * 7919 % ids.len()];
            let now = Utc::now();
            common::pages(store.conn());
            let start = Instant::now();
            desk::check_in(store.conn_mut(), id, None, now, now.date_naive()).expect("check in");
            let took = start.elapsed();
            let written = common::pages(store.conn()).2;
            if sharing_on {
                on.push(took);
                written_on += written;
            } else {
                off.push(took);
                written_off += written;
            }
        }
    }
    sharing::set_capture(store.conn(), true).expect("capture");
    let (on_p99, off_p99) = (common::percentile(&mut on, 0.99), common::percentile(&mut off, 0.99));
    println!(
        "bench: check_in_sharing p50_ms={:.2} p99_ms={on_p99:.2} off_p50_ms={:.2} off_p99_ms={off_p99:.2} x_off_p99={:.2} \
         written_per_check_in={:.1} off_written_per_check_in={:.1}",
        common::percentile(&mut on, 0.5),
        common::percentile(&mut off, 0.5),
        on_p99 / off_p99,
        written_on as f64 / on.len() as f64,
        written_off as f64 / off.len() as f64
    );
}

/// A new device joins from the snapshot; it is then a device of the shop.
async fn join(server: &nats::NatsServer, key: &Key, stream: &str, published: Duration) -> Device {
    let dir = tempfile::tempdir().expect("temp").keep();
    let input = JoinInput {
        server: server.url(),
        user: String::new(),
        password: String::new(),
        device_name: "Owner's laptop".into(),
        recovery_key: key.recovery_text().to_string(),
    };
    let start = Instant::now();
    sharing_setup::join(&dir, &input, Utc::now()).await.expect("join");
    vault::look(&dir, &vault::NoKeychain).expect("take the joined file");
    let store = Store::open_with(&dir.join(DATABASE_FILE), Some(key)).expect("open the joined shop");
    let joined = start.elapsed();
    let device = Device { store: Mutex::new(store), syncer: syncer(server, key, stream).await };
    let catching = Instant::now();
    let pulled = device.syncer.pull(&device.store).await.expect("catch up");
    let caught_up = catching.elapsed();
    let size = std::fs::metadata(dir.join(DATABASE_FILE)).map(|m| m.len()).unwrap_or(0);
    println!(
        "bench: sync_join total_ms={:.0} snapshot_publish_ms={:.0} download_and_open_ms={:.0} catch_up_ms={:.0} changes_after_snapshot={} file_mb={:.0}",
        ms(published + joined + caught_up),
        ms(published),
        ms(joined),
        ms(caught_up),
        pulled.applied,
        size as f64 / 1e6
    );
    device
}

/// One check-in on the first device until the second has applied it.
async fn propagation(first: &Device, second: &Device, ids: &[String]) {
    let mut ours = Vec::new();
    let mut payload_bytes = 0;
    for i in 0..200 {
        let id = &ids[i * 104_729 % ids.len()];
        let start = Instant::now();
        first
            .store
            .with_writer(|conn| desk::check_in(conn, id, None, Utc::now(), Utc::now().date_naive()))
            .expect("check in");
        first.syncer.push(&first.store).await.expect("push");
        loop {
            let seq = second.store.with_writer(|c| Ok(sharing::device(c)?.map_or(0, |d| d.applied_seq))).expect("seq");
            if second.syncer.pull(&second.store).await.expect("pull").applied > 0 {
                break;
            }
            second.syncer.link().wait_for_new(seq, Duration::from_secs(5)).await.expect("wait");
        }
        ours.push(start.elapsed());
        payload_bytes = payload_bytes.max(last_message_size(second).await);
    }
    // Baseline: the server alone, one message of the same size each way.
    let mut bare = Vec::new();
    let link = first.syncer.link();
    for i in 0..200 {
        let after = link.last_seq().await.expect("seq");
        let start = Instant::now();
        link.publish(&format!("bare-{i}-{}", Utc::now().timestamp_nanos_opt().unwrap_or(0)), vec![7; payload_bytes])
            .await
            .expect("publish");
        let got = second.syncer.link().fetch_after(after, 1).await.expect("fetch");
        assert_eq!(got.len(), 1);
        bare.push(start.elapsed());
    }
    // The bare messages are not changes: the second device passes over them.
    let _ = second.syncer.pull(&second.store).await;
    println!(
        "bench: sync_propagation p50_ms={:.1} p99_ms={:.1} baseline_p50_ms={:.2} baseline_p99_ms={:.2} message_bytes={payload_bytes}",
        common::percentile(&mut ours, 0.5),
        common::percentile(&mut ours, 0.99),
        common::percentile(&mut bare, 0.5),
        common::percentile(&mut bare, 0.99)
    );
}

async fn last_message_size(device: &Device) -> usize {
    let link = device.syncer.link();
    let last = link.last_seq().await.expect("seq");
    link.fetch_after(last.saturating_sub(1), 1).await.expect("fetch").first().map_or(0, |(_, m)| m.len())
}

/// 10,000 check-ins while the second device is away, then its catch-up.
async fn catch_up(first: &Device, second: &Device, ids: &[String]) {
    const CHANGES: usize = 10_000;
    for i in 0..CHANGES {
        let id = &ids[(i * 15_485_863) % ids.len()];
        first
            .store
            .with_writer(|conn| desk::check_in(conn, id, None, Utc::now(), Utc::now().date_naive()))
            .expect("check in");
    }
    let pushing = Instant::now();
    first.syncer.push(&first.store).await.expect("push");
    let pushed = pushing.elapsed();
    common::pages(second.store.lock().expect("store").conn());
    let start = Instant::now();
    let pulled = second.syncer.pull(&second.store).await.expect("catch up");
    let took = start.elapsed();
    let (hits, read, written) = common::pages(second.store.lock().expect("store").conn());
    // Baseline: the same number of check-ins made on the second device itself.
    let base = Instant::now();
    for i in 0..CHANGES {
        let id = &ids[(i * 32_452_843) % ids.len()];
        second
            .store
            .with_writer(|conn| desk::check_in(conn, id, None, Utc::now(), Utc::now().date_naive()))
            .expect("check in");
    }
    let per = |pages: i64| pages as f64 / pulled.applied.max(1) as f64;
    println!(
        "bench: sync_catch_up_10k total_ms={:.0} applied={} per_change_ms={:.2} baseline_local_check_ins_ms={:.0} \
         hits_per_change={:.0} read_per_change={:.1} written_per_change={:.1} sent_from_the_other_ms={:.0}",
        ms(took),
        pulled.applied,
        ms(took) / pulled.applied.max(1) as f64,
        ms(base.elapsed()),
        per(hits),
        per(read),
        per(written),
        ms(pushed)
    );
}
