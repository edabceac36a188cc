//! Files in and out: CSV and vCard import and export, the calendar file, backups, PDFs, the sample shop, first-start setup and logs.

pub mod importer;
pub mod vcard;
pub mod calendar;
pub mod export;
pub mod backup;
pub mod plan_pdf;
pub mod sample;
pub mod setup;
pub mod logging;
pub mod safe_file;
pub mod erase;
pub mod vault;
