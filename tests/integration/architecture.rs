//! The house rules, checked on the sources (like rust-analyzer's tidy
//! tests): each floor uses only its own floor or those below, only `app`
//! imports Tauri, `kernel` never queries SQLite, no two modules import each other in
//! a circle, and every table is written by one module only. ARCHITECTURE.md
//! states the same rules as "never" lines.
//!
//! A failure names the file and line. The checker itself is tested on
//! made-up sources below, so a rule that could never fail would show.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, bottom first.
const FLOORS: [&str; 7] = ["kernel", "db", "records", "derived", "features", "io", "app"];

/// One source file: its module path ("records/customers") and its text
/// without the `#[cfg(test)]` module at its end (tests may reach anywhere).
struct Source {
    module: String,
    text: String,
}

fn floor_of(module: &str) -> Option<usize> {
    let first = module.split('/').next()?;
    FLOORS.iter().position(|floor| *floor == first)
}

fn read_sources(root: &Path) -> Vec<Source> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display())) {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let module = module_name(root, &path);
            Source { module, text: without_tests(&text) }
        })
        .collect()
}

fn module_name(root: &Path, path: &Path) -> String {
    let relative: PathBuf = path.strip_prefix(root).expect("under the root").with_extension("");
    let name = relative.to_string_lossy().replace('\\', "/");
    name.strip_suffix("/mod").unwrap_or(&name).to_string()
}

/// The text without its `#[cfg(test)]` items (each up to the brace that
/// closes it), so code after a test module is still checked.
fn without_tests(text: &str) -> String {
    let mut kept = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find('{') else { return kept };
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        // Keep the lines counted right: the test item becomes blank lines.
        kept.push_str(&"\n".repeat(after[..end].matches('\n').count()));
        rest = &after[end..];
    }
    kept.push_str(rest);
    kept
}

/// Code lines with their numbers, comments left out.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, line)| (i + 1, line)).filter(|(_, line)| !line.trim_start().starts_with("//"))
}

/// Every `crate::` path a line names, as its segments: `crate::db::store::write`
/// and each item of `use crate::{records::customers, kernel::time::timestamp}`.
fn crate_paths(line: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                paths.push(segments(item.trim()));
            }
        } else {
            paths.push(segments(rest));
        }
    }
    paths.retain(|path| !path.is_empty());
    paths
}

/// The line with `super::` written as the `crate::` path it stands for in
/// `module` (a sibling in the same folder is a use like any other).
fn with_super_spelled_out(module: &str, line: &str) -> String {
    let parent = module.rsplit_once('/').map_or("", |(parent, _)| parent);
    let spelled =
        if parent.is_empty() { "crate::".to_string() } else { format!("crate::{}::", parent.replace('/', "::")) };
    line.replace("super::", &spelled)
}

