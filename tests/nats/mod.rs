//! A real `nats-server` with JetStream for the tests of a shared shop: one
//! server on a free loopback port with its own store folder (optionally
//! with a user and password), or a three-server cluster. Each server can be
//! stopped and started again on the same port and store, as a shop's server
//! restarts; every process is killed and waited for on drop, pass or fail.
//! Shared like `desktop/` (by `#[path]`), so the end-to-end tests and the
//! benchmarks can start the same server.
#![allow(dead_code)]

use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to listen: the machine is shared with
/// compilers, so generously more than the half second it usually takes.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The `nats-server` binary: `NATS_SERVER` when set (to try another
/// version), else the one `make test` installs under `.ci/nats`, else one on
/// PATH or Debian's in /usr/sbin.
pub fn nats_server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("NATS_SERVER") {
        return PathBuf::from(path);
    }
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/nats/bin/nats-server");
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|dir| dir.join("nats-server")).collect::<Vec<_>>())
        .unwrap_or_default();
    std::iter::once(ours)
        .chain(on_path)
        .chain(std::iter::once(PathBuf::from("/usr/sbin/nats-server")))
        .find(|path| path.is_file())
        .expect("nats-server is not installed; run `make test`, which installs it")
}

/// A port nothing listens on now (the OS picks it; the listener is closed
/// before the server binds it, a window no other test uses).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("the port's address").port()
}

fn wait_for_port(port: u16, child: &mut Child, log: &Path) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            let said = std::fs::read_to_string(log).unwrap_or_default();
            panic!("nats-server exited ({status}) before listening on {port}:\n{said}");
        }
        assert!(start.elapsed() < START_TIMEOUT, "nats-server did not listen on {port} within {START_TIMEOUT:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A certificate authority of the shop's own and a certificate it signed for
/// 127.0.0.1, made in `dir` with the openssl command (`make test` installs
/// it): `(ca.pem, server.pem, server-key.pem)`.
pub fn shop_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let output = Command::new("openssl").args(args).current_dir(dir).output().expect("run openssl");
        assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run(&[
        &["req", "-x509"],
        &key[..],
        &["-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Regulars test shop CA"],
    ]
    .concat());
    run(&[&["req"], &key[..], &["-keyout", "server-key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]].concat());
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("write the certificate's extensions");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca-key.pem",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
    (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server-key.pem"))
}

/// A config accepting these users, as a shop's has one per device.
pub fn users_config(users: &[(&str, &str)]) -> String {
    let entries: String = users
        .iter()
        .map(|(user, password)| format!("    {{ user: \"{user}\", password: \"{password}\" }}\n"))
        .collect();
    format!("authorization {{\n  users = [\n{entries}  ]\n}}\n")
}

/// One `nats-server` process, with the arguments to start it again alike.
pub struct NatsServer {
    child: Option<Child>,
    pub port: u16,
    args: Vec<String>,
    /// The folder holding the store (`-sd`), the config and the log; removed
    /// on drop, after the process is gone.
    dir: tempfile::TempDir,
}

impl NatsServer {
    /// A server with JetStream and no credentials.
    pub fn start() -> NatsServer {
        NatsServer::start_with(true, &[], None)
    }

    /// A server that accepts only `user` with `password`.
    pub fn start_with_user(user: &str, password: &str) -> NatsServer {
        // A list of users, as a shop's config has one per device.
        let config =
            format!("authorization {{\n  users = [\n    {{ user: \"{user}\", password: \"{password}\" }}\n  ]\n}}\n");
        NatsServer::start_with(true, &[], Some(&config))
    }

    /// A server with a config file's text (leaf node settings, say), with
    /// or without JetStream of its own.
    pub fn start_with_config(jetstream: bool, config: &str) -> NatsServer {
        NatsServer::start_with(jetstream, &[], Some(config))
    }

    /// A server with extra arguments (a cluster's) and an optional config
    /// file (credentials go there, never on the command line).
    fn start_with(jetstream: bool, extra: &[String], config: Option<&str>) -> NatsServer {
        let dir = tempfile::Builder::new().prefix("regulars-nats-").tempdir().expect("create a temp dir");
        let port = free_port();
        let mut args: Vec<String> = vec!["-a".into(), "127.0.0.1".into(), "-p".into(), port.to_string()];
        if jetstream {
            args.extend(["-js".into(), "-sd".into(), dir.path().join("store").display().to_string()]);
        }
        if let Some(config) = config {
            let file = dir.path().join("nats.conf");
            std::fs::write(&file, config).expect("write the server's config");
            args.extend(["-c".into(), file.display().to_string()]);
        }
        args.extend(extra.iter().cloned());
        let mut server = NatsServer { child: None, port, args, dir };
        server.run();
        server
    }

    fn run(&mut self) {
        assert!(self.child.is_none(), "the server is already running");
        let log = self.dir.path().join("server.log");
        let output = File::options().create(true).append(true).open(&log).expect("open the server's log");
        let mut child = Command::new(nats_server_binary())
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("share the log"))
            .stderr(output)
            .spawn()
            .expect("start nats-server");
        wait_for_port(self.port, &mut child, &log);
        self.child = Some(child);
    }

    /// The address a client connects to.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The JetStream store folder (`-sd`).
    pub fn store_dir(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// What the server wrote, for a failing test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Stops the server as its service manager would (SIGTERM: it writes
    /// what it holds and exits), waiting for it to be gone.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: a signal to our own child, which has not been waited
            // for yet, so its pid cannot have been reused.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let start = Instant::now();
        while child.try_wait().ok().flatten().is_none() {
            if start.elapsed() > Duration::from_secs(15) {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Writes a new config file (it must have been started with one) and
    /// has the running server read it again (SIGHUP), as `systemctl reload`.
    pub fn reload_with(&mut self, config: &str) {
        std::fs::write(self.dir.path().join("nats.conf"), config).expect("write the server's config");
        let child = self.child.as_ref().expect("the server is running");
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: a signal to our own running child.
            unsafe { libc::kill(pid, libc::SIGHUP) };
        }
    }

    /// Kills the server outright (SIGKILL), as a crash or a pulled plug.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the stopped server again: same port, same store, same config.
    pub fn restart(&mut self) {
        self.run();
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Three servers routed into one cluster (`regulars`), each with its own
/// name, store and ports, JetStream on all three: a stream with three
/// replicas survives one of them stopping.
pub struct Cluster {
    pub servers: Vec<NatsServer>,
}

impl Cluster {
    pub fn start() -> Cluster {
        let route_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let routes = route_ports.iter().map(|port| format!("nats://127.0.0.1:{port}")).collect::<Vec<_>>().join(",");
        let servers = route_ports
            .iter()
            .enumerate()
            .map(|(i, port)| {
                let extra = [
                    "-n".to_string(),
                    format!("regulars-{i}"),
                    "--cluster_name".to_string(),
                    "regulars".to_string(),
                    "--cluster".to_string(),
                    format!("nats://127.0.0.1:{port}"),
                    "--routes".to_string(),
                    routes.clone(),
                ];
                NatsServer::start_with(true, &extra, None)
            })
            .collect();
        Cluster { servers }
    }

    /// Every server's client address, comma-separated, as a shop would type
    /// a cluster's.
    pub fn urls(&self) -> String {
        self.servers.iter().map(NatsServer::url).collect::<Vec<_>>().join(",")
    }

    /// All three servers' logs, for a failing test's message.
    pub fn logs(&self) -> String {
        self.servers.iter().map(|server| format!("--- :{} ---\n{}", server.port, server.log())).collect()
    }
}
