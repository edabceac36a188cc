//! Use cases: each public function that changes data is one transaction
//! that writes through the records and settles the derived figures.

pub mod card_view;
pub mod cards;
pub mod complaints;
pub mod dashboard;
pub mod desk;
pub mod feedback;
pub mod groups;
pub mod memberships;
pub mod newsletter;
pub mod outreach;
pub mod owner;
pub mod pets;
pub mod reminder_sources;
pub mod sync;
pub mod templates;
