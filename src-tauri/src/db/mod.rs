//! The storage layer: opening the SQLite file and its migrations, settings rows, and the search index that every card writer keeps in step.

pub mod search;
pub mod settings;
pub mod store;
