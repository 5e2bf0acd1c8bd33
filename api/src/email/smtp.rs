//! Sending over SMTP with a pool of open connections and several messages in flight.
//!
//! `HELPDESK_SMTP_URL`: `smtp://host:port` (plain; `?tls=required` upgrades with STARTTLS,
//! `?tls=opportunistic` when the server offers it) or `smtps://host:465` (TLS from the start),
//! with `user:password@` for authentication (percent-encoded). Up to
//! `HELPDESK_SMTP_CONNECTIONS` messages are sent at once, each over a connection of its own;
//! a connection is kept open for the next message (a NOOP checks one that sat idle) and closed
//! after any error, so a half-finished transaction never carries over.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use lettre::{
    address::Envelope,
    transport::smtp::{
        authentication::{Credentials, Mechanism},
        client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters},
        extension::ClientId,
    },
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    sync::Semaphore,
};

/// How a connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    Plain,
    StartTlsIfOffered,
    StartTls,
    Tls,
}

/// The SMTP server and a pool of connections to it.
pub struct Smtp {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    slots: Semaphore,
    connections: usize,
}

/// A connection idle for longer is checked with a NOOP before it carries a message.
const CHECK_AFTER: Duration = Duration::from_secs(10);
/// A connection idle for longer is closed (servers drop idle clients after a minute or so).
const DROP_AFTER: Duration = Duration::from_secs(50);

impl Smtp {
    /// The server named by `url`, with up to `connections` messages in flight.
    pub fn new(url: &str, connections: usize, timeout: Duration) -> anyhow::Result<Self> {
        let url = reqwest::Url::parse(url).context("not a URL")?;
        let query = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        let security = match (url.scheme(), query("tls").as_deref()) {
            ("smtps", _) => Security::Tls,
            ("smtp", Some("required")) => Security::StartTls,
            ("smtp", Some("opportunistic")) => Security::StartTlsIfOffered,
            ("smtp", None | Some("none")) => Security::Plain,
            ("smtp", Some(other)) => bail!("tls={other} is not one of required, opportunistic, none"),
            (scheme, _) => bail!("the scheme {scheme}:// is not smtp:// or smtps://"),
        };
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let credentials = (!url.username().is_empty())
            .then(|| Credentials::new(decode(url.username()), decode(url.password().unwrap_or_default())));
        Ok(Self {
            host: url.host_str().context("the URL names no host")?.to_owned(),
            port: url.port().unwrap_or(if security == Security::Tls { 465 } else { 25 }),
            security,
            credentials,
            hello: ClientId::default(),
            timeout,
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(connections.max(1)),
            connections: connections.max(1),
        })
    }

    /// How many messages may be in flight.
    pub fn connections(&self) -> usize {
        self.connections
    }

    /// Sends one message; waits while every connection is busy.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> anyhow::Result<()> {
        let _slot = self.slots.acquire().await?;
        let mut conn = match self.reuse().await {
            Some(conn) => conn,
            None => tokio::time::timeout(self.timeout, self.connect()).await.context("timed out connecting")??,
        };
        match tokio::time::timeout(self.timeout, conn.send(envelope, message)).await {
            Ok(Ok(_)) => {
                self.lock().push((conn, Instant::now()));
                Ok(())
            }
            Ok(Err(err)) => {
                conn.abort().await;
                Err(err.into())
            }
            Err(_) => {
                conn.abort().await;
                bail!("the SMTP server did not answer within {} s", self.timeout.as_secs())
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(AsyncSmtpConnection, Instant)>> {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An open connection from the pool that still works.
    async fn reuse(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let (mut conn, since) = self.lock().pop()?;
            let idle = since.elapsed();
            if idle < CHECK_AFTER && !conn.has_broken() {
                return Some(conn);
            }
            if idle < DROP_AFTER && conn.test_connected().await {
                return Some(conn);
            }
            conn.abort().await;
        }
    }

    async fn connect(&self) -> anyhow::Result<AsyncSmtpConnection> {
        let tcp = crate::net::connect(&self.host, self.port).await?;
        let mut conn = if self.security == Security::Tls {
            let tls = Tls(crate::net::tls(&self.host, tcp).await?);
            AsyncSmtpConnection::connect_with_transport(Box::new(tls), &self.hello).await?
        } else {
            AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?
        };
        let upgrade = match self.security {
            Security::StartTls if !conn.can_starttls() => bail!("the SMTP server does not offer STARTTLS"),
            Security::StartTls => true,
            Security::StartTlsIfOffered => conn.can_starttls(),
            Security::Plain | Security::Tls => false,
        };
        if upgrade {
            conn.starttls(TlsParameters::new(self.host.clone())?, &self.hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .context("SMTP authentication failed")?;
        }
        Ok(conn)
    }
}

/// A TLS connection as lettre takes it.
#[derive(Debug)]
struct Tls(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for Tls {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tls {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
