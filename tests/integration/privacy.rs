//! Personal data on disk (issue 15): "delete completely" leaves nothing
//! readable in the data folder, every file there is private to its user,
//! the logs hold ids and counts only, and one customer's export holds every
//! row about them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use regulars::app::notify::{Message, Notifier};
use regulars::app::scheduler;
use regulars::features::{cards, desk};
use regulars::io::backup::{self, BackupInfo};
use regulars::io::{erase, export, importer, logging, plan_pdf};
use regulars::records::customers;

use crate::data::busy_customer;
use crate::util::*;

/// Every file under `dir` (the backups folder left out: backups hold the
/// customer until they rotate, which the erase says), with its bytes.
fn files_under(dir: &Path, found: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name != backup::BACKUPS_DIR) {
                files_under(&path, found);
            }
        } else {
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            found.push((path, bytes));
        }
    }
}

/// Which of `markers` (lower case) appear in which file under `dir`, in
/// the raw bytes with ASCII letters lowered (the search index folds case).
fn markers_in(dir: &Path, markers: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    let mut found = Vec::new();
    for (path, bytes) in files {
        let lowered = bytes.to_ascii_lowercase();
        for marker in markers {
            if lowered.windows(marker.len()).any(|window| window == marker.as_bytes()) {
                found.push(format!("{marker:?} in {}", path.strip_prefix(dir).unwrap_or(&path).display()));
            }
        }
    }
    found
}

// ------------------------------------------------------------ erase

/// What names only the erased customer (the busy customer's name, pet,
/// note, phone digits forward and backward as the search keys file them,
/// their visit, feedback and complaint, and what the test adds below).
const ERASED_MARKERS: &[&str] = &[
    "quentin",
    "zyxolin",
    "rexo",
    "2079460001",
    "1000649702",
    "zyx session",
    "zyx too loud",
    "zyx music",
    "zyx turned down",
    "zyx quieter",
    "vexnorath",
    "plovdrake",
    "grintaxel",
];

#[test]
fn delete_completely_leaves_no_readable_trace_in_the_data_folder() {
    let mut shop = Shop::new();
    let data = shop.data_dir();
    // The app's log file, written on this thread, is searched too.
    let (subscriber, log_guard) = logging::subscriber(&data).expect("a log file in the data folder");
    let logging_here = tracing::subscriber::set_default(subscriber);

    // Other customers before and after, each in a transaction of its own:
    // the full-text index has several segments, pages are shared.
    for i in 0..30 {
        let card = shop.create(customer(&format!("Filler{i}"), "Person").pet("Tibbles", "cat"));
        shop.add_note(&card.id, &format!("likes the window seat {i}"), false);
    }
    let id = busy_customer(&mut shop);
    let card = shop.card(&id);
    // A person with details, a field typed then changed, a note deleted on
    // its own: what was there before must not stay behind either.
    let mut input = input_from(&card);
    input.people.push(person("Mia", "child", "vexnorath allergy"));
    input.heard_from = "grintaxel market".into();
    cards::update(shop.conn_mut(), &id, &input, now()).expect("an edit");
    shop.store.checkpoint().expect("a checkpoint: the card is in the database file too");
    let mut input = input_from(&shop.card(&id));
    input.heard_from = "a walk-in".into();
    cards::update(shop.conn_mut(), &id, &input, now()).expect("the field changed from the marker");
    let noted = shop.add_note(&id, "going through a divorce, plovdrake", false);
    let note = noted.notes.iter().find(|n| n.body.contains("plovdrake")).expect("the note").id.clone();
    customers::delete_note(shop.conn_mut(), &note, now()).expect("delete one note");
    // Their printed plan, where the app prints it.
    std::fs::create_dir_all(data.join(erase::PRINT_DIR)).unwrap();
    let printed = data.join(erase::PRINT_DIR).join(format!("plan-{id}.pdf"));
    let doc = plan_pdf::document(shop.conn(), &id, NaiveDate::from_ymd_opt(2024, 5, 15).unwrap()).expect("the plan");
    plan_pdf::write_file(&doc, &printed).expect("print the plan");
    let shop_card = data.join(erase::PRINT_DIR).join("review-card.pdf");
    std::fs::write(&shop_card, b"the shop's own page").unwrap();
    for i in 30..40 {
        shop.create(customer(&format!("Filler{i}"), "Person"));
    }
    // An automatic backup and a copy saved before a restore hold them.
    let auto = backup::automatic(shop.conn(), &data, 7, None, now()).expect("a backup");
    std::fs::copy(&auto, backup::backups_dir(&data).join("before-restore-2024-05-15_143000.sqlite3")).unwrap();
    assert!(
        !markers_in(&data, &["quentin", "plovdrake"]).is_empty(),
        "precondition: the markers are on disk to be found"
    );

    let erased = erase::erase_customer(shop.conn_mut(), &data, &id, now(), &Utc).expect("delete completely");

    drop(logging_here);
    drop(log_guard); // flushes the log file
    let left = markers_in(&data, ERASED_MARKERS);
    assert!(left.is_empty(), "the erased customer is still in the data folder: {left:?}");
    assert!(!printed.exists(), "their printed plan is removed");
    assert!(shop_card.exists(), "the shop's own printed page stays");
    assert_eq!(shop.names("filler7"), ["Filler7 Person"], "the others are still found");
    assert_eq!(shop.count("customers"), 41, "the 40 others and the friend they brought stay");

    // The answer says until when the backups still hold them.
    let made = std::fs::metadata(&auto).unwrap().modified().unwrap();
    let expected = (DateTime::<Utc>::from(made) + chrono::Duration::days(7)).date_naive();
    assert_eq!(
        erased.backups_hold_until.as_deref(),
        Some(expected.format("%Y-%m-%d").to_string().as_str()),
        "{erased:?}"
    );
    assert_eq!(erased.kept_backups, 1, "{erased:?}");
    assert!(
        erased.said.contains(&expected.format("%-d %B %Y").to_string()),
        "the sentence gives the date: {}",
        erased.said
    );
    assert!(
        erased.said.contains("1 backup saved before a restore still holds them until 14 June 2024"),
        "deleted 30 days after the restore: {}",
        erased.said
    );

    // Closed and opened again, as at the next start: still nothing.
    let shop = shop.reopen();
    let left = markers_in(&data, ERASED_MARKERS);
    assert!(left.is_empty(), "after a restart: {left:?}");
    assert!(shop.names("quentin").is_empty());
}

