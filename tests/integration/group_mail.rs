//! Group messages from the shop's own email account: groups, consent kept
//! like a record, one message personal for each, and sending through a real
//! SMTP server on loopback (`tests/smtp`: aiosmtpd with STARTTLS and a
//! password), killed mid-send, refused, cut off, and with a wrong password.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use regulars::db::store::Store;
use regulars::features::groups::{self, GroupFilter};
use regulars::features::newsletter::{self, Context, Draft};
use regulars::features::{cards, desk};
use regulars::io::mail_account::{MailAccount, Security};
use regulars::io::mailer::{self, MailerConfig, Stopped};
use regulars::io::{export, logging};
use regulars::records::{audit, consent, mailings};
use zeroize::Zeroizing;

use crate::smtp::{Behaviour, SmtpServer, PASSWORD};
use crate::util::{self, customer, now, person, InputExt, Shop};

const SHOP_ADDRESS: &str = "hello@pawsandco.example";

fn today() -> NaiveDate {
    now().date_naive()
}

fn ctx() -> Context<'static, Utc> {
    Context { staff_name: "Sam", review_link: "", shop_address: SHOP_ADDRESS, now: now(), today: today(), tz: &Utc }
}

fn account(port: u16) -> MailAccount {
    MailAccount {
        address: SHOP_ADDRESS.into(),
        from_name: "Paws & Co".into(),
        host: "127.0.0.1".into(),
        port,
        security: Security::Starttls,
        user: SHOP_ADDRESS.into(),
        per_hour: 0,
        per_day: 0,
    }
}

fn config(server: &SmtpServer, password: &str) -> MailerConfig {
    MailerConfig {
        account: account(server.port),
        password: Zeroizing::new(password.to_string()),
        trusted_root_pem: Some(server.ca_pem.clone()),
    }
}

/// `n` customers with a dog each; every third never agreed, every seventh
/// agreed and then asked to stop. Returns (consenting addresses → (first
/// name, pet), everyone's count).
fn mixed_shop(shop: &mut Shop, n: usize) -> BTreeMap<String, (String, String)> {
    let mut consenting = BTreeMap::new();
    for i in 0..n {
        let first = format!("Client{i}");
        let pet = format!("Rex{i}");
        let address = format!("client{i}@example.org");
        let mut input = customer(&first, "Walker").email(&address);
        input.people.push(person(&pet, "Dog", ""));
        let card = shop.create(input);
        if i % 3 == 0 {
            continue;
        }
        consent::agree(shop.conn(), &card.id, consent::AT_THE_DESK, now()).expect("agree");
        if i % 7 == 0 {
            consent::withdraw(shop.conn(), &card.id, now()).expect("withdraw");
            continue;
        }
        consenting.insert(address, (first, pet));
    }
    consenting
}

fn draft() -> Draft {
    Draft {
        filter: GroupFilter::default(),
        group_name: "Everyone".into(),
        subject: "Spring news for {first_name}".into(),
        body: "Hi {first_name}, {pet_name} is welcome at our new spring walks!".into(),
    }
}

/// A second connection to the shop's file, as the app's sender holds one.
fn writer(shop: &Shop) -> Mutex<Store> {
    Mutex::new(Store::open_in(&shop.data_dir()).expect("a second connection"))
}