fn segments(path: &str) -> Vec<String> {
    let end = path.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(path.len());
    path[..end].split("::").filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// The file module a path lands in: its longest prefix that is a module.
fn resolve(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    (1..=path.len()).rev().map(|n| path[..n].join("/")).find(|candidate| modules.contains(candidate))
}

/// Breaks of the floor rule and of "only app imports tauri" and "kernel has no SQL".
fn floor_problems(sources: &[Source]) -> Vec<String> {
    let mut problems = Vec::new();
    for source in sources {
        let Some(own) = floor_of(&source.module) else { continue };
        for (number, line) in code_lines(&source.text) {
            for path in crate_paths(line) {
                if let Some(used) = FLOORS.iter().position(|floor| *floor == path[0]) {
                    if used > own {
                        problems.push(format!(
                            "{}.rs:{number}: {} is on the {} floor and must never use crate::{} (a floor above): {}",
                            source.module,
                            source.module,
                            FLOORS[own],
                            FLOORS[used],
                            line.trim()
                        ));
                    }
                }
            }
            let names_tauri =
                line.contains("tauri::") || line.contains("tauri_plugin") || line.trim_start().starts_with("use tauri");
            if names_tauri && FLOORS[own] != "app" {
                problems.push(format!("{}.rs:{number}: only app/ may use Tauri: {}", source.module, line.trim()));
            }
            if FLOORS[own] == "kernel" && line.contains("Connection") {
                problems.push(format!(
                    "{}.rs:{number}: kernel/ never opens or queries SQLite: {}",
                    source.module,
                    line.trim()
                ));
            }
        }
    }
    problems
}

/// Module-to-module uses that go round in a circle, as "a -> b -> a".
fn cycles(sources: &[Source]) -> Vec<String> {
    let modules: BTreeSet<String> = sources.iter().map(|s| s.module.clone()).collect();
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources {
        let targets = uses.entry(source.module.clone()).or_default();
        for (_, line) in code_lines(&source.text) {
            for path in crate_paths(&with_super_spelled_out(&source.module, line)) {
                if let Some(target) = resolve(&path, &modules) {
                    // A folder's mod.rs only lists its modules; that is not a use.
                    let is_parent = source.module.starts_with(&format!("{target}/"));
                    if target != source.module && !is_parent {
                        targets.insert(target);
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    let mut done: BTreeSet<String> = BTreeSet::new();
    for start in uses.keys() {
        let mut trail = vec![start.clone()];
        walk(&uses, &mut trail, &mut done, &mut found);
        done.insert(start.clone());
    }
    found
}

fn walk(
    uses: &BTreeMap<String, BTreeSet<String>>,
    trail: &mut Vec<String>,
    done: &mut BTreeSet<String>,
    found: &mut Vec<String>,
) {
    let here = trail.last().expect("a trail is never empty").clone();
    for next in uses.get(&here).into_iter().flatten() {
        if let Some(at) = trail.iter().position(|m| m == next) {
            let mut circle = trail[at..].to_vec();
            circle.push(next.clone());
            let text = circle.join(" -> ");
            if !found.contains(&text) && at == 0 {
                found.push(text);
            }
        } else if !done.contains(next) && trail.len() < 64 {
            trail.push(next.clone());
            walk(uses, trail, done, found);
            trail.pop();
        }
    }
}

/// Tables written by more than one module, with where.
fn second_writers(sources: &[Source]) -> Vec<String> {
    let mut writers: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for source in sources {
        for (number, line) in code_lines(&source.text) {
            for table in written_tables(line) {
                writers.entry(table).or_default().entry(source.module.clone()).or_insert(number);
            }
        }
    }
    writers
        .into_iter()
        .filter(|(_, by)| by.len() > 1)
        .map(|(table, by)| {
            let places: Vec<String> = by.iter().map(|(module, line)| format!("{module}.rs:{line}")).collect();
            format!("table {table} must have one writer, but is written in {}", places.join(" and "))
        })
        .collect()
}

/// Tables a line of SQL inserts into, updates or deletes from.
fn written_tables(line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let mut tables = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let table = match *word {
            "INTO" if i > 0 && matches!(words[i - 1], "INSERT" | "IGNORE" | "REPLACE") => words.get(i + 1),
            "FROM" if i > 0 && words[i - 1] == "DELETE" => words.get(i + 1),
            "UPDATE" if words.get(i + 2) == Some(&"SET") => words.get(i + 1),
            _ => None,
        };
        if let Some(table) = table {
            tables.push(table.to_string());
        }
    }
    tables
}

fn all_problems(sources: &[Source]) -> Vec<String> {
    let mut problems = floor_problems(sources);
    problems.extend(cycles(sources).into_iter().map(|c| format!("modules use each other in a circle: {c}")));
    problems.extend(second_writers(sources));
    problems
}

#[test]
fn the_house_keeps_its_floors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src");
    let sources = read_sources(&root);
    assert!(sources.len() > 40, "found only {} source files under {}", sources.len(), root.display());
    let problems = all_problems(&sources);
    assert!(problems.is_empty(), "the layer rules are broken:\n{}", problems.join("\n"));
}

/// The environment variables a shipped build reads; any other
/// `REGULARS_…` name is a test switch and belongs in `app::test_switches`.
const SHIPPED_SWITCHES: [&str; 2] = ["REGULARS_DATA_DIR", "REGULARS_LOG"];

/// Test switches never ship. A test cannot see a release build (tests
/// always have the `test-switches` feature), so the sources are checked:
/// every `"REGULARS_…"` name other than the shipped ones is spelled only in
/// `app/test_switches.rs`, and that module is declared once, only under
/// `#[cfg(feature = "test-switches")]`; anything else that used it would
/// not compile without the feature.
fn test_switch_problems(sources: &[Source]) -> Vec<String> {
    let mut problems = Vec::new();
    for source in sources.iter().filter(|s| s.module != "app/test_switches") {
        for (at, _) in source.text.match_indices("\"REGULARS_") {
            let name: String =
                source.text[at + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !SHIPPED_SWITCHES.contains(&name.as_str()) {
                problems.push(format!(
                    "{}.rs reads the test switch {name}, which would ship in release builds",
                    source.module
                ));
            }
        }
    }
    let app = sources.iter().find(|s| s.module == "app").map(|s| s.text.as_str()).unwrap_or_default();
    let declared = app.lines().filter(|line| line.contains("mod test_switches")).count();
    if declared != 1 || !app.contains("#[cfg(feature = \"test-switches\")]\npub mod test_switches;") {
        problems
            .push("app::test_switches must be declared once, under #[cfg(feature = \"test-switches\")]".to_string());
    }
    problems
}

#[test]
fn test_switches_never_ship() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src");
    let problems = test_switch_problems(&read_sources(&root));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_test_switch_outside_its_module_is_named() {
    let app = "#[cfg(feature = \"test-switches\")]\npub mod test_switches;\n";
    let fine = made_up(&[
        ("app", app),
        ("app/test_switches", "std::env::var_os(\"REGULARS_FILE_ANSWERS\")"),
        ("cli", "std::env::var_os(\"REGULARS_DATA_DIR\")"),
    ]);
    assert_eq!(test_switch_problems(&fine), Vec::<String>::new());
    let leaked =
        made_up(&[("app", "pub mod test_switches;\n"), ("app/desktop", "std::env::var_os(\"REGULARS_OPEN_LOG\")")]);
    let problems = test_switch_problems(&leaked);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("app/desktop.rs reads the test switch REGULARS_OPEN_LOG"), "{problems:?}");
}

fn made_up(files: &[(&str, &str)]) -> Vec<Source> {
    files.iter().map(|(module, text)| Source { module: module.to_string(), text: text.to_string() }).collect()
}

#[test]
fn code_after_a_test_module_is_still_checked() {
    let text = "use crate::kernel::text;\n#[cfg(test)]\nmod tests {\n    use crate::app::window;\n    fn f() { let _ = format!(\"{x}\"); }\n}\nuse crate::app::state;\n";
    let sources = made_up(&[("records/customers", &without_tests(text))]);
    let problems = floor_problems(&sources);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("records/customers.rs:7: "), "{problems:?}");
}

#[test]
fn an_upward_import_is_named_with_its_line() {
    let sources = made_up(&[
        ("records/customers", "use crate::kernel::text;\n// crate::derived in a comment is fine\nuse crate::{db::search, derived::health};\n"),
        ("derived/health", "use crate::records::customers;\n"),
        ("db/search", ""),
        ("kernel/text", ""),
    ]);
    let problems = floor_problems(&sources);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "records/customers.rs:3: records/customers is on the records floor and must never use crate::derived"
        ),
        "{problems:?}"
    );
}

#[test]
fn tauri_outside_app_and_sql_in_kernel_are_named() {
    let sources = made_up(&[
        ("features/desk", "fn f(app: tauri::AppHandle) {}\n"),
        ("kernel/time", "use rusqlite::Connection;\n"),
        ("kernel/error", "Storage(#[from] rusqlite::Error),\n"),
        ("app/window", "use tauri::Manager;\n"),
    ]);
    let problems = floor_problems(&sources);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("features/desk.rs:1: only app/ may use Tauri"), "{problems:?}");
    assert!(problems[1].starts_with("kernel/time.rs:1: kernel/ never opens or queries SQLite"), "{problems:?}");
}

