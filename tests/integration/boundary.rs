//! The typed boundary between Rust and the window. What the screens
//! receive is declared in TypeScript, generated from the Rust types by
//! ts-rs into `ui/types/`, and `make test` type-checks the UI's JavaScript
//! against those declarations (`make typecheck`: tsc with `checkJs`).
//!
//! This test fails when the committed declarations are not what the Rust
//! types say now. Rename a field in Rust and this fails first; write the
//! declarations again with
//! `REGULARS_WRITE_TYPES=1 cargo test --test integration boundary`, and
//! then `tsc` fails wherever the UI still reads the old name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regulars::app::commands::owner::OwnerState;
use regulars::app::commands::today::TodayView;
use regulars::db::search::Hit;
use regulars::features::card_view::{CardChange, CardView};
use regulars::features::desk::CheckedIn;
use regulars::io::erase::Erased;
use regulars::records::audit::AuditPage;
use regulars::records::pets::PetSettings;
use ts_rs::{Config, TS};

/// Every declaration the roots need, by file name.
fn generated() -> BTreeMap<String, String> {
    let out = tempfile::tempdir().expect("a temp folder");
    // serde_json writes i64 as a plain JSON number: the page sees a number.
    let config = Config::new().with_out_dir(out.path()).with_large_int("number");
    CardView::export_all(&config).expect("export CardView");
    CheckedIn::export_all(&config).expect("export CheckedIn");
    CardChange::export_all(&config).expect("export CardChange");
    Hit::export_all(&config).expect("export Hit");
    Erased::export_all(&config).expect("export Erased");
    TodayView::export_all(&config).expect("export TodayView");
    PetSettings::export_all(&config).expect("export PetSettings");
    OwnerState::export_all(&config).expect("export OwnerState");
    AuditPage::export_all(&config).expect("export AuditPage");
    declarations_in(out.path())
}

fn declarations_in(folder: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(folder).unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display())) {
        let path = entry.expect("a folder entry").path();
        if path.extension().is_some_and(|ext| ext == "ts") {
            let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
            found.insert(name, std::fs::read_to_string(&path).expect("a declaration"));
        }
    }
    found
}

fn committed_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/types")
}

#[test]
fn the_ui_types_are_what_the_rust_types_say() {
    let fresh = generated();
    assert!(fresh.contains_key("CardView.ts") && fresh.contains_key("Card.ts"), "ts-rs wrote {:?}", fresh.keys());
    let folder = committed_folder();
    if std::env::var_os("REGULARS_WRITE_TYPES").is_some() {
        std::fs::create_dir_all(&folder).expect("ui/types");
        for (name, _) in declarations_in(&folder) {
            std::fs::remove_file(folder.join(name)).expect("remove an old declaration");
        }
        for (name, text) in &fresh {
            std::fs::write(folder.join(name), text).expect("write a declaration");
        }
    }
    let committed = declarations_in(&folder);
    let stale: Vec<&String> = fresh.keys().filter(|name| committed.get(*name) != fresh.get(*name)).collect();
    let extra: Vec<&String> = committed.keys().filter(|name| !fresh.contains_key(*name)).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "ui/types/ is not what the Rust types say (changed or missing: {stale:?}; no longer made: {extra:?}). \
         Write them again with REGULARS_WRITE_TYPES=1 cargo test --test integration boundary, then fix what `make typecheck` reports."
    );
}