fn states(shop: &Shop) -> BTreeMap<String, i64> {
    let mut stmt = shop.conn().prepare("SELECT state, count(*) FROM mail_outbox GROUP BY state").expect("states");
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?))).expect("states").map(|r| r.expect("row")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_of_500_with_mixed_consents_reaches_exactly_the_consenting_once_each() {
    let mut shop = Shop::new();
    let consenting = mixed_shop(&mut shop, 500);
    let count = groups::count(shop.conn(), &GroupFilter::default(), now(), today()).expect("count");
    assert_eq!(count.total, 500);
    assert_eq!(count.consenting as usize, consenting.len());
    assert_eq!(count.no_consent as usize, 500 - consenting.len(), "the others are counted as left out");

    let preview = newsletter::preview(shop.conn(), &draft(), &ctx()).expect("preview");
    assert_eq!(preview.samples.len(), 3);
    assert_eq!(preview.ready as usize, consenting.len());
    assert!(preview.samples[0].body.contains("unsubscribe"), "{}", preview.samples[0].body);

    let message = newsletter::queue(shop.conn_mut(), &draft(), &ctx(), audit::OWNER).expect("queue");
    let server = SmtpServer::start(Behaviour::default());
    let cfg = config(&server, PASSWORD);
    let transport = mailer::transport(&cfg).expect("transport");
    let started = Instant::now();
    let round = mailer::send_queued(&writer(&shop), &transport, &cfg.account, Utc::now, &|| {}).await.expect("send");
    let rate = round.sent as f64 / started.elapsed().as_secs_f64();
    println!("sent {} messages to the loopback server at {rate:.0} per second", round.sent);
    assert_eq!((round.sent, round.failed, round.stopped), (consenting.len(), 0, Stopped::Finished));

    let received = server.received();
    assert_eq!(received.len(), consenting.len(), "exactly the consenting customers received it");
    for (address, (first, pet)) in &consenting {
        let got = received.get(address).unwrap_or_else(|| panic!("{address} received nothing"));
        assert_eq!(got.len(), 1, "{address} received it once");
        let text = &got[0];
        assert!(text.contains(&format!("Spring news for {first}")), "their own first name in the subject:\n{text}");
        assert!(text.contains(&format!("Hi {first}, {pet} is welcome")), "their own name and pet:\n{text}");
        assert!(
            text.contains(&format!("List-Unsubscribe: <mailto:{SHOP_ADDRESS}?subject=unsubscribe>")),
            "the unsubscribe header:\n{text}"
        );
    }
    let progress = mailings::progress(shop.conn(), &message).expect("progress");
    assert_eq!((progress.state.as_str(), progress.sent, progress.waiting), ("done", consenting.len() as i64, 0));
    let client1: String = shop
        .conn()
        .query_row("SELECT id FROM customers WHERE first_name = 'Client1'", [], |r| r.get(0))
        .expect("Client1");
    let lines = mailings::history_for(shop.conn(), &client1).expect("history");
    assert_eq!(lines[0].words, "Newsletter: Spring news for Client1", "their own subject, on their card");
    let history = regulars::records::interactions::history(shop.conn(), &client1, None, 10).expect("history");
    assert_eq!(
        (history.items[0].kind.as_str(), history.items[0].summary.as_str()),
        ("newsletter", "Spring news for Client1")
    );
    let trail = audit::newest(shop.conn(), 5).expect("audit");
    assert!(trail.iter().any(
        |e| e.action == "sent a group message" && e.detail.contains(&format!("to {} customers", consenting.len()))
    ));
}

/// Set for the child process the kill test starts: "<data folder>|<port>|<ca file>".
const KILLED_SENDER: &str = "REGULARS_TEST_KILLED_SENDER";
const KILL_TEST: &str = "group_mail::killed_mid_send_the_rest_go_out_after_a_restart_none_twice";

async fn killed_sender(spec: &str) {
    let parts: Vec<&str> = spec.split('|').collect();
    let store = Mutex::new(Store::open_in(std::path::Path::new(parts[0])).expect("open"));
    let cfg = MailerConfig {
        account: account(parts[1].parse().expect("port")),
        password: Zeroizing::new(PASSWORD.into()),
        trusted_root_pem: Some(std::fs::read(parts[2]).expect("ca")),
    };
    let transport = mailer::transport(&cfg).expect("transport");
    mailer::send_queued(&store, &transport, &cfg.account, Utc::now, &|| {}).await.expect("send");
    // Never reached: the test kills this process midway.
    std::thread::sleep(Duration::from_secs(600));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_send_the_rest_go_out_after_a_restart_none_twice() {
    if let Ok(spec) = std::env::var(KILLED_SENDER) {
        return killed_sender(&spec).await;
    }
    let mut shop = Shop::new();
    let consenting = mixed_shop(&mut shop, 150);
    newsletter::queue(shop.conn_mut(), &draft(), &ctx(), audit::OWNER).expect("queue");
    let server = SmtpServer::start(Behaviour { delay_ms: 15, ..Behaviour::default() });
    let ca = shop.data_dir().join("ca.pem");
    std::fs::write(&ca, &server.ca_pem).expect("ca");
    let mut child = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", KILL_TEST, "--test-threads=1", "--nocapture"])
        .env(KILLED_SENDER, format!("{}|{}|{}", shop.data_dir().display(), server.port, ca.display()))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start the sender");
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.count() < 30 {
        assert!(Instant::now() < deadline, "the sender never got far enough to be killed midway");
        assert!(child.try_wait().expect("child").is_none(), "the sender ended before it was killed");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    let before = server.count();
    assert!(before < consenting.len(), "killed midway ({before} of {})", consenting.len());

    // The restart: a row cut off mid-hand-over becomes a failure that says so.
    let shop = shop.reopen();
    let interrupted = mailings::recover_interrupted(shop.conn(), Utc::now()).expect("recover");
    assert!(interrupted <= 1, "at most the one row in the server's hands");
    let cfg = config(&server, PASSWORD);
    let transport = mailer::transport(&cfg).expect("transport");
    mailer::send_queued(&writer(&shop), &transport, &cfg.account, Utc::now, &|| {}).await.expect("the rest");

    let received = server.received();
    for (address, got) in &received {
        assert_eq!(got.len(), 1, "{address} received it {} times", got.len());
        assert!(consenting.contains_key(address), "{address} never agreed");
    }
    let states = states(&shop);
    let failed = states.get("failed").copied().unwrap_or(0);
    assert_eq!(failed as usize, interrupted, "only the interrupted row is a failure: {states:?}");
    assert_eq!(received.len() + usize::from(interrupted == 1 && received.len() < consenting.len()), consenting.len());
    assert_eq!(states.get("sent").copied().unwrap_or(0) as usize + failed as usize, consenting.len(), "{states:?}");
    if interrupted == 1 {
        let message: String = shop.conn().query_row("SELECT id FROM mail_messages", [], |r| r.get(0)).expect("m");
        let failures = mailings::failures(shop.conn(), &message).expect("failures");
        assert_eq!(failures[0].reason, mailings::INTERRUPTED, "listed with why");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_recipients_and_a_dropped_connection_are_listed_and_the_rest_go_on() {
    let mut shop = Shop::new();
    let consenting = mixed_shop(&mut shop, 60);
    let addresses: Vec<String> = consenting.keys().cloned().collect();
    let refused = vec![addresses[3].clone(), addresses[10].clone()];
    let dropped = addresses[20].clone();
    let message = newsletter::queue(shop.conn_mut(), &draft(), &ctx(), audit::OWNER).expect("queue");
    let server = SmtpServer::start(Behaviour { refuse: refused.clone(), drop_at: Some(dropped.clone()), delay_ms: 0 });
    let cfg = config(&server, PASSWORD);
    let transport = mailer::transport(&cfg).expect("transport");
    let round = mailer::send_queued(&writer(&shop), &transport, &cfg.account, Utc::now, &|| {}).await.expect("send");
    assert_eq!((round.sent, round.failed), (consenting.len() - 3, 3));

    let failures = mailings::failures(shop.conn(), &message).expect("failures");
    let reasons: BTreeMap<String, String> = failures.into_iter().map(|f| (f.address, f.reason)).collect();
    for address in &refused {
        assert!(reasons[address].contains("No such mailbox here"), "the server's reason: {}", reasons[address]);
    }
    assert_eq!(reasons[&dropped], mailer::CONNECTION_LOST);
    let received = server.received();
    assert_eq!(received.len(), consenting.len() - 3, "the rest went on");
    assert!(received.values().all(|got| got.len() == 1));

    // Retried: the one cut off goes out; the refused are refused again.
    mailings::retry(shop.conn(), &message, None, now()).expect("retry");
    let round = mailer::send_queued(&writer(&shop), &transport, &cfg.account, Utc::now, &|| {}).await.expect("again");
    assert_eq!((round.sent, round.failed), (1, 2));
    assert_eq!(server.received()[&dropped].len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_says_so_and_marks_nothing_sent() {
    let mut shop = Shop::new();
    mixed_shop(&mut shop, 12);
    newsletter::queue(shop.conn_mut(), &draft(), &ctx(), audit::OWNER).expect("queue");
    let before = util::dump_of(shop.conn(), &["mail_outbox", "mail_sent", "mail_messages"]);
    let server = SmtpServer::start(Behaviour::default());
    let cfg = config(&server, "not-the-password");
    let transport = mailer::transport(&cfg).expect("transport");
    let refused = mailer::send_queued(&writer(&shop), &transport, &cfg.account, Utc::now, &|| {}).await;
    let said = refused.expect_err("a wrong password is refused").to_string();
    assert!(said.contains("refused the user name or password"), "{said}");
    assert_eq!(util::dump_of(shop.conn(), &["mail_outbox", "mail_sent", "mail_messages"]), before, "nothing marked");
    assert_eq!(server.count(), 0);
    let test = mailer::send_test(&transport, &cfg.account, "Hello", "Words").await;
    assert!(test.expect_err("the test message too").to_string().contains("password"));
}

#[tokio::test]
async fn a_test_message_goes_to_the_shop_itself_and_the_logs_hold_no_names_addresses_or_words() {
    const MARKER: &str = "wolkenbruch";
    let mut shop = Shop::new();
    let data = shop.data_dir();
    let (subscriber, log_guard) = logging::subscriber(&data).expect("a log file");
    let logging_here = tracing::subscriber::set_default(subscriber);
    for i in 0..5 {
        let card = shop.create(customer(&format!("{MARKER}{i}"), MARKER).email(&format!("{MARKER}{i}@example.org")));
        consent::agree(shop.conn(), &card.id, consent::AT_THE_DESK, now()).expect("agree");
    }
    let refused = format!("{MARKER}1@example.org");
    let server = SmtpServer::start(Behaviour {
        refuse: vec![refused],
        drop_at: Some(format!("{MARKER}3@example.org")),
        delay_ms: 0,
    });
    let cfg = config(&server, PASSWORD);
    let transport = mailer::transport(&cfg).expect("transport");
    let words = Draft { subject: format!("{MARKER} news"), body: format!("Hi {{first_name}}, {MARKER}!"), ..draft() };
    mailer::send_test(&transport, &cfg.account, &words.subject, &words.body).await.expect("a test to the shop");
    assert_eq!(server.received()[SHOP_ADDRESS].len(), 1, "the test went to the shop's own address");
    newsletter::queue(shop.conn_mut(), &words, &ctx(), audit::OWNER).expect("queue");
    let round = mailer::send_queued(&writer(&shop), &transport, &cfg.account, Utc::now, &|| {}).await.expect("send");
    assert_eq!((round.sent, round.failed), (3, 2));
    drop(logging_here);
    drop(log_guard);
    let log = std::fs::read_dir(data.join("logs"))
        .expect("logs")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).unwrap_or_default())
        .collect::<String>();
    assert!(log.contains("did not take a message"), "the failures are logged by id: {log}");
    assert!(!log.to_lowercase().contains(MARKER), "the log names a customer or the words:\n{log}");
    assert!(!log.contains(PASSWORD), "the log holds the password:\n{log}");
}

#[test]
fn groups_choose_by_every_condition_together_and_never_archived_customers() {
    let mut shop = Shop::new();
    let tagged = |tags: &[&str]| {
        let mut input = customer("T", "Tagged");
        input.tags = tags.iter().map(|t| t.to_string()).collect();
        input
    };
    let both = shop.create(tagged(&["Puppy", "Weekend"]));
    let one = shop.create(tagged(&["puppy"]));
    let archived = shop.create(tagged(&["puppy", "weekend"]));
    regulars::records::customers::set_archived(shop.conn_mut(), &archived.id, true, now()).expect("archive");
    let filter = GroupFilter { tags: vec!["puppy".into()], ..GroupFilter::default() };
    let ids = |filter: &GroupFilter| -> Vec<String> {
        groups::count(shop.conn(), filter, now(), today())
            .expect("count")
            .members
            .into_iter()
            .map(|m| m.customer_id)
            .collect()
    };
    let mut puppy = ids(&filter);
    puppy.sort();
    let mut expected = vec![both.id.clone(), one.id.clone()];
    expected.sort();
    assert_eq!(puppy, expected, "any case; never the archived one");
    let both_tags = GroupFilter { tags: vec!["puppy".into(), "weekend".into()], ..GroupFilter::default() };
    assert_eq!(ids(&both_tags), vec![both.id.clone()], "every condition at once");
    // Not seen for 30 days: a visit today takes them out.
    let quiet = GroupFilter { not_seen_days: Some(30), ..filter.clone() };
    let later = now() + chrono::Duration::days(40);
    let visit = desk::LogInput { kind: "visit".into(), ..Default::default() };
    desk::log(shop.conn_mut(), &one.id, &visit, later, later.date_naive()).expect("visit");
    let quiet_ids: Vec<String> = groups::count(shop.conn(), &quiet, later, later.date_naive())
        .expect("count")
        .members
        .into_iter()
        .map(|m| m.customer_id)
        .collect();
    assert_eq!(quiet_ids, vec![both.id.clone()]);
    let new = GroupFilter { new_this_month: true, ..GroupFilter::default() };
    assert_eq!(groups::count(shop.conn(), &new, now(), today()).expect("new").total, 2);
    let bad = GroupFilter { not_seen_days: Some(99_999), ..GroupFilter::default() };
    util::assert_invalid(groups::count(shop.conn(), &bad, now(), today()), "not_seen_days");
}

#[test]
fn a_customer_whose_placeholder_has_no_value_is_listed_and_skipped() {
    let mut shop = Shop::new();
    let mut with_pet = customer("Ada", "Pet").email("ada@example.org");
    with_pet.people.push(person("Biscuit", "dog", ""));
    let ada = shop.create(with_pet);
    let bo = shop.create(customer("Bo", "Nopet").email("bo@example.org"));
    for id in [&ada.id, &bo.id] {
        consent::agree(shop.conn(), id, consent::AT_THE_DESK, now()).expect("agree");
    }
    let preview = newsletter::preview(shop.conn(), &draft(), &ctx()).expect("preview");
    assert_eq!(preview.ready, 1);
    assert_eq!(preview.samples[0].body.lines().next(), Some("Hi Ada, Biscuit is welcome at our new spring walks!"));
    assert_eq!(preview.skipped.len(), 1);
    assert_eq!(
        (preview.skipped[0].name.as_str(), preview.skipped[0].missing.clone()),
        ("Bo Nopet", vec!["pet_name".to_string()])
    );
    let unknown = Draft { body: "Hi {nickname}".into(), ..draft() };
    util::assert_invalid(newsletter::preview(shop.conn(), &unknown, &ctx()), "body");
}

#[test]
fn consent_is_recorded_withdrawn_audited_and_in_the_customers_export() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Cleo", "Consent").email("cleo@example.org"));
    assert_eq!(consent::get(shop.conn(), &card.id).expect("get"), consent::Consent::never_asked());
    newsletter::set_consent(shop.conn_mut(), &card.id, true, audit::OWNER, now()).expect("agree");
    let agreed = consent::get(shop.conn(), &card.id).expect("get");
    assert!(agreed.agreed && agreed.how == "asked at the desk" && agreed.agreed_at.is_some());
    newsletter::set_consent(shop.conn_mut(), &card.id, false, audit::OWNER, now()).expect("stop");
    let stopped = consent::get(shop.conn(), &card.id).expect("get");
    assert!(!stopped.agreed && stopped.withdrawn_at.is_some());
    assert_eq!(stopped.agreed_at, agreed.agreed_at, "when they agreed is kept");
    let trail: Vec<String> = audit::newest(shop.conn(), 10).expect("audit").into_iter().map(|e| e.action).collect();
    assert!(trail.contains(&"recorded consent to news by email".to_string()), "{trail:?}");
    assert!(trail.contains(&"recorded a stop to news by email".to_string()), "{trail:?}");
    let file = shop.data_dir().join("cleo.json");
    export::export_customer_json(shop.conn(), &card.id, &file, now()).expect("export");
    let json = std::fs::read_to_string(&file).expect("read");
    assert!(json.contains("email_consent") && json.contains("asked at the desk"), "{json}");
    assert!(newsletter::set_consent(shop.conn_mut(), "no-such-id", true, audit::OWNER, now()).is_err());
    let _ = cards::erase(shop.conn_mut(), &card.id);
    assert_eq!(shop.count("email_consent"), 0, "erased with the card");
}

#[test]
fn the_importer_keeps_the_consent_columns_of_the_layouts_it_knows() {
    use regulars::io::importer::{self, Field, Options};
    for (heading, yes, no) in
        [("Email Subscription Status", "subscribed", "unsubscribed"), ("Accepts Marketing", "Yes", "No")]
    {
        let mut shop = Shop::new();
        let path = shop.data_dir().join("customers.csv");
        let text = format!(
            "First Name,Last Name,Email Address,{heading},Accepts SMS Marketing\n\
             Ada,Yes,ada@example.org,{yes},No\nBo,No,bo@example.org,{no},Yes\nCy,Blank,cy@example.org,,Yes\n"
        );
        std::fs::write(&path, text).expect("write the file");
        let preview = importer::preview_file(shop.conn(), &path, &Options::default(), now()).expect("preview");
        assert_eq!(preview.mapping[3], Field::EmailConsent, "{heading} is read as consent");
        assert_eq!(preview.mapping[4], Field::Ignore, "an SMS column is not consent to email");
        let options = Options { mapping: Some(preview.mapping.clone()), ..Options::default() };
        importer::import_file(shop.conn_mut(), None, &path, &options, now()).expect("import");
        let consent_of = |first: &str| {
            let id: String = shop
                .conn()
                .query_row("SELECT id FROM customers WHERE first_name = ?1", [first], |r| r.get(0))
                .expect("the card");
            consent::get(shop.conn(), &id).expect("consent")
        };
        let ada = consent_of("Ada");
        assert!(ada.agreed, "{heading}: {yes} is agreement");
        assert_eq!(ada.how, format!("import: the \"{heading}\" column"));
        assert_eq!(consent_of("Bo"), consent::Consent::never_asked(), "{heading}: {no} records no agreement");
        assert_eq!(consent_of("Cy"), consent::Consent::never_asked());
        let count = groups::count(shop.conn(), &GroupFilter::default(), now(), today()).expect("count");
        assert_eq!((count.consenting, count.no_consent), (1, 2));
        // The import undone: its cards go, and their consent with them.
        let batch = importer::batches(shop.conn()).expect("batches")[0].id.clone();
        importer::undo(shop.conn_mut(), &batch, now()).expect("undo");
        assert_eq!(shop.count("email_consent"), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hourly_limit_stops_a_round_and_paused_or_cancelled_messages_wait() {
    let mut shop = Shop::new();
    let consenting = mixed_shop(&mut shop, 30);
    let message = newsletter::queue(shop.conn_mut(), &draft(), &ctx(), audit::OWNER).expect("queue");
    let server = SmtpServer::start(Behaviour::default());
    let mut cfg = config(&server, PASSWORD);
    cfg.account.per_hour = 5;
    let transport = mailer::transport(&cfg).expect("transport");
    let round = mailer::send_queued(&writer(&shop), &transport, &cfg.account, Utc::now, &|| {}).await.expect("send");
    assert_eq!(round.sent, 5, "the owner's hourly limit");
    assert!(matches!(round.stopped, Stopped::Limit(until) if until > Utc::now()), "{:?}", round.stopped);
    assert_eq!(server.count(), 5);

    // Paused: nothing goes, whatever the limit; resumed, the rest go.
    cfg.account.per_hour = 0;
    mailings::set_state(shop.conn(), &message, "paused", now()).expect("pause");
    let round = mailer::send_queued(&writer(&shop), &transport, &cfg.account, Utc::now, &|| {}).await.expect("paused");
    assert_eq!((round.sent, server.count()), (0, 5));
    mailings::set_state(shop.conn(), &message, "sending", now()).expect("resume");
    let round = mailer::send_queued(&writer(&shop), &transport, &cfg.account, Utc::now, &|| {}).await.expect("rest");
    assert_eq!(round.sent, consenting.len() - 5);
    assert_eq!(server.received().len(), consenting.len(), "each once");

    // A second message cancelled before it went: listed as cancelled, none sent.
    let second = newsletter::queue(shop.conn_mut(), &draft(), &ctx(), audit::OWNER).expect("queue again");
    mailings::set_state(shop.conn(), &second, "cancelled", now()).expect("cancel");
    let round = mailer::send_queued(&writer(&shop), &transport, &cfg.account, Utc::now, &|| {}).await.expect("none");
    assert_eq!(round.sent, 0);
    let progress = mailings::progress(shop.conn(), &second).expect("progress");
    assert_eq!((progress.cancelled as usize, progress.sent, progress.waiting), (consenting.len(), 0, 0));
}

#[test]
fn a_restored_shop_pauses_its_unfinished_messages() {
    use regulars::io::backup;
    let mut shop = Shop::new();
    mixed_shop(&mut shop, 9);
    let message = newsletter::queue(shop.conn_mut(), &draft(), &ctx(), audit::OWNER).expect("queue");
    let data_dir = shop.data_dir();
    let file = data_dir.join("mid-send.sqlite3");
    backup::backup_to(shop.conn(), &file, None).expect("a backup made mid-send");
    let mut slot = Some(shop.store);
    backup::restore(&mut slot, &data_dir, &file, None, now()).expect("restore");
    let store = slot.expect("the restored shop");
    let progress = mailings::progress(store.conn(), &message).expect("progress");
    assert_eq!(progress.state, "paused", "what went out after the backup is not in it: the owner resumes knowingly");
}
