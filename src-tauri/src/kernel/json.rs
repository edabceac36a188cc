//! Values stored as JSON text (tags, discovery answers, an import's record
//! of a merged card, settings rows): one way to encode them, one error.

use serde::Serialize;

use crate::kernel::error::{Error, Result};

/// A value as JSON text. Our own types always encode; the error is for a
/// map with keys JSON cannot hold, and says so rather than panicking.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Conflict(format!("Could not encode a value: {e}")))
}