#[test]
fn a_circle_between_modules_is_named() {
    let sources = made_up(&[
        ("records/reminders", "crate::records::onboarding::tick(conn);\n"),
        ("records/onboarding", "use crate::records::reminders::resolve;\n"),
        ("records", "pub mod onboarding;\npub mod reminders;\n"),
    ]);
    let found = cycles(&sources);
    assert_eq!(found, vec!["records/onboarding -> records/reminders -> records/onboarding".to_string()]);
}

#[test]
fn a_circle_through_super_is_named() {
    let sources = made_up(&[
        (
            "io/importer/run",
            "use super::undo::{self, Added};
",
        ),
        (
            "io/importer/undo",
            "use super::run::Report;
",
        ),
        (
            "io/importer",
            "mod run;
mod undo;
pub use run::import;
",
        ),
    ]);
    let found = cycles(&sources);
    assert_eq!(found, vec!["io/importer/run -> io/importer/undo -> io/importer/run".to_string()]);
}

#[test]
fn a_second_writer_of_a_table_is_named() {
    let sources = made_up(&[
        ("records/customers", "conn.execute(\"UPDATE customers SET updated_at = ?2 WHERE id = ?1\")\n"),
        ("derived/health", "\n\"UPDATE customers SET health_red_from = ?2\"\n"),
        ("records/feedback", "\"INSERT INTO feedback_months (month) VALUES (?1) ON CONFLICT (month) DO UPDATE SET answers = answers + 1\"\n"),
    ]);
    let problems = second_writers(&sources);
    assert_eq!(
        problems,
        vec!["table customers must have one writer, but is written in derived/health.rs:2 and records/customers.rs:1"
            .to_string()]
    );
}

