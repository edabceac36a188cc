//! Reading a date as people write it in a spreadsheet or an address book:
//! numbers ("31/12/1990", "1990-12-31", "12/31/90", "19901231", "--12-31")
//! or a month name in English, French, German, Spanish, Italian, Dutch or
//! Portuguese ("3 mars 1985", "14. März 1988", "5 de mayo de 1979",
//! "Feb 3, 1985", "3rd March 1985", "3 janv. 1985").
//!
//! The reader only finds which part is the day, the month and the year; it
//! does not check that the date exists, so each caller can say what is
//! wrong in its own words ("February has no day 31"). It works on chars,
//! never on byte positions, so no text can make it panic.

use serde::{Deserialize, Serialize};

use crate::kernel::birthday::MONTHS;
use crate::kernel::text;
use ts_rs::TS;

/// Which number comes first in "03/04/1990".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// 31/12/1990, 31.12.1990
    DayFirst,
    /// 12/31/1990
    MonthFirst,
}

/// A date's parts as written; not yet checked against the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateParts {
    pub day: u32,
    pub month: u32,
    pub year: Option<i32>,
}

/// Month names besides the English ones in `birthday::MONTHS`, folded
/// (`text::fold`: lower case, no accents). Any first three letters or more
/// of a name that belong to one month only are read as that month, which
/// covers the usual abbreviations ("janv.", "févr.", "Sept", "okt.", "dic").
const OTHER_NAMES: [&[&str]; 12] = [
    // French, German (and Austrian), Spanish, Italian, Dutch, Portuguese
    &["janvier", "januar", "janner", "enero", "gennaio", "januari", "janeiro"],
    &["fevrier", "februar", "feber", "febrero", "febbraio", "februari", "fevereiro"],
    &["mars", "marz", "mrz", "marzo", "maart", "mrt", "marco"],
    &["avril", "abril", "aprile"],
    &["mai", "mayo", "maggio", "mei", "maio"],
    &["juin", "juni", "junio", "giugno", "junho"],
    &["juillet", "juli", "julio", "luglio", "julho"],
    &["aout", "agosto", "augustus"],
    &["septembre", "septiembre", "setiembre", "settembre", "setembro"],
    &["octobre", "oktober", "octubre", "ottobre", "outubro"],
    &["novembre", "noviembre", "novembro"],
    &["decembre", "dezember", "diciembre", "dicembre", "dezembro"],
];

/// Words that may stand between the parts: "5 de mayo de 1979",
/// "the 3rd of March", "am 14. März", "le 1er mars".
const FILLERS: &[&str] = &["de", "del", "el", "of", "the", "le", "am", "den"];

/// Endings written straight after a day: "3rd", "1er", "1º" (folded to "1o").
const ORDINALS: &[&str] = &["st", "nd", "rd", "th", "er", "e", "o", "a"];

/// The month a word names (folded), from its full name or an abbreviation
/// of three letters or more that fits one month only.
pub fn month_number(word: &str) -> Option<u32> {
    let word = text::fold(word);
    let word = word.trim_end_matches('.');
    if word.chars().count() < 3 {
        return None;
    }
    let mut found = None;
    for (index, others) in OTHER_NAMES.iter().enumerate() {
        let english = MONTHS[index].to_lowercase();
        if std::iter::once(english.as_str()).chain(others.iter().copied()).any(|name| name.starts_with(word)) {
            if found.is_some_and(|month| month != index) {
                return None; // "jui": juin or juillet
            }
            found = Some(index);
        }
    }
    found.map(|index| index as u32 + 1)
}

/// One piece of a date: a run of digits or a word.
#[derive(Debug, PartialEq)]
enum Token {
    Number(String),
    Word(String),
}

/// Splits a folded date into numbers and words at spaces and / . - , and
/// drops the fillers and the endings on a day ("3rd"). `None` when any
/// other character is in it, or a word and a number touch otherwise.
fn tokens(folded: &str) -> Option<Vec<Token>> {
    // Runs of digits or of letters, each with whether it touches the run
    // before it (no separator between).
    let mut runs: Vec<(bool, String, bool)> = Vec::new();
    let mut touching = false;
    for c in folded.chars() {
        let digit = if c.is_ascii_digit() {
            true
        } else if c.is_alphabetic() {
            false
        } else if c.is_whitespace() || matches!(c, '/' | '.' | '-' | ',') {
            touching = false;
            continue;
        } else {
            return None;
        };
        match runs.last_mut() {
            Some((last_digit, run, _)) if touching && *last_digit == digit => run.push(c),
            _ => runs.push((digit, c.to_string(), touching)),
        }
        touching = true;
    }
    let mut out = Vec::new();
    for (digit, run, touching) in runs {
        match (digit, touching) {
            (false, false) if FILLERS.contains(&run.as_str()) => {}
            (false, false) => out.push(Token::Word(run)),
            // Letters touching a number: only an ending like "rd" in "3rd".
            (false, true) if ORDINALS.contains(&run.as_str()) => {}
            (true, false) => out.push(Token::Number(run)),
            // "march3", "3rd4", "3x"
            _ => return None,
        }
    }
    Some(out)
}

