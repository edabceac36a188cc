//! Money is integer cents: read as typed at a desk, shown with its currency.

use crate::kernel::error::{Error, Result};

/// Parses money as typed at a desk into integer cents.
pub fn parse_amount(text: &str) -> Result<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || Error::invalid("amount", format!("\"{text}\" is not an amount; type it like 12.50"));
    let normalized = text.replace(',', ".");
    let (whole, fraction) = normalized.split_once('.').unwrap_or((&normalized, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(bad());
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) || fraction.len() > 2
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let cents: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| bad())? * 10,
        _ => fraction.parse().map_err(|_| bad())?,
    };
    let total = whole.checked_mul(100).and_then(|w| w.checked_add(cents)).ok_or_else(bad)?;
    if total > MAX_AMOUNT_CENTS {
        return Err(Error::invalid("amount", "That amount is too large for one line."));
    }
    Ok(Some(total))
}

const MAX_AMOUNT_CENTS: i64 = 100_000_000; // one million in any currency

pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02} {currency}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_cents() {
        assert_eq!(parse_amount("").ok(), Some(None));
        assert_eq!(parse_amount("12").ok(), Some(Some(1200)));
        assert_eq!(parse_amount("12.5").ok(), Some(Some(1250)));
        assert_eq!(parse_amount("12,05").ok(), Some(Some(1205)));
        assert_eq!(parse_amount(".5").ok(), Some(Some(50)));
        for bad in ["-3", "1.234", "abc", "1e5", ".", "12.5.0", "99999999999999999999"] {
            assert!(parse_amount(bad).is_err(), "{bad} should be refused");
        }
    }
}
