//! A private desktop for the tests that need one: an Xvfb display, a D-Bus
//! session bus, a notification server (dunst) on it, and a monitor that
//! records every notification sent on that bus. Everything is killed when
//! the `Desktop` is dropped, pass or fail.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Child processes, killed on drop.
pub struct Background(pub Vec<Child>);

impl Drop for Background {
    fn drop(&mut self) {
        for child in self.0.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The lock file and socket of display `:n`, removed on drop.
struct DisplayFiles(u32);

impl Drop for DisplayFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(format!("/tmp/.X{}-lock", self.0));
        let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{}", self.0));
    }
}

pub fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A tool on PATH, or in cargo's bin folder (tauri-driver).
pub fn find_tool(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|dir| dir.join(name)).collect::<Vec<_>>())
        .and_then(|candidates| candidates.into_iter().find(|p| p.is_file()));
    if let Some(path) = on_path {
        return path;
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
    let candidate = cargo_home.join("bin").join(name);
    assert!(candidate.is_file(), "{name} is not installed; run `make test`, which installs it");
    candidate
}

pub struct Desktop {
    pub processes: Background,
    /// Dropped after the processes: Xvfb is killed, so it cannot remove
    /// its own lock and socket, which would use up the display numbers.
    _display_files: DisplayFiles,
    pub display: String,
    pub bus_address: String,
    /// gnome-keyring's files (its login keyring), removed after it stops.
    _keyring_home: tempfile::TempDir,
    /// Every line dbus-monitor printed about notifications.
    monitor_lines: Arc<Mutex<Vec<String>>>,
}

/// Which notification server runs on the private bus.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// None: the app must cope without one.
    None,
    /// dunst, a real notification daemon that draws popups on the display.
    Dunst,
    /// python-dbusmock's notification template: answers on the bus and
    /// draws nothing, so popups cannot get in the way of window screenshots.
    Mock,
}

/// Whether a program owns `name` on the bus at `address`.
fn has_owner(address: &str, name: &str) -> bool {
    Command::new(find_tool("dbus-send"))
        .args([
            &format!("--bus={address}"),
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{name}"),
        ])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("boolean true"))
        .unwrap_or(false)
}

/// Whether the Secret Service on the bus at `address` has its default
/// collection (the login keyring) made: it takes the name on the bus
/// before that, and a secret stored in between is refused.
fn default_collection_ready(address: &str) -> bool {
    Command::new(find_tool("dbus-send"))
        .args([
            &format!("--bus={address}"),
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.ReadAlias",
            "string:default",
        ])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("/org/freedesktop/secrets/collection/"))
        .unwrap_or(false)
}

