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
    let mut entries: Vec<_> = audit::newest(shop.conn(), 100).unwrap().into_iter().map(|e| (e.who, e.action, e.detail)).collect();
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
    let stored: String = shop.conn().query_row("SELECT value FROM settings WHERE key = 'owner_lock'", [], |row| row.get(0)).unwrap();
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
    for sql in ["UPDATE audit_log SET who = 'someone else'", "DELETE FROM audit_log", "UPDATE audit_log SET detail = ''"] {
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
    let handler = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src/app/window.rs")).unwrap();
    for name in regulars::app::owner::OWNER_ONLY {
        assert!(handler.contains(&format!("::{name},")), "{name} is not in the window's commands");
    }
    for exported in ["export_customers", "export_customer", "export_contacts", "export_contact", "import_run", "import_undo", "restore_backup", "restore_from_file", "delete_customer", "save_settings", "get_audit"] {
        assert!(regulars::app::owner::OWNER_ONLY.contains(&exported), "{exported} must be the owner's");
    }
}