/// The date part of "1990-12-31T00:00:00Z", "1990-12-31 00:00:00" or
/// "12/31/1990 0:00": everything before the time.
fn without_time(value: &str) -> &str {
    let Some(colon) = value.find(':') else { return value };
    // `colon`, and the index of ' ' or 'T' found before it, are positions
    // of ASCII characters, so slicing there cannot split a character.
    let before = &value[..colon];
    match before.rfind([' ', 'T']) {
        Some(at) if at > 0 && before[..at].ends_with(|c: char| c.is_ascii_digit()) => &value[..at],
        _ => value,
    }
}

fn number(digits: &str) -> Option<u32> {
    // At most 4 digits: longer runs are not a day, a month or a year (and
    // would overflow).
    if digits.len() > 4 {
        return None;
    }
    digits.parse().ok()
}

/// A year as written: four digits as they are, two digits in the century
/// that puts it at or before `this_year` ("90" in 2026 is 1990, "05" is 2005).
fn year(digits: &str, this_year: i32) -> Option<i32> {
    match digits.len() {
        4 => digits.parse().ok(),
        2 => {
            let two: i32 = digits.parse().ok()?;
            let century = this_year - this_year.rem_euclid(100);
            Some(if century + two > this_year { century - 100 + two } else { century + two })
        }
        _ => None,
    }
}

/// Reads a date in any of the forms in the module notes. `order` settles
/// "03/04/1990"; a named month needs no order. `None` when the text is not
/// a date this can read.
pub fn read(value: &str, order: DateOrder, this_year: i32) -> Option<DateParts> {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix("--") {
        // "--12-31": ISO 8601 (and vCard) for a date without its year.
        let (month, day) = rest.split_once('-')?;
        let short = |part: &str| (1..=2).contains(&part.len()) && part.chars().all(|c| c.is_ascii_digit());
        if !short(month) || !short(day) {
            return None;
        }
        return Some(DateParts { day: number(day)?, month: number(month)?, year: None });
    }
    let folded = text::fold(without_time(value));
    let tokens = tokens(&folded)?;
    let mut numbers: Vec<&str> = Vec::new();
    let mut month: Option<u32> = None;
    for token in &tokens {
        match token {
            Token::Number(digits) => numbers.push(digits),
            Token::Word(word) => {
                if month.is_some() {
                    return None; // two words: not a date
                }
                month = Some(month_number(word)?);
            }
        }
    }
    let short = |digits: &&str| digits.len() <= 2;
    if let Some(month) = month {
        return match numbers.as_slice() {
            [day] if short(day) => Some(DateParts { day: number(day)?, month, year: None }),
            [day, y] if short(day) => Some(DateParts { day: number(day)?, month, year: Some(year(y, this_year)?) }),
            [y, day] if y.len() == 4 && short(day) => {
                Some(DateParts { day: number(day)?, month, year: Some(year(y, this_year)?) })
            }
            _ => None,
        };
    }
    match numbers.as_slice() {
        [y, m, d] if y.len() == 4 && short(m) && short(d) => {
            Some(DateParts { day: number(d)?, month: number(m)?, year: Some(year(y, this_year)?) })
        }
        [a, b, y] if short(a) && short(b) => {
            let (day, month) = match order {
                DateOrder::DayFirst => (a, b),
                DateOrder::MonthFirst => (b, a),
            };
            Some(DateParts { day: number(day)?, month: number(month)?, year: Some(year(y, this_year)?) })
        }
        [a, b] if short(a) && short(b) => {
            let (day, month) = match order {
                DateOrder::DayFirst => (a, b),
                DateOrder::MonthFirst => (b, a),
            };
            Some(DateParts { day: number(day)?, month: number(month)?, year: None })
        }
        [compact] if compact.len() == 8 && (compact.starts_with("19") || compact.starts_with("20")) => {
            // "19901231": all ASCII digits, so the byte ranges are whole characters.
            Some(DateParts {
                day: number(&compact[6..8])?,
                month: number(&compact[4..6])?,
                year: Some(year(&compact[..4], this_year)?),
            })
        }
        _ => None,
    }
}

