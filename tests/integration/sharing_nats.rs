//! Two shop files sharing one shop through a real `nats-server` on
//! loopback, with the app's own code (`io::syncer`): a check-in crosses in
//! well under a second, work goes on while the server is down and arrives
//! once it is back, and the server's own files never hold a customer's words.

use std::sync::Mutex;

use chrono::Utc;
use std::time::{Duration, Instant};

use regulars::db::sharing;
use regulars::db::store::Store;
use regulars::features::{cards, desk};
use regulars::io::nats_link::{Link, LinkSettings};
use regulars::io::syncer::{Syncer, Writer};
use regulars::kernel::secret::Key;
use regulars::records::customers;

use crate::nats::NatsServer;
use crate::util;

const STREAM: &str = "regulars-shop-5a5e77";

struct Desk {
    store: Mutex<Store>,
    _dir: tempfile::TempDir,
}

impl Desk {
    fn new(name: &str, key: &Key) -> Desk {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_with(&dir.path().join("regulars.db"), Some(key)).expect("open an encrypted shop");
        sharing::start(store.conn(), name).expect("share");
        Desk { store: Mutex::new(store), _dir: dir }
    }

    fn names(&self) -> Vec<String> {
        self.store
            .with_writer(|conn| {
                Ok(regulars::db::search::search(conn, "mar", 10, None)?.into_iter().map(|h| h.display_name).collect())
            })
            .expect("search")
    }
}

