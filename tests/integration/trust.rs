//! Trust nothing that comes back in: a restored file is checked against
//! this app's own schema and never brings this computer's own settings,
//! the owner PIN or the audit trail with it; the screens before the shop
//! opens answer one at a time; a missing shop file never makes a new key
//! over the old backups; the command line keeps out of a running app.

use std::sync::Arc;
use std::time::{Duration, Instant};

use regulars::app::files::{self, Purpose};
use regulars::app::state::{AppState, Opened};
use regulars::db::store::{self, Store, DATABASE_FILE};
use regulars::features::owner;
use regulars::io::backup;
use regulars::io::calendar::{self, CalendarFile, Keeper};
use regulars::io::vault::{self, Ask, Door, NoKeychain, Step};
use regulars::kernel::error::Error;

use crate::util::{self, assert_invalid, customer, now, Shop};

const PIN: &str = "2468";

/// A plain file at this app's current schema, as anyone could make one,
/// holding one customer and whatever `adjust` does to it.
fn crafted_backup(dir: &std::path::Path, adjust: impl FnOnce(&mut Store)) -> std::path::PathBuf {
    let path = dir.join("crafted.sqlite3");
    let mut store = Store::open(&path).expect("a plain shop file");
    regulars::features::cards::create(store.conn_mut(), &customer("Crafted", "Backup"), now()).expect("a customer");
    adjust(&mut store);
    store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").expect("checkpoint");
    drop(store);
    path
}

fn starts_as_sqlite(path: &std::path::Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| bytes.starts_with(b"SQLite format 3\0"))
}

#[test]
fn a_restored_file_never_aims_the_calendar_at_the_shops_own_files() {
    let mut shop = Shop::new();
    shop.create(customer("Kept", "Customer"));
    let data_dir = shop.data_dir();
    let live = shop.db_path();
    let files_dir = tempfile::tempdir().expect("temp dir");
    // The calendar row points at the live shop file: the keeper would write
    // iCalendar text over it every minute.
    let crafted = crafted_backup(files_dir.path(), |store| {
        calendar::save_setting(store.conn(), Some(&CalendarFile { path: live.clone() }), now())
            .expect("the calendar row");
    });

    let mut slot = Some(shop.store);
    backup::restore(&mut slot, &data_dir, &crafted, None, now()).expect("a sound file at this schema restores");
    let restored = slot.as_ref().expect("store");
    assert_eq!(
        calendar::load_setting(restored.conn()).expect("read"),
        None,
        "this computer's calendar row, not the file's"
    );

    // The keeper, on its own connection as the scheduler runs it.
    let scheduler = Store::open(&live).expect("the scheduler's connection");
    let allowed = |path: &std::path::Path| files::check(Purpose::Calendar, path, &data_dir);
    let mut keeper = Keeper::default();
    assert_eq!(keeper.look(scheduler.conn(), now(), &allowed).expect("look"), None, "no calendar file to keep");
    assert!(starts_as_sqlite(&live), "the live database is untouched");

    // A row that points into the data folder anyway (a damaged file, an
    // older version) is refused each time it is read back, before writing.
    calendar::save_setting(scheduler.conn(), Some(&CalendarFile { path: live.clone() }), now())
        .expect("the row, as a file could hold it");
    let refused = keeper.look(scheduler.conn(), now() + calendar::KEEP_EVERY, &allowed);
    assert!(matches!(refused, Err(Error::Invalid { .. })), "refused: {refused:?}");
    assert!(starts_as_sqlite(&live), "the live database is untouched");
    let names: Vec<String> = regulars::db::search::search(scheduler.conn(), "crafted", 5, None)
        .expect("search")
        .into_iter()
        .map(|h| h.display_name)
        .collect();
    assert_eq!(names, vec!["Crafted Backup"], "the restored data is there and readable");
}

