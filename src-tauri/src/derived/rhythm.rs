//! Visit rhythm: each customer's usual gap between visits (the median of
//! their recent gaps) and when they count as gone quiet, kept on the card
//! (`quiet_after`) so finding who went quiet is one index range; and the
//! habits the front-desk search weighs them by (weekdays, time of day).

use chrono::{DateTime, Duration, Utc};

use crate::kernel::rhythm::{habits, usual_gap_days};
use rusqlite::Connection;

use crate::kernel::error::Result;
use crate::kernel::time::timestamp;
use crate::records::customers;
use crate::records::reminders::Rules;

/// Recomputes one customer's rhythm from their visits that still stand:
/// the median gap of their last visits, and when they count as gone quiet.
pub fn refresh_rhythm(conn: &Connection, customer_id: &str, rules: &Rules) -> Result<()> {
    let visits: Vec<String> = conn
        .prepare_cached(
            "SELECT happened_at FROM interactions
             WHERE customer_id = ?1 AND kind = 'visit' AND undone_at IS NULL
             ORDER BY happened_at DESC LIMIT 13",
        )?
        .query_map([customer_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let times: Vec<DateTime<Utc>> =
        visits.iter().filter_map(|t| DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc))).collect();
    let (last, gap, quiet_after) = match times.first() {
        None => (None, None, None),
        Some(last) => {
            let gap = usual_gap_days(&times, rules.quiet_min_visits);
            let threshold = match gap {
                Some(gap) => (gap * rules.quiet_multiplier).max(rules.quiet_min_days as f64),
                None => rules.quiet_new_customer_days as f64,
            };
            let after = *last + Duration::seconds((threshold * 86_400.0) as i64);
            (Some(timestamp(*last)), gap, Some(timestamp(after)))
        }
    };
    customers::set_rhythm(conn, customer_id, last.as_deref(), gap, quiet_after.as_deref(), habits(&times))
}

pub fn refresh_all_rhythms(conn: &Connection, rules: &Rules) -> Result<()> {
    let ids: Vec<String> = conn
        .prepare("SELECT DISTINCT customer_id FROM interactions")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        refresh_rhythm(conn, &id, rules)?;
    }
    Ok(())
}
