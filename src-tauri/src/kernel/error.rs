//! The crate's one error type. Every fallible function returns `Result<T>`;
//! the UI receives `{ kind, field, message }` and shows the message next to
//! the field it names.

use serde::ser::SerializeStruct;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A record the caller named does not exist (any more).
    #[error("{0} was not found. It may have been deleted.")]
    NotFound(&'static str),

    /// User input that breaks a rule; `field` is the input's name in the UI.
    #[error("{reason}")]
    Invalid { field: &'static str, reason: String },

    /// The request is valid but clashes with what is stored.
    #[error("{0}")]
    Conflict(String),

    /// The database file was written by a newer Regulars; it is left untouched.
    #[error(
        "This data was saved by a newer version of Regulars (data version {found}, this app \
         understands up to {known}). Nothing was changed. Please install the newer version."
    )]
    NewerSchema { found: i64, known: i64 },

    #[error("The database could not be read or written: {0}")]
    Storage(#[from] rusqlite::Error),

    #[error("A file could not be read or written: {0}")]
    Io(#[from] std::io::Error),

    /// Owner-only work asked for while the app is in desk mode (whatever
    /// the page sent: `app::owner` checks it before the command runs).
    #[error("Only the owner can do this. Unlock owner mode with the owner PIN first.")]
    OwnerOnly,

    /// The key (from the keychain, a passphrase or a recovery key) does
    /// not open the shop file; nothing was read or written.
    #[error("This key does not open the shop's data. Check the passphrase or recovery key and try again; nothing was changed.")]
    WrongKey,

    /// A bug: a command panicked (see `app::ipc`). A change it was making
    /// rolled back with its transaction.
    #[error("Something went wrong; nothing was changed.")]
    Panicked,

    /// The shop's sync server (NATS JetStream, `io::nats_link`) could not be
    /// reached, refused this device, or refused a request: a whole sentence
    /// for the status line, naming at most the server's address, never a
    /// customer's data (the server's own words go to the log).
    #[error("{0}")]
    Sync(String),

    /// An update that was not found, fetched, verified or installed
    /// (`io::updates`): a whole sentence for the line beside the button,
    /// which says the running version stays as it is.
    #[error("{0}")]
    Update(String),
    /// The shop's mail server (`io::mailer`) could not be reached or
    /// refused the account: a whole sentence for the send screen. It may
    /// quote the server's words, so only its kind is logged.
    #[error("{0}")]
    Mail(String),
}

impl Error {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid { field, reason: reason.into() }
    }

    /// A short machine-readable kind the UI can branch on.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "not_found",
            Error::Invalid { .. } => "invalid",
            Error::Conflict(_) => "conflict",
            Error::NewerSchema { .. } => "newer_schema",
            Error::Storage(_) => "storage",
            Error::Io(_) => "io",
            Error::OwnerOnly => "owner_only",
            Error::WrongKey => "wrong_key",
            Error::Panicked => "internal",
            Error::Sync(_) => "sync",
            Error::Update(_) => "update",
            Error::Mail(_) => "mail",
        }
    }
}

impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Error", 3)?;
        s.serialize_field("kind", self.kind())?;
        let field = match self {
            Error::Invalid { field, .. } => Some(*field),
            _ => None,
        };
        s.serialize_field("field", &field)?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}