impl Desktop {
    /// Starts the display and the bus, and the chosen notification server.
    pub fn start(server: Server) -> Desktop {
        let mut processes = Background(Vec::new());
        let number = (90..300)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .expect("no free X display number");
        let display = format!(":{number}");
        let xvfb = Command::new(find_tool("Xvfb"))
            // Room for the largest window the tests try (1366×768, the most
            // common laptop screen); screenshots are cut to the window.
            .args([display.as_str(), "-screen", "0", "1366x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start Xvfb");
        processes.0.push(xvfb);
        let socket = format!("/tmp/.X11-unix/X{number}");
        wait_until("Xvfb", Duration::from_secs(10), || Path::new(&socket).exists());

        let mut dbus = Command::new(find_tool("dbus-daemon"))
            .args(["--session", "--nofork", "--print-address=1"])
            .env("DISPLAY", &display)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start dbus-daemon");
        let mut bus_address = String::new();
        let stdout = dbus.stdout.take().expect("dbus-daemon stdout");
        BufReader::new(stdout).read_line(&mut bus_address).expect("dbus-daemon address");
        let bus_address = bus_address.trim().to_string();
        processes.0.push(dbus);

        let monitor_lines = Arc::new(Mutex::new(Vec::new()));
        let mut monitor = Command::new(find_tool("dbus-monitor"))
            .args(["--address", &bus_address, "interface='org.freedesktop.Notifications',member='Notify'"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start dbus-monitor");
        let out = monitor.stdout.take().expect("dbus-monitor stdout");
        let lines = monitor_lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(mut all) = lines.lock() {
                    all.push(line);
                }
            }
        });
        processes.0.push(monitor);

        // A real Secret Service on the private bus: gnome-keyring, its login
        // keyring made and unlocked with a password given on stdin, in a
        // folder of its own (the user's real keyrings are never touched).
        let keyring_home = tempfile::tempdir().expect("keyring folder");
        let runtime = keyring_home.path().join("run");
        std::fs::create_dir_all(&runtime).expect("keyring runtime folder");
        let mut keyring = Command::new(find_tool("gnome-keyring-daemon"))
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
            .env("XDG_DATA_HOME", keyring_home.path())
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start gnome-keyring-daemon");
        {
            use std::io::Write;
            let mut stdin = keyring.stdin.take().expect("gnome-keyring-daemon stdin");
            stdin.write_all(b"regulars-test-keyring").expect("unlock the keyring");
        } // closed: the password ends here
        processes.0.push(keyring);
        wait_until("the Secret Service on the bus with its login keyring", Duration::from_secs(15), || {
            has_owner(&bus_address, "org.freedesktop.secrets") && default_collection_ready(&bus_address)
        });

        let mut desktop = Desktop {
            processes,
            _display_files: DisplayFiles(number),
            display,
            bus_address,
            _keyring_home: keyring_home,
            monitor_lines,
        };
        let server = match server {
            Server::None => None,
            Server::Dunst => Some(
                Command::new(find_tool("dunst"))
                    .env("DISPLAY", &desktop.display)
                    .env("DBUS_SESSION_BUS_ADDRESS", &desktop.bus_address)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn(),
            ),
            // Debian's python3-dbusmock is installed for the system Python.
            Server::Mock => Some(
                Command::new("/usr/bin/python3")
                    .args(["-m", "dbusmock", "--session", "--template", "notification_daemon"])
                    .env("DISPLAY", &desktop.display)
                    .env("DBUS_SESSION_BUS_ADDRESS", &desktop.bus_address)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn(),
            ),
        };
        if let Some(started) = server {
            desktop.processes.0.push(started.expect("cannot start the notification server"));
            let address = desktop.bus_address.clone();
            wait_until("the notification server on the bus", Duration::from_secs(15), || {
                has_owner(&address, "org.freedesktop.Notifications")
            });
            return desktop;
        }
        desktop
    }

