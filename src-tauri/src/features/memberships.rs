//! A membership set, renewed or ended (`records::memberships`) and the
//! customer's health, where a renewal coming up is a signal, in one
//! transaction.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::db::store;
use crate::derived::health;
use crate::kernel::error::{Error, Result};
use crate::records::memberships::{self, Membership, MembershipInput};

/// Sets (or replaces) the customer's membership. A replaced one ends now,
/// and its pending renewal reminder is closed.
pub fn set(
    conn: &mut Connection,
    customer_id: &str,
    input: &MembershipInput,
    now: DateTime<Utc>,
) -> Result<Membership> {
    change(conn, customer_id, |tx| memberships::set_in(tx, customer_id, input, now))?;
    memberships::current(conn, customer_id)?.ok_or(Error::NotFound("The membership"))
}

/// The customer renewed: the date moves on by one term.
pub fn renew(conn: &mut Connection, customer_id: &str, now: DateTime<Utc>) -> Result<Membership> {
    change(conn, customer_id, |tx| memberships::renew_in(tx, customer_id, now))?;
    memberships::current(conn, customer_id)?.ok_or(Error::NotFound("The membership"))
}

pub fn end(conn: &mut Connection, customer_id: &str, now: DateTime<Utc>) -> Result<()> {
    change(conn, customer_id, |tx| memberships::end_in(tx, customer_id, now))
}

fn change(conn: &mut Connection, customer_id: &str, write: impl FnOnce(&Connection) -> Result<()>) -> Result<()> {
    store::write(conn, |tx| {
        write(tx)?;
        health::refresh(tx, customer_id)
    })
}