/// Functions longer than this many lines (signature to closing brace) read
/// as several steps and should be written as them; a longer one is named
/// in `LONG_FUNCTIONS` with why it stays whole.
const MAX_FUNCTION_LINES: usize = 60;

/// The functions allowed over `MAX_FUNCTION_LINES`, by module and name,
/// each with why it reads better whole. A function split below the limit
/// must leave this list too (the test names an entry that no longer applies).
const LONG_FUNCTIONS: &[(&str, &str, &str)] = &[
    ("app/window", "run", "one Tauri builder chain (plugins, state, the command list, the setup closure) in start order; its steps share the builder by value"),
    ("derived/health", "evaluate", "one block per signal, in the order the card explains them, each beside the stored moment it mirrors"),
    ("features/desk", "insert", "one visit's steps inside its transaction, in the order they must happen (ledger, pass, tasks, rhythm, health)"),
    ("features/desk", "record_past", "past visits' steps inside one transaction, the same order as insert"),
    ("features/templates", "values_for", "one line per placeholder a message can name"),
    ("io/calendar", "calendar_text", "the iCalendar text in the format's own order, birthdays then renewals"),
    ("io/sample", "one_customer", "mostly data: one sample customer's fields drawn from the shop kind's lists"),
    ("io/vcard", "apply", "one match arm per vCard property"),
    ("kernel/dates", "read", "one arm per date form, tried in the order the module notes give"),
    ("records/loyalty", "redeem", "one redemption's checks and ledger rows inside its IMMEDIATE transaction"),
    ("records/onboarding", "default_template", "data: the built-in template's tasks for each kind of business"),
    ("records/onboarding", "start", "one plan's rows (plan, tasks, reminders) inside one transaction"),
    ("records/pets", "for_customer", "one read of the pets, their records and vaccinations, joined in card order"),
];

/// Every function's module, first line, name and length in lines.
fn function_lengths(sources: &[Source]) -> Vec<(String, usize, String, usize)> {
    let mut found = Vec::new();
    for source in sources {
        let code = blank_strings_and_comments(&source.text);
        let lines: Vec<&str> = code.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let Some(name) = fn_name(line) else { continue };
            // The body runs from the first `{` after the name to its match;
            // a `;` first is a declaration without a body.
            let mut depth = 0usize;
            let mut opened = false;
            let mut end = None;
            'lines: for (offset, later) in lines[index..].iter().enumerate() {
                let text = if offset == 0 { &later[later.find("fn ").unwrap_or(0)..] } else { later };
                for c in text.chars() {
                    match c {
                        ';' if !opened => break 'lines,
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' if opened => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(index + offset);
                                break 'lines;
                            }
                        }
                        _ => {}
                    }
                }
            }
            if let Some(end) = end {
                found.push((source.module.clone(), index + 1, name, end - index + 1));
            }
        }
    }
    found
}