/// The first two numbers of a date written in numbers only whose order is
/// open ("03/04/1990", "12/31"): what the order is guessed from. `None` for
/// a year-first date, a named month or anything else.
pub fn open_order_parts(value: &str) -> Option<(u32, u32)> {
    let value = value.trim();
    if value.starts_with("--") {
        return None; // "--12-31" is always month then day
    }
    let folded = text::fold(without_time(value));
    match tokens(&folded)?.as_slice() {
        [Token::Number(a), Token::Number(b)] | [Token::Number(a), Token::Number(b), Token::Number(_)]
            if a.len() <= 2 && b.len() <= 2 =>
        {
            Some((number(a)?, number(b)?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_dmy(value: &str) -> Option<(u32, u32, Option<i32>)> {
        read(value, DateOrder::DayFirst, 2026).map(|p| (p.day, p.month, p.year))
    }

    #[test]
    fn month_names_in_seven_languages() {
        for (value, expected) in [
            ("3 mars 1985", (3, 3, Some(1985))),
            ("14. März 1988", (14, 3, Some(1988))),
            ("5 de mayo de 1979", (5, 5, Some(1979))),
            ("1.février 1990", (1, 2, Some(1990))),
            ("3 janv. 1985", (3, 1, Some(1985))),
            ("Feb 3, 1985", (3, 2, Some(1985))),
            ("3rd March 1985", (3, 3, Some(1985))),
            ("the 3rd of March", (3, 3, None)),
            ("le 1er août 2001", (1, 8, Some(2001))),
            ("25 dicembre 1966", (25, 12, Some(1966))),
            ("12 okt. 2001", (12, 10, Some(2001))),
            ("4 mrt 1999", (4, 3, Some(1999))),
            ("1º de março de 1970", (1, 3, Some(1970))),
            ("12 de junho de 80", (12, 6, Some(1980))),
            ("Jänner 7", (7, 1, None)),
            ("14 MARCH", (14, 3, None)),
            ("fe\u{301}vrier 2 1990", (2, 2, Some(1990))),
            ("1990-Mar-14", (14, 3, Some(1990))),
            ("7 Sept 2020", (7, 9, Some(2020))),
            ("7 settembre 2020", (7, 9, Some(2020))),
            ("9 outubro 1999", (9, 10, Some(1999))),
        ] {
            assert_eq!(read_dmy(value), Some(expected), "{value}");
        }
    }

    #[test]
    fn numbers_in_common_forms() {
        assert_eq!(read_dmy("1990-12-31"), Some((31, 12, Some(1990))));
        assert_eq!(read_dmy("31.12.1990"), Some((31, 12, Some(1990))));
        assert_eq!(read("12/31/1990", DateOrder::MonthFirst, 2026).map(|p| (p.day, p.month)), Some((31, 12)));
        assert_eq!(read_dmy("3/4/05"), Some((3, 4, Some(2005))));
        assert_eq!(read_dmy("3/4/90"), Some((3, 4, Some(1990))));
        assert_eq!(read_dmy("--03-14"), Some((14, 3, None)));
        assert_eq!(read_dmy("19900314"), Some((14, 3, Some(1990))));
        assert_eq!(read_dmy("1990-12-31T00:00:00Z"), Some((31, 12, Some(1990))));
        assert_eq!(read_dmy("1990-12-31 00:00:00"), Some((31, 12, Some(1990))));
        assert_eq!(read("12/31/1990 0:00", DateOrder::MonthFirst, 2026).map(|p| p.day), Some(31));
        // Not checked against the calendar: the caller says what is wrong.
        assert_eq!(read_dmy("31/02/1990"), Some((31, 2, Some(1990))));
    }

    #[test]
    fn what_is_not_a_date() {
        for value in [
            "",
            "someday",
            "mar mai 1990",
            "jui 1990",
            "3 Févruary 1990",
            "march3",
            "3 march 1990 extra",
            "31/12/1990 ✓",
            "--ab-cd",
            "--03",
            "123456789012345678901234567890",
            "1/2/3/4",
            "3 ma 1990",
            "3/4/199",
            "é",
            "\u{301}",
            "1990-12-31T",
            "T:",
            " :",
            "李 3 1990",
            "3 🎂 1990",
            "١٢/٣/١٩٩٠",
        ] {
            assert_eq!(read_dmy(value), None, "{value:?}");
        }
    }

    #[test]
    fn which_month_a_word_names() {
        assert_eq!(month_number("Sept."), Some(9));
        assert_eq!(month_number("DÉC"), Some(12));
        assert_eq!(month_number("jul"), Some(7));
        assert_eq!(month_number("jui"), None, "juin or juillet");
        assert_eq!(month_number("ma"), None, "too short to tell");
        assert_eq!(month_number("the"), None);
    }

    #[test]
    fn the_order_is_guessed_from_numeric_dates_only() {
        assert_eq!(open_order_parts("13/04/1990"), Some((13, 4)));
        assert_eq!(open_order_parts("04/13"), Some((4, 13)));
        assert_eq!(open_order_parts("1990-04-13"), None);
        assert_eq!(open_order_parts("13 April 1990"), None);
        assert_eq!(open_order_parts("1.février 1990"), None);
        assert_eq!(open_order_parts("03/04 March"), None);
        assert_eq!(open_order_parts("--07-04"), None);
    }
}
