//! Encryption at rest (issue 16): the shop file, its WAL and its backups
//! hold no customer in clear; the key comes from the keychain, or from a
//! passphrase where none answers; the recovery key opens a backup on a
//! new computer; a wrong key changes nothing; a plain shop is converted
//! whole, and a conversion killed at any step leaves one shop or the other.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use regulars::db::settings::BusinessKind;
use regulars::db::store::{self, Store};
use regulars::features::cards;
use regulars::io::vault::{self, Ask, Door, Keeper, Keychain, NoKeychain};
use regulars::io::{backup, sample, setup};
use regulars::kernel::error::Error;
use regulars::kernel::secret::Key;

use crate::util::*;

/// A keychain in memory, as the system's would keep the key.
#[derive(Default)]
struct MemoryKeychain(Mutex<HashMap<String, Key>>);

impl Keychain for MemoryKeychain {
    fn load(&self, account: &str) -> Result<Option<Key>, String> {
        Ok(self.0.lock().unwrap().get(account).cloned())
    }
    fn save(&self, account: &str, key: &Key) -> Result<(), String> {
        self.0.lock().unwrap().insert(account.to_string(), key.clone());
        Ok(())
    }
}

/// The unique name written through the app and looked for in the bytes.
const MARKER: &str = "quorvexzimbal";

