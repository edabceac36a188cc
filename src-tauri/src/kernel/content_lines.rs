//! The text line format vCard (RFC 6350) and iCalendar (RFC 5545) share:
//! `NAME;PARAM=VALUE:value`, with `\`, `,`, `;` and line breaks escaped in
//! text values, and every line folded at 75 bytes with CRLF and a space.
//!
//! Written by hand: it is these two rules and nothing else, and the vCard
//! and calendar crates we looked at either only read, or pull in a parser
//! and their own date types for what is a few lines here.

/// Escapes a text value: backslash, comma, semicolon and line breaks.
/// Carriage returns and other control characters (which neither format
/// allows in a value) become spaces, so any stored text makes a valid file.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` to `out`, folded so that no physical line is longer than
/// 75 bytes (the continuation's leading space included), never inside a
/// character, and ended with CRLF.
pub fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_and_folds() {
        assert_eq!(escape("a,b;c\\d\ne\rf"), "a\\,b\\;c\\\\d\\ne f");
        let mut out = String::new();
        push_folded(&mut out, &format!("NOTE:{}", "é".repeat(50)));
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines.len(), 3, "{out:?}");
        assert!(lines.iter().all(|l| l.len() <= 75));
        assert!(lines[1].starts_with(' '));
    }

    proptest! {
        /// Unfolding gives the line back, and no physical line is longer than 75 bytes.
        #[test]
        fn folding_is_undone_by_unfolding(text in "\\PC{0,300}") {
            let line = format!("NOTE:{}", escape(&text));
            let mut out = String::new();
            push_folded(&mut out, &line);
            prop_assert!(out.ends_with("\r\n"));
            for physical in out.trim_end_matches("\r\n").split("\r\n") {
                prop_assert!(physical.len() <= 75);
            }
            prop_assert_eq!(out.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        }
    }
}
