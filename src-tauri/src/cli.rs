//! The binary's command line: start the app (default) or build a seeded
//! shop for benchmarks and tests.

use std::path::PathBuf;

use std::path::Path;

use crate::db::settings::BusinessKind;
use crate::db::store::Store;
use crate::io::vault::{self, Door, SystemKeychain};
use crate::kernel::error::{Error, Result};

const HELP: &str = "\
Regulars: keep your regulars.

USAGE:
  regulars [--data-dir DIR]
      Start the app. Data lives in DIR, else in $REGULARS_DATA_DIR, else in
      the system's app-data folder.
  regulars seed --customers N [--visits M] [--kind gym|salon|dog-walking] [--photos none|some|all] [--seed S] [--passphrase-stdin] [--data-dir DIR]
      Add N made-up customers and about M past visits with their points
      (deterministic for a given seed) and finish the first-start setup,
      for benchmarks and tests. Drawn photos (never real faces) go on about
      a third of the customers and half of the dogs (some, the default),
      on every customer (all) or on nobody (none).
  regulars plan-pdf --customer ID|NAME --out FILE [--paper a4|letter] [--data-dir DIR]
      Write a customer's onboarding plan as a one-page PDF (the customer's
      id, or their exact name). The paper size defaults to the setting.
  regulars import FILE [--on-duplicate skip|merge|create] [--month-first] [--passphrase-stdin] [--data-dir DIR]
      Import customers from a CSV file with the automatic column mapping, or
      from a vCard (.vcf) file of contacts, in one transaction (all accepted
      rows or none), and print the report.
  regulars encrypt [--passphrase-stdin] [--data-dir DIR]
      Encrypt a shop saved as a plain file (as the app offers at start):
      an encrypted copy is written, checked, and swapped in; the plain
      backups are removed. The key goes to the system's keychain, or with
      --passphrase-stdin comes from a passphrase read from standard input.
  regulars remove-owner-pin [--data-dir DIR]
      Remove a forgotten owner PIN (the app is then in owner mode for
      anyone until a new PIN is set in Settings). It needs the data
      folder, which only its own user can read; the audit trail records it.

An encrypted shop opens with the key in the system's keychain; where there
is none, each command reads the passphrase or the recovery key from
standard input. A new shop made by `seed` or `import` keeps its key in the
keychain, or with --passphrase-stdin takes a passphrase from standard input.
";

