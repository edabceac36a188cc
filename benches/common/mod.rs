//! What the benchmarks share: the shop key. With REGULARS_BENCH_ENCRYPTED=1
//! every shop a benchmark makes is encrypted with SQLCipher under one
//! fresh key (README's encrypted column); without it, plain.

use std::path::Path;
use std::sync::OnceLock;

use regulars::db::store::{Store, DATABASE_FILE};
use regulars::kernel::secret::Key;

pub fn key() -> Option<&'static Key> {
    static KEY: OnceLock<Option<Key>> = OnceLock::new();
    KEY.get_or_init(|| (std::env::var("REGULARS_BENCH_ENCRYPTED").as_deref() == Ok("1")).then(Key::generate)).as_ref()
}

/// "encrypted" or "plain", for the printed figures.
pub fn form() -> &'static str {
    if key().is_some() { "encrypted" } else { "plain" }
}

/// Opens (creating) the shop in `dir`, encrypted when asked.
pub fn open_in(dir: &Path) -> Store {
    std::fs::create_dir_all(dir).expect("shop folder");
    Store::open_with(&dir.join(DATABASE_FILE), key()).expect("open store")
}