/// The name of the function a line starts, if it starts one.
fn fn_name(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "fn")?;
    let before_ok = words[..at]
        .iter()
        .all(|w| matches!(*w, "pub" | "const" | "async" | "unsafe" | "extern" | "default") || w.starts_with("pub("));
    let name: String = words.get(at + 1)?.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    (before_ok && !name.is_empty()).then_some(name)
}

/// The text with every string, character literal and comment blanked to
/// spaces (newlines kept), so braces inside them are not counted.
fn blank_strings_and_comments(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !chars[..i].last().is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"…" or r#"…"#.
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            let start = i;
            i += 2 + hashes;
            while i < chars.len() && !chars[i..].iter().take(close.len()).copied().eq(close.chars()) {
                i += 1;
            }
            i = (i + close.len()).min(chars.len());
            out.extend(chars[start..i].iter().map(|c| blank(*c)));
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A character literal ('{', '\n', '\''); a lifetime has no closing quote.
            let end = if next == Some('\\') {
                chars[i + 2..].iter().position(|c| *c == '\'').map(|p| i + 2 + p).unwrap_or(i + 1)
            } else {
                i + 2
            };
            out.extend(std::iter::repeat_n(' ', end - i + 1));
            i = end + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn long_function_problems(sources: &[Source], allowed: &[(&str, &str, &str)]) -> Vec<String> {
    let lengths = function_lengths(sources);
    let mut problems = Vec::new();
    for (module, line, name, length) in &lengths {
        let excused = allowed.iter().any(|(m, n, _)| m == module && n == name);
        if *length > MAX_FUNCTION_LINES && !excused {
            problems.push(format!(
                "{module}.rs:{line}: fn {name} is {length} lines (over {MAX_FUNCTION_LINES}): write it as named steps, or add it to LONG_FUNCTIONS with why it reads better whole"
            ));
        }
    }
    for (module, name, _) in allowed {
        let still_long =
            lengths.iter().any(|(m, _, n, length)| m == module && n == name && *length > MAX_FUNCTION_LINES);
        if !still_long {
            problems.push(format!("LONG_FUNCTIONS names {module}::{name}, which is no longer over {MAX_FUNCTION_LINES} lines: take it off"));
        }
    }
    problems
}

#[test]
fn no_function_is_long_without_a_reason() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src");
    let problems = long_function_problems(&read_sources(&root), LONG_FUNCTIONS);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_long_function_is_named_and_braces_in_text_do_not_count() {
    let body = "    let x = 1;\n".repeat(MAX_FUNCTION_LINES);
    let text = format!(
        "fn short() {{\n    let s = \"}}}}\"; let c = '}}'; // }} \n}}\n\npub(crate) fn long<'a>(x: &'a str) {{\n{body}}}\ntrait T {{\n    fn declared(&self);\n}}\n"
    );
    let sources = made_up(&[("io/made_up", &text)]);
    let lengths = function_lengths(&sources);
    let names: Vec<(&str, usize)> = lengths.iter().map(|(_, _, name, length)| (name.as_str(), *length)).collect();
    assert_eq!(names, [("short", 3), ("long", MAX_FUNCTION_LINES + 2)]);
    let problems = long_function_problems(&sources, &[]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("io/made_up.rs:5: fn long is 62 lines"), "{problems:?}");
    assert_eq!(long_function_problems(&sources, &[("io/made_up", "long", "a made-up reason")]), Vec::<String>::new());
    let stale = long_function_problems(&sources, &[("io/made_up", "short", "no longer long")]);
    assert!(stale.iter().any(|p| p.contains("io/made_up::short, which is no longer over")), "{stale:?}");
}
