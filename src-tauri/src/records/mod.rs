//! One writer per table: each module is the only one that inserts, updates
//! or deletes the rows of its tables (the one exception, erase, is in
//! `features::cards`). A records module never calls `derived` or above.

pub mod audit;
pub mod complaints;
pub mod consent;
pub mod customers;
pub mod devices;
pub mod feedback;
pub mod interactions;
pub mod loyalty;
pub mod mailings;
pub mod memberships;
pub mod onboarding;
pub mod passes;
pub mod pets;
pub mod photos;
pub mod referrals;
pub mod reminders;