fn info(name: &str, automatic: bool, made_at: &str) -> BackupInfo {
    BackupInfo { file_name: name.into(), path: name.into(), size_bytes: 1, automatic, made_at: made_at.into() }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

#[test]
fn the_backups_hold_a_customer_until_the_newest_one_holding_them_rotates_out() {
    let now = at("2024-05-15T14:30:00Z");
    let added = Some(at("2024-05-10T09:00:00Z"));
    let backups = [
        info("auto-3", true, "2024-05-15T08:00:00Z"),
        info("auto-2", true, "2024-05-14T08:00:00Z"),
        info("auto-1", true, "2024-05-09T08:00:00Z"),
        info("before-restore-1", false, "2024-05-12T08:00:00Z"),
        info("before-restore-0", false, "2024-05-01T08:00:00Z"),
    ];
    // The newest (this morning's) goes when 7 newer ones exist: a week on.
    let holding = erase::backups_holding(&backups, added, 7, now);
    assert_eq!(holding.until, Some(at("2024-05-22T08:00:00Z")));
    assert_eq!(holding.kept, 1, "only the copy made after they were added holds them");
    assert_eq!(holding.kept_until, Some(at("2024-06-11T08:00:00Z")), "deleted 30 days after it was made");
    // Backups all older than the customer: nothing holds them.
    assert_eq!(
        erase::backups_holding(&backups[2..3], added, 7, now),
        erase::Holding { until: None, kept: 0, kept_until: None }
    );
    // No backup for weeks: the next one is due at once, the count starts now.
    let stale = [info("auto-old", true, "2024-04-01T08:00:00Z")];
    assert_eq!(
        erase::backups_holding(&stale, Some(at("2024-03-01T00:00:00Z")), 3, now).until,
        Some(at("2024-05-17T14:30:00Z"))
    );
    // A customer whose creation time is unknown is taken to be in every backup.
    assert_eq!(erase::backups_holding(&backups, None, 7, now).kept, 2);
    // A copy named by the restore goes by its name's time.
    let named = [info("before-restore-2024-05-13_090000.sqlite3", false, "2024-05-15T08:00:00Z")];
    assert_eq!(erase::backups_holding(&named, added, 7, now).kept_until, Some(at("2024-06-12T09:00:00Z")));
}

// ------------------------------------------------------------ private files

/// `--data-dir ~` by mistake must not make a whole home folder private:
/// only a folder holding nothing but what Regulars writes is changed.
#[cfg(unix)]
#[test]
fn a_folder_holding_other_files_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let taxes = home.path().join("taxes.pdf");
    std::fs::write(&taxes, b"%PDF").unwrap();
    std::fs::create_dir(home.path().join("backups")).unwrap();
    for (path, mode) in [(home.path(), 0o755), (&home.path().join("backups"), 0o755), (&taxes, 0o644)] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    regulars::cli::make_private(home.path());
    for (path, mode) in [(home.path(), 0o755), (&home.path().join("backups"), 0o755), (&taxes, 0o644)] {
        assert_eq!(
            std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
            mode,
            "{} was changed",
            path.display()
        );
    }
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_every_file_in_it_are_private_to_their_user() {
    use std::os::unix::fs::PermissionsExt;
    use std::process::{Command, Stdio};

    use crate::desktop::{wait_until, Background, Desktop, Server};

    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("shop");
    // A shop from an older version: a folder and a printed page anyone could read.
    std::fs::create_dir_all(data.join("print")).unwrap();
    let old_page = data.join("print").join("plan-old.pdf");
    std::fs::write(&old_page, b"%PDF-1.7 an old page").unwrap();
    for (path, mode) in [(&data, 0o755), (&data.join("print"), 0o755), (&old_page, 0o644)] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    // The shop's key goes to the keychain on this desktop's bus.
    let desktop = Desktop::start(Server::None);
    let bin = env!("CARGO_BIN_EXE_regulars");
    let seeded = Command::new(bin)
        .args(["seed", "--customers", "20", "--visits", "40", "--data-dir"])
        .arg(&data)
        .env("DBUS_SESSION_BUS_ADDRESS", &desktop.bus_address)
        .output()
        .unwrap();
    assert!(seeded.status.success(), "seed failed: {}", String::from_utf8_lossy(&seeded.stderr));

    // The real start: the window, the log, the WAL and the first automatic backup.
    let app = Command::new(bin)
        .arg("--data-dir")
        .arg(&data)
        .env("DISPLAY", &desktop.display)
        .env("DBUS_SESSION_BUS_ADDRESS", &desktop.bus_address)
        .env("NO_AT_BRIDGE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the app");
    let app = Background(vec![app]);
    let has = |dir: &str, prefix: &str| {
        std::fs::read_dir(data.join(dir))
            .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with(prefix)))
            .unwrap_or(false)
    };
    wait_until("the first automatic backup", Duration::from_secs(120), || {
        has(backup::BACKUPS_DIR, backup::AUTO_PREFIX) && has("logs", "regulars")
    });
    assert!(data.join("regulars.sqlite3-wal").exists(), "the app has its WAL open");
    drop(app);

    let mut checked = Vec::new();
    let mut open = Vec::new();
    let mut walk = vec![data.clone()];
    while let Some(path) = walk.pop() {
        let mode = std::fs::symlink_metadata(&path).unwrap().permissions().mode() & 0o777;
        if path.is_dir() {
            walk.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            if mode != 0o700 {
                open.push(format!("{} is a folder with mode {mode:o}", path.display()));
            }
        } else if mode & 0o077 != 0 {
            open.push(format!("{} has mode {mode:o}", path.display()));
        }
        checked.push(path.strip_prefix(&data).unwrap().display().to_string());
    }
    for expected in ["regulars.sqlite3", "regulars.sqlite3-wal", "encryption.json"] {
        assert!(checked.iter().any(|p| p == expected), "{expected} was not there to check: {checked:?}");
    }
    assert!(
        checked.iter().any(|p| p.starts_with("backups/auto-"))
            && checked.iter().any(|p| p.starts_with("logs/regulars")),
        "{checked:?}"
    );
    assert!(open.is_empty(), "readable by others: {open:#?}");
}

