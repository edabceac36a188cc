//! The storage layer: opening the SQLite file and its migrations, settings rows, and the search index that every card writer keeps in step.

pub mod store;
pub mod settings;
pub mod search;