#[test]
fn a_restore_keeps_the_owner_pin_its_wait_and_the_audit_trail() {
    let mut shop = Shop::new();
    shop.create(customer("Before", "Pin"));
    let files_dir = tempfile::tempdir().expect("temp dir");
    // A backup from before the owner PIN existed.
    let old = files_dir.path().join("before-the-pin.sqlite3");
    backup::backup_to(shop.conn(), &old, None).expect("backup");

    owner::set_pin(shop.conn_mut(), PIN, PIN, "owner", now()).expect("set the PIN");
    for _ in 0..6 {
        let _ = owner::check_pin(shop.conn_mut(), "0000", now());
    }
    let waiting =
        owner::waiting_until(shop.conn(), now()).expect("read").expect("six wrong PINs make the next one wait");
    let trail_before: i64 = util::count_rows(shop.conn(), "audit_log");
    assert!(trail_before >= 6, "the PIN and each wrong try before the wait are in the trail: {trail_before}");

    let data_dir = shop.data_dir();
    let mut slot = Some(shop.store);
    backup::restore(&mut slot, &data_dir, &old, None, now()).expect("restore");
    let store = slot.as_mut().expect("store");
    assert!(owner::load(store.conn()).expect("read").pin_set, "the PIN survives a backup from before it");
    assert_eq!(owner::waiting_until(store.conn(), now()).expect("read"), Some(waiting), "and so does the wait");
    assert_eq!(util::count_rows(store.conn(), "audit_log"), trail_before + 1, "the trail as it was, and the restore");
    let last: (String, String, String) = store
        .conn()
        .query_row("SELECT who, action, detail FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("the last line");
    assert_eq!(last, ("owner".to_string(), "restored a backup".to_string(), "before-the-pin.sqlite3".to_string()));
    let changed = store.conn().execute("UPDATE audit_log SET detail = 'x'", []);
    assert!(changed.is_err(), "the trail is still append-only after a restore");
    assert_eq!(util::count_rows(store.conn(), "customers"), 1, "the backup's customers");
}

#[test]
fn a_file_that_only_looks_like_a_shop_is_not_restored() {
    let mut shop = Shop::new();
    shop.create(customer("Still", "Here"));
    let data_dir = shop.data_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let variants: [(&str, &str); 4] = [
        ("no-trigger", "DROP TRIGGER audit_log_is_append_only_delete"),
        ("own-trigger", "CREATE TRIGGER mine AFTER INSERT ON customers BEGIN SELECT 1; END"),
        ("extra-column", "ALTER TABLE customers ADD COLUMN extra TEXT"),
        ("no-table", "DROP TABLE audit_log"),
    ];
    let mut slot = Some(shop.store);
    for (name, change) in variants {
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).expect("folder");
        let file = crafted_backup(&sub, |store| store.conn().execute_batch(change).expect(name));
        let said = assert_invalid(backup::check(&file, None), "file");
        assert!(said.contains("not a Regulars backup"), "{name}: {said}");
        assert_invalid(backup::restore(&mut slot, &data_dir, &file, None, now()), "file");
    }
    let names: Vec<String> = regulars::db::search::search(slot.as_ref().expect("store").conn(), "still", 5, None)
        .expect("search")
        .into_iter()
        .map(|h| h.display_name)
        .collect();
    assert_eq!(names, vec!["Still Here"], "nothing was changed");
}

#[test]
fn not_now_while_the_shop_is_encrypted_is_refused_and_the_shop_opens_encrypted() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("shop");
    {
        let mut plain = Store::open_in(&dir).expect("a plain shop");
        regulars::features::cards::create(plain.conn_mut(), &customer("Plain", "Before"), now()).expect("a customer");
    }
    let state = AppState::new(
        Ok(Opened::Ask { ask: Ask::Convert, why: String::new() }),
        Arc::new(tokio::sync::Notify::new()),
        String::new(),
        dir.clone(),
        Instant::now(),
    );
    let passphrase = "blue kettle on a rainy monday";
    let (key, keeper) = vault::new_key(&NoKeychain, Some((passphrase, passphrase))).expect("a key from the passphrase");
    let mut second = None;
    state
        .through_door(&[Ask::Convert], || {
            vault::convert(&dir, &key, &keeper, &mut |step| {
                if step == Step::Exported {
                    // "Not now", pressed on another thread while "Encrypt my shop" runs.
                    let not_now = std::thread::scope(|scope| {
                        scope
                            .spawn(|| state.through_door(&[Ask::Convert], || Store::open(&vault::database(&dir))))
                            .join()
                            .expect("no panic")
                    });
                    second = Some(not_now);
                }
            })
        })
        .expect("the encryption goes through");
    match second.expect("the hook ran") {
        Err(Error::Conflict(said)) => assert!(said.contains("being opened"), "{said}"),
        other => panic!("\"Not now\" during the encryption was not refused: {other:?}"),
    }
    assert_eq!(state.gate().0, Ask::Nothing);
    assert!(state.key().is_some_and(|kept| kept.same_as(&key)), "the shop is open under the saved key");
    assert_eq!(state.read(|conn| Ok(util::count_rows(conn, "customers"))).expect("read"), 1);
    assert!(!store::is_plain(&vault::database(&dir)).expect("the file"), "the shop file is encrypted");
    let later = state.through_door(&[Ask::Convert], || Store::open(&vault::database(&dir)));
    assert!(matches!(later, Err(Error::Conflict(ref said)) if said.contains("already open")), "{later:?}");
    drop(state);
    // The next start asks for the passphrase the key was saved under.
    assert!(matches!(vault::look(&dir, &NoKeychain).expect("look"), Door::Ask { ask: Ask::Passphrase, .. }));
    vault::unlock(&dir, passphrase, &NoKeychain).expect("the saved key opens it");
}

