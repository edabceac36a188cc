//! The link between this device and the shop's NATS JetStream server: the
//! transport of a shared shop (issue 28), and nothing more. It moves bytes it
//! never reads; what they hold, how they are encrypted and how they are
//! applied is the sync code's business.
//!
//! - One stream per shop, named by the caller with an opaque shop-derived id;
//!   its one subject is `<stream>.changes`, so no subject ever carries
//!   customer data.
//! - Each change is one message whose `Nats-Msg-Id` header is the change id:
//!   the server stores a change once however often a device re-sends it
//!   (within the duplicate window), so a device that crashed between the
//!   server's ack and forgetting its outbox can simply send again.
//! - Reading leaves nothing on the server to clean up: changes are read by
//!   sequence with direct gets, which any copy of the stream answers (so
//!   reading goes on while a cluster's server is down); news of a change
//!   arrives on a plain subscription.
//! - The latest snapshot of the shop (an encrypted backup made by the caller)
//!   is one object in a JetStream object store bucket, with the stream
//!   sequence it covers in its metadata.
//!
//! Every error is `Error::Sync` with a plain sentence; the server's own words
//! go to the log, with ids and counts only.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::connection::State;
use async_nats::jetstream::{self, object_store, stream};
use async_nats::{
    Client, ClientError, ConnectError, ConnectErrorKind, Event, HeaderMap, ServerAddr, ServerError, Subscriber,
};
use futures_util::{FutureExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::kernel::error::{Error, Result};

/// How long the first connection may take: a desk asking "is the server
/// there?" needs an answer in seconds, not the operating system's minutes.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one request (a publish's ack, a stream's info) may wait, so a
/// server that went away mid-request is an error in seconds, not a hang.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// How long the server remembers change ids to drop a re-sent change: a week
/// covers a desk switched off over a holiday that comes back and re-sends
/// what it was not sure had arrived. (Applying stays keyed by change id too.)
const DUPLICATE_WINDOW: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Direct gets in flight at once while fetching: a round trip per change
/// would make catching up with 10,000 changes over the internet take minutes.
const FETCH_IN_FLIGHT: usize = 64;
/// The one object of the snapshot bucket, and the metadata key saying which
/// stream sequence it covers.
const SNAPSHOT: &str = "snapshot";
const COVERS_SEQ: &str = "covers_seq";

/// What a device needs to reach its shop's server: typed by the owner when
/// sharing or joining (the stream name is derived from the shop). No `Debug`,
/// so the password cannot end up in a log line.
#[derive(Clone)]
pub struct LinkSettings {
    /// `nats://host:port` or `tls://host:port`; several, separated by commas,
    /// for a cluster (a client also learns the others from the one it reaches).
    pub server: String,
    /// This device's NATS user and password; an empty user connects without.
    pub user: String,
    pub password: String,
    /// The shop's opaque stream name, e.g. `REGULARS_<hex>`: letters, digits,
    /// `_` and `-` only, because it becomes a subject's first token.
    pub stream: String,
    /// The shop's own CA certificate (PEM) for a server with a private
    /// certificate; `None` trusts the system's roots.
    pub tls_root_pem: Option<PathBuf>,
    /// Copies of the stream and snapshot a cluster keeps: 1 for one server,
    /// 3 for a three-server cluster (one server may be down).
    pub replicas: usize,
    /// The main servers' JetStream domain, for a device at a second location
    /// whose own server is a leaf node without JetStream: a server does not
    /// pass the plain JetStream API across a leaf connection, only the
    /// domain's (`$JS.<domain>.API`). `None` everywhere else.
    pub domain: Option<String>,
}

impl LinkSettings {
    /// Settings for one server and no TLS certificate of the shop's own: the
    /// common case, with one copy of the data.
    pub fn new(server: &str, user: &str, password: &str, stream: &str) -> LinkSettings {
        LinkSettings {
            server: server.to_string(),
            user: user.to_string(),
            password: password.to_string(),
            stream: stream.to_string(),
            tls_root_pem: None,
            replicas: 1,
            domain: None,
        }
    }
}

/// A connection to the shop's server. After the first connection the client
/// reconnects by itself, forever, so a link outlives a server restart; while
/// it is away every call fails at once with a sentence saying so.
pub struct Link {
    client: Client,
    js: jetstream::Context,
    stream: String,
    subject: String,
    replicas: usize,
    /// The server's address as the owner typed it, for the sentences.
    shown: String,
    /// Told by `listener` each time a change is published to the shop's
    /// subject: what `wait_for_new` wakes on. A burst leaves one permit.
    news: Arc<Notify>,
    /// Reads the live copies of changes as they come and drops them at once,
    /// so no payload waits in memory for a device that is not listening.
    listener: JoinHandle<()>,
    /// Set when the server turned this device's credentials down after a
    /// reconnect (the owner removed the device); cleared once connected.
    refused: Arc<AtomicBool>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// Says "something new" for every live copy of a change, until the
/// subscription ends with the connection.
async fn listen(mut live: Subscriber, news: Arc<Notify>) {
    while live.next().await.is_some() {
        news.notify_one();
    }
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link").field("server", &self.shown).field("stream", &self.stream).finish_non_exhaustive()
    }
}

impl Link {
    /// Connects once, in a few seconds at most: an address that does not
    /// answer or credentials the server refuses are an error now, so the
    /// owner sees it while typing them. Nothing is created on the server.
    pub async fn connect(settings: &LinkSettings) -> Result<Link> {
        let servers = server_addresses(&settings.server)?;
        check_name("stream", &settings.stream)?;
        if let Some(domain) = &settings.domain {
            check_name("domain", domain)?;
        }
        if settings.replicas == 0 || settings.replicas > 5 {
            return Err(Error::invalid("replicas", "A shop's data is kept on 1 to 5 servers."));
        }
        // rustls picks its provider once per process; already chosen (by an
        // earlier link) is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let refused = Arc::new(AtomicBool::new(false));
        let shown = settings.server.trim().to_string();
        let client = connect_options(settings, &servers, Arc::clone(&refused))
            .connect(servers)
            .await
            .map_err(|e| connect_error(&e, &shown))?;
        let subject = format!("{}.changes", settings.stream);
        let live = client.subscribe(subject.clone()).await.map_err(|e| {
            tracing::warn!(error = %e, "subscribing to the shop's changes failed");
            Error::Sync(format!("The sync server at {shown} did not let this device listen for changes."))
        })?;
        let news = Arc::new(Notify::new());
        let context = jetstream::ContextBuilder::new().timeout(REQUEST_TIMEOUT);
        let js = match &settings.domain {
            Some(domain) => context.domain(domain.clone()).build(client.clone()),
            None => context.build(client.clone()),
        };
        tracing::info!(stream = %settings.stream, replicas = settings.replicas, "sync server connected");
        Ok(Link {
            client,
            js,
            stream: settings.stream.clone(),
            subject,
            replicas: settings.replicas,
            shown,
            news: Arc::clone(&news),
            listener: tokio::spawn(listen(live, news)),
            refused,
        })
    }

    /// Whether the server is reachable and takes this device now: what the
    /// status line reads without asking the server anything.
    pub fn is_online(&self) -> bool {
        !self.refused.load(Ordering::Relaxed) && self.client.connection_state() == State::Connected
    }

    /// Makes the shop's stream when it is not there yet (the first device to
    /// share the shop); leaves an existing one as it is. File storage, kept
    /// until deleted, duplicates dropped for `DUPLICATE_WINDOW`; single
    /// messages can never be deleted, so a sequence once read stays true.
    pub async fn ensure_stream(&self) -> Result<()> {
        self.check_online()?;
        let config = stream::Config {
            name: self.stream.clone(),
            subjects: vec![self.subject.clone()],
            storage: stream::StorageType::File,
            num_replicas: self.replicas,
            duplicate_window: DUPLICATE_WINDOW,
            deny_delete: true,
            allow_direct: true,
            ..Default::default()
        };
        self.js.get_or_create_stream(config).await.map_err(|e| self.failed("set up the shop's stream", e))?;
        Ok(())
    }

    /// Publishes one change and waits for the server to store it; returns
    /// its stream sequence. The change id is the message id, so the same
    /// change sent again is not stored again: the answer is the sequence the
    /// first copy got.
    pub async fn publish(&self, change_id: &str, payload: Vec<u8>) -> Result<u64> {
        check_change_id(change_id)?;
        self.check_online()?;
        let mut headers = HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, change_id);
        let ack = self
            .js
            .publish_with_headers(self.subject.clone(), headers, payload.into())
            .await
            .map_err(|e| self.failed("take the change", e))?
            .await
            .map_err(|e| self.failed("store the change", e))?;
        if ack.duplicate {
            tracing::debug!(seq = ack.sequence, "a change sent again; the server kept its first copy");
        }
        Ok(ack.sequence)
    }

    /// The changes stored after `after_seq`, oldest first, at most `max`:
    /// what a device that was away, or just woke up, has not applied yet.
    /// Asks only for the stream's state when there is nothing new. Each
    /// change is a direct get, which any copy of the stream answers: no
    /// consumer to place on a server (one that is down would leave it
    /// unanswered) or to remove, and many in flight at once. A first
    /// sequence past `after_seq + 1` means the changes between were purged
    /// from the stream (the snapshot holds them).
    pub async fn fetch_after(&self, after_seq: u64, max: usize) -> Result<Vec<(u64, Vec<u8>)>> {
        let state = self.stream_state().await?;
        let from = after_seq.saturating_add(1).max(state.first_sequence);
        if max == 0 || from > state.last_sequence {
            return Ok(Vec::new());
        }
        let to = state.last_sequence.min(from.saturating_add(max as u64 - 1));
        let stream =
            self.js.get_stream_no_info(&self.stream).await.map_err(|e| self.failed("find the shop's stream", e))?;
        let stream = &stream;
        let mut gets = futures_util::stream::iter(from..=to)
            .map(|seq| async move { (seq, stream.direct_get(seq).await) })
            .buffered(FETCH_IN_FLIGHT);
        let mut changes = Vec::new();
        while let Some((seq, got)) = gets.next().await {
            match got {
                Ok(message) => changes.push((message.sequence, message.payload.into())),
                // A copy that has not caught up with the leader yet: the
                // rest comes with the next fetch, in order.
                Err(e) if e.kind() == stream::DirectGetErrorKind::NotFound => {
                    tracing::debug!(seq, "a change not on the answering copy yet");
                    break;
                }
                Err(e) => return Err(self.failed("send the shop's changes", e)),
            }
        }
        tracing::debug!(after_seq, count = changes.len(), "changes fetched");
        Ok(changes)
    }

    /// Waits until the stream may hold a change after `after_seq`, or the
    /// timeout passes (`false`). It wakes on the live subscription as soon as
    /// any device publishes, so a change reaches the other desks in the time
    /// of a round trip, without polling. `true` can now and then be early
    /// (the live copy can overtake the stored one in a cluster): the caller
    /// fetches, and waits again when the fetch brought nothing.
    pub async fn wait_for_new(&self, after_seq: u64, timeout: Duration) -> Result<bool> {
        self.check_online()?;
        let news = self.news.notified();
        tokio::pin!(news);
        // Changes announced while nobody waited left a permit: this takes it.
        if news.as_mut().now_or_never().is_some() || self.last_seq().await? > after_seq {
            return Ok(true);
        }
        Ok(tokio::time::timeout(timeout, news).await.is_ok())
    }

    /// The sequence of the last change stored in the shop's stream (0 when
    /// there is none yet).
    pub async fn last_seq(&self) -> Result<u64> {
        Ok(self.stream_state().await?.last_sequence)
    }

    /// The stream's first and last sequence, from its leader.
    async fn stream_state(&self) -> Result<stream::State> {
        self.check_online()?;
        let stream =
            self.js.get_stream_no_info(&self.stream).await.map_err(|e| self.failed("find the shop's stream", e))?;
        let info = stream.get_info().await.map_err(|e| self.failed("say how far the shop's changes go", e))?;
        Ok(info.state)
    }

    /// Stores `file` (an encrypted backup) as the shop's snapshot, replacing
    /// the one before, with the stream sequence it covers: a joining device
    /// starts from it instead of from every change ever made.
    pub async fn put_snapshot(&self, file: &Path, covers_seq: u64) -> Result<()> {
        self.check_online()?;
        let bucket = self.snapshot_bucket().await?;
        let mut reader = tokio::fs::File::open(file).await?;
        let meta = object_store::ObjectMetadata {
            name: SNAPSHOT.to_string(),
            description: Some(format!("The shop up to stream sequence {covers_seq}")),
            metadata: HashMap::from([(COVERS_SEQ.to_string(), covers_seq.to_string())]),
            ..Default::default()
        };
        let info = bucket.put(meta, &mut reader).await.map_err(|e| self.failed("store the snapshot", e))?;
        tracing::info!(covers_seq, bytes = info.size, "snapshot stored");
        Ok(())
    }

    /// Writes the shop's snapshot to `dest` (private to this user on Unix)
    /// and returns the stream sequence it covers; `None` when no device has
    /// stored one yet. The file appears only whole and checked (the object
    /// store's SHA-256): it is written beside `dest` and renamed into place.
    /// The object store reads through a consumer the cluster places on one
    /// of its servers: in the seconds before a cluster notices a server that
    /// stopped, this can fail, and asking again succeeds (the tests saw at
    /// most two tries).
    pub async fn get_snapshot(&self, dest: &Path) -> Result<Option<u64>> {
        self.check_online()?;
        if !self.snapshot_bucket_exists().await? {
            return Ok(None);
        }
        let bucket = self.snapshot_bucket().await?;
        let mut object = match bucket.get(SNAPSHOT).await {
            Ok(object) => object,
            Err(e) if e.kind() == object_store::GetErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.failed("send the snapshot", e)),
        };
        let covers_seq =
            object.info.metadata.get(COVERS_SEQ).and_then(|seq| seq.parse::<u64>().ok()).ok_or_else(|| {
                Error::Sync("The snapshot on the sync server does not say which changes it holds.".to_string())
            })?;
        let part = beside(dest, ".part");
        let written = copy_to_private_file(&mut object, &part).await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&part).await;
            tracing::warn!(error = %e, "the snapshot download failed");
            return Err(Error::Sync("The snapshot could not be downloaded whole; nothing was kept.".to_string()));
        }
        tokio::fs::rename(&part, dest).await?;
        tracing::info!(covers_seq, bytes = object.info.size, "snapshot downloaded");
        Ok(Some(covers_seq))
    }

    /// The snapshot bucket's name: the stream's, so one shop's snapshot is
    /// never another's.
    fn bucket_name(&self) -> String {
        format!("{}_SNAPSHOT", self.stream)
    }

    /// Whether the snapshot bucket exists, told apart from "the server did
    /// not answer" (which must not read as "no snapshot").
    async fn snapshot_bucket_exists(&self) -> Result<bool> {
        match self.js.get_stream(format!("OBJ_{}", self.bucket_name())).await {
            Ok(_) => Ok(true),
            Err(e) => match e.kind() {
                jetstream::context::GetStreamErrorKind::JetStream(js)
                    if js.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND =>
                {
                    Ok(false)
                }
                _ => Err(self.failed("look for a snapshot", e)),
            },
        }
    }

    /// The snapshot bucket, made on first use with the stream's replicas.
    async fn snapshot_bucket(&self) -> Result<object_store::ObjectStore> {
        if let Ok(bucket) = self.js.get_object_store(self.bucket_name()).await {
            return Ok(bucket);
        }
        let config = object_store::Config {
            bucket: self.bucket_name(),
            description: Some("The shop's latest snapshot".to_string()),
            storage: stream::StorageType::File,
            num_replicas: self.replicas,
            ..Default::default()
        };
        self.js.create_object_store(config).await.map_err(|e| self.failed("make room for a snapshot", e))
    }

    /// Fails at once, with the reason, when the server is not there: a
    /// request would otherwise wait for its timeout.
    fn check_online(&self) -> Result<()> {
        if self.refused.load(Ordering::Relaxed) {
            return Err(refused());
        }
        match self.client.connection_state() {
            State::Connected => Ok(()),
            State::Pending | State::Disconnected => {
                Err(Error::Sync(format!("The sync server at {} cannot be reached right now.", self.shown)))
            }
        }
    }

    /// A failed request as a sentence: offline and refused first (the
    /// connection may have dropped during the request), then timeouts, then
    /// what the server said, in the log only.
    fn failed(&self, what: &str, error: impl fmt::Display) -> Error {
        let said = error.to_string();
        tracing::warn!(stream = %self.stream, what, error = %said, "a sync server request failed");
        if let Err(offline) = self.check_online() {
            return offline;
        }
        if said.contains("timed out") || said.contains("timeout") {
            return Error::Sync(format!("The sync server at {} did not {what} in time.", self.shown));
        }
        Error::Sync(format!("The sync server at {} did not {what}; the app's log says why.", self.shown))
    }
}

