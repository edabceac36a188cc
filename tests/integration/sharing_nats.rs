//! Two shop files sharing one shop through a real `nats-server` on
//! loopback, with the app's own code (`io::syncer`): a check-in crosses in
//! well under a second, work goes on while the server is down and arrives
//! once it is back, and the server's own files never hold a customer's words.

use std::sync::Mutex;
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

const STREAM: &str = "REGULARS_5a5e77";

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
    Syncer::new(link, key.clone(), &format!("{STREAM}.changes"))
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
