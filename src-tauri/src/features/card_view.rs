//! A customer's card as the window shows it, read in one go: the card, its
//! visits and loyalty, health, membership, plan, complaints, feedback,
//! review requests and referrals. Opening a card is one call and one read
//! transaction, so every panel shows the same moment and paints at once.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::db::settings::{self, StaffMember};
use crate::derived::health::{self, Health};
use crate::features::outreach::{self, ReviewStatus};
use crate::features::reminder_sources;
use crate::kernel::error::Result;
use crate::records::complaints::{self, Complaint};
use crate::records::consent::{self, Consent};
use crate::records::customers::{self, Card};
use crate::records::feedback::{self, Answer};
use crate::records::interactions::{self, Activity};
use crate::records::mailings::{self, SentLine};
use crate::records::memberships::{self, Membership};
use crate::records::onboarding::{self, Plan};
use crate::records::passes::{self, PassType, PassView};
use crate::records::pets::{self, PetRecord};
use crate::records::photos::{self, PhotoRef};
use crate::records::referrals::{self, ForCustomer};
use crate::records::reminders::{self, Reminder};

/// How many feedback answers the card lists.
const FEEDBACK_SHOWN: usize = 10;

#[derive(Debug, Clone, Serialize, TS)]
pub struct CardView {
    pub card: Card,
    pub activity: Activity,
    pub health: Health,
    pub membership: Option<Membership>,
    pub plan: Option<Plan>,
    pub complaints: Vec<Complaint>,
    pub feedback: Vec<Answer>,
    pub review: ReviewStatus,
    pub referrals: ForCustomer,
    /// Who can own a complaint (the shop's staff).
    pub staff: Vec<StaffMember>,
    /// Their open reminder due first, for the card's "next" line at the top.
    pub next_reminder: Option<Reminder>,
    /// The customer's photo and their people's and pets' (the window asks
    /// for each picture by its id).
    pub photos: Vec<PhotoRef>,
    /// Passes: usable first (the one a check-in uses first), then ended.
    pub passes: Vec<PassView>,
    /// What the desk can sell (from the settings).
    pub pass_types: Vec<PassType>,
    /// The pets on the card, with their records and vaccinations.
    pub pets: Vec<PetRecord>,
    /// Whether they agreed to news by email, when and how, or asked to stop.
    pub consent: Consent,
    /// The group messages they were sent, newest first.
    pub newsletters: Vec<SentLine>,
}

/// What a change on the card answers when it has more to say than the card
/// itself (a logged visit's points, a feedback answer's follow-up): the
/// sentence, made in Rust, and the card as it is now, so the window still
/// repaints once from one call.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CardChange {
    /// "Visit logged: +10 points.", "Saved: Promoter."
    pub said: String,
    pub view: CardView,
}

/// Reads the whole card view inside one read transaction (one snapshot).
/// `today` is the shop's local date; `tz` its time zone.
pub fn load<Tz: TimeZone>(
    conn: &Connection,
    customer_id: &str,
    now: DateTime<Utc>,
    today: NaiveDate,
    tz: &Tz,
) -> Result<CardView> {
    let snapshot = conn.unchecked_transaction()?;
    let conn: &Connection = &snapshot;
    Ok(CardView {
        card: customers::get(conn, customer_id)?,
        activity: interactions::activity(conn, customer_id, today)?,
        health: health::assess(conn, customer_id, now, tz)?,
        membership: memberships::current(conn, customer_id)?,
        plan: onboarding::for_customer(conn, customer_id, today)?,
        complaints: complaints::for_customer(conn, customer_id)?,
        feedback: feedback::for_customer(conn, customer_id, FEEDBACK_SHOWN)?,
        review: outreach::status(conn, customer_id, now)?,
        referrals: referrals::for_customer(conn, customer_id)?,
        staff: settings::load(conn)?.staff,
        next_reminder: reminders::next_for(conn, customer_id, now)?.map(|mut reminder| {
            reminder.label = reminder_sources::label_of(&reminder.source).to_string();
            reminder
        }),
        photos: photos::for_customer(conn, customer_id)?,
        passes: passes::for_customer(conn, customer_id, today)?,
        pass_types: passes::load_types(conn)?,
        pets: pets::for_customer(conn, customer_id, today)?,
        consent: consent::get(conn, customer_id)?,
        newsletters: mailings::history_for(conn, customer_id)?,
    })
}