/// The client's options: credentials, TLS, a short first connection, quick
/// reconnects (at most 2 s apart, so a restarted server is used again soon)
/// and an ear for the server refusing this device later.
fn connect_options(
    settings: &LinkSettings,
    servers: &[ServerAddr],
    refused: Arc<AtomicBool>,
) -> async_nats::ConnectOptions {
    let mut options = async_nats::ConnectOptions::new()
        .name("regulars")
        .connection_timeout(CONNECT_TIMEOUT)
        .request_timeout(Some(REQUEST_TIMEOUT))
        .reconnect_delay_callback(|attempts| Duration::from_millis((attempts as u64 * 250).min(2_000)))
        .event_callback(move |event| {
            let refused = Arc::clone(&refused);
            async move { note_event(&event, &refused) }
        });
    match Credentials::of(&settings.user, &settings.password) {
        Credentials::None => {}
        Credentials::UserAndPassword => {
            options = options.user_and_password(settings.user.clone(), settings.password.clone());
        }
        Credentials::Nkey(seed) => options = options.nkey(seed),
        // Checked by `Credentials::of` already; a file that still does not
        // parse connects without, and the server says no.
        Credentials::CredsFile(text) => match options.credentials(&text) {
            Ok(with) => return with,
            Err(_) => return async_nats::ConnectOptions::new(),
        },
    }
    if servers.iter().any(|server| server.tls_required()) {
        options = options.require_tls(true);
    }
    if let Some(pem) = &settings.tls_root_pem {
        options = options.add_root_certificates(pem.clone()).require_tls(true);
    }
    options
}

