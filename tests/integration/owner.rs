//! The owner and the desk on a real database: the PIN kept only as a
//! hash, the growing wait after wrong PINs (which a restart does not
//! reset), the audit trail that only grows, and every owner-only command
//! name known to the window.

use chrono::Duration;
use regulars::features::owner;
use regulars::kernel::error::Error;
use regulars::records::audit;

use crate::util::{self, now, Shop};

fn trail(shop: &Shop) -> Vec<(String, String, String)> {
    let mut entries: Vec<_> =
        audit::newest(shop.conn(), 100).unwrap().into_iter().map(|e| (e.who, e.action, e.detail)).collect();
    entries.reverse();
    entries
}

#[test]
fn a_pin_is_set_checked_and_kept_only_as_a_hash() {
    let mut shop = Shop::new();
    let at = now();
    assert!(!owner::load(shop.conn()).unwrap().pin_set);
    util::assert_invalid(owner::set_pin(shop.conn_mut(), "12", "12", audit::NO_PIN, at), "pin");
    util::assert_invalid(owner::set_pin(shop.conn_mut(), "4821", "4812", audit::NO_PIN, at), "pin_repeat");
    util::assert_invalid(owner::set_auto_lock(shop.conn_mut(), 0, audit::NO_PIN, at), "auto_lock_minutes");
    assert!(!owner::load(shop.conn()).unwrap().pin_set, "a refused PIN changes nothing");
    let lock = owner::set_pin(shop.conn_mut(), "4821", "4821", audit::NO_PIN, at).unwrap();
    assert!(lock.pin_set);
    let stored: String =
        shop.conn().query_row("SELECT value FROM settings WHERE key = 'owner_lock'", [], |row| row.get(0)).unwrap();
    assert!(stored.contains("$argon2id$") && !stored.contains("4821"), "{stored}");

    owner::check_pin(shop.conn_mut(), "4821", at).unwrap();
    util::assert_invalid(owner::check_pin(shop.conn_mut(), "0000", at), "pin");
    owner::set_pin(shop.conn_mut(), "99887766", "99887766", audit::OWNER, at).unwrap();
    assert_eq!(
        trail(&shop),
        vec![
            (audit::NO_PIN.into(), "set the owner PIN".into(), String::new()),
            (audit::OWNER.into(), "unlocked owner mode".into(), String::new()),
            (audit::DESK.into(), "typed a wrong owner PIN".into(), "wrong try 1 in a row".into()),
            (audit::OWNER.into(), "changed the owner PIN".into(), String::new()),
        ]
    );
    util::assert_invalid(owner::check_pin(shop.conn_mut(), "4821", at), "pin");

    // A forgotten PIN is removed from the command line, and that is in the trail.
    assert!(owner::remove_pin(shop.conn_mut(), "test", at).unwrap());
    assert!(!owner::load(shop.conn()).unwrap().pin_set);
    assert!(!owner::remove_pin(shop.conn_mut(), "test", at).unwrap(), "nothing left to remove");
    assert_eq!(trail(&shop).last().unwrap().1, "removed the owner PIN");
}

#[test]
fn wrong_pins_make_the_next_try_wait_longer_even_after_a_restart() {
    let mut shop = Shop::new();
    let start = now();
    owner::set_pin(shop.conn_mut(), "4821", "4821", audit::NO_PIN, start).unwrap();
    for n in 1..=4 {
        let message = util::assert_invalid(owner::check_pin(shop.conn_mut(), "1111", start), "pin");
        assert_eq!(message, "That is not the owner PIN.", "try {n}");
    }
    let fifth = util::assert_invalid(owner::check_pin(shop.conn_mut(), "1111", start), "pin");
    assert_eq!(fifth, "Too many wrong PINs. Try again in 30 seconds.");
    // During the wait even the right PIN is refused, unchecked and uncounted; a restart changes nothing.
    let mut shop = shop.reopen();
    let waiting = util::assert_invalid(owner::check_pin(shop.conn_mut(), "4821", start + Duration::seconds(10)), "pin");
    assert_eq!(waiting, "Too many wrong PINs. Try again in 20 seconds.");
    assert!(owner::waiting_until(shop.conn(), start + Duration::seconds(10)).unwrap().is_some());
    // The sixth wrong one waits twice as long.
    let later = start + Duration::seconds(31);
    let sixth = util::assert_invalid(owner::check_pin(shop.conn_mut(), "1111", later), "pin");
    assert_eq!(sixth, "Too many wrong PINs. Try again in 60 seconds.");
    owner::check_pin(shop.conn_mut(), "4821", later + Duration::seconds(61)).unwrap();
    // The right PIN starts the count again.
    let again = util::assert_invalid(owner::check_pin(shop.conn_mut(), "1111", later + Duration::seconds(62)), "pin");
    assert_eq!(again, "That is not the owner PIN.");
    let wrong = trail(&shop).iter().filter(|(_, action, _)| action == "typed a wrong owner PIN").count();
    assert_eq!(wrong, 7, "every checked wrong PIN is in the trail; the refused try during the wait is not a check");
}

