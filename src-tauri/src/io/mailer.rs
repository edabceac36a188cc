//! Group messages out of the outbox, through the shop's own mail server
//! (SMTP with `lettre`: TLS or STARTTLS over rustls, on tokio).
//!
//! One row at a time: marked `sending` and committed, handed to the server,
//! then marked `sent` with its line on the customer's history in one
//! transaction as soon as the server accepted it. The writer is never held
//! across the network.
//!
//! At most once. A row cut off mid-hand-over (the app killed, the
//! connection lost before the server answered) may or may not have
//! arrived; it is never sent again on its own, and never dropped silently:
//! it becomes a failure that says so, listed for the owner to retry. Every
//! message's `Message-ID` is made from its outbox row's id, so a retry of
//! one that did arrive is the same message to the receiving side.
//!
//! A refused user name or password stops sending before anything is marked;
//! a refused recipient is a failure with the server's words and the rest
//! go on. The server's words are kept on the row for the owner, never
//! logged (they may name the recipient); logs carry ids and counts.

use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, CertificateStore, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use tokio::sync::Mutex;
use zeroize::Zeroizing;

use crate::db::store;
use crate::io::mail_account::{MailAccount, Security};
use crate::io::syncer::Writer;
use crate::kernel::error::{Error, Result};
use crate::kernel::ids::new_id;
use crate::records::mailings::{self, OutboxRow};

/// Why a row is a failure when the connection was lost before the server answered.
pub const CONNECTION_LOST: &str = "The connection to the mail server was lost while this message was being handed over, so it may or may not have arrived. Retry to send it again.";
const REFUSED_LOGIN: &str = "The mail server refused the user name or password. Check them in the mail account (many providers need an app password); nothing was sent.";

/// How to reach the shop's mail server.
pub struct MailerConfig {
    pub account: MailAccount,
    pub password: Zeroizing<String>,
    /// A certificate (PEM) trusted in place of the system's roots. Only the
    /// tests set it (a self-signed server on loopback): the app takes it from
    /// `app::test_switches`, never from the page.
    pub trusted_root_pem: Option<Vec<u8>>,
}

/// How long connecting, or one answer of the server, may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// One session with the shop's mail server, kept open between messages and
/// opened again when it broke. The socket is made here, with Nagle's
/// algorithm off: lettre writes a message and its closing dot in two
/// writes, and with Nagle on the dot waited for the server's delayed
/// acknowledgement, 40 ms a message.
pub struct Transport {
    host: String,
    port: u16,
    security: Security,
    tls: TlsParameters,
    credentials: Credentials,
    session: Mutex<Option<AsyncSmtpConnection>>,
}

/// Why a message was not handed over: the server's answer, or the network.
#[derive(Debug)]
pub enum SendError {
    Smtp(lettre::transport::smtp::Error),
    Network(std::io::Error),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Smtp(error) => write!(f, "{error}"),
            SendError::Network(error) => write!(f, "{error}"),
        }
    }
}

impl SendError {
    fn status(&self) -> Option<u16> {
        match self {
            SendError::Smtp(error) => error.status().map(u16::from),
            SendError::Network(_) => None,
        }
    }

    /// The server answered (4xx or 5xx): it did not take the message.
    fn answered(&self) -> bool {
        matches!(self, SendError::Smtp(error) if error.is_permanent() || error.is_transient())
    }
}

/// How to reach the server; nothing is connected until the first use.
pub fn transport(config: &MailerConfig) -> Result<Transport> {
    let account = &config.account;
    let mut tls = TlsParameters::builder(account.host.clone());
    if let Some(pem) = &config.trusted_root_pem {
        let root =
            Certificate::from_pem(pem).map_err(|_| Error::Mail("The trusted certificate cannot be read.".into()))?;
        tls = tls.certificate_store(CertificateStore::None).add_root_certificate(root);
    }
    let tls = tls.build_rustls().map_err(|_| Error::Mail("A secure connection cannot be prepared.".into()))?;
    Ok(Transport {
        host: account.host.clone(),
        port: account.port,
        security: account.security,
        tls,
        credentials: Credentials::new(account.user.clone(), config.password.to_string()),
        session: Mutex::new(None),
    })
}

