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