/// Every file under `dir` (backups and logs included) whose raw bytes,
/// ASCII lowered, contain `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    walk(dir)
        .into_iter()
        .filter(|path| {
            std::fs::read(path)
                .is_ok_and(|bytes| bytes.to_ascii_lowercase().windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
        .map(|path| path.strip_prefix(dir).unwrap_or(&path).display().to_string())
        .collect()
}

/// Writes the marker customer with a note, a visit's worth of rows and an
/// automatic backup, leaving the WAL as it is (not checkpointed).
fn write_marker(store: &mut Store, dir: &Path) {
    let card = cards::create(
        store.conn_mut(),
        &customer(&format!("{MARKER}a"), &format!("{MARKER}b")).email(&format!("{MARKER}@example.org")),
        now(),
    )
    .expect("create");
    regulars::records::customers::add_note(
        store.conn_mut(),
        &card.id,
        &format!("knee surgery, ask {MARKER}"),
        false,
        now(),
    )
    .expect("note");
    backup::automatic(store.conn(), dir, 7, store.key(), now()).expect("backup");
    cards::update(store.conn_mut(), &card.id, &customer(&format!("{MARKER}a"), &format!("{MARKER}c")), now())
        .expect("update after the backup");
}

fn names(conn: &rusqlite::Connection, query: &str) -> Vec<String> {
    regulars::db::search::search(conn, query, 10, None)
        .expect("search")
        .into_iter()
        .map(|hit| hit.display_name)
        .collect()
}

#[test]
fn a_new_shop_is_encrypted_under_a_keychain_key_and_no_file_holds_a_customer_in_clear() {
    let root = tempfile::tempdir().unwrap();
    let (plain_dir, dir) = (root.path().join("plain"), root.path().join("encrypted"));
    let keychain = MemoryKeychain::default();

    // The same writes into a plain shop: the marker is there to be found.
    let mut plain = Store::open_in(&plain_dir).unwrap();
    write_marker(&mut plain, &plain_dir);
    assert!(files_holding(&plain_dir, MARKER).len() >= 2, "precondition: {:?}", files_holding(&plain_dir, MARKER));
    assert!(plain_dir.join("regulars.sqlite3-wal").metadata().unwrap().len() > 0);

    assert!(matches!(vault::look(&dir, &keychain).unwrap(), Door::New));
    let (key, keeper) = vault::new_key(&keychain, None).expect("the keychain answers");
    assert!(matches!(keeper, Keeper::Keychain { .. }));
    let mut shop = vault::create(&dir, &key, &keeper).unwrap();
    write_marker(&mut shop, &dir);
    assert!(
        dir.join("regulars.sqlite3-wal").metadata().unwrap().len() > 0,
        "the change after the backup is in the WAL"
    );
    let backups = backup::list(&dir).unwrap();
    assert_eq!(backups.len(), 1);
    assert_eq!(files_holding(&dir, MARKER), Vec::<String>::new(), "a customer in clear");
    for file in ["regulars.sqlite3", "regulars.sqlite3-wal"]
        .iter()
        .map(|f| dir.join(f))
        .chain([PathBuf::from(&backups[0].path)])
    {
        assert!(!store::is_plain(&file).unwrap(), "{} is encrypted", file.display());
    }
    // Neither the key nor its recovery text is in any file beside the shop.
    assert!(files_holding(&dir, &key.hex()).is_empty() && files_holding(&dir, &key.recovery_text()).is_empty());
    assert_eq!(names(shop.conn(), MARKER).len(), 1, "the app reads it all the same");
    drop(shop);

    // The next start: the keychain's key opens it without asking.
    match vault::look(&dir, &keychain).unwrap() {
        Door::Open(found) => assert!(found.same_as(&key)),
        other => panic!("expected the keychain's key, got {other:?}"),
    }
    let reopened = Store::open_with(&dir.join("regulars.sqlite3"), Some(&key)).unwrap();
    assert_eq!(names(reopened.conn(), MARKER).len(), 1);
    // An empty keychain (another user, a new computer) asks for the recovery key.
    assert!(matches!(vault::look(&dir, &MemoryKeychain::default()).unwrap(), Door::Ask { ask: Ask::RecoveryKey, .. }));
    assert!(matches!(vault::look(&dir, &NoKeychain).unwrap(), Door::Ask { ask: Ask::RecoveryKey, .. }));
}

#[test]
fn a_wrong_key_is_a_clear_message_and_changes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("shop");
    let keychain = MemoryKeychain::default();
    let (key, keeper) = vault::new_key(&keychain, None).unwrap();
    let mut shop = vault::create(&dir, &key, &keeper).unwrap();
    write_marker(&mut shop, &dir);
    drop(shop);
    let before: Vec<(String, Vec<u8>)> = ["regulars.sqlite3", "encryption.json"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
        .collect();

    let wrong = Key::generate();
    let error = Store::open_with(&dir.join("regulars.sqlite3"), Some(&wrong)).expect_err("refused");
    assert!(matches!(error, Error::WrongKey), "{error:?}");
    assert!(
        error.to_string().contains("does not open") && error.to_string().contains("nothing was changed"),
        "{error}"
    );
    let said = assert_invalid(vault::unlock(&dir, &wrong.recovery_text(), &keychain), "recovery_key");
    assert!(said.contains("does not open"), "{said}");
    assert_invalid(vault::unlock(&dir, "1234 not a key", &keychain), "recovery_key");
    assert!(Store::open(&dir.join("regulars.sqlite3")).is_err(), "nor does no key");
    for (name, bytes) in &before {
        assert_eq!(&std::fs::read(dir.join(name)).unwrap(), bytes, "{name} changed");
    }
    // A backup under another key is refused with its own message.
    let backup_file = PathBuf::from(&backup::list(&dir).unwrap()[0].path);
    let said = assert_invalid(backup::check(&backup_file, Some(&wrong)), "file");
    assert!(said.contains("another key"), "{said}");
    assert_eq!(backup::check(&backup_file, Some(&key)).unwrap(), store::schema_version());
}

#[test]
fn a_backup_opens_on_a_fresh_folder_with_only_the_recovery_key() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("old laptop");
    let (key, keeper) = vault::new_key(&MemoryKeychain::default(), None).unwrap();
    let mut shop = vault::create(&dir, &key, &keeper).unwrap();
    write_marker(&mut shop, &dir);
    let recovery = key.recovery_text().to_string();
    drop(shop);
    drop(key);

    // A new laptop: an empty keychain, a fresh folder, only the backup file.
    let fresh = root.path().join("new laptop");
    std::fs::create_dir_all(&fresh).unwrap();
    std::fs::copy(&backup::list(&dir).unwrap()[0].path, fresh.join("regulars.sqlite3")).unwrap();
    let keychain = MemoryKeychain::default();
    assert!(matches!(vault::look(&fresh, &keychain).unwrap(), Door::Ask { ask: Ask::RecoveryKey, .. }));
    assert_invalid(vault::unlock(&fresh, &Key::generate().recovery_text(), &keychain), "recovery_key");
    let typed = recovery.to_uppercase().replace(' ', "-");
    let opened = vault::unlock(&fresh, &typed, &keychain).expect("the recovery key opens the backup");
    assert_eq!(names(opened.conn(), MARKER), [format!("{MARKER}a {MARKER}b")], "the backup as it was made");
    drop(opened);
    // Kept in this laptop's keychain: the next start asks nothing.
    assert!(matches!(vault::look(&fresh, &keychain).unwrap(), Door::Open(_)));
    // Where no keychain answers, it opens and asks again next time.
    let other = root.path().join("bare session");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(fresh.join("regulars.sqlite3"), other.join("regulars.sqlite3")).unwrap();
    vault::unlock(&other, &recovery, &NoKeychain).expect("opens");
    assert!(matches!(vault::look(&other, &NoKeychain).unwrap(), Door::Ask { ask: Ask::RecoveryKey, .. }));
}

#[test]
fn without_a_keychain_the_key_comes_from_a_passphrase() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("shop");
    let said = assert_invalid(vault::new_key(&NoKeychain, None), "passphrase");
    assert!(said.contains("no keychain"), "{said}");
    assert_invalid(vault::new_key(&NoKeychain, Some(("short", "short"))), "passphrase");
    assert_invalid(
        vault::new_key(&NoKeychain, Some(("a long passphrase", "a long passphrasE"))),
        "passphrase_repeated",
    );
    let (key, keeper) =
        vault::new_key(&NoKeychain, Some(("blue kettle on a rainy monday", "blue kettle on a rainy monday"))).unwrap();
    assert!(matches!(keeper, Keeper::Passphrase { .. }));
    let mut shop = vault::create(&dir, &key, &keeper).unwrap();
    write_marker(&mut shop, &dir);
    drop(shop);
    let beside = std::fs::read_to_string(dir.join("encryption.json")).unwrap();
    assert!(beside.contains("salt") && !beside.contains("kettle") && !beside.contains(key.hex().as_str()), "{beside}");
    assert!(files_holding(&dir, MARKER).is_empty());

    // Each start asks; a wrong passphrase is said next to its field.
    assert!(matches!(vault::look(&dir, &NoKeychain).unwrap(), Door::Ask { ask: Ask::Passphrase, .. }));
    let said = assert_invalid(vault::unlock(&dir, "blue kettle on a rainy tuesday", &NoKeychain), "passphrase");
    assert!(said.contains("does not open"), "{said}");
    assert_invalid(vault::unlock(&dir, "", &NoKeychain), "passphrase");
    let opened = vault::unlock(&dir, "blue kettle on a rainy monday", &NoKeychain).unwrap();
    assert_eq!(names(opened.conn(), MARKER).len(), 1);
    drop(opened);
    // The recovery key opens it too; it stays a passphrase shop.
    vault::unlock(&dir, &key.recovery_text(), &MemoryKeychain::default()).expect("the recovery key");
    assert!(matches!(vault::look(&dir, &NoKeychain).unwrap(), Door::Ask { ask: Ask::Passphrase, .. }));
}