#[test]
fn the_audit_trail_only_grows() {
    let mut shop = Shop::new();
    owner::set_pin(shop.conn_mut(), "4821", "4821", audit::NO_PIN, now()).unwrap();
    for sql in
        ["UPDATE audit_log SET who = 'someone else'", "DELETE FROM audit_log", "UPDATE audit_log SET detail = ''"]
    {
        match shop.conn().execute(sql, []) {
            Err(e) => assert!(e.to_string().contains("The audit trail cannot be changed."), "{sql}: {e}"),
            Ok(_) => panic!("{sql} changed the audit trail"),
        }
    }
    assert_eq!(trail(&shop).len(), 1);
    assert!(matches!(owner::check_pin(shop.conn_mut(), "", now()), Err(Error::Invalid { field: "pin", .. })));
}

/// Every name in `app::owner::OWNER_ONLY` is a command the window can call:
/// a renamed command would otherwise slip out of the desk-mode check.
#[test]
fn every_owner_only_name_is_a_command_of_the_window() {
    let handler =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src/app/window.rs"))
            .unwrap();
    for name in regulars::app::owner::OWNER_ONLY {
        assert!(handler.contains(&format!("::{name},")), "{name} is not in the window's commands");
    }
    for exported in [
        "export_customers",
        "export_customer",
        "export_contacts",
        "export_contact",
        "import_run",
        "import_undo",
        "restore_backup",
        "restore_from_file",
        "install_update",
        "delete_customer",
        "save_settings",
        "get_audit",
    ] {
        assert!(regulars::app::owner::OWNER_ONLY.contains(&exported), "{exported} must be the owner's");
    }
}

/// A wrong recovery key (typed to remove a forgotten PIN) waits as a wrong
/// PIN does: after a few, the next tries are refused unchecked and add no
/// line, so 600 of them cannot push the owner's lines out of sight; the
/// wait survives a restart, and even the right key waits it out.
#[test]
fn wrong_recovery_keys_wait_and_cannot_flood_the_audit_trail() {
    let mut shop = Shop::new();
    let start = now();
    owner::set_pin(shop.conn_mut(), "4821", "4821", audit::NO_PIN, start).unwrap();
    let mut said = Vec::new();
    for _ in 0..600 {
        said.push(util::assert_invalid(
            owner::remove_pin_with_recovery_key(shop.conn_mut(), false, start),
            "recovery_key",
        ));
    }
    assert!(said[..4].iter().all(|message| message == "This is not this shop's recovery key."), "{:?}", &said[..4]);
    assert!(
        said[4..].iter().all(|message| message == "Too many wrong recovery keys. Try again in 30 seconds."),
        "{:?}",
        &said[4..8]
    );
    let wrong =
        |shop: &Shop| trail(shop).iter().filter(|(_, action, _)| action == "typed a wrong recovery key").count();
    assert_eq!(wrong(&shop), 5, "only the keys checked are in the trail");
    assert_eq!(trail(&shop)[0].1, "set the owner PIN", "the owner's line is still the first of a short trail");

    // A restart keeps the wait; the right key is not taken during it.
    let mut shop = shop.reopen();
    let waiting = util::assert_invalid(
        owner::remove_pin_with_recovery_key(shop.conn_mut(), true, start + Duration::seconds(10)),
        "recovery_key",
    );
    assert_eq!(waiting, "Too many wrong recovery keys. Try again in 20 seconds.");
    assert!(owner::load(shop.conn()).unwrap().pin_set);
    // The next wrong one after the wait waits twice as long.
    let later = start + Duration::seconds(31);
    let sixth =
        util::assert_invalid(owner::remove_pin_with_recovery_key(shop.conn_mut(), false, later), "recovery_key");
    assert_eq!(sixth, "Too many wrong recovery keys. Try again in 60 seconds.");
    assert_eq!(wrong(&shop), 6);
    // Wrong PINs have a count of their own: the desk's PIN is still checked.
    util::assert_invalid(owner::check_pin(shop.conn_mut(), "1111", later), "pin");
    assert!(owner::remove_pin_with_recovery_key(shop.conn_mut(), true, later + Duration::seconds(61)).unwrap());
    assert!(!owner::load(shop.conn()).unwrap().pin_set);
    assert_eq!(
        trail(&shop).last().unwrap(),
        &("owner (recovery key)".to_string(), "removed the owner PIN".to_string(), String::new())
    );
    // A new PIN starts the count of wrong keys again.
    owner::set_pin(shop.conn_mut(), "4821", "4821", audit::NO_PIN, later + Duration::seconds(62)).unwrap();
    let again = util::assert_invalid(
        owner::remove_pin_with_recovery_key(shop.conn_mut(), false, later + Duration::seconds(62)),
        "recovery_key",
    );
    assert_eq!(again, "This is not this shop's recovery key.");
}

