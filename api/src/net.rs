//! TLS for the connections the server opens itself (IMAP, SMTP): rustls with the Mozilla roots
//! (webpki-roots), so the result does not depend on the host's certificate store.

use std::sync::Arc;

use anyhow::Context as _;
use tokio::net::TcpStream;
use tokio_rustls::{client::TlsStream, rustls};

fn client_config() -> anyhow::Result<Arc<rustls::ClientConfig>> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// TLS over `tcp`, checking the certificate against `host`.
pub async fn tls<S>(host: &str, tcp: S) -> anyhow::Result<TlsStream<S>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let name = rustls::pki_types::ServerName::try_from(host.to_owned()).context("the host is not a valid name")?;
    Ok(tokio_rustls::TlsConnector::from(client_config()?).connect(name, tcp).await?)
}

/// A TCP connection with Nagle's algorithm off: protocols that write a command in pieces and
/// then wait for the answer (SMTP's message and its final dot) would otherwise wait for the
/// peer's delayed acknowledgement, about 40 ms each time.
pub async fn connect(host: &str, port: u16) -> anyhow::Result<TcpStream> {
    let tcp = TcpStream::connect((host, port)).await.with_context(|| format!("cannot connect to {host}:{port}"))?;
    tcp.set_nodelay(true)?;
    Ok(tcp)
}