/// A plain shop from before encryption: 300 customers with visits, the
/// marker, a plain automatic backup.
fn plain_shop(dir: &Path) -> Vec<(String, i64)> {
    let mut store = Store::open_in(dir).unwrap();
    setup::seed_shop(store.conn_mut(), BusinessKind::DogWalking, 300, 900, sample::Photos::Some, 7, now()).unwrap();
    write_marker(&mut store, dir);
    store::row_counts(store.conn()).unwrap()
}

#[test]
fn a_plain_shop_is_converted_with_every_row_and_its_plain_backups_go() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("shop");
    let counts = plain_shop(&dir);
    let kept_outside = root.path().join("plain-backup.sqlite3");
    std::fs::copy(&backup::list(&dir).unwrap()[0].path, &kept_outside).unwrap();
    assert!(!files_holding(&dir, MARKER).is_empty(), "precondition");
    assert!(matches!(vault::look(&dir, &NoKeychain).unwrap(), Door::Plain));

    let keychain = MemoryKeychain::default();
    let (key, keeper) = vault::new_key(&keychain, None).unwrap();
    let mut steps = Vec::new();
    let mut shop = vault::convert(&dir, &key, &keeper, &mut |step| steps.push(step)).expect("convert");
    assert_eq!(steps, vault::STEPS);
    assert_eq!(store::row_counts(shop.conn()).unwrap(), counts, "every table, every row");
    assert!(backup::list(&dir).unwrap().is_empty(), "the plain backups are gone");
    let left: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!left.iter().any(|name| name.contains("encrypting")), "no copy left behind: {left:?}");
    backup::automatic(shop.conn(), &dir, 7, shop.key(), now()).unwrap();
    assert_eq!(files_holding(&dir, MARKER), Vec::<String>::new());
    assert!(matches!(vault::look(&dir, &keychain).unwrap(), Door::Open(_)));
    let said = regulars::db::store::Store::open(&dir.join("regulars.sqlite3")).err().map(|e| e.to_string());
    assert!(said.is_some(), "the plain way no longer opens it");

    // A plain backup kept elsewhere restores into the encrypted shop, which stays encrypted.
    let mut slot = Some(shop);
    backup::restore(&mut slot, &dir, &kept_outside, Some(&key), now()).expect("restore a plain backup");
    shop = slot.take().unwrap();
    assert_eq!(names(shop.conn(), MARKER), [format!("{MARKER}a {MARKER}b")]);
    drop(shop);
    assert!(!store::is_plain(&dir.join("regulars.sqlite3")).unwrap());
    assert_eq!(files_holding(&dir, MARKER), Vec::<String>::new(), "nothing in clear after the restore either");
    assert!(matches!(vault::convert(&dir, &key, &keeper, &mut |_| {}), Err(Error::Conflict(_))), "not twice");
}