/// How this device proves itself to the server, from what the owner typed:
/// a user and password; no user and an nkey seed (`SU…`, 58 characters) in
/// the password field; or a hosted account's credentials file (`.creds`: a
/// JWT and an nkey seed) pasted there, whose line breaks a password field
/// drops, so it is read from its markers and written out whole again.
#[derive(Debug, PartialEq, Eq)]
pub enum Credentials {
    None,
    UserAndPassword,
    Nkey(String),
    CredsFile(String),
}

impl Credentials {
    pub fn of(user: &str, secret: &str) -> Credentials {
        let secret = secret.trim();
        if secret.contains("BEGIN NATS USER JWT") {
            let between = |begin: &str| -> Option<String> {
                let start = secret.find(begin)? + begin.len();
                let rest = secret[start..].trim_start_matches('-');
                let end = rest.find("---")?;
                Some(rest[..end].split_whitespace().collect())
            };
            return match (between("BEGIN NATS USER JWT"), between("BEGIN USER NKEY SEED")) {
                (Some(jwt), Some(seed)) if !jwt.is_empty() && seed.starts_with("SU") => {
                    Credentials::CredsFile(format!(
                        "-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n\n\
                     -----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n"
                    ))
                }
                _ => Credentials::None,
            };
        }
        if user.is_empty() && is_nkey_seed(secret) {
            return Credentials::Nkey(secret.to_string());
        }
        if user.is_empty() {
            Credentials::None
        } else {
            Credentials::UserAndPassword
        }
    }
}