impl Transport {
    /// Connects, secures the connection (TLS from the first byte, or
    /// STARTTLS before anything else is said) and signs in.
    async fn open(&self) -> std::result::Result<AsyncSmtpConnection, SendError> {
        let hello = ClientId::default();
        let mut session = match self.security {
            Security::Starttls => {
                let connect = tokio::net::TcpStream::connect((self.host.as_str(), self.port));
                let tcp = tokio::time::timeout(TIMEOUT, connect)
                    .await
                    .map_err(|_| SendError::Network(std::io::ErrorKind::TimedOut.into()))?
                    .map_err(SendError::Network)?;
                tcp.set_nodelay(true).map_err(SendError::Network)?;
                let mut session = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello)
                    .await
                    .map_err(SendError::Smtp)?;
                session.starttls(self.tls.clone(), &hello).await.map_err(SendError::Smtp)?;
                session
            }
            Security::Tls => AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(TIMEOUT),
                &hello,
                Some(self.tls.clone()),
                None,
            )
            .await
            .map_err(SendError::Smtp)?,
        };
        session.auth(&[Mechanism::Plain, Mechanism::Login], &self.credentials).await.map_err(SendError::Smtp)?;
        Ok(session)
    }

    /// Whether the server answers and takes the account (a new session
    /// when the last one broke).
    async fn test_connection(&self) -> std::result::Result<bool, SendError> {
        let mut slot = self.session.lock().await;
        if let Some(session) = slot.as_mut() {
            if !session.has_broken() && session.test_connected().await {
                return Ok(true);
            }
        }
        *slot = None;
        *slot = Some(self.open().await?);
        Ok(true)
    }

    /// Hands one message over on the open session (opened first if need be).
    async fn send(&self, email: &Message) -> std::result::Result<(), SendError> {
        let mut slot = self.session.lock().await;
        if slot.as_ref().is_none_or(|session| session.has_broken()) {
            *slot = Some(self.open().await?);
        }
        let Some(session) = slot.as_mut() else {
            return Err(SendError::Network(std::io::ErrorKind::NotConnected.into()));
        };
        let sent = tokio::time::timeout(TIMEOUT, session.send(email.envelope(), &email.formatted())).await;
        match sent {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => {
                if session.has_broken() {
                    *slot = None;
                }
                Err(SendError::Smtp(error))
            }
            Err(_) => {
                *slot = None;
                Err(SendError::Network(std::io::ErrorKind::TimedOut.into()))
            }
        }
    }
}

/// `List-Unsubscribe: <mailto:shop?subject=unsubscribe>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// One message: from the shop, to one address, with the unsubscribe header
/// and a `Message-ID` made from `id`. A bad address is the reason it fails.
pub fn message(account: &MailAccount, id: &str, to: &str, subject: &str, body: &str) -> Result<Message, String> {
    let shop_address = account.address.parse().map_err(|_| "The shop's own address is not valid.".to_string())?;
    let from = Mailbox::new(Some(account.from_name.clone()).filter(|n| !n.is_empty()), shop_address);
    let to: Mailbox = to.trim().parse().map_err(|_| "This email address is not valid.".to_string())?;
    let domain = account.address.rsplit('@').next().unwrap_or("localhost");
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{id}@{domain}>")))
        .header(ListUnsubscribe(format!("<mailto:{}?subject=unsubscribe>", account.address)))
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|_| "This message could not be put together.".to_string())
}

fn is_refused_login(error: &SendError) -> bool {
    error.status().is_some_and(|code| matches!(code, 530 | 534 | 535 | 454))
}

/// The server's answer as a sentence for the owner.
fn refusal(error: &SendError) -> String {
    format!("The mail server did not take it: {error}")
}

/// Connects and signs in (a refused login or an unreachable server is said
/// here, before anything is marked).
pub async fn check(transport: &Transport, account: &MailAccount) -> Result<()> {
    match transport.test_connection().await {
        Ok(true) => Ok(()),
        Err(error) if is_refused_login(&error) => Err(Error::Mail(REFUSED_LOGIN.into())),
        Ok(false) | Err(_) => Err(Error::Mail(format!(
            "The mail server {}:{} could not be reached securely. Check the server, the port and the connection.",
            account.host, account.port
        ))),
    }
}

/// Sends one test message to the shop's own address.
pub async fn send_test(transport: &Transport, account: &MailAccount, subject: &str, body: &str) -> Result<()> {
    check(transport, account).await?;
    let email =
        message(account, &new_id(), &account.address, &format!("Test: {subject}"), body).map_err(Error::Mail)?;
    match transport.send(&email).await {
        Ok(_) => Ok(()),
        Err(error) if is_refused_login(&error) => Err(Error::Mail(REFUSED_LOGIN.into())),
        Err(error) => Err(Error::Mail(refusal(&error))),
    }
}

/// Why a round of sending stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// Nothing is queued (or every message is paused or cancelled).
    Finished,
    /// The hourly or daily limit is reached: go on after this time.
    Limit(DateTime<Utc>),
}

