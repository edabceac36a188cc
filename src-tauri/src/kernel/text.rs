//! Text folding shared by storage and search, so that what is indexed and
//! what is typed are compared in the same form.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower-cases and strips accents: "Zoë Müller-Łukasiewicz" -> "zoe muller-lukasiewicz".
///
/// Letters that Unicode does not decompose (ø, ł, ß ...) are mapped by hand,
/// because front-desk staff type them as their plain Latin look-alikes.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Folds and splits into words: letters and digits only; apostrophes join
/// ("O'Brien" -> "obrien"), every other symbol separates.
pub fn words(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut words = Vec::new();
    let mut current = String::new();
    for c in folded.chars() {
        if c.is_alphanumeric() {
            current.push(c);
        } else if c == '\'' || c == '\u{2019}' {
            continue;
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The word with its first letter in capitals, trimmed: "dog" → "Dog".
pub fn capitalised(word: &str) -> String {
    let mut chars = word.trim().chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The digits of a phone number in any format: "(555) 014-2211" -> "5550142211".
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// True when the text reads as (part of) a phone number: only digits and
/// the punctuation people type between them.
pub fn looks_like_phone(text: &str) -> bool {
    let mut any_digit = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            any_digit = true;
        } else if !matches!(c, ' ' | '-' | '(' | ')' | '+' | '.' | '/') {
            return false;
        }
    }
    any_digit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_special_letters() {
        assert_eq!(fold("Zoë Müller-Łukasiewicz"), "zoe muller-lukasiewicz");
        assert_eq!(fold("Søren Ødegård"), "soren odegard");
        assert_eq!(fold("STRAßE"), "strasse");
    }

    #[test]
    fn splits_words_and_joins_apostrophes() {
        assert_eq!(words("Siobhán O'Brien-Kelly"), vec!["siobhan", "obrien", "kelly"]);
        assert_eq!(words("  "), Vec::<String>::new());
    }

    #[test]
    fn phone_helpers() {
        assert_eq!(digits("+1 (555) 014-2211"), "15550142211");
        assert!(looks_like_phone("555 01"));
        assert!(!looks_like_phone("zoe 5"));
        assert!(!looks_like_phone(" - "));
    }
}