/// A user's nkey seed: `SU` and 56 more base32 characters.
fn is_nkey_seed(text: &str) -> bool {
    text.len() == 58
        && text.starts_with("SU")
        && text.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// Keeps `refused` in step with the server's answers, and logs the link's
/// comings and goings (no data in them).
fn note_event(event: &Event, refused: &AtomicBool) {
    match event {
        Event::Connected => {
            refused.store(false, Ordering::Relaxed);
            tracing::info!("sync server connected again");
        }
        // Said by the server on a connection, or (as the client's own
        // words for a failed reconnect) when it turns a removed device down.
        Event::ServerError(ServerError::AuthorizationViolation) => {
            refused.store(true, Ordering::Relaxed);
            tracing::warn!("the sync server refused this device's credentials");
        }
        Event::ClientError(ClientError::Other(said)) if is_refusal(said) => {
            refused.store(true, Ordering::Relaxed);
            tracing::warn!("the sync server refused this device's credentials on reconnecting");
        }
        Event::Disconnected => tracing::info!("sync server disconnected"),
        other => tracing::debug!(event = %other, "sync server event"),
    }
}

/// Whether a failed reconnect's words are the client's for a refusal
/// (async-nats reports them as the `ConnectErrorKind`'s text).
fn is_refusal(said: &str) -> bool {
    [ConnectErrorKind::AuthorizationViolation, ConnectErrorKind::Authentication]
        .iter()
        .any(|kind| said == kind.to_string())
}

fn refused() -> Error {
    Error::Sync("The server refused this device's user name or password.".to_string())
}

/// The first connection's failure as the owner should read it.
fn connect_error(error: &ConnectError, shown: &str) -> Error {
    tracing::warn!(error = %error, "connecting to the sync server failed");
    if is_tls_failure(error) {
        return Error::Sync(format!(
            "A secure connection to the sync server at {shown} could not be made. Check the address and the certificate."
        ));
    }
    match error.kind() {
        ConnectErrorKind::AuthorizationViolation | ConnectErrorKind::Authentication => refused(),
        ConnectErrorKind::Tls => Error::Sync(format!(
            "A secure connection to the sync server at {shown} could not be made. Check the address and the certificate."
        )),
        ConnectErrorKind::ServerParse => {
            Error::invalid("server", "Write the server's address as nats://host:port or tls://host:port.")
        }
        ConnectErrorKind::Dns
        | ConnectErrorKind::TimedOut
        | ConnectErrorKind::Io
        | ConnectErrorKind::MaxReconnects => Error::Sync(format!(
            "The sync server at {shown} did not answer. Check the address, and that the server is running and reachable from this computer."
        )),
    }
}

/// Whether rustls turned the connection down (a certificate not trusted or
/// not for this address): the client files that under IO, with the
/// rustls error inside an `io::Error`.
fn is_tls_failure(error: &ConnectError) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = next {
        let inner_is_tls = current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .is_some_and(|inner| inner.is::<rustls::Error>());
        if current.is::<rustls::Error>() || inner_is_tls {
            return true;
        }
        next = current.source();
    }
    false
}