/// What a round of sending did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
    pub stopped: Stopped,
}

/// When the hourly or daily limit is reached, the time to go on.
fn limit_reached(writer: &impl Writer, account: &MailAccount, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    let limits = [(account.per_hour, chrono::Duration::hours(1)), (account.per_day, chrono::Duration::days(1))];
    for (limit, span) in limits {
        if limit > 0 && writer.with_writer(|conn| mailings::sent_since(conn, now - span))? >= i64::from(limit) {
            return Ok(Some(now + chrono::Duration::minutes(1)));
        }
    }
    Ok(None)
}

/// Takes the next queued row and marks it `sending`, committed.
fn take_next(writer: &impl Writer, now: DateTime<Utc>) -> Result<Option<OutboxRow>> {
    writer.with_writer(|conn| {
        store::write(conn, |tx| {
            let row = mailings::next_queued(tx)?;
            if let Some(row) = &row {
                mailings::mark_sending(tx, &row.id, now)?;
            }
            Ok(row)
        })
    })
}

/// Sends the queued rows one by one until none is left, a limit is reached,
/// or the server refuses the account or cannot be reached (an error: the
/// rows not handed over stay queued). `clock` is the wall clock;
/// `after_each` is told after every row (the progress bar).
pub async fn send_queued(
    writer: &impl Writer,
    transport: &Transport,
    account: &MailAccount,
    clock: fn() -> DateTime<Utc>,
    after_each: &(dyn Fn() + Sync),
) -> Result<Round> {
    check(transport, account).await?;
    let mut round = Round { sent: 0, failed: 0, stopped: Stopped::Finished };
    loop {
        if let Some(until) = limit_reached(writer, account, clock())? {
            round.stopped = Stopped::Limit(until);
            return Ok(round);
        }
        let Some(row) = take_next(writer, clock())? else { return Ok(round) };
        let outcome = hand_over(writer, transport, account, &row, clock).await;
        after_each();
        match outcome? {
            Outcome::Sent => round.sent += 1,
            Outcome::Refused => round.failed += 1,
            Outcome::Lost => {
                round.failed += 1;
                // A lost connection: go on only if the server answers again.
                if let Err(error) = check(transport, account).await {
                    tracing::warn!(
                        sent = round.sent,
                        failed = round.failed,
                        "sending stopped: the mail server went away"
                    );
                    return Err(error);
                }
            }
        }
    }
}

/// What became of one row.
enum Outcome {
    Sent,
    /// The server answered with a refusal (or the address was bad).
    Refused,
    /// The connection was lost before the server answered.
    Lost,
}

/// Hands one row to the server and records what happened on the row.
async fn hand_over(
    writer: &impl Writer,
    transport: &Transport,
    account: &MailAccount,
    row: &OutboxRow,
    clock: fn() -> DateTime<Utc>,
) -> Result<Outcome> {
    let email = match message(account, &row.id, &row.address, &row.subject, &row.body) {
        Ok(email) => email,
        Err(reason) => {
            failed(writer, row, &reason, clock())?;
            return Ok(Outcome::Refused);
        }
    };
    match transport.send(&email).await {
        Ok(_) => {
            // Sent, its history line, and the message done when it was the
            // last: one transaction.
            writer.with_writer(|conn| {
                store::write(conn, |tx| {
                    mailings::mark_sent(tx, row, clock())?;
                    mailings::finish_if_done(tx, &row.message_id, clock())
                })
            })?;
            Ok(Outcome::Sent)
        }
        Err(error) if is_refused_login(&error) => {
            // Refused before the message was handed over: it stays queued.
            writer.with_writer(|conn| mailings::mark_queued_again(conn, &row.id, clock()))?;
            Err(Error::Mail(REFUSED_LOGIN.into()))
        }
        Err(error) => {
            let answered = error.answered();
            let code = error.status();
            tracing::info!(outbox = %row.id, code, answered, "the mail server did not take a message");
            let reason = if answered { refusal(&error) } else { CONNECTION_LOST.to_string() };
            failed(writer, row, &reason, clock())?;
            Ok(if answered { Outcome::Refused } else { Outcome::Lost })
        }
    }
}

/// Marks a row failed with its reason (and the message done when it was the last).
fn failed(writer: &impl Writer, row: &OutboxRow, reason: &str, now: DateTime<Utc>) -> Result<()> {
    writer.with_writer(|conn| {
        store::write(conn, |tx| {
            mailings::mark_failed(tx, &row.id, reason, now)?;
            mailings::finish_if_done(tx, &row.message_id, now)
        })
    })?;
    Ok(())
}