#[test]
fn a_missing_shop_file_starts_again_under_the_key_its_backups_need() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("shop");
    let passphrase = "green door by the canal";
    let (key, keeper) = vault::new_key(&NoKeychain, Some((passphrase, passphrase))).expect("a key");
    {
        let mut store = vault::create(&dir, &key, &keeper).expect("a new shop");
        regulars::features::cards::create(store.conn_mut(), &customer("Backed", "Up"), now()).expect("a customer");
        backup::automatic(store.conn(), &dir, 7, Some(&key), now()).expect("an automatic backup");
    }
    let settings_before = std::fs::read(dir.join(vault::VAULT_FILE)).expect("encryption.json");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("{DATABASE_FILE}{suffix}")));
    }

    assert!(
        matches!(vault::look(&dir, &NoKeychain).expect("look"), Door::Ask { ask: Ask::Passphrase, .. }),
        "not a new shop"
    );
    let (other, other_keeper) =
        vault::new_key(&NoKeychain, Some(("another passphrase entirely", "another passphrase entirely"))).expect("key");
    assert!(
        matches!(vault::create(&dir, &other, &other_keeper), Err(Error::Conflict(_))),
        "no new key over the old backups"
    );
    assert_invalid(vault::unlock(&dir, "green door by the river", &NoKeychain), "passphrase");
    assert!(!dir.join(DATABASE_FILE).exists(), "a wrong passphrase makes no file");

    let mut slot = Some(vault::unlock(&dir, passphrase, &NoKeychain).expect("the passphrase starts the shop again"));
    assert_eq!(
        std::fs::read(dir.join(vault::VAULT_FILE)).expect("encryption.json"),
        settings_before,
        "encryption.json untouched"
    );
    let newest = std::path::PathBuf::from(&backup::list(&dir).expect("backups")[0].path);
    backup::restore(&mut slot, &dir, &newest, Some(&key), now()).expect("the old backup restores");
    assert_eq!(util::count_rows(slot.as_ref().expect("store").conn(), "customers"), 1);
}

#[cfg(unix)]
#[test]
fn the_command_line_does_not_remove_the_pin_while_the_app_runs() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("shop");
    {
        let mut store = Store::open_in(&dir).expect("a plain shop");
        owner::set_pin(store.conn_mut(), PIN, PIN, "owner", now()).expect("set the PIN");
    }
    let remove = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_regulars"))
            .args(["remove-owner-pin", "--data-dir"])
            .arg(&dir)
            .output()
            .expect("run regulars remove-owner-pin")
    };
    // The running app holds the folder's lock.
    let running = match regulars::app::instance::claim(&dir).expect("claim") {
        regulars::app::instance::Claim::First(owner) => owner,
        regulars::app::instance::Claim::Second { .. } => panic!("nothing else runs on this folder"),
    };
    let started = Instant::now();
    let refused = remove();
    let said = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(!refused.status.success(), "refused while the app runs: {said}");
    assert!(said.contains("Close it first"), "{said}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(owner::load(Store::open_in(&dir).expect("open").conn()).expect("read").pin_set, "the PIN is still set");

    drop(running);
    let done = remove();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(
        !owner::load(Store::open_in(&dir).expect("open").conn()).expect("read").pin_set,
        "removed once the app is closed"
    );
}

/// A panic's message can quote customer data, and a desktop launcher sends
/// the standard error to the system journal: the app's panic hook says
/// where, never what. Run in a child process, whose standard error is read.
#[test]
fn a_panic_says_where_on_the_standard_error_never_what() {
    const CHILD: &str = "REGULARS_TEST_PANIC_CHILD";
    const SECRET: &str = "Zoë Quinlan-Marker's birthday";
    if std::env::var_os(CHILD).is_some() {
        regulars::io::logging::install_panic_hook();
        let panicked = std::panic::catch_unwind(|| panic!("cannot read {SECRET}"));
        assert!(panicked.is_err());
        return;
    }
    let child = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "trust::a_panic_says_where_on_the_standard_error_never_what",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the child");
    let said = format!("{}{}", String::from_utf8_lossy(&child.stdout), String::from_utf8_lossy(&child.stderr));
    assert!(child.status.success(), "{said}");
    assert!(said.contains("an internal error at tests/integration/trust.rs:"), "where: {said}");
    assert!(!said.contains("Quinlan-Marker"), "never what: {said}");
}