// ------------------------------------------------------------ logs

/// A notifier with no desktop to show on.
struct NoDesktop;

impl Notifier for NoDesktop {
    fn notify(&self, _message: &Message) -> Result<(), String> {
        Err("org.freedesktop.DBus.Error.ServiceUnknown: no notification server".into())
    }
}

#[test]
fn the_logs_hold_ids_and_counts_never_a_customers_words() {
    const MARKER: &str = "wolkenbruch";
    let mut shop = Shop::new();
    let data = shop.data_dir();
    let (subscriber, log_guard) = logging::subscriber(&data).expect("a log file in the data folder");
    let logging_here = tracing::subscriber::set_default(subscriber);

    // A reminder that falls due when no notification can be shown.
    let card = shop.create(customer("Wolkenbruch", "Ferdinand").email("wolkenbruch@example.org"));
    let visit = desk::LogInput {
        kind: "call".into(),
        summary: format!("{MARKER} asked about knees"),
        next_step: format!("Call {MARKER} about the knee"),
        next_step_due: "2024-05-15T15:00".into(),
        ..Default::default()
    };
    desk::log(shop.conn_mut(), &card.id, &visit, now(), now().date_naive()).expect("log a call");
    let due = at("2024-05-15T15:00:00Z");
    let outcome = scheduler::pass(&mut shop.store, &NoDesktop, "live", due, &Utc).expect("a reminder pass");
    assert_eq!(outcome.fired.len(), 1, "the reminder fell due");

    // An import with a bad row that quotes the marker, and one that is taken.
    let csv = format!("Name,Email\n{MARKER} Two,not-an-email-{MARKER}\n{MARKER} Three,three@example.org\n");
    let table = importer::parse(csv.as_bytes()).expect("read the CSV");
    let report =
        importer::import(shop.conn_mut(), None, &table, &format!("{MARKER}.csv"), &importer::Options::default(), now())
            .expect("import");
    assert_eq!(report.imported + report.rejected, 2, "{report:?}");
    // A refused edit (its message quotes what was typed) as a log line.
    let failed = cards::update(shop.conn_mut(), &card.id, &customer(MARKER, "x").email(&format!("{MARKER}@")), now());
    tracing::error!(error = %logging::error_line(&failed.expect_err("a bad email")), "a command failed");
    // An erase, and a panic that quotes the marker.
    erase::erase_customer(shop.conn_mut(), &data, &card.id, now(), &Utc).expect("erase");
    // The app's hook, for this panic only: it leaves the message out of the
    // standard error too, and the test harness needs its own back to show
    // the other tests' failures.
    let harness_hook = std::panic::take_hook();
    logging::install_panic_hook();
    let panicked = std::panic::catch_unwind(|| panic!("cannot read {MARKER}'s birthday"));
    std::panic::set_hook(harness_hook);
    assert!(panicked.is_err());

    drop(logging_here);
    drop(log_guard);
    let mut files = Vec::new();
    files_under(&data.join("logs"), &mut files);
    let log: String = files.iter().map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned()).collect();
    assert!(log.contains("could not show a desktop notification"), "the failed notification is logged: {log}");
    assert!(log.contains(&card.id), "by the customer's id: {log}");
    assert!(log.contains("panic"), "the panic is logged: {log}");
    assert!(!log.to_lowercase().contains(MARKER), "the log names the customer:\n{log}");
}