/// Where the data folder is: the flag, then the environment, then the OS
/// app-data folder (the same one Tauri would use for our identifier).
pub fn data_dir(flag: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = flag {
        return dir;
    }
    if let Some(dir) = std::env::var_os("REGULARS_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("app.regulars.desktop")
}

pub fn main() -> i32 {
    // Before anything is created: every folder and file this process makes
    // is readable by its user only (0700 and 0600).
    #[cfg(unix)]
    // SAFETY: umask sets this process's file-creation mask and cannot fail.
    let _ = unsafe { libc::umask(0o077) };
    let mut args = pico_args::Arguments::from_env();
    if args.contains(["-h", "--help"]) {
        print!("{HELP}");
        return 0;
    }
    let data_dir_flag: Option<PathBuf> = match args.opt_value_from_str("--data-dir") {
        Ok(dir) => dir,
        Err(error) => return usage_error(&error.to_string()),
    };
    // For a new shop where no keychain answers: its passphrase from stdin.
    let passphrase_stdin = args.contains("--passphrase-stdin");
    // Started by the login's autostart entry (`app::autostart`).
    let at_login = args.contains(crate::app::autostart::AT_LOGIN);
    let dir = data_dir(data_dir_flag);
    make_private(&dir);
    match args.subcommand() {
        Ok(Some(command)) if command == "seed" => seed(args, dir, passphrase_stdin),
        Ok(Some(command)) if command == "plan-pdf" => plan_pdf(args, dir),
        Ok(Some(command)) if command == "import" => import(args, dir, passphrase_stdin),
        Ok(Some(command)) if command == "remove-owner-pin" => remove_owner_pin(dir),
        Ok(Some(command)) if command == "encrypt" => encrypt(dir, passphrase_stdin),
        Ok(Some(other)) => usage_error(&format!("unknown command \"{other}\"")),
        Ok(None) => match crate::app::window::run(dir, at_login) {
            Ok(()) => 0,
            Err(error) => {
                eprintln!("regulars: {error}");
                1
            }
        },
        Err(error) => usage_error(&error.to_string()),
    }
}

/// Makes a data folder written before files were private (or copied in
/// with open permissions) readable by its owner only: the folder and
/// every folder in it 0700, every file without group or other bits.
/// Only a folder that holds nothing but what the app writes there is
/// touched: a folder named by mistake (`--data-dir ~`) keeps its
/// permissions, and the terminal says so. Best effort: what cannot be
/// changed is said on the terminal, and the app starts anyway.
#[cfg(unix)]
pub fn make_private(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return; // a new shop: the umask makes it private
    };
    let ours = |name: &str| {
        let database = crate::db::store::DATABASE_FILE;
        [crate::io::backup::BACKUPS_DIR, crate::io::erase::PRINT_DIR, crate::io::logging::LOGS_DIR].contains(&name)
            || [crate::app::instance::LOCK_FILE, crate::app::instance::SOCKET_FILE].contains(&name)
            || [crate::io::vault::VAULT_FILE].contains(&name)
            || name.strip_prefix(database).is_some_and(|rest| {
                ["", "-wal", "-shm", "-journal", crate::io::vault::CONVERTING_SUFFIX].contains(&rest)
            })
            || name.starts_with(&format!(".{database}"))
    };
    let names: Vec<String> = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    if let Some(other) = names.iter().find(|name| !ours(name)) {
        eprintln!(
            "regulars: {} holds files Regulars did not make ({other}, …); its permissions were left as they are",
            dir.display()
        );
        return;
    }
    make_tree_private(dir);
}

#[cfg(unix)]
fn make_tree_private(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return };
    if meta.file_type().is_symlink() {
        return; // left as it is
    }
    let private = if meta.is_dir() { 0o700 } else { meta.permissions().mode() & 0o700 };
    if meta.permissions().mode() & 0o777 != private {
        if let Err(error) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(private)) {
            eprintln!("regulars: could not make {} private: {error}", path.display());
        }
    }
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            make_tree_private(&entry.path());
        }
    }
}

#[cfg(not(unix))]
pub fn make_private(_dir: &std::path::Path) {}

fn usage_error(message: &str) -> i32 {
    eprintln!("regulars: {message}\n\n{HELP}");
    2
}

fn seed(mut args: pico_args::Arguments, dir: PathBuf, passphrase: bool) -> i32 {
    let customers: usize = match args.value_from_str("--customers") {
        Ok(n) => n,
        Err(error) => return usage_error(&error.to_string()),
    };
    let visits: usize = match args.opt_value_from_str("--visits") {
        Ok(n) => n.unwrap_or(0),
        Err(error) => return usage_error(&error.to_string()),
    };
    let kind = match args.opt_value_from_str::<_, String>("--kind") {
        Ok(None) => BusinessKind::Gym,
        Ok(Some(text)) => match BusinessKind::parse(&text) {
            Some(kind) => kind,
            None => return usage_error(&format!("unknown kind \"{text}\"")),
        },
        Err(error) => return usage_error(&error.to_string()),
    };
    let photos = match args.opt_value_from_str::<_, String>("--photos") {
        Ok(None) => crate::io::sample::Photos::Some,
        Ok(Some(text)) => match crate::io::sample::Photos::parse(&text) {
            Some(photos) => photos,
            None => return usage_error(&format!("--photos is none, some or all, not \"{text}\"")),
        },
        Err(error) => return usage_error(&error.to_string()),
    };
    let seed: u64 = match args.opt_value_from_str("--seed") {
        Ok(seed) => seed.unwrap_or(1),
        Err(error) => return usage_error(&error.to_string()),
    };
    let started = std::time::Instant::now();
    let result = open_shop(&dir, passphrase).and_then(|mut store| {
        crate::io::setup::seed_shop(store.conn_mut(), kind, customers, visits, photos, seed, chrono::Utc::now())
    });
    match result {
        Ok(()) => {
            println!(
                "seeded {customers} customers and {visits} visits into {} in {:.1?}",
                dir.display(),
                started.elapsed()
            );
            0
        }
        Err(error) => {
            eprintln!("regulars: {error}");
            1
        }
    }
}

