//! The Tauri edge: the only modules that import `tauri`. `window::run`
//! builds the window, registers the commands and starts the background
//! tasks (scheduler, automatic backups). Everything below this folder is
//! plain Rust over SQLite, testable without a window.

pub mod commands;
pub mod desktop;
pub mod file_dialog;
pub mod files;
pub mod ipc;
pub mod instance;
pub mod notify;
pub mod scheduler;
pub mod state;
#[cfg(feature = "test-switches")]
pub mod test_switches;
pub mod window;

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// The environment variables a shipped build reads; any other
    /// `REGULARS_…` name is a test switch and belongs in `test_switches`.
    const SHIPPED: [&str; 2] = ["REGULARS_DATA_DIR", "REGULARS_LOG"];

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("the source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }

    /// The text without its `#[cfg(test)]` items (each up to the brace
    /// that closes it): tests may name anything.
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
            rest = &after[end..];
        }
        kept.push_str(rest);
        kept
    }

    /// Test switches must not ship. A unit test cannot see a release build
    /// (tests always have the feature), so this checks the sources instead:
    /// every `"REGULARS_…"` name other than the shipped ones is spelled only
    /// in `app/test_switches.rs` (outside `#[cfg(test)]` items),
    /// and that module is declared only under `#[cfg(feature = "test-switches")]`.
    /// Anything else that used it would not compile without the feature.
    #[test]
    fn test_switches_are_only_in_test_builds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src");
        let mut files = Vec::new();
        sources(&root, &mut files);
        let mut found = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).expect("a source file");
            let code = without_tests(&text);
            let relative = file.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/");
            for (at, _) in code.match_indices("\"REGULARS_") {
                let name: String = code[at + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !SHIPPED.contains(&name.as_str()) && relative != "app/test_switches.rs" {
                    found.push(format!("{relative}: {name}"));
                }
            }
        }
        assert!(found.is_empty(), "test switches outside app/test_switches.rs (they would ship in release builds): {found:?}");
        let this = without_tests(&std::fs::read_to_string(root.join("app/mod.rs")).expect("app/mod.rs"));
        let declared: Vec<&str> = this.lines().filter(|line| line.contains("mod test_switches")).collect();
        assert_eq!(declared, ["pub mod test_switches;"], "declared once");
        assert!(
            this.contains("#[cfg(feature = \"test-switches\")]\npub mod test_switches;"),
            "app::test_switches is compiled only with the test-switches feature"
        );
    }
}
