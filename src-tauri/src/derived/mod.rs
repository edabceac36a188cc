//! Figures maintained from the records (health moments, visit rhythm,
//! monthly activity), settled in the transaction of the change that moves
//! them. They read any table; they write only their own tables and, for the
//! figures kept on the card, through `records::customers`.

pub mod activity;
pub mod health;
pub mod rhythm;