fn plan_pdf(mut args: pico_args::Arguments, dir: PathBuf) -> i32 {
    let customer: String = match args.value_from_str("--customer") {
        Ok(c) => c,
        Err(error) => return usage_error(&error.to_string()),
    };
    let out: PathBuf = match args.value_from_str("--out") {
        Ok(path) => path,
        Err(error) => return usage_error(&error.to_string()),
    };
    let paper = match args.opt_value_from_str::<_, String>("--paper") {
        Ok(None) => None,
        Ok(Some(text)) => match text.to_ascii_lowercase().as_str() {
            "a4" => Some(crate::db::settings::PaperSize::A4),
            "letter" => Some(crate::db::settings::PaperSize::Letter),
            _ => return usage_error(&format!("unknown paper size \"{text}\" (a4 or letter)")),
        },
        Err(error) => return usage_error(&error.to_string()),
    };
    if !dir.join(crate::db::store::DATABASE_FILE).exists() {
        eprintln!("regulars: no shop data in {}", dir.display());
        return 1;
    }
    let today = chrono::Local::now().date_naive();
    let result = open_shop(&dir, false).and_then(|store| {
        let conn = store.conn();
        let id = crate::records::onboarding::find_customer(conn, &customer)?;
        let mut doc = crate::io::plan_pdf::document(conn, &id, today)?;
        if let Some(paper) = paper {
            doc.paper = paper;
        }
        crate::io::plan_pdf::write_file(&doc, &out)
    });
    match result {
        Ok(rendered) => {
            if let Some(notice) = rendered.notice() {
                eprintln!("regulars: {notice}");
            }
            println!(
                "wrote {} ({} bytes{})",
                out.display(),
                rendered.bytes.len(),
                if rendered.compact { ", compact layout" } else { "" }
            );
            0
        }
        Err(error) => {
            eprintln!("regulars: {error}");
            1
        }
    }
}

/// Takes the data folder's one-instance lock for a command that changes
/// the shop behind the window's back (the owner PIN, the key): refused
/// while the app runs on the folder, whose owner mode and key would not
/// know. The lock is held until the returned value is dropped.
fn alone_on(dir: &std::path::Path) -> Result<crate::app::instance::Owner> {
    use crate::app::instance::{self, Claim};
    std::fs::create_dir_all(dir)?;
    match instance::claim(dir).map_err(Error::Conflict)? {
        Claim::First(owner) => Ok(owner),
        Claim::Second { .. } => {
            Err(Error::Conflict(format!("Regulars is open on {}. Close it first, then run this again.", dir.display())))
        }
    }
}

fn remove_owner_pin(dir: PathBuf) -> i32 {
    let result = alone_on(&dir).and_then(|_alone| {
        let mut store = open_shop(&dir, false)?;
        crate::features::owner::remove_pin(store.conn_mut(), "the computer's user (command line)", chrono::Utc::now())
    });
    match result {
        Ok(true) => {
            println!("The owner PIN is removed. Set a new one in Settings.");
            0
        }
        Ok(false) => {
            println!("No owner PIN was set.");
            0
        }
        Err(error) => {
            eprintln!("regulars: {error}");
            1
        }
    }
}

