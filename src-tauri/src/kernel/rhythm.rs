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
    let mut gaps: Vec<f64> =
        newest_first.windows(2).map(|pair| (pair[0] - pair[1]).num_seconds() as f64 / 86_400.0).collect();
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
            if gap == 1 {
                format!("{since}, usually every day")
            } else {
                format!("{since}, usually every {gap}")
            }
        }
        None => format!("{since} (new customer)"),
    }
}

/// A customer's habits at the desk, worked out from their last visits
/// and kept on the card beside the usual gap: the time of day they come
/// (when they keep to one) and the weekdays they come on. In UTC, as the
/// visits are stored; `now` is compared in UTC too, so the two agree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Habits {
    /// Minutes after midnight, when at least three visits keep within
    /// about an hour and a half of it.
    pub usual_minute: Option<i64>,
    /// Bit `d` (Monday = 0) set for a weekday that holds at least a fifth
    /// of the visits (and two of them).
    pub usual_weekdays: i64,
}

/// How close visits must keep to their middle time of day to count as a habit.
const TIME_HABIT_SPREAD_MINUTES: i64 = 90;

pub fn habits(newest_first: &[DateTime<Utc>]) -> Habits {
    use chrono::{Datelike, Timelike};
    if newest_first.len() < 3 {
        return Habits::default();
    }
    let mut minutes: Vec<i64> = newest_first.iter().map(|t| i64::from(t.hour() * 60 + t.minute())).collect();
    minutes.sort_unstable();
    let middle = minutes[minutes.len() / 2];
    let mut spread: Vec<i64> = minutes.iter().map(|m| (m - middle).abs()).collect();
    spread.sort_unstable();
    let usual_minute = (spread[spread.len() / 2] <= TIME_HABIT_SPREAD_MINUTES / 2
        && spread[spread.len() * 3 / 4] <= TIME_HABIT_SPREAD_MINUTES)
        .then_some(middle);
    let mut per_weekday = [0usize; 7];
    for t in newest_first {
        per_weekday[t.weekday().num_days_from_monday() as usize] += 1;
    }
    let usual_weekdays = (0..7)
        .filter(|&d| per_weekday[d] >= 2 && per_weekday[d] * 5 >= newest_first.len())
        .fold(0i64, |bits, d| bits | (1 << d));
    Habits { usual_minute, usual_weekdays }
}