async fn syncer(server: &NatsServer, key: &Key) -> Syncer {
    let link = Link::connect(&LinkSettings::new(&server.url(), "", "", STREAM)).await.expect("connect");
    link.ensure_stream().await.expect("stream");
    Syncer::new(link, key.clone(), &format!("{STREAM}.changes"), Utc::now)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_at_one_desk_reaches_the_other_through_a_real_server_and_waits_out_an_outage() {
    let mut server = NatsServer::start();
    let key = Key::generate();
    let (a, b) = (Desk::new("Front desk", &key), Desk::new("Owner's laptop", &key));
    let (sa, sb) = (syncer(&server, &key).await, syncer(&server, &key).await);

    let maria = a
        .store
        .with_writer(|conn| Ok(cards::create(conn, &util::customer("Maria", "Marker"), util::now())?.id))
        .expect("create");
    a.store
        .with_writer(|conn| desk::check_in(conn, &maria, None, util::now(), util::now().date_naive()))
        .expect("check in");
    let started = Instant::now();
    assert_eq!(sa.push(&a.store).await.expect("push"), 2);
    let pulled = sb.pull(&b.store).await.expect("pull");
    let took = started.elapsed();
    assert_eq!(pulled.applied, 2);
    assert!(took < Duration::from_secs(1), "the check-in took {took:?} to cross");
    assert_eq!(b.names(), vec!["Maria Marker"]);
    let visits = |d: &Desk| d.store.with_writer(|conn| Ok(util::count_rows(conn, "interactions"))).expect("count");
    assert_eq!(visits(&b), 1);

    // The server goes down: both desks work on, nothing is lost.
    server.stop();
    b.store
        .with_writer(|conn| customers::add_note(conn, &maria, "Marker's note: prefers mornings", false, util::now()))
        .expect("note");
    assert!(sb.push(&b.store).await.is_err(), "no server: the change waits");
    let waiting = b.store.with_writer(|conn| sharing::waiting_count(conn)).expect("waiting");
    assert_eq!(waiting, 1);
    server.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match sb.push(&b.store).await {
            Ok(1) => break,
            Ok(n) => panic!("pushed {n}"),
            Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => panic!("the server did not come back: {e:?}"),
        }
    }
    sa.pull(&a.store).await.expect("pull after the outage");
    let notes = a.store.with_writer(|conn| Ok(util::count_rows(conn, "notes"))).expect("notes");
    assert_eq!(notes, 1);
    assert_eq!(sa.push(&a.store).await.expect("nothing echoed"), 0);

    // Whoever runs the server sees no customer data.
    server.stop();
    let mut found = Vec::new();
    let mut folders = vec![server.store_dir()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("store dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read");
                for marker in ["Maria", "Marker", "prefers mornings"] {
                    if bytes.windows(marker.len()).any(|w| w == marker.as_bytes()) {
                        found.push(format!("{marker} in {}", path.display()));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_computer_joins_from_the_snapshot_and_catches_up_with_what_came_after() {
    use regulars::io::sharing_setup::{self, JoinInput, Setup};
    use regulars::io::vault::{self, NoKeychain};

    let server = NatsServer::start();
    let key = Key::generate();
    // The first computer: a shop with a customer, then shared.
    let first_dir = tempfile::tempdir().expect("temp");
    let database = first_dir.path().join("regulars.sqlite3");
    let first = Mutex::new(Store::open_with(&database, Some(&key)).expect("store"));
    let ada = first
        .with_writer(|conn| Ok(cards::create(conn, &util::customer("Ada", "Snapshot"), util::now())?.id))
        .expect("ada");
    let stream = sharing_setup::stream_name(&key).expect("stream");
    let setup = Setup { server: server.url(), user: String::new(), stream: stream.clone(), keychain_secret: false };
    first.with_writer(|conn| sharing_setup::turn_on(conn, &setup, "Front desk", 0, Utc::now())).expect("share");
    let link = Link::connect(&LinkSettings::new(&server.url(), "", "", &stream)).await.expect("link");
    link.ensure_stream().await.expect("stream");
    sharing_setup::publish_snapshot(&link, &database, first_dir.path(), &key, 0).await.expect("snapshot");
    let first_sync = Syncer::new(link, key.clone(), &format!("{stream}.changes"), Utc::now);
    // After the snapshot: a check-in, sent as a change.
    first
        .with_writer(|conn| desk::check_in(conn, &ada, None, util::now(), util::now().date_naive()))
        .expect("check in");
    first_sync.push(&first).await.expect("push");

    // A new computer: a wrong recovery key finds no shop; the right one joins.
    let second_dir = tempfile::tempdir().expect("temp");
    let mut input = JoinInput {
        server: server.url(),
        user: String::new(),
        password: String::new(),
        device_name: "Owner's laptop".into(),
        recovery_key: Key::generate().recovery_text().to_string(),
    };
    let refused = sharing_setup::join(second_dir.path(), &input, Utc::now()).await;
    util::assert_invalid(refused, "recovery_key");
    input.recovery_key = key.recovery_text().to_string();
    let joined_key = sharing_setup::join(second_dir.path(), &input, Utc::now()).await.expect("join");
    assert!(joined_key.same_as(&key));
    vault::look(second_dir.path(), &NoKeychain).expect("the joined file takes its place");
    let second = Mutex::new(Store::open_with(&second_dir.path().join("regulars.sqlite3"), Some(&key)).expect("open"));
    let (me, them) = (
        second.with_writer(|conn| sharing::device(conn)).expect("device").expect("shared"),
        first.with_writer(|conn| sharing::device(conn)).expect("device").expect("shared"),
    );
    assert_ne!(me.id, them.id, "the joined computer is a device of its own");
    assert_eq!(me.name, "Owner's laptop");
    let kept = second.with_writer(|conn| sharing_setup::load(conn)).expect("setup").expect("kept");
    assert_eq!(kept.stream, stream);
    assert!(second.with_writer(|conn| customers::exists(conn, &ada)).expect("exists"), "the snapshot's customer");
    // Its first change (its own line in the list of devices) is its own,
    // by its clock reading too, not the copied device's.
    let waiting =
        second.with_writer(|conn| sharing::waiting(conn, 10, regulars::db::store::schema_version())).expect("waiting");
    assert!(!waiting.is_empty(), "the joined device announces itself");
    for change in &waiting {
        assert!(change.clock.ends_with(&me.id), "a change of the joined device reads its clock: {}", change.clock);
    }

    let link = Link::connect(&LinkSettings::new(&server.url(), "", "", &stream)).await.expect("link");
    let second_sync = Syncer::new(link, key.clone(), &format!("{stream}.changes"), Utc::now);
    second_sync.pull(&second).await.expect("catch up");
    let visits = second.with_writer(|conn| Ok(util::count_rows(conn, "interactions"))).expect("count");
    assert_eq!(visits, 1, "the check-in made after the snapshot arrived");
    // And back: a note on the new computer reaches the first.
    second.with_writer(|conn| customers::add_note(conn, &ada, "From the laptop", false, util::now())).expect("note");
    second_sync.push(&second).await.expect("push");
    first_sync.pull(&first).await.expect("pull");
    assert_eq!(first.with_writer(|conn| Ok(util::count_rows(conn, "notes"))).expect("notes"), 1);
}

/// Set for the child process the kill test starts: "push|<folder>|<server>|<key>"
/// or "pull|…". The child sends or applies until it is killed.
const KILLED_CHILD: &str = "REGULARS_TEST_KILLED_SYNC";
const KILL_TEST: &str = "sharing_nats::a_device_killed_while_it_publishes_or_applies_loses_nothing_and_repeats_nothing";

async fn killed_child(spec: &str) {
    let parts: Vec<&str> = spec.split('|').collect();
    let key = Key::from_recovery(parts[3]).expect("key");
    let store = Mutex::new(
        Store::open_with(&std::path::Path::new(parts[1]).join("regulars.sqlite3"), Some(&key)).expect("open"),
    );
    let link = Link::connect(&LinkSettings::new(parts[2], "", "", STREAM)).await.expect("connect");
    let syncer = Syncer::new(link, key, &format!("{STREAM}.changes"), Utc::now);
    loop {
        match parts[0] {
            "push" => syncer.push(&store).await.map(|_| ()).expect("push"),
            _ => syncer.pull(&store).await.map(|_| ()).expect("pull"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts this test again as a child that pushes or pulls on `folder`, and
/// kills it (SIGKILL) once `far_enough` says it is in the middle.
fn kill_midway(role: &str, folder: &std::path::Path, server: &NatsServer, key: &Key, far_enough: impl Fn() -> bool) {
    let mut child = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", KILL_TEST, "--test-threads=1", "--nocapture"])
        .env(KILLED_CHILD, format!("{role}|{}|{}|{}", folder.display(), server.url(), key.hex().as_str()))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start the child");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !far_enough() {
        assert!(Instant::now() < deadline, "the child never got far enough to be killed midway ({role})");
        assert!(child.try_wait().expect("child").is_none(), "the child ended before it was killed ({role})");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
}

fn applied_seq(folder: &std::path::Path, key: &Key) -> u64 {
    regulars::db::store::open_reader(&folder.join("regulars.sqlite3"), Some(key))
        .ok()
        .and_then(|conn| sharing::device(&conn).ok().flatten())
        .map_or(0, |device| device.applied_seq)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_killed_while_it_publishes_or_applies_loses_nothing_and_repeats_nothing() {
    if let Ok(spec) = std::env::var(KILLED_CHILD) {
        return killed_child(&spec).await;
    }
    const CHECK_INS: usize = 1500;
    let server = NatsServer::start();
    let key = Key::generate();
    let (a_dir, b_dir) = (tempfile::tempdir().expect("temp"), tempfile::tempdir().expect("temp"));
    {
        let mut a = Store::open_with(&a_dir.path().join("regulars.sqlite3"), Some(&key)).expect("a");
        sharing::start(a.conn(), "Front desk").expect("share");
        let ids: Vec<String> = (0..20)
            .map(|i| {
                cards::create(a.conn_mut(), &util::customer(&format!("Kill{i}"), "Test"), util::now()).expect("c").id
            })
            .collect();
        for i in 0..CHECK_INS {
            let at = util::now() + chrono::Duration::minutes(i as i64);
            desk::check_in(a.conn_mut(), &ids[i % ids.len()], None, at, at.date_naive()).expect("check in");
        }
        let b = Store::open_with(&b_dir.path().join("regulars.sqlite3"), Some(&key)).expect("b");
        sharing::start(b.conn(), "Second desk").expect("share");
    }
    let total = (CHECK_INS + 20) as u64;
    let link = Link::connect(&LinkSettings::new(&server.url(), "", "", STREAM)).await.expect("link");
    link.ensure_stream().await.expect("stream");

    // Killed while publishing, then started again: every change stored once.
    let probe = tokio::runtime::Handle::current();
    let seq_now = || {
        let link = &link;
        std::thread::scope(|s| s.spawn(|| probe.block_on(link.last_seq()).unwrap_or(0)).join().unwrap_or(0))
    };
    kill_midway("push", a_dir.path(), &server, &key, || (300..total).contains(&seq_now()));
    let a = Desk::reopen(a_dir.path(), &key);
    let a_sync = syncer(&server, &key).await;
    a_sync.push(&a.store).await.expect("the rest sent after the restart");
    assert_eq!(link.last_seq().await.expect("seq"), total, "each change stored once, none lost");
    assert_eq!(a.store.with_writer(|c| sharing::waiting_count(c)).expect("waiting"), 0);

    // Killed while applying, then started again: every change applied once.
    kill_midway("pull", b_dir.path(), &server, &key, || (300..total).contains(&applied_seq(b_dir.path(), &key)));
    let b = Desk::reopen(b_dir.path(), &key);
    syncer(&server, &key).await.pull(&b.store).await.expect("the rest applied after the restart");
    let count =
        |d: &Desk, sql: &str| d.store.with_writer(|c| Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))?)).expect(sql);
    for sql in [
        "SELECT count(*) FROM interactions",
        "SELECT count(*) FROM points_ledger",
        "SELECT count(*) FROM customers",
        "SELECT sum(points_balance) FROM customers",
    ] {
        assert_eq!(count(&a, sql), count(&b, sql), "{sql}: the same on both devices");
    }
    assert_eq!(count(&b, "SELECT count(*) FROM sync_applied") as u64, total, "every change applied, once");
}

impl Desk {
    fn reopen(folder: &std::path::Path, key: &Key) -> Desk {
        let store = Store::open_with(&folder.join("regulars.sqlite3"), Some(key)).expect("reopen after the kill");
        Desk { store: Mutex::new(store), _dir: tempfile::tempdir().expect("unused") }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desks_on_a_three_server_cluster_lose_one_server_and_no_check_in() {
    use crate::nats::Cluster;

    let mut cluster = Cluster::start();
    let key = Key::generate();
    let (a, b) = (Desk::new("Front desk", &key), Desk::new("Second desk", &key));
    let mut settings = LinkSettings::new(&cluster.urls(), "", "", STREAM);
    settings.replicas = 3;
    let connect = || async {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match Link::connect(&settings).await {
                Ok(link) => match link.ensure_stream().await {
                    Ok(()) => return Syncer::new(link, key.clone(), &format!("{STREAM}.changes"), Utc::now),
                    Err(e) if Instant::now() > deadline => panic!("no stream of three replicas: {e:?}"),
                    Err(_) => {}
                },
                Err(e) if Instant::now() > deadline => panic!("no cluster: {e:?}"),
                Err(_) => {}
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let (sa, sb) = (connect().await, connect().await);
    let ids: Vec<String> = (0..10)
        .map(|i| {
            a.store
                .with_writer(|conn| {
                    Ok(cards::create(conn, &util::customer(&format!("Cluster{i}"), "Desk"), util::now())?.id)
                })
                .expect("create")
        })
        .collect();
    step("A", &sa, &a).await;
    step("B", &sb, &b).await;
    let check_in = |desk: &Desk, id: &str, minutes: i64| {
        let at = util::now() + chrono::Duration::minutes(minutes);
        desk.store.with_writer(|conn| desk::check_in(conn, id, None, at, at.date_naive())).expect("check in");
    };
    for round in 0..30 {
        if round == 10 {
            cluster.servers[0].kill();
        }
        check_in(&a, &ids[round % 10], round as i64 * 2);
        check_in(&b, &ids[(round + 3) % 10], round as i64 * 2 + 1);
        step("A", &sa, &a).await;
        step("B", &sb, &b).await;
    }
    step("A", &sa, &a).await;
    let count = |d: &Desk| d.store.with_writer(|c| Ok(util::count_rows(c, "interactions"))).expect("count");
    assert_eq!(count(&a), 60, "every check-in of both desks on A");
    assert_eq!(count(&b), 60, "every check-in of both desks on B");
}

/// Sends and applies as the engine does, asked again while a cluster
/// notices a server is gone (a change sent again is stored once, by id).
async fn step(desk: &str, syncer: &Syncer, store: &Desk) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done = async {
            syncer.push(&store.store).await?;
            syncer.pull(&store.store).await
        }
        .await;
        match done {
            Ok(_) => return,
            Err(e) if Instant::now() > deadline => panic!("{desk} could not sync: {e:?}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// A device back from a long time away takes the changes in batches with
/// the writer's checkpoints spaced out; afterwards the spacing is the usual
/// one again, and what the WAL gathered goes into the file on a connection
/// beside the writer (the file grows without the writer's doing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_catch_up_leaves_the_writer_s_checkpoints_as_they_were() {
    let server = NatsServer::start();
    let key = Key::generate();
    let (a, b) = (Desk::new("Front desk", &key), Desk::new("Owner's laptop", &key));
    let (sa, sb) = (syncer(&server, &key).await, syncer(&server, &key).await);
    let ids: Vec<String> = (0..20)
        .map(|i| {
            a.store
                .with_writer(|conn| {
                    Ok(cards::create(conn, &util::customer("Regular", &format!("No {i}")), util::now())?.id)
                })
                .expect("create")
        })
        .collect();
    for i in 0..1_200 {
        let at = util::now() - chrono::Duration::minutes(i);
        a.store.with_writer(|conn| desk::check_in(conn, &ids[i as usize % 20], None, at, at.date_naive())).expect("in");
    }
    assert_eq!(sa.push(&a.store).await.expect("push"), 1_220);
    let file = b.store.lock().expect("store").path().to_path_buf();
    let before = std::fs::metadata(&file).expect("file").len();
    let pulled = sb.pull(&b.store).await.expect("catch up");
    assert_eq!(pulled.applied, 1_220);
    assert!(pulled.caught_up, "500 changes and more are a catch-up");
    let moved = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::fs::metadata(&file).expect("file").len() > before
    });
    assert!(moved, "the catch-up's pages are checkpointed into the file beside the writer");
    let visits = b.store.with_writer(|conn| Ok(util::count_rows(conn, "interactions"))).expect("count");
    assert_eq!(visits, 1_200);
    let spacing: i64 = b
        .store
        .with_writer(|conn| Ok(conn.query_row("PRAGMA wal_autocheckpoint", [], |row| row.get(0))?))
        .expect("pragma");
    assert_eq!(spacing, 10_000, "the writer's usual checkpoint spacing is back");
}