fn import(mut args: pico_args::Arguments, dir: PathBuf, passphrase_stdin: bool) -> i32 {
    use crate::io::importer::{self, DateOrder, OnDuplicate, Options};
    let on_duplicate = match args.opt_value_from_str::<_, String>("--on-duplicate") {
        Ok(None) => OnDuplicate::Skip,
        Ok(Some(text)) => match text.as_str() {
            "skip" => OnDuplicate::Skip,
            "merge" => OnDuplicate::Merge,
            "create" => OnDuplicate::Create,
            other => return usage_error(&format!("--on-duplicate takes skip, merge or create, not \"{other}\"")),
        },
        Err(error) => return usage_error(&error.to_string()),
    };
    let date_order = args.contains("--month-first").then_some(DateOrder::MonthFirst);
    let file: PathBuf = match args.free_from_str() {
        Ok(file) => file,
        Err(error) => return usage_error(&error.to_string()),
    };
    let options = Options { mapping: None, date_order, on_duplicate, choices: Default::default() };
    let started = std::time::Instant::now();
    let result = importer::read_file(&file).and_then(|table| {
        // Said before the transaction starts, so a script (and the crash
        // test) knows the import is under way.
        eprintln!("importing {} rows from {}", table.rows.len(), file.display());
        let mut store = open_shop(&dir, passphrase_stdin)?;
        let mut progress = |rows: usize| eprintln!("{rows} rows written (not yet committed)");
        let key = store.key().cloned();
        importer::import_with_progress(
            store.conn_mut(),
            key.as_ref(),
            &table,
            &importer::file_name(&file),
            &options,
            chrono::Utc::now(),
            &mut progress,
        )
    });
    match result {
        Ok(report) => {
            println!(
                "imported {} merged {} skipped {} rejected {} in {:.1?}",
                report.imported,
                report.merged,
                report.skipped,
                report.rejected,
                started.elapsed()
            );
            for problem in &report.problems {
                println!("row {}: {}", problem.row, problem.reason);
            }
            0
        }
        Err(error) => {
            eprintln!("regulars: {error}");
            1
        }
    }
}

/// One line of standard input, without its line break.
fn read_line() -> Result<zeroize::Zeroizing<String>> {
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().read_line(&mut line)?;
    let kept = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(kept);
    Ok(line)
}

/// Opens the shop as the app does: a new one encrypted (its key in the
/// keychain, or from a passphrase read from standard input when asked
/// for), a plain one as it is (the app offers to encrypt it), an
/// encrypted one with the keychain's key or else the passphrase or
/// recovery key read from standard input.
fn open_shop(dir: &Path, passphrase_stdin: bool) -> Result<Store> {
    std::fs::create_dir_all(dir)?;
    vault::tidy(dir);
    match vault::look(dir, &SystemKeychain)? {
        Door::New => {
            let passphrase = if passphrase_stdin { Some(read_line()?) } else { None };
            let (key, keeper) =
                vault::new_key(&SystemKeychain, passphrase.as_deref().map(|p| (p.as_str(), p.as_str())))?;
            vault::create(dir, &key, &keeper)
        }
        Door::Plain => Store::open_in(dir),
        Door::Open(key) => Store::open_with(&vault::database(dir), Some(&key)),
        Door::Ask { why, .. } => {
            eprintln!("{why} Type the passphrase or the recovery key:");
            vault::unlock(dir, &read_line()?, &SystemKeychain)
        }
    }
}

/// `regulars encrypt`: the conversion the app offers at start, step by
/// step on the terminal.
fn encrypt(dir: PathBuf, passphrase_stdin: bool) -> i32 {
    let result = (|| -> Result<()> {
        let _alone = alone_on(&dir)?;
        if !matches!(vault::look(&dir, &vault::NoKeychain)?, Door::Plain) {
            return Err(Error::Conflict(format!("There is no plain shop to encrypt in {}.", dir.display())));
        }
        vault::tidy(&dir);
        let passphrase = if passphrase_stdin { Some(read_line()?) } else { None };
        let (key, keeper) = vault::new_key(&SystemKeychain, passphrase.as_deref().map(|p| (p.as_str(), p.as_str())))?;
        vault::convert(&dir, &key, &keeper, &mut |step| {
            eprintln!("step done: {step:?}");
            #[cfg(feature = "test-switches")]
            crate::app::test_switches::pause_after_step();
        })?;
        Ok(())
    })();
    match result {
        Ok(()) => {
            println!(
                "The shop's data in {} is now encrypted. Save the recovery sheet from the app's Settings.",
                dir.display()
            );
            0
        }
        Err(error) => {
            eprintln!("regulars: {error}");
            1
        }
    }
}