/// How likely a customer is to be standing at the desk at `now`, from
/// their last visit, usual gap and habits: the search puts the likeliest
/// first among customers matching equally well.
///
/// - Expected today, at 1 and above, before everyone who is not:
///   - by weekday, for someone who comes weekly or more often, mostly on
///     a few weekdays: today is one of them (the chance is their visits a
///     week shared over those days);
///   - every few days on no weekday in particular: a whole number of
///     usual gaps since the last visit, give or take half a day;
///   - a week or more apart: due, from a day a week before the usual gap
///     until four gaps have passed (the chance is one over that window,
///     raised on their weekday if they keep to one, lowered on others).
///
///   The chance is then weighed by the time of day, as a share of the day
///   it falls in: near their usual time in full, hours away a twentieth,
///   and a fifth for someone who comes at any time.
/// - Otherwise frecency: visits per day (1 / usual gap), fading once the
///   last visit is several gaps old. Below 1 for everyone.
/// - Here already today (within half a day), never visited, or not
///   parseable: frecency only, or 0.
pub fn desk_likelihood(
    last_visit: Option<&str>,
    usual_gap_days: Option<f64>,
    habits: Habits,
    now: DateTime<Utc>,
) -> f64 {
    use chrono::{Datelike, Timelike};
    let Some(last) = last_visit.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
        return 0.0;
    };
    let since = (now - last.with_timezone(&Utc)).num_minutes() as f64 / 1_440.0;
    // One visit or a few: no rhythm yet, so treat it like a monthly one.
    let gap = usual_gap_days.filter(|gap| gap.is_finite()).unwrap_or(30.0).max(1.0);
    let frecency = ((1.0 / gap) * (-since.max(0.0) / (3.0 * gap).max(14.0)).exp()).min(0.999);
    if since < 0.5 {
        return frecency;
    }
    let today = 1i64 << now.weekday().num_days_from_monday();
    let weekdays = habits.usual_weekdays.count_ones() as f64;
    let weekday_known = habits.usual_weekdays != 0;
    let on_their_weekday = habits.usual_weekdays & today != 0;
    let chance = if gap <= 8.5 && weekday_known {
        // Three times a week does not fit a single gap; their weekdays do.
        on_their_weekday.then(|| ((7.0 / gap) / weekdays).min(1.0))
    } else if gap < 7.0 {
        // Every few days, on no weekday in particular: a whole number of gaps.
        let gaps_since = (since / gap).round();
        ((1.0..=4.0).contains(&gaps_since) && (since - gaps_since * gap).abs() <= 0.5).then_some(0.5)
    } else {
        // Due from a little before their usual gap until four gaps have
        // passed; on their weekday if they keep to one.
        let tolerance = gap / 7.0;
        (since >= gap - tolerance && since <= 4.0 * gap).then(|| {
            let any_day = 1.0 / (1.0 + 2.0 * tolerance);
            match (weekday_known, on_their_weekday) {
                (false, _) => any_day,
                (true, true) => (any_day * 7.0 / weekdays).min(1.0),
                (true, false) => any_day / 5.0,
            }
        })
    };
    let Some(chance) = chance else {
        return frecency;
    };
    let at_that_time = match habits.usual_minute {
        Some(usual) => {
            let minute = i64::from(now.hour() * 60 + now.minute());
            let apart = (minute - usual).abs().min(1_440 - (minute - usual).abs()) as f64;
            0.05 + 0.95 * (-0.5 * (apart / 60.0).powi(2)).exp()
        }
        // Any time of the day: about their hour's share of a shop's day.
        None => 0.2,
    };
    1.0 + chance * at_that_time + frecency / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    const NONE: Habits = Habits { usual_minute: None, usual_weekdays: 0 };

    #[test]
    fn a_weekly_regular_is_expected_on_their_day_and_not_the_day_after_a_visit() {
        let last = crate::kernel::time::timestamp(at(3, 10));
        assert!(desk_likelihood(Some(&last), Some(7.0), NONE, at(10, 9)) > 1.0);
        assert!(desk_likelihood(Some(&last), Some(7.0), NONE, at(17, 9)) > 1.0, "one week missed");
        assert!(desk_likelihood(Some(&last), Some(7.0), NONE, at(6, 9)) < 1.0);
        assert!(desk_likelihood(Some(&last), Some(7.0), NONE, at(3, 15)) < 1.0, "already here today");
    }

    /// Monday, Wednesday and Friday at about seven in the morning.
    #[test]
    fn habits_are_the_weekdays_and_the_time_of_day_kept_to() {
        // 2 March 2026 is a Monday.
        let visits: Vec<DateTime<Utc>> = [27, 25, 23, 20, 18, 16, 13, 11, 9]
            .iter()
            .map(|day| Utc.with_ymd_and_hms(2026, 3, *day, 7, (*day * 3) % 40, 0).unwrap())
            .collect();
        let habit = habits(&visits);
        assert_eq!(habit.usual_weekdays, 0b10101, "Monday, Wednesday, Friday");
        assert!(habit.usual_minute.is_some_and(|m| (420..460).contains(&m)), "{habit:?}");
        let anytime: Vec<DateTime<Utc>> =
            (0..9).map(|n| Utc.with_ymd_and_hms(2026, 3, 2 + n * 3, 8 + n, 0, 0).unwrap()).collect();
        assert_eq!(habits(&anytime).usual_minute, None);
        assert_eq!(habits(&visits[..2]), Habits::default(), "two visits are no habit");

        let last = crate::kernel::time::timestamp(visits[0]);
        // Monday 30 March: after a Friday, two gaps of two days do not fit; the weekday does.
        let monday_at_seven = Utc.with_ymd_and_hms(2026, 3, 30, 7, 10, 0).unwrap();
        let monday_at_five = Utc.with_ymd_and_hms(2026, 3, 30, 17, 0, 0).unwrap();
        let tuesday = Utc.with_ymd_and_hms(2026, 3, 31, 7, 10, 0).unwrap();
        let at_seven = desk_likelihood(Some(&last), Some(2.0), habit, monday_at_seven);
        let at_five = desk_likelihood(Some(&last), Some(2.0), habit, monday_at_five);
        assert!(at_seven > at_five && at_five > 1.0, "{at_seven} {at_five}");
        assert!(desk_likelihood(Some(&last), Some(2.0), habit, tuesday) < 1.0);
    }

    #[test]
    fn frequent_and_recent_beats_rare_and_old_and_never_beats_nothing() {
        let now = at(20, 9);
        let recent = crate::kernel::time::timestamp(at(18, 10));
        let old = crate::kernel::time::timestamp(at(1, 10));
        let often = desk_likelihood(Some(&recent), Some(5.0), NONE, now);
        let rarely = desk_likelihood(Some(&old), Some(90.0), NONE, now);
        assert!(often > rarely && rarely > 0.0);
        assert_eq!(desk_likelihood(None, None, NONE, now), 0.0);
        assert_eq!(desk_likelihood(Some("not a time"), Some(7.0), NONE, now), 0.0);
        assert!(desk_likelihood(Some(&recent), Some(f64::NAN), NONE, now).is_finite());
    }
}