// ------------------------------------------------------------ export

#[test]
fn the_json_export_holds_every_table_about_the_customer() {
    let mut shop = Shop::new();
    let id = busy_customer(&mut shop);
    // They were referred too: a referral where they are the friend.
    let referrer = shop.create(customer("Referring", "Friend"));
    let mut input = input_from(&shop.card(&id));
    input.referred_by = Some(referrer.id.clone());
    cards::update(shop.conn_mut(), &id, &input, now()).expect("set who referred them");
    shop.create(customer("Other", "Person"));

    let data = export::customer_data(shop.conn(), &id, now()).expect("export");
    let tables: Vec<String> = shop
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut missing = Vec::new();
    for table in &tables {
        let listed = export::NOT_ABOUT_A_CUSTOMER.iter().any(|(name, _)| name == table);
        match data.records.get(table) {
            Some(rows) => {
                assert!(!listed, "{table} is both exported and listed as not about a customer");
                // The busy customer has a row of every kind: an empty list means the export missed them.
                assert!(!rows.is_empty(), "{table} is exported without the customer's rows");
            }
            None if listed => {}
            None => missing.push(table.clone()),
        }
    }
    assert!(missing.is_empty(), "tables neither in the export nor listed in export::NOT_ABOUT_A_CUSTOMER: {missing:?}");
    for (name, why) in export::NOT_ABOUT_A_CUSTOMER {
        assert!(tables.iter().any(|t| t == name), "{name} is listed but is no table any more");
        assert!(!why.is_empty() && !why.contains(' '), "{name}: the reason is one word");
    }

    // Rows that point at them without naming them: both referrals, the complaint's update, the plan's tasks.
    let rows =
        |table: &str| data.records[table].iter().map(|row| serde_json::Value::Object(row.clone())).collect::<Vec<_>>();
    let referrals = rows("referrals");
    assert!(
        referrals.iter().any(|r| r["referred_id"] == id.as_str() && r["referrer_id"] == referrer.id.as_str()),
        "{referrals:?}"
    );
    assert!(referrals.iter().any(|r| r["referrer_id"] == id.as_str()), "the friend they brought: {referrals:?}");
    assert_eq!(referrals.len(), 2);
    assert_eq!(rows("complaint_updates")[0]["body"], "zyx turned down");
    assert!(rows("plan_tasks").iter().all(|t| t["customer_id"] == id.as_str()));
    assert_eq!(rows("import_batches").len(), 2, "the import that made the card and the one that merged into it");
    let text = serde_json::to_string(&data).unwrap();
    assert!(!text.contains("Other"), "nobody else's data");
}