#[cfg(unix)]
#[test]
fn a_conversion_killed_at_any_step_leaves_the_plain_shop_or_the_encrypted_one() {
    const PASSPHRASE: &str = "seven lanterns over the harbour";
    let root = tempfile::tempdir().unwrap();
    let template = root.path().join("template");
    let counts = plain_shop(&template);
    for (index, step) in vault::STEPS.iter().enumerate() {
        let dir = root.path().join(format!("killed after {step:?}"));
        std::fs::create_dir_all(dir.join("backups")).unwrap();
        for entry in walk(&template) {
            let to = dir.join(entry.strip_prefix(&template).unwrap());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&entry, to).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_regulars"))
            .args(["encrypt", "--passphrase-stdin", "--data-dir"])
            .arg(&dir)
            .env("REGULARS_PAUSE_AFTER_STEPS", "1")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start regulars encrypt");
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{PASSPHRASE}").unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        for done in 0..=index {
            let line = lines.next().expect("a step line").unwrap();
            assert_eq!(line, format!("step done: {:?}", vault::STEPS[done]));
            if done < index {
                writeln!(stdin, "go on").unwrap();
            }
        }
        // Paused right after `step`: SIGKILL, as a power cut would.
        child.kill().expect("SIGKILL");
        child.wait().unwrap();

        // The next start tidies up and opens one shop or the other, whole.
        vault::tidy(&dir);
        let plain = store::is_plain(&dir.join("regulars.sqlite3")).unwrap();
        assert_eq!(plain, index < 3, "after {step:?}");
        let shop = if plain {
            assert!(matches!(vault::look(&dir, &NoKeychain).unwrap(), Door::Plain));
            Store::open_in(&dir).unwrap()
        } else {
            assert!(matches!(vault::look(&dir, &NoKeychain).unwrap(), Door::Ask { ask: Ask::Passphrase, .. }));
            let shop = vault::unlock(&dir, PASSPHRASE, &NoKeychain).expect("the encrypted shop opens");
            assert!(
                backup::list(&dir).unwrap().iter().all(|b| !store::is_plain(Path::new(&b.path)).unwrap()),
                "no plain backup beside it"
            );
            assert_eq!(files_holding(&dir, MARKER), Vec::<String>::new(), "after {step:?}");
            shop
        };
        assert_eq!(store::row_counts(shop.conn()).unwrap(), counts, "after {step:?}");
        assert!(!dir.join("regulars.sqlite3.encrypting").exists(), "after {step:?}");
        drop(shop);
        // And a conversion after the crash finishes the job.
        if plain {
            let (key, keeper) = vault::new_key(&NoKeychain, Some((PASSPHRASE, PASSPHRASE))).unwrap();
            let shop = vault::convert(&dir, &key, &keeper, &mut |_| {}).expect("convert after the crash");
            assert_eq!(store::row_counts(shop.conn()).unwrap(), counts);
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(path) = todo.pop() {
        if path.is_dir() {
            todo.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_recovery_sheet_holds_the_key_as_text_and_as_a_qr_code_that_scans_back() {
    let key = Key::generate();
    let pdf = regulars::io::plan_pdf::recovery_sheet(
        "Salon Ørsted & Søn",
        "2 December 2026",
        &key.recovery_text(),
        regulars::db::settings::PaperSize::A4,
    )
    .expect("the sheet");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("plan-pdfs");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("recovery-sheet.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let info = Command::new("pdfinfo").arg(&file).output().expect("pdfinfo (make test installs poppler-utils)");
    assert!(String::from_utf8_lossy(&info.stdout).contains("Pages:           1"), "one page");
    let text = Command::new("pdftotext").arg(&file).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Salon Ørsted & Søn") && text.contains("2 December 2026") && text.contains("Recovery key"),
        "{text}"
    );
    let groups: Vec<&str> = text
        .split("Recovery key")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .filter(|w| w.len() == 4 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .take(16)
        .collect();
    assert!(Key::from_recovery(&groups.join(" ")).unwrap().same_as(&key), "the groups as printed: {groups:?}");
    // What a phone's camera reads from the paper is the key too.
    let stem = dir.join("recovery-sheet");
    assert!(Command::new("pdftoppm")
        .args(["-gray", "-r", "150", "-singlefile"])
        .arg(&file)
        .arg(&stem)
        .status()
        .unwrap()
        .success());
    Command::new("pdftoppm").args(["-png", "-r", "70", "-singlefile"]).arg(&file).arg(&stem).status().unwrap();
    let (w, h, pixels) = crate::outreach::read_pgm(&std::fs::read(dir.join("recovery-sheet.pgm")).unwrap());
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    assert!(Key::from_recovery(&grids[0].decode().expect("decodes").1).unwrap().same_as(&key));
}

/// Rewrites the encrypted file at `path` in the format files were written
/// in before 4 KB pages (16 KB pages, HMAC-SHA512), as an older version of
/// the app left shops and backups, and returns how its tables count.
fn into_older_format(path: &Path, key: &Key) -> Vec<(String, i64)> {
    let older = path.with_extension("older");
    {
        let conn = rusqlite::Connection::open(path).unwrap();
        store::unlock(&conn, Some(key)).unwrap();
        conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(())).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        conn.execute("ATTACH DATABASE ?1 AS older KEY ?2", [older.to_str().unwrap(), key.sql_literal().as_str()])
            .unwrap();
        conn.execute_batch(
            "PRAGMA older.cipher_page_size = 16384; PRAGMA older.cipher_hmac_algorithm = HMAC_SHA512;
             SELECT sqlcipher_export('older');",
        )
        .unwrap();
        conn.execute_batch(&format!("PRAGMA older.user_version = {version}; DETACH DATABASE older;")).unwrap();
    }
    std::fs::rename(&older, path).unwrap();
    assert!(opens_in(path, key, 16384, "HMAC_SHA512") && !opens_in(path, key, 4096, "HMAC_SHA256"), "precondition");
    store::row_counts(&store::open_reader(path, Some(key)).unwrap()).unwrap()
}

/// Whether SQLCipher reads the file at `path` with `key` in this format.
fn opens_in(path: &Path, key: &Key, page_size: i64, hmac: &str) -> bool {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"{}\"; PRAGMA cipher_page_size = {page_size}; PRAGMA cipher_hmac_algorithm = {hmac};",
        key.sql_literal().as_str()
    ))
    .unwrap();
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())).is_ok()
}

