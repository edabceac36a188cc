//! Time as the shop lives it: stored UTC timestamps and local calendar days.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

/// Timestamps are stored as UTC RFC 3339 text with millisecond precision,
/// which sorts correctly as text.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A local date and time as UTC. A time that does not exist (the hour the
/// clocks skip in spring) moves one hour later; an ambiguous one (autumn)
/// takes the first.
pub fn local_to_utc<Tz: TimeZone>(tz: &Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive).earliest() {
        Some(at) => at.with_timezone(&Utc),
        None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&naive)),
    }
}

/// "18:30" or "18:30:00" as a time of day.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(text, "%H:%M")).ok()
}

/// The years a date from the page may fall in. chrono accepts years up to
/// ±262,143, where adding a few days overflows and panics; no shop books a
/// renewal or a plan outside these.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// A calendar day typed at the desk ("2026-03-14"), checked to lie within
/// [`YEARS`]. `field` names the input the message goes next to.
pub fn parse_day(field: &'static str, text: &str) -> crate::kernel::error::Result<NaiveDate> {
    let out_of_range = NaiveDate::from_ymd_opt(YEARS.end() + 1, 1, 1).unwrap_or(NaiveDate::MAX);
    check_day(field, NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").unwrap_or(out_of_range))
}

/// `day` if it lies within [`YEARS`], else the message for `field`: for a
/// date that reached Rust already parsed.
pub fn check_day(field: &'static str, day: NaiveDate) -> crate::kernel::error::Result<NaiveDate> {
    use chrono::Datelike;
    if YEARS.contains(&day.year()) {
        return Ok(day);
    }
    Err(crate::kernel::error::Error::invalid(
        field,
        format!("Give a date like 2026-03-14, between the years {} and {}.", YEARS.start(), YEARS.end()),
    ))
}

/// A stored day (a renewal, a due date) as a date within [`YEARS`], or
/// `None`: a day from an older file or a hand-edited database that is out
/// of range is skipped by whoever reads it, never a panic.
pub fn stored_day(text: &str) -> Option<NaiveDate> {
    use chrono::Datelike;
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|day| YEARS.contains(&day.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_outside_the_years_is_refused_with_the_field() {
        for text in ["+262143-12-31", "-262144-01-01", "1899-12-31", "2201-01-01", "14/03/2026", "", "２０２６-03-14"]
        {
            let error = parse_day("renews_on", text).unwrap_err();
            assert!(
                matches!(error, crate::kernel::error::Error::Invalid { field: "renews_on", .. }),
                "{text}: {error:?}"
            );
        }
        assert_eq!(parse_day("d", " 2026-03-14 ").unwrap(), NaiveDate::from_ymd_opt(2026, 3, 14).unwrap());
        assert_eq!(parse_day("d", "1900-01-01").unwrap(), NaiveDate::from_ymd_opt(1900, 1, 1).unwrap());
        assert_eq!(parse_day("d", "2200-12-31").unwrap(), NaiveDate::from_ymd_opt(2200, 12, 31).unwrap());
        assert_eq!(stored_day("-262143-01-01"), None);
    }
}
