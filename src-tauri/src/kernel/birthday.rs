//! A birthday with or without its year, as stored (ISO 8601) and as shown.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Birthday {
    pub day: u32,
    pub month: u32,
    pub year: Option<i32>,
}

impl Birthday {
    /// "--03-14" without a year, "1990-03-14" with one (ISO 8601 forms).
    pub fn to_iso(self) -> String {
        match self.year {
            Some(year) => format!("{year:04}-{:02}-{:02}", self.month, self.day),
            None => format!("--{:02}-{:02}", self.month, self.day),
        }
    }

    pub fn from_iso(text: &str) -> Option<Birthday> {
        if let Some(rest) = text.strip_prefix("--") {
            let (month, day) = rest.split_once('-')?;
            let (day, month) = (day.parse().ok()?, month.parse().ok()?);
            // A damaged cell ("--00-10") reads as no birthday, as a damaged
            // JSON cell reads as empty: `label` and the birthday bonus count
            // on a real month and day and panicked on 0 (found by tests).
            NaiveDate::from_ymd_opt(2000, month, day)?;
            return Some(Birthday { day, month, year: None });
        }
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        use chrono::Datelike;
        Some(Birthday { day: date.day(), month: date.month(), year: Some(date.year()) })
    }

    /// "14 March" or "14 March 1990".
    pub fn label(self) -> String {
        let month = (self.month as usize).checked_sub(1).and_then(|m| MONTHS.get(m)).copied().unwrap_or("?");
        match self.year {
            Some(year) => format!("{} {month} {year}", self.day),
            None => format!("{} {month}", self.day),
        }
    }
}

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