#[test]
fn a_shop_in_the_older_encrypted_format_is_rewritten_in_the_current_one_when_it_opens() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().to_path_buf();
    let key = Key::generate();
    let db = dir.join("regulars.sqlite3");
    let mut shop = Store::open_with(&db, Some(&key)).unwrap();
    setup::seed_shop(shop.conn_mut(), BusinessKind::Gym, 200, 600, sample::Photos::Some, 7, now()).unwrap();
    write_marker(&mut shop, &dir);
    drop(shop);
    assert!(opens_in(&db, &key, 4096, "HMAC_SHA256"), "a new shop is written in the current format");
    let counts = into_older_format(&db, &key);

    let reopened = Store::open_with(&db, Some(&key)).unwrap();
    assert_eq!(store::row_counts(reopened.conn()).unwrap(), counts, "every row came across");
    assert_eq!(names(reopened.conn(), MARKER), [format!("{MARKER}a {MARKER}c")]);
    drop(reopened);
    assert!(opens_in(&db, &key, 4096, "HMAC_SHA256"), "rewritten in the current format");
    assert!(!opens_in(&db, &key, 16384, "HMAC_SHA512"));
    assert!(!dir.join("regulars.sqlite3.rewriting").exists(), "the copy took the file's place");
    assert_eq!(files_holding(&dir, MARKER), Vec::<String>::new(), "nothing in clear on the way");
    assert!(matches!(Store::open_with(&db, Some(&Key::generate())), Err(Error::WrongKey)), "another key");
}

