//! Files in and out: CSV and vCard import and export, the calendar file, backups, PDFs, the sample shop, first-start setup and logs.

pub mod backup;
pub mod calendar;
pub mod erase;
pub mod export;
pub mod importer;
pub mod logging;
pub mod mail_account;
pub mod mailer;
pub mod nats_link;
pub mod plan_pdf;
pub mod safe_file;
pub mod sample;
pub mod setup;
pub mod sharing_setup;
pub mod syncer;
pub mod updates;
pub mod vault;
pub mod vcard;