/// The trail is read a page at a time, newest first, and pages back to its
/// oldest line however long it is; lines added meanwhile do not move the
/// place an older page starts.
#[test]
fn the_audit_trail_pages_back_to_its_oldest_line() {
    let mut shop = Shop::new();
    owner::set_pin(shop.conn_mut(), "4821", "4821", audit::NO_PIN, now()).unwrap();
    for n in 0..650 {
        audit::append(shop.conn(), audit::DESK, "a line", &format!("{n}"), now()).unwrap();
    }
    let first = audit::page(shop.conn(), None, 100).unwrap();
    assert_eq!(first.entries.len(), 100);
    assert_eq!(first.entries[0].detail, "649", "newest first");
    let mut seen: Vec<String> = first.entries.iter().map(|e| e.detail.clone()).collect();
    let mut cursor = first.older;
    let mut pages = 1;
    while let Some(before) = cursor {
        // A line added while the owner reads is on the first page, not this one.
        audit::append(shop.conn(), audit::DESK, "added meanwhile", "", now()).unwrap();
        let page = audit::page(shop.conn(), Some(before), 100).unwrap();
        assert!(!page.entries.is_empty());
        seen.extend(page.entries.iter().map(|e| e.detail.clone()));
        cursor = page.older;
        pages += 1;
        assert!(pages <= 7, "the pages end");
    }
    assert_eq!(pages, 7, "651 lines, 100 a page");
    let mut expected: Vec<String> = (0..650).rev().map(|n| n.to_string()).collect();
    expected.push(String::new());
    assert_eq!(seen, expected, "every line once, newest first, down to the oldest");
    assert_eq!(audit::page(shop.conn(), Some(1), 100).unwrap(), audit::AuditPage { entries: vec![], older: None });
}

/// An export writes its line in the audit trail before it writes the file:
/// when the line cannot be written (here SQLite refuses the insert, as a
/// full disk would), no file is made at all.
#[test]
fn an_export_whose_audit_line_cannot_be_written_writes_nothing() {
    use regulars::app::commands::data::{export, Export};
    use regulars::app::state::{AppState, Opened};
    use regulars::db::store::Store;

    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(data.path()).unwrap();
    let id = regulars::features::cards::create(store.conn_mut(), &util::customer("Ada", "Lovelace"), now()).unwrap().id;
    regulars::features::cards::create(store.conn_mut(), &util::customer("Grace", "Hopper"), now()).unwrap();
    store
        .conn()
        .execute_batch("CREATE TRIGGER audit_line_refused BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;")
        .unwrap();
    let state = AppState::new(
        Ok(Opened::Store(store)),
        std::sync::Arc::new(tokio::sync::Notify::new()),
        "test".into(),
        data.path().to_path_buf(),
        std::time::Instant::now(),
    );
    let exports = [
        ("customers.csv", Export::Customers),
        ("ada.json", Export::Customer(&id)),
        ("contacts.vcf", Export::Contacts),
        ("ada.vcf", Export::Contact(&id)),
        ("shop.backup", Export::Backup),
    ];
    for (name, what) in exports {
        let path = out.path().join(name);
        assert!(export(&state, what, &path).is_err(), "{name}: exported without its audit line");
        assert!(!path.exists(), "{name} was written without its audit line");
    }
    let left: Vec<_> = std::fs::read_dir(out.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert!(left.is_empty(), "nothing at all was written: {left:?}");

    // With the trail writable again, the line comes with the file, its count the file's.
    state.write(|conn| Ok(conn.execute_batch("DROP TRIGGER audit_line_refused")?)).unwrap();
    let path = out.path().join("customers.csv");
    assert_eq!(export(&state, Export::Customers, &path).unwrap(), 2);
    assert!(path.is_file());
    let lines = state.read(|conn| audit::newest(conn, 10)).unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!((lines[0].action.as_str(), lines[0].detail.as_str()), ("exported every customer (CSV)", "2 customers"));
}