#[test]
fn a_backup_in_the_older_encrypted_format_checks_and_restores() {
    let key = Key::generate();
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().to_path_buf();
    let mut store = Store::open_with(&data_dir.join("regulars.sqlite3"), Some(&key)).unwrap();
    write_marker(&mut store, &data_dir);
    let file = data_dir.join("older backup.sqlite3");
    backup::backup_to(store.conn(), &file, Some(&key)).unwrap();
    let counts = into_older_format(&file, &key);
    assert_eq!(backup::check(&file, Some(&key)).unwrap(), store::schema_version());
    assert!(backup::check(&file, Some(&Key::generate())).is_err(), "not with another shop's key");

    let id = regulars::db::search::search(store.conn(), MARKER, 10, None).unwrap()[0].id.clone();
    cards::erase(store.conn_mut(), &id).unwrap();
    let mut slot = Some(store);
    backup::restore(&mut slot, &data_dir, &file, Some(&key), now()).unwrap();
    let restored = slot.as_ref().unwrap();
    assert_eq!(names(restored.conn(), MARKER), [format!("{MARKER}a {MARKER}c")], "the backup's customer is back");
    let restored_counts = store::row_counts(restored.conn()).unwrap();
    let customers = |counts: &[(String, i64)]| counts.iter().find(|(t, _)| t == "customers").map(|(_, n)| *n);
    assert_eq!(customers(&restored_counts), customers(&counts));
    drop(slot);
    assert!(opens_in(&data_dir.join("regulars.sqlite3"), &key, 4096, "HMAC_SHA256"), "the shop stays current");
}
