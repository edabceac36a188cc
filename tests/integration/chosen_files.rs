//! Files in places others can write to (issue 25): a shared or synced
//! folder, a USB stick. A link planted beside the chosen target is never
//! written through, and a chosen file swapped for a device, a pipe or a
//! bigger file after it was checked is refused without being read whole.
#![cfg(unix)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use regulars::io::{backup, calendar, export, importer, plan_pdf};

use crate::data::busy_customer;
use crate::util::*;

/// A file standing in for the live database, somewhere a link can reach.
fn live_file(dir: &Path) -> (PathBuf, Vec<u8>) {
    let live = dir.join("regulars.sqlite3");
    let bytes = b"SQLite format 3\0 the live shop, never to be overwritten".to_vec();
    std::fs::write(&live, &bytes).expect("the live file");
    (live, bytes)
}

/// Links to `live` at each of `names` in `folder`.
fn plant(folder: &Path, names: &[String], live: &Path) {
    for name in names {
        std::os::unix::fs::symlink(live, folder.join(name)).expect("plant a link");
    }
}

/// What is left in `folder` beside the written file and the live one.
fn leftovers(folder: &Path, written: &str) -> Vec<String> {
    std::fs::read_dir(folder)
        .expect("the folder")
        .map(|entry| entry.expect("an entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != written && name != "regulars.sqlite3")
        .collect()
}

#[test]
fn a_link_planted_beside_a_target_is_never_written_through() {
    let mut shop = Shop::new();
    let id = busy_customer(&mut shop);
    let outside = tempfile::tempdir().expect("temp dir");
    let (live, live_bytes) = live_file(outside.path());
    // Each writer, and the temporary names beside its target, those used
    // before (`name.pdf.part`) and now (`.name.partial`, and a backup's
    // journal beside it).
    let partial =
        |name: &str| vec![format!(".{name}.partial"), format!("{name}.part"), format!(".{name}.partial-journal")];
    type Write<'a> = Box<dyn Fn(&Path) -> regulars::kernel::error::Result<()> + 'a>;
    let writers: Vec<(&str, Write)> = vec![
        ("customers.csv", Box::new(|path| export::export_customers_csv(shop.conn(), path).map(drop))),
        ("contacts.vcf", Box::new(|path| export::export_vcards(shop.conn(), None, path).map(drop))),
        ("customer.json", Box::new(|path| export::export_customer_json(shop.conn(), &id, path, now()))),
        ("calendar.ics", Box::new(|path| calendar::write_calendar(shop.conn(), path).map(drop))),
        ("backup.sqlite3", Box::new(|path| backup::backup_to(shop.conn(), path, None))),
        (
            "plan.pdf",
            Box::new(|path| {
                let doc = plan_pdf::document(shop.conn(), &id, NaiveDate::from_ymd_opt(2024, 5, 15).expect("a date"))?;
                plan_pdf::write_file(&doc, path).map(drop)
            }),
        ),
    ];
    for (name, write) in &writers {
        let folder = tempfile::tempdir_in(outside.path()).expect("a shared folder");
        let target = folder.path().join(name);
        let name = name.to_string();
        plant(folder.path(), &partial(&name), &live);
        write(&target).unwrap_or_else(|error| panic!("{name}: the write fails with a link beside it: {error}"));
        assert_eq!(std::fs::read(&live).expect("the live file"), live_bytes, "{name}: the live file is untouched");
        let written = std::fs::symlink_metadata(&target).expect("the target");
        assert!(written.file_type().is_file() && written.len() > 0, "{name}: written as a file of its own");
        // The links planted at names not used any more may stay; nothing of ours does.
        let ours: Vec<String> = leftovers(folder.path(), &name)
            .into_iter()
            .filter(|left| {
                std::fs::symlink_metadata(folder.path().join(left)).is_ok_and(|meta| !meta.file_type().is_symlink())
            })
            .collect();
        assert!(ours.is_empty(), "{name}: no temporary file is left: {ours:?}");
    }
    // A link planted at the chosen name itself is replaced by the file, not followed.
    let folder = tempfile::tempdir_in(outside.path()).expect("a shared folder");
    let target = folder.path().join("customers.csv");
    std::os::unix::fs::symlink(&live, &target).expect("a link at the name");
    export::export_customers_csv(shop.conn(), &target).expect("the export");
    assert_eq!(std::fs::read(&live).expect("the live file"), live_bytes);
    assert!(std::fs::symlink_metadata(&target).expect("the target").file_type().is_file());
}

/// The import reads the chosen file through one open handle: checked when
/// chosen, it may since have become a link to a device, a pipe or a bigger
/// file. Each is refused with a reason, at once, without reading it whole.
#[test]
fn an_import_swapped_for_a_device_a_pipe_or_a_bigger_file_is_refused_unread() {
    let shop = Shop::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let zero = dir.path().join("customers.csv");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("a link to /dev/zero");
    let pipe = dir.path().join("pipe.csv");
    assert!(std::process::Command::new("mkfifo").arg(&pipe).status().expect("mkfifo").success());
    let started = std::time::Instant::now();
    for path in [&zero, &pipe] {
        let refused = assert_invalid(importer::read_file(path), "file");
        assert!(refused.contains("not a regular file"), "{}: {refused}", path.display());
        let previewed =
            assert_invalid(importer::preview_file(shop.conn(), path, &importer::Options::default(), now()), "file");
        assert!(previewed.contains("not a regular file"), "{previewed}");
    }
    // Bigger than the limit (sparse: no disk used), and growing past it.
    let big = dir.path().join("big.csv");
    let file = std::fs::File::create(&big).expect("a big file");
    file.set_len(importer::IMPORT_LIMIT + 1).expect("its size");
    let refused = assert_invalid(importer::read_file(&big), "file");
    assert!(refused.contains("a spreadsheet of up to 200 MB can be imported"), "{refused}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "refused without reading: {:?}", started.elapsed());
    // A calendar file that became a link to a device is replaced, not read.
    let ics = dir.path().join("calendar.ics");
    std::os::unix::fs::symlink("/dev/zero", &ics).expect("a link to /dev/zero");
    let (_, rewritten) = calendar::write_calendar(shop.conn(), &ics).expect("the calendar");
    assert!(rewritten);
    assert!(std::fs::symlink_metadata(&ics).expect("the calendar").file_type().is_file());
}

/// A link planted again and again at the backup's temporary name while
/// backups run (someone else's program in a shared folder): each backup
/// is made or refused with a reason, and the shop's pages never land in
/// what the link points at. Before, the stale name was removed and then
/// opened by name, and SQLite follows a link it finds there.
#[test]
fn a_backup_never_copies_into_a_link_planted_while_it_runs() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let mut shop = Shop::new();
    for i in 0..20 {
        shop.create(customer(&format!("Regular{i}"), "Person"));
    }
    let outside = tempfile::tempdir().expect("temp dir");
    // A real database this time: one the backup's pages could overwrite.
    let live = outside.path().join("regulars.sqlite3");
    rusqlite::Connection::open(&live)
        .and_then(|conn| conn.execute_batch("CREATE TABLE kept (x); INSERT INTO kept VALUES ('the live shop');"))
        .expect("the live database");
    let live_bytes = std::fs::read(&live).expect("the live database");
    let folder = tempfile::tempdir_in(outside.path()).expect("a shared folder");
    let target = folder.path().join("backup.sqlite3");
    let temp = folder.path().join(".backup.sqlite3.partial");
    let stop = Arc::new(AtomicBool::new(false));
    let planter = {
        let (stop, live, temp) = (Arc::clone(&stop), live.clone(), temp.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let _ = std::os::unix::fs::symlink(&live, &temp);
            }
        })
    };
    let (mut made, mut refused) = (0, 0);
    for round in 0..100 {
        match backup::backup_to(shop.conn(), &target, None) {
            Ok(()) => made += 1,
            Err(regulars::kernel::error::Error::Conflict(_)) => refused += 1,
            Err(other) => panic!("round {round}: not a reason: {other:?}"),
        }
        assert_eq!(
            std::fs::read(&live).expect("the live file"),
            live_bytes,
            "round {round}: the live file is untouched"
        );
    }
    stop.store(true, Ordering::Relaxed);
    planter.join().expect("the planter");
    assert_eq!(made + refused, 100);
    // Without the planter, the backup is made, and it is a backup.
    let _ = std::fs::remove_file(&temp);
    backup::backup_to(shop.conn(), &target, None).expect("a backup");
    backup::check(&target, None).expect("a sound backup");
}
