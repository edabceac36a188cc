//! Files the owner points at, opened once and used by their handle.
//!
//! A chosen file sits in a place others can write to (a shared or synced
//! folder, a USB stick), so its name may change between a check and a
//! use: a link planted beside the target, a file swapped for `/dev/zero`.
//! So nothing here checks a path and then opens it again:
//!
//! - A temporary file beside a target is created new (`create_new`, and
//!   `O_NOFOLLOW` on Unix): a link already there is removed (the link, not
//!   what it points at) and never written through.
//! - A file that is read is opened once; what its open handle says (a
//!   regular file, its size) decides, and the read stops one byte past the
//!   limit, so a file that grows or becomes a device after the check
//!   cannot fill the memory.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use crate::kernel::error::{Error, Result};

/// The name of the temporary file beside `path`: `.<name>.partial`.
pub fn temp_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// Creates `path` as a new, empty file to write, never through a link.
///
/// A regular file or a link already at `path` is left from an earlier try
/// or planted there: it is removed (a link itself, never what it points
/// at) and the file is created once more. Anything else in the way (a
/// folder, a pipe, a device) is refused and left alone.
pub fn create_new(path: &Path) -> Result<File> {
    match open_new(path) {
        Ok(file) => return Ok(file),
        Err(error) if error.kind() == ErrorKind::AlreadyExists => {}
        Err(error) => return Err(error.into()),
    }
    let in_the_way = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        // Gone again already: the second try below says what is there now.
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(open_new(path)?),
        Err(error) => return Err(error.into()),
    };
    if !(in_the_way.file_type().is_file() || in_the_way.file_type().is_symlink()) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        return Err(Error::Conflict(format!(
            "Something that is not a file ({name}) is in the way beside the chosen file. Move it away and try again."
        )));
    }
    std::fs::remove_file(path)?;
    // A second planted entry between the removal and this is refused, not followed.
    open_new(path).map_err(|error| match error.kind() {
        ErrorKind::AlreadyExists => Error::Conflict("Something keeps putting a file where this one is written, beside the chosen file; nothing was written. Try again, or choose another folder.".into()),
        _ => error.into(),
    })
}

fn open_new(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // `create_new` (O_EXCL) already fails on a link; O_NOFOLLOW says
        // so again for any system where it would not.
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// Writes `path` through a new temporary file beside it, synced and then
/// renamed over it, so a failed write never leaves half a file under the
/// chosen name and a link at either name is never written through (a
/// rename replaces a link at `path`, it does not follow it).
pub fn write_atomically<T>(path: &Path, write: impl FnOnce(&mut File) -> Result<T>) -> Result<T> {
    let temp = temp_beside(path);
    let mut file = create_new(&temp)?;
    let outcome = (|| {
        let result = write(&mut file)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        Ok(result)
    })();
    if outcome.is_err() {
        // Only the file made above: it is ours to remove.
        let _ = std::fs::remove_file(&temp);
    }
    outcome
}

/// `bytes` written to `path` as `write_atomically` does.
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically(path, |file| Ok(file.write_all(bytes)?))
}

/// The answer for a chosen path that is not a regular file to read.
pub fn not_regular() -> Error {
    Error::invalid("file", "That is not a regular file (it is a folder, a device or a pipe). Choose a file.")
}

/// Opens `path` to read and checks its open handle: a regular file.
/// On Unix it is opened without waiting (`O_NONBLOCK`), so a pipe put in
/// its place is refused at once instead of waiting for a writer.
fn open_regular(path: &Path) -> Result<(File, u64)> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(|e| Error::invalid("file", format!("That file cannot be read: {e}")))?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    Ok((file, meta.len()))
}

/// The bytes of the regular file at `path`, at most `limit` of them;
/// `too_big` says why a bigger one is refused (given its size in bytes).
/// The size the open handle reports is checked before anything is read,
/// and the read stops one byte past `limit` whatever the file does since.
pub fn read_limited(path: &Path, limit: u64, too_big: impl Fn(u64) -> Error) -> Result<Vec<u8>> {
    let (file, size) = open_regular(path)?;
    if size > limit {
        return Err(too_big(size));
    }
    // What the handle said, plus the one byte that shows a file has grown.
    let mut bytes = Vec::with_capacity(usize::try_from(size + 1).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::invalid("file", format!("That file cannot be read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Whether the regular file at `path` holds exactly `bytes` (a file that
/// is not there, not a regular file or of another size does not); reads
/// no more than `bytes.len()` and one byte.
pub fn holds(path: &Path, bytes: &[u8]) -> bool {
    match open_regular(path) {
        Ok((file, size)) if size == bytes.len() as u64 => {
            let mut there = Vec::with_capacity(bytes.len());
            file.take(bytes.len() as u64 + 1).read_to_end(&mut there).is_ok() && there == bytes
        }
        _ => false,
    }
}

// Links, pipes and devices are made the Unix way.
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_link_at_the_temporary_name_is_replaced_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live.sqlite3");
        std::fs::write(&live, b"live bytes").unwrap();
        let target = dir.path().join("export.csv");
        std::os::unix::fs::symlink(&live, temp_beside(&target)).unwrap();
        write_bytes_atomically(&target, b"Name\nAda\n").unwrap();
        assert_eq!(std::fs::read(&live).unwrap(), b"live bytes");
        assert_eq!(std::fs::read(&target).unwrap(), b"Name\nAda\n");
        assert!(std::fs::symlink_metadata(temp_beside(&target)).is_err(), "nothing is left beside it");
        // A stale temporary file is replaced too; a folder in the way is not.
        std::fs::write(temp_beside(&target), b"stale").unwrap();
        write_bytes_atomically(&target, b"again").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"again");
        std::fs::create_dir(temp_beside(&target)).unwrap();
        assert!(matches!(write_bytes_atomically(&target, b"no"), Err(Error::Conflict(_))));
        assert!(temp_beside(&target).is_dir(), "left alone");
        assert_eq!(std::fs::read(&target).unwrap(), b"again");
    }

    #[test]
    fn a_failed_write_leaves_the_target_as_it_was_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("plan.pdf");
        std::fs::write(&target, b"old").unwrap();
        let failed = write_atomically(&target, |file| -> Result<()> {
            file.write_all(b"half")?;
            Err(Error::Conflict("stopped".into()))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert!(!temp_beside(&target).exists());
    }

    #[test]
    fn reads_stop_at_the_limit_and_take_only_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let too_big = |size: u64| Error::invalid("file", format!("{size} is too big"));
        let fifo = dir.path().join("pipe.csv");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let link = dir.path().join("zero.csv");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        for path in [Path::new("/dev/zero"), &link, &fifo, dir.path()] {
            let refused = read_limited(path, 1024, too_big).unwrap_err().to_string();
            assert!(refused.contains("not a regular file"), "{}: {refused}", path.display());
        }
        let file = dir.path().join("list.csv");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_limited(&file, 10, too_big).unwrap(), b"0123456789");
        assert!(read_limited(&file, 9, too_big).unwrap_err().to_string().contains("10 is too big"));
        assert!(holds(&file, b"0123456789"));
        assert!(!holds(&file, b"012345678"));
        assert!(!holds(&link, b""), "a device never holds anything");
        assert!(!holds(&dir.path().join("missing"), b""));
    }
}
