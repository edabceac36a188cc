//! The arithmetic of a visit rhythm: the usual gap between visits and the
//! sentence that says how far a customer is from it. No SQL (see
//! `derived::rhythm` for the figures kept on the card).

use chrono::{DateTime, Utc};

/// The median gap in days between visits (newest first), or `None` while
/// there are fewer than `min_visits` visits to judge a rhythm from.
pub fn usual_gap_days(newest_first: &[DateTime<Utc>], min_visits: i64) -> Option<f64> {
    if (newest_first.len() as i64) < min_visits.max(2) {
        return None;
    }
    let mut gaps: Vec<f64> = newest_first
        .windows(2)
        .map(|pair| (pair[0] - pair[1]).num_seconds() as f64 / 86_400.0)
        .collect();
    gaps.sort_by(|a, b| a.total_cmp(b));
    let middle = gaps.len() / 2;
    let median = if gaps.len().is_multiple_of(2) { (gaps[middle - 1] + gaps[middle]) / 2.0 } else { gaps[middle] };
    Some(median.max(1.0 / 24.0))
}

/// "No visit in 34 days, usually every 7", worked out at the time it is read.
pub fn quiet_detail(last_visit: Option<&str>, usual_gap_days: Option<f64>, now: DateTime<Utc>) -> String {
    let Some(last) = last_visit.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
        return "No visit yet".into();
    };
    let days = (now - last.with_timezone(&Utc)).num_days();
    let since = if days == 1 { "No visit in 1 day".to_string() } else { format!("No visit in {days} days") };
    match usual_gap_days {
        Some(gap) => {
            let gap = gap.round().max(1.0) as i64;
            if gap == 1 { format!("{since}, usually every day") } else { format!("{since}, usually every {gap}") }
        }
        None => format!("{since} (new customer)"),
    }
}

/// How likely a customer is to be standing at the desk at `now`, from
/// their last visit and usual gap: the search puts the likeliest first
/// among customers matching equally well.
///
/// - Expected now by their own rhythm (a whole number of usual gaps since
///   the last visit, give or take half a day for a gap under a week and a
///   day a week beyond that, up to three missed): 1 plus the frecency
///   below, so they come before everyone who is not.
/// - Otherwise frecency: visits per day (1 / usual gap), fading once the
///   last visit is several gaps old. Below 1 for everyone.
/// - Never visited, or not parseable: 0 (the name order decides).
pub fn desk_likelihood(last_visit: Option<&str>, usual_gap_days: Option<f64>, now: DateTime<Utc>) -> f64 {
    let Some(last) = last_visit.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
        return 0.0;
    };
    let since = (now - last.with_timezone(&Utc)).num_minutes() as f64 / 1_440.0;
    // One visit or a few: no rhythm yet, so treat it like a monthly one.
    let gap = usual_gap_days.filter(|gap| gap.is_finite()).unwrap_or(30.0).max(1.0);
    let frecency = (1.0 / gap) * (-since.max(0.0) / (3.0 * gap).max(14.0)).exp();
    // Someone who came in less than half a day ago is not back yet.
    let gaps_since = (since / gap).round();
    let tolerance = if gap < 7.0 { 0.5 } else { gap / 7.0 };
    let expected = since >= 0.5 && (1.0..=4.0).contains(&gaps_since) && (since - gaps_since * gap).abs() <= tolerance;
    if expected {
        1.0 + frecency
    } else {
        frecency.min(0.999)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn a_weekly_regular_is_expected_on_their_day_and_not_the_day_after_a_visit() {
        let last = crate::kernel::time::timestamp(at(3, 10));
        assert!(desk_likelihood(Some(&last), Some(7.0), at(10, 9)) > 1.0);
        assert!(desk_likelihood(Some(&last), Some(7.0), at(17, 9)) > 1.0, "one week missed");
        assert!(desk_likelihood(Some(&last), Some(7.0), at(6, 9)) < 1.0);
        assert!(desk_likelihood(Some(&last), Some(7.0), at(3, 15)) < 1.0, "already here today");
    }

    #[test]
    fn frequent_and_recent_beats_rare_and_old_and_never_beats_nothing() {
        let now = at(20, 9);
        let recent = crate::kernel::time::timestamp(at(18, 10));
        let old = crate::kernel::time::timestamp(at(1, 10));
        let often = desk_likelihood(Some(&recent), Some(5.0), now);
        let rarely = desk_likelihood(Some(&old), Some(90.0), now);
        assert!(often > rarely && rarely > 0.0);
        assert_eq!(desk_likelihood(None, None, now), 0.0);
        assert_eq!(desk_likelihood(Some("not a time"), Some(7.0), now), 0.0);
        assert!(desk_likelihood(Some(&recent), Some(f64::NAN), now).is_finite());
    }
}
