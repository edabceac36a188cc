//! A real SMTP server on loopback for the group-message tests: Debian's
//! python3-aiosmtpd (`make test` installs it) running `smtp_server.py`,
//! with STARTTLS (a certificate made at test time by a CA of the test's
//! own, `nats::shop_certificates`) and AUTH with a password. What it
//! accepts lands in a folder, one file per message with its envelope
//! recipient on the first line, so a test counts what each recipient got.
//! The process is killed and waited for on drop, pass or fail. Shared like
//! `nats/` (by `#[path]`) with the end-to-end tests and the benchmarks.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const PASSWORD: &str = "app-password-for-tests";

/// How the server behaves.
#[derive(Default, Clone)]
pub struct Behaviour {
    /// Refused at RCPT with "550 5.1.1 No such mailbox here".
    pub refuse: Vec<String>,
    /// At this recipient's RCPT the server drops the connection (once).
    pub drop_at: Option<String>,
    /// A pause before each message is accepted, in milliseconds.
    pub delay_ms: u64,
}

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub folder: PathBuf,
    /// The CA that signed the server's certificate (PEM), to trust.
    pub ca_pem: Vec<u8>,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    pub fn start(behaviour: Behaviour) -> SmtpServer {
        let dir = tempfile::tempdir().expect("a temporary folder for the mail server");
        let (ca, cert, key) = crate::nats::shop_certificates(dir.path());
        let folder = dir.path().join("received");
        std::fs::create_dir(&folder).expect("the received folder");
        let port = crate::nats::free_port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/smtp_server.py");
        // Debian's python3-aiosmtpd is installed for the system Python.
        let mut child = Command::new("/usr/bin/python3")
            .env("PYTHONWARNINGS", "ignore")
            .arg(script)
            .args([port.to_string(), path(&cert), path(&key), path(&folder), PASSWORD.to_string()])
            .args([behaviour.refuse.join(","), behaviour.drop_at.unwrap_or_default(), behaviour.delay_ms.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP server (python3-aiosmtpd; `make test` installs it)");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("the server's output");
        BufReader::new(stdout).read_line(&mut line).expect("the server says it is ready");
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        let ca_pem = std::fs::read(ca).expect("read the CA");
        SmtpServer { child, port, folder, ca_pem, _dir: dir }
    }

    /// Every message received, by envelope recipient.
    pub fn received(&self) -> BTreeMap<String, Vec<String>> {
        let mut by_recipient: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for entry in std::fs::read_dir(&self.folder).expect("the received folder") {
            let path = entry.expect("an entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("eml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a received message");
            for line in text.lines().take_while(|l| l.starts_with("X-Test-Rcpt: ")) {
                by_recipient.entry(line["X-Test-Rcpt: ".len()..].to_string()).or_default().push(text.clone());
            }
        }
        by_recipient
    }

    pub fn count(&self) -> usize {
        self.received().values().map(Vec::len).sum()
    }
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