/// The server list as typed: `nats://` or `tls://` addresses separated by
/// commas. Credentials belong in their own fields: in an address they would
/// reach the log and the status line.
fn server_addresses(server: &str) -> Result<Vec<ServerAddr>> {
    let shape = "Write the server's address as nats://host:port or tls://host:port.";
    let mut addresses = Vec::new();
    for part in server.split(',').map(str::trim).filter(|part| !part.is_empty()) {
        let (scheme, rest) = part.split_once("://").ok_or_else(|| Error::invalid("server", shape))?;
        if !matches!(scheme, "nats" | "tls") || rest.is_empty() || rest.contains(['/', ' ']) {
            return Err(Error::invalid("server", shape));
        }
        if rest.contains('@') {
            return Err(Error::invalid(
                "server",
                "Put the user name and password in their own boxes, not in the address.",
            ));
        }
        let address: ServerAddr = part.parse().map_err(|_| Error::invalid("server", shape))?;
        if address.host().is_empty() {
            return Err(Error::invalid("server", shape));
        }
        addresses.push(address);
    }
    if addresses.is_empty() {
        return Err(Error::invalid("server", "Enter the sync server's address, e.g. nats://192.168.1.20:4222."));
    }
    Ok(addresses)
}

/// A stream name is the first token of the subject and part of the bucket's
/// name, a domain a token of the API's subjects: letters, digits, `_` and
/// `-`, at most 64 (the server's own rules are wider; these fit every place
/// the name goes).
fn check_name(field: &'static str, name: &str) -> Result<()> {
    let fits =
        (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if fits {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("The {field} name may hold only letters, digits, _ and -.")))
    }
}

/// A change id travels in a header: printable ASCII without spaces, so it
/// can never break the header block.
fn check_change_id(change_id: &str) -> Result<()> {
    if (1..=128).contains(&change_id.len()) && change_id.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(Error::invalid("change_id", "A change id is 1 to 128 printable characters without spaces."))
    }
}

/// `path` with `suffix` added to its file name (`snapshot.db` →
/// `snapshot.db.part`), so the temporary sits in the same folder.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Copies the object into a new file readable by this user only (0600 on
/// Unix), flushed to disk before it is renamed into place.
async fn copy_to_private_file(
    object: &mut object_store::Object,
    path: &Path,
) -> std::result::Result<(), std::io::Error> {
    match tokio::fs::remove_file(path).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).await?;
    tokio::io::copy(object, &mut file).await?;
    file.flush().await?;
    file.sync_all().await
}