    /// The notifications seen on the bus so far: (summary, body) pairs.
    /// dbus-monitor prints a Notify call's arguments one per line: app
    /// name, replaces-id, icon, summary, body, actions ...
    pub fn notifications(&self) -> Vec<(String, String)> {
        let lines = self.monitor_lines.lock().map(|l| l.clone()).unwrap_or_default();
        let mut found = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            if !line.contains("member=Notify") {
                continue;
            }
            let strings: Vec<String> = lines[index + 1..]
                .iter()
                .take_while(|l| !l.starts_with("method call") && !l.starts_with("signal"))
                .filter_map(|l| l.trim().strip_prefix("string \"").map(|s| s.trim_end_matches('"').to_string()))
                .collect();
            // strings: app name, icon, summary, body, then action names.
            if strings.len() >= 4 {
                found.push((strings[2].clone(), strings[3].clone()));
            }
        }
        found
    }

    /// Clicks notification number `id` (the n-th sent, counting from 1) as
    /// a person would: python-dbusmock's notification server (`Server::Mock`)
    /// sends the ActionInvoked signal with the default action.
    pub fn click_notification(&self, id: u32) {
        const CLICK: &str = "import dbus, os, sys\n\
bus = dbus.bus.BusConnection(os.environ['DBUS_SESSION_BUS_ADDRESS'])\n\
server = bus.get_object('org.freedesktop.Notifications', '/org/freedesktop/Notifications')\n\
server.EmitSignal('org.freedesktop.Notifications', 'ActionInvoked', 'us', [dbus.UInt32(int(sys.argv[1])), 'default'], dbus_interface='org.freedesktop.DBus.Mock')\n";
        let out = Command::new("/usr/bin/python3")
            .args(["-c", CLICK, &id.to_string()])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .output()
            .expect("run python3 to click a notification");
        assert!(out.status.success(), "could not click notification {id}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Closes every notification popup (dunst's own control command).
    pub fn close_notifications(&self) {
        let _ = Command::new(find_tool("dunstctl"))
            .arg("close-all")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .output();
    }

    /// Waits until a notification whose summary satisfies `check` was sent.
    pub fn wait_for_notification(&self, timeout: Duration, check: impl Fn(&str, &str) -> bool) -> (String, String) {
        let start = Instant::now();
        loop {
            if let Some(hit) = self.notifications().into_iter().find(|(s, b)| check(s, b)) {
                return hit;
            }
            assert!(
                start.elapsed() < timeout,
                "no matching notification within {timeout:?}; seen: {:?}",
                self.notifications()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The top-level windows on `display` titled `title` (no window manager
/// runs, so they are the root window's children), by X window id.
pub fn windows_titled(display: &str, title: &str) -> Vec<String> {
    let out = Command::new(find_tool("xwininfo"))
        .args(["-root", "-children", "-display", display])
        .output()
        .expect("run xwininfo");
    let quoted = format!("\"{title}\": (");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|line| line.contains(&quoted))
        // The app's window, not GTK's 1×1 helper windows of the same name.
        .filter(|line| {
            // The geometry: WIDTHxHEIGHT+X+Y.
            line.split_whitespace()
                .filter(|word| word.contains('+') && !word.starts_with('+'))
                .find_map(|word| word.split_once('x').and_then(|(w, _)| w.parse::<u32>().ok()))
                .is_some_and(|width| width >= 200)
        })
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Whether X window `id` on `display` is mapped (shown).
pub fn window_mapped(display: &str, id: &str) -> bool {
    let out =
        Command::new(find_tool("xwininfo")).args(["-id", id, "-display", display]).output().expect("run xwininfo");
    String::from_utf8_lossy(&out.stdout).contains("Map State: IsViewable")
}

/// Asks window `id` to close as a window manager's close button does: the
/// WM_DELETE_WINDOW message of the ICCCM, sent through Xlib from Python's
/// ctypes (no window manager runs on the test display to send it).
pub fn close_window(display: &str, id: &str) {
    const SEND: &str = r#"
import ctypes, sys
x = ctypes.cdll.LoadLibrary('libX11.so.6')
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
x.XFlush.argtypes = [ctypes.c_void_p]
x.XCloseDisplay.argtypes = [ctypes.c_void_p]
class Message(ctypes.Structure):
    _fields_ = [('type', ctypes.c_int), ('serial', ctypes.c_ulong), ('send_event', ctypes.c_int),
                ('display', ctypes.c_void_p), ('window', ctypes.c_ulong), ('message_type', ctypes.c_ulong),
                ('format', ctypes.c_int), ('data', ctypes.c_long * 5)]
class Event(ctypes.Union):
    _fields_ = [('xclient', Message), ('pad', ctypes.c_long * 24)]
display = x.XOpenDisplay(None)
if not display:
    sys.exit('cannot open the display')
window = int(sys.argv[1], 0)
event = Event()
event.xclient.type = 33  # ClientMessage
event.xclient.send_event = 1
event.xclient.display = display
event.xclient.window = window
event.xclient.message_type = x.XInternAtom(display, b'WM_PROTOCOLS', 0)
event.xclient.format = 32
event.xclient.data[0] = x.XInternAtom(display, b'WM_DELETE_WINDOW', 0)
sent = x.XSendEvent(display, window, 0, 0, ctypes.byref(event))
x.XFlush(display)
x.XCloseDisplay(display)
sys.exit(0 if sent else 'XSendEvent failed')
"#;
    let out = Command::new("/usr/bin/python3")
        .args(["-c", SEND, id])
        .env("DISPLAY", display)
        .output()
        .expect("run python3 to close the window");
    assert!(out.status.success(), "could not close window {id}: {}", String::from_utf8_lossy(&out.stderr));
}
