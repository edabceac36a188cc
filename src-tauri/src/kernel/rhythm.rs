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
