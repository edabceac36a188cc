//! What the benchmarks share: the shop key, and measuring both forms.
//!
//! Every shop is encrypted, so every benchmark measures an encrypted shop
//! (SQLCipher, under one fresh key per run), and prints the plain file's
//! figure beside each one on the same line, so a slower encrypted path
//! can never hide: `both_forms` runs the benchmark twice, each in a
//! process of its own (nothing cached carries over), plain first, then
//! prints the encrypted lines with `plain_<field>=` and `x_plain_p99=`
//! added. REGULARS_BENCH_FORM=encrypted or =plain runs one form alone.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use regulars::db::store::{Store, DATABASE_FILE};
use regulars::kernel::secret::Key;

const FORM_ENV: &str = "REGULARS_BENCH_FORM";

/// The key of this run's shops: `None` only when the plain form is asked for.
#[allow(dead_code)] // The sync benchmark keys its shops itself (sharing needs a key).
pub fn key() -> Option<&'static Key> {
    static KEY: OnceLock<Option<Key>> = OnceLock::new();
    KEY.get_or_init(|| (std::env::var(FORM_ENV).as_deref() != Ok("plain")).then(Key::generate)).as_ref()
}

/// "encrypted" or "plain", for the printed figures.
#[allow(dead_code)] // Not every benchmark names its form.
pub fn form() -> &'static str {
    if key().is_some() {
        "encrypted"
    } else {
        "plain"
    }
}

/// Opens (creating) the shop in `dir`, encrypted unless the plain form runs.
#[allow(dead_code)] // The sync benchmark keys its shops itself (sharing needs a key).
pub fn open_in(dir: &Path) -> Store {
    std::fs::create_dir_all(dir).expect("shop folder");
    Store::open_with(&dir.join(DATABASE_FILE), key()).expect("open store")
}

/// Runs `measure` for the encrypted shop with the plain one beside it (see
/// the module comment), or once in the form REGULARS_BENCH_FORM names.
#[allow(dead_code)] // Every benchmark but one that has no shop.
pub fn both_forms(measure: fn()) {
    if std::env::var_os(FORM_ENV).is_some() {
        measure();
        return;
    }
    let plain = run_form("plain");
    let beside: HashMap<String, Vec<(String, String)>> = plain.lines().filter_map(parse).collect();
    for line in run_form("encrypted").lines() {
        match parse(line) {
            Some((case, fields)) => println!("{}", merged(&case, &fields, beside.get(&case))),
            None => println!("{line}"),
        }
    }
}

/// This benchmark's binary again in one form; its standard output.
fn run_form(form: &str) -> String {
    eprintln!("bench: running the {form} shop");
    let output = Command::new(std::env::current_exe().expect("this benchmark"))
        .args(std::env::args_os().skip(1))
        .env(FORM_ENV, form)
        .stderr(Stdio::inherit())
        .output()
        .expect("run the benchmark");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "the {form} run failed ({}):\n{text}", output.status);
    text
}

/// `bench: <case> k=v k=v …` as the case and its fields.
fn parse(line: &str) -> Option<(String, Vec<(String, String)>)> {
    let rest = line.strip_prefix("bench: ")?;
    let mut words = rest.split_whitespace();
    let case = words.next()?.to_string();
    let mut fields: Vec<(String, String)> = Vec::new();
    for word in words {
        match word.split_once('=') {
            Some((key, value)) => fields.push((key.to_string(), value.to_string())),
            // A value with a space in it (`query="Łukasz Walker"`) goes on.
            None => {
                if let Some((_, value)) = fields.last_mut() {
                    value.push(' ');
                    value.push_str(word);
                }
            }
        }
    }
    Some((case, fields))
}

/// The encrypted line with the plain run's timings beside it.
fn merged(case: &str, fields: &[(String, String)], plain: Option<&Vec<(String, String)>>) -> String {
    let mut line = format!("bench: {case}");
    for (key, value) in fields {
        line.push_str(&format!(" {key}={value}"));
    }
    line.push_str(" shop=encrypted");
    let Some(plain) = plain else { return line };
    // Timings and page counts; a naive baseline's timing is the same code either way.
    let measured = |key: &str| (key.ends_with("_ms") && !key.starts_with("baseline")) || key.ends_with("_per_op");
    for (key, value) in plain.iter().filter(|(key, _)| measured(key)) {
        line.push_str(&format!(" plain_{key}={value}"));
    }
    let p99 = |fields: &[(String, String)]| {
        fields.iter().find(|(key, _)| key == "p99_ms").and_then(|(_, v)| v.parse::<f64>().ok())
    };
    if let (Some(encrypted), Some(plain)) = (p99(fields), p99(plain)) {
        if plain > 0.0 {
            line.push_str(&format!(" x_plain_p99={:.2}", encrypted / plain));
        }
    }
    line
}

/// Pages a connection found in its cache, read from the file (for an
/// encrypted shop: decrypted) and wrote (encrypted), since the last call;
/// SQLite's own per-connection counters, reset by reading them.
#[allow(dead_code)] // The shop benchmark's breakdown.
pub fn pages(conn: &rusqlite::Connection) -> (i64, i64, i64) {
    use rusqlite::ffi;
    let read = |op: std::os::raw::c_int| {
        let (mut current, mut highest) = (0, 0);
        // SAFETY: the handle is the open connection's, on this thread; the
        // two out-pointers are valid for the call.
        unsafe { ffi::sqlite3_db_status(conn.handle(), op, &mut current, &mut highest, 1) };
        i64::from(current)
    };
    (
        read(ffi::SQLITE_DBSTATUS_CACHE_HIT),
        read(ffi::SQLITE_DBSTATUS_CACHE_MISS),
        read(ffi::SQLITE_DBSTATUS_CACHE_WRITE),
    )
}

/// The `p` quantile (0.5, 0.99) of `samples` in milliseconds.
#[allow(dead_code)] // Not every benchmark times a series.
pub fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index].as_secs_f64() * 1000.0
}

/// A size from the environment (`REGULARS_BENCH_CUSTOMERS`), else `default`.
#[allow(dead_code)] // Not every benchmark's size can be set.
pub fn env_size(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
