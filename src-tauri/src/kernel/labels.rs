//! Closed sets of words the window shows with a label each (a health
//! colour, a contact channel, an import field, a reminder's source). Each
//! is a Rust enum: the word it is stored and sent as (its serde name, the
//! strings already in the database) and its label, written once here in
//! Rust. `tests/integration/boundary.rs` writes every label into
//! `ui/types/labels.js`, typed as a `Record` over the enum's TypeScript
//! union, so the window reads them from one generated source and a word
//! without a label fails `tsc`.

use serde::Serialize;

pub trait Labelled: Sized + Copy + Serialize + 'static {
    /// Every variant, in the order a list of choices shows them.
    const ALL: &'static [Self];

    /// What the window calls it.
    fn label(self) -> &'static str;

    /// The word it is stored and sent as (its serde name).
    fn word(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(word)) => word,
            _ => String::new(),
        }
    }
}
