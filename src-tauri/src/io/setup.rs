//! First start: the owner picks a sample shop to explore or an empty start.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::db::settings::{self, BusinessKind, Settings, StaffMember};
use crate::io::sample;
use crate::kernel::error::{Error, Result};

/// How many customers the sample shop has: enough to feel real, few enough
/// to read through.
pub const SAMPLE_SIZE: usize = 50;

/// Finishes the first-start setup: names the shop and, when asked, fills it
/// with the sample customers. Refused once the shop is set up, so a second
/// click can never add the sample twice.
pub fn start_shop(
    conn: &mut Connection,
    shop_name: &str,
    kind: BusinessKind,
    with_sample: bool,
    now: DateTime<Utc>,
) -> Result<Settings> {
    let current = settings::load(conn)?;
    if current.setup_done {
        return Err(Error::Conflict("This shop is already set up.".into()));
    }
    let name = if shop_name.trim().is_empty() && with_sample { sample::shop_name(kind) } else { shop_name };
    let wanted = Settings {
        shop_name: name.to_string(),
        business_kind: kind,
        setup_done: true,
        staff: if with_sample { sample_staff() } else { current.staff.clone() },
        ..current
    };
    // The kind is saved first because the sample's visits earn points under
    // that kind's loyalty program; setup counts as done only once the whole
    // sample has landed, and a retry after a failure never adds it twice.
    settings::save(conn, &Settings { setup_done: false, ..wanted.clone() }, now)?;
    if with_sample && crate::records::customers::count(conn)? == 0 {
        sample::seed(conn, kind, SAMPLE_SIZE, 7, now)?;
        sample::seed_visits(conn, kind, SAMPLE_SIZE * 8, 7, now)?;
        sample::seed_feedback(conn, 7, now)?;
        sample::seed_complaint(conn, now)?;
    }
    let saved = settings::save(conn, &wanted, now)?;
    tracing::info!(?kind, with_sample, "shop set up");
    Ok(saved)
}

fn sample_staff() -> Vec<StaffMember> {
    ["Maria", "Dev", "Sam"].iter().map(|name| StaffMember { id: None, name: name.to_string() }).collect()
}

/// The `seed` command: a large shop for benchmarks, set up and ready, with
/// made-up photos on `photos` of the customers.
pub fn seed_shop(
    conn: &mut Connection,
    kind: BusinessKind,
    count: usize,
    visits: usize,
    photos: sample::Photos,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut current = settings::load(conn)?;
    if !current.setup_done {
        current.shop_name = sample::shop_name(kind).to_string();
        current.business_kind = kind;
        current.setup_done = true;
        current.staff = sample_staff();
        settings::save(conn, &current, now)?;
    }
    sample::seed(conn, kind, count, seed, now)?;
    sample::seed_visits(conn, kind, visits, seed, now)?;
    sample::seed_feedback(conn, seed, now)?;
    sample::seed_photos(conn, photos, seed, now)
}
