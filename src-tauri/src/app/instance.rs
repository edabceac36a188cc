//! One running app per data folder. Two copies on one folder would both
//! make and prune backups and race each other's reminders, so the first
//! start takes a lock on `<data>/regulars.lock` (an OS file lock: it is let
//! go when the process ends, however it ends, so no stale lock survives a
//! crash). A second start finds the lock taken, asks the first copy to
//! bring its window forward and exits.
//!
//! The request travels over a Unix socket in the data folder (only its
//! owner can reach it: the folder is private). On other systems the second
//! start only exits, with the same message.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = "regulars.lock";
pub const SOCKET_FILE: &str = "regulars.sock";
/// What a second start sends; anything else on the socket is ignored.
const RAISE: &[u8] = b"raise\n";

/// The lock of the copy that owns the data folder, held until it exits.
pub struct Owner {
    _lock: File,
    data_dir: PathBuf,
}

pub enum Claim {
    /// This start owns the folder.
    First(Owner),
    /// Another copy owns it; it was asked to show its window (`raised`).
    Second { raised: bool },
}

/// Takes the data folder for this start, or tells the copy that has it.
pub fn claim(data_dir: &Path) -> Result<Claim, String> {
    let path = data_dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open the lock file in the data folder: {e}"))?;
    // A copy that is closing still holds the lock for a moment but no
    // longer answers: wait for it (a restart right after closing) rather
    // than end this start for a window that is going away.
    let deadline = std::time::Instant::now() + CLOSING_GRACE;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Claim::First(Owner { _lock: file, data_dir: data_dir.to_path_buf() })),
            Err(TryLockError::WouldBlock) => {
                if ask_to_raise(data_dir) {
                    return Ok(Claim::Second { raised: true });
                }
                if std::time::Instant::now() >= deadline {
                    return Ok(Claim::Second { raised: false });
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(TryLockError::Error(e)) => return Err(format!("cannot lock the data folder: {e}")),
        }
    }
}

/// How long a start waits for a copy that holds the lock but does not
/// answer (closing, or still starting up) before giving up.
const CLOSING_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

impl Owner {
    /// Listens for second starts and calls `raise` for each, on a thread of
    /// its own. Without a socket (a path too long for one, another system)
    /// the lock still keeps a second copy out; it just cannot raise us.
    pub fn listen(&self, raise: impl Fn() + Send + 'static) {
        #[cfg(unix)]
        {
            use std::io::Read;
            let socket = self.data_dir.join(SOCKET_FILE);
            // We hold the lock, so a socket file left here is from a copy
            // that has ended.
            let _ = std::fs::remove_file(&socket);
            let listener = match std::os::unix::net::UnixListener::bind(&socket) {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::warn!(%error, "no socket for second starts: they will exit without raising this window");
                    return;
                }
            };
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let mut said = [0u8; 16];
                    let mut stream = stream;
                    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(1)));
                    let read = stream.read(&mut said).unwrap_or(0);
                    if &said[..read] == RAISE {
                        tracing::info!("a second start on this data folder: the window is brought forward");
                        raise();
                    }
                }
            });
        }
        #[cfg(not(unix))]
        let _ = raise;
    }
}

#[cfg(unix)]
fn ask_to_raise(data_dir: &Path) -> bool {
    use std::io::Write;
    std::os::unix::net::UnixStream::connect(data_dir.join(SOCKET_FILE))
        .and_then(|mut stream| stream.write_all(RAISE))
        .is_ok()
}

#[cfg(not(unix))]
fn ask_to_raise(_data_dir: &Path) -> bool {
    false
}
