//! `regulars-photo://`: how the window gets the photos' pictures while its
//! CSP allows no `data:` or `blob:` images. The page names a photo by its
//! opaque id and a size, `regulars-photo://localhost/<id>/64` (WebKitGTK,
//! macOS) or `http://regulars-photo.localhost/<id>/64` (Windows), both
//! made by `convertFileSrc` in `ui/api.js`; the CSP allows this scheme by
//! name. The URL never holds a path or a name: only a photo id, which
//! changes when the photo is replaced, so an old picture is never shown.
//! Unknown ids, other sizes and anything else answer 404.
//!
//! Nothing is cached on disk (`no-store`): an erased customer's photo must
//! not outlive them in a web cache. The search list keeps the pictures it
//! has shown in memory instead (`ui/photos.js`).
//!
//! It also makes the photos, one at a time (`one_at_a_time`): a picture
//! being decoded takes up to `picture::DECODE_BUDGET` of memory, so two
//! pastes at once must not take twice that.

use std::borrow::Cow;
use std::sync::{Mutex, TryLockError};

use tauri::http::{header, Method, Request, Response, StatusCode};

use crate::app::state::AppState;
use crate::io::logging;
use crate::kernel::error::{Error, Result};
use crate::kernel::picture::{self, Thumbnails};
use crate::records::photos::{self, Size};

/// The scheme's name, as registered in `window.rs` and named in the CSP.
pub const SCHEME: &str = "regulars-photo";

/// The answer to one request for a picture.
pub fn answer(state: &AppState, request: &Request<Vec<u8>>) -> Response<Cow<'static, [u8]>> {
    if request.method() != Method::GET {
        return status(StatusCode::METHOD_NOT_ALLOWED);
    }
    let Some((id, size)) = parse(request.uri().path()) else {
        return status(StatusCode::NOT_FOUND);
    };
    match state.read(|conn| photos::image(conn, &id, size)) {
        Ok(Some(bytes)) if picture::is_jpeg(&bytes) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "image/jpeg")
            .header(header::CACHE_CONTROL, "no-store")
            .header("X-Content-Type-Options", "nosniff")
            .body(Cow::Owned(bytes))
            .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR)),
        Ok(_) => status(StatusCode::NOT_FOUND),
        Err(error) => {
            tracing::warn!(photo = %id, error = %logging::error_line(&error), "a photo could not be read");
            status(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// Held while a photo is made (read, decoded and shrunk).
static MAKING: Mutex<()> = Mutex::new(());

/// Runs `make` (reading and shrinking one picture) when no other photo is
/// being made, else answers at once that one is: the second picture's
/// bytes are dropped rather than kept waiting beside the first's decoding.
pub fn one_at_a_time(make: impl FnOnce() -> Result<Thumbnails>) -> Result<Thumbnails> {
    let _turn = match MAKING.try_lock() {
        Ok(turn) => turn,
        // A decoder panic is caught inside `picture`; a poisoned lock still
        // guards nothing but the turn.
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(TryLockError::WouldBlock) => {
            tracing::info!("a photo was refused while another was being made");
            return Err(Error::Conflict("A photo is being saved; try again in a moment.".into()));
        }
    };
    make()
}

/// The photo id and size from the URL's path: "/<id>/<pixels>", the
/// slash percent-encoded or not (`convertFileSrc` encodes it). An id is a
/// UUID (hex digits and dashes); anything else is no photo.
pub fn parse(path: &str) -> Option<(String, Size)> {
    let decoded = percent_encoding::percent_decode_str(path.trim_start_matches('/')).decode_utf8().ok()?;
    let (id, pixels) = decoded.split_once('/')?;
    let id_like = id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if !id_like {
        return None;
    }
    Some((id.to_ascii_lowercase(), Size::from_pixels(pixels)?))
}

fn status(code: StatusCode) -> Response<Cow<'static, [u8]>> {
    let mut response = Response::new(Cow::Borrowed(&[][..]));
    *response.status_mut() = code;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_photo_is_made_at_a_time() {
        let (started, wait) = std::sync::mpsc::channel();
        let (finish, finished) = std::sync::mpsc::channel::<()>();
        let first = std::thread::spawn(move || {
            one_at_a_time(|| {
                started.send(()).unwrap();
                finished.recv().unwrap();
                Err(Error::Conflict("the first".into()))
            })
        });
        wait.recv().unwrap();
        let second = one_at_a_time(|| panic!("made while the first was being made"));
        assert!(
            matches!(&second, Err(Error::Conflict(message)) if message.contains("try again in a moment")),
            "{second:?}"
        );
        finish.send(()).unwrap();
        assert!(first.join().unwrap().is_err());
        // Its turn over, the next one runs.
        assert!(
            matches!(one_at_a_time(|| Err(Error::Conflict("ran".into()))), Err(Error::Conflict(message)) if message == "ran")
        );
    }

    #[test]
    fn only_an_id_and_a_known_size_name_a_picture() {
        let id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        assert_eq!(parse(&format!("/{id}/64")), Some((id.to_string(), Size::Small)));
        assert_eq!(parse(&format!("/{id}%2F256")), Some((id.to_string(), Size::Large)));
        for bad in [
            format!("/{id}/128"),
            format!("/{id}"),
            "/../regulars.sqlite3/64".to_string(),
            "/%2Fetc%2Fpasswd/64".to_string(),
            format!("/{id}x/64"),
            "/%FF%FE/64".to_string(),
            String::new(),
        ] {
            assert_eq!(parse(&bad), None, "{bad}");
        }
    }
}
