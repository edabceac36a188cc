//! No SQL and no I/O: the error type, text folding, time, dates as people write them, money, birthdays, ids, photos' thumbnails and the vCard/iCalendar line format.

pub mod birthday;
pub mod content_lines;
pub mod dates;
pub mod error;
pub mod hlc;
pub mod ids;
pub mod json;
pub mod labels;
pub mod money;
pub mod picture;
pub mod pin;
pub mod qr;
pub mod rhythm;
pub mod sealed;
pub mod secret;
pub mod text;
pub mod time;
