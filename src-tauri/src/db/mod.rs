//! The storage layer: opening the SQLite file and its migrations, settings rows, the search index that every card writer keeps in step, and what a shared shop sends and keeps.

pub mod search;
pub mod settings;
pub mod sharing;
pub mod store;
