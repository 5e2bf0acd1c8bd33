//! Polling IMAP (#14): `HELPDESK_IMAP_URL` names the account and folder
//! (`imaps://user:password@host:993/INBOX`; `imap://` upgrades with STARTTLS, and stays plain
//! only to a loopback host); `HELPDESK_IMAP_MAILBOXES` adds folders, each with a category.
//!
//! Per folder one task: it takes a PostgreSQL advisory lock on its own connection (so with
//! several instances exactly one polls a folder; the lock goes with the connection if the
//! process dies), then fetches every message, ingests it, and only after the commit moves it to
//! `Processed` (or `Failed`, with the reason logged and the admins notified). A message whose
//! processing was cut off stays in the folder and is fetched again; ingesting is idempotent by
//! its Message-ID. Between passes it waits in IDLE when the server offers it.

use std::{fmt::Debug, time::Duration};

use anyhow::Context as _;
use async_imap::{Client, Session};
use diesel::{Connection, PgConnection, RunQueryDsl, sql_types::BigInt};
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};

use super::{Inbox, IngestError, Outcome};
use crate::db;

/// A connection, plain or TLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Io for T {}
type Stream = Box<dyn Io>;

const PROCESSED: &str = "Processed";
const FAILED: &str = "Failed";

/// Where to poll: the account, and each folder with the category of its new tickets.
#[derive(Clone)]
struct Account {
    url: reqwest::Url,
}

impl Account {
    fn host(&self) -> &str {
        self.url.host_str().unwrap_or("localhost")
    }

    fn tls(&self) -> bool {
        self.url.scheme() == "imaps"
    }

    fn port(&self) -> u16 {
        self.url.port().unwrap_or(if self.tls() { 993 } else { 143 })
    }

    fn user(&self) -> String {
        percent_encoding::percent_decode_str(self.url.username()).decode_utf8_lossy().into_owned()
    }

    fn password(&self) -> String {
        percent_encoding::percent_decode_str(self.url.password().unwrap_or_default()).decode_utf8_lossy().into_owned()
    }

    fn folder(&self) -> String {
        let path = percent_encoding::percent_decode_str(self.url.path().trim_start_matches('/')).decode_utf8_lossy();
        if path.is_empty() { "INBOX".to_owned() } else { path.into_owned() }
    }

    fn loopback(&self) -> bool {
        let host = self.host().trim_start_matches('[').trim_end_matches(']');
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// A number for the advisory lock of one folder of this account.
    fn lock_key(&self, folder: &str) -> i64 {
        let digest = crate::auth::tokens::hash(&format!("imap {} {} {folder}", self.host(), self.user()));
        i64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8]))
    }
}

/// Starts one watcher per folder; nothing when `HELPDESK_IMAP_URL` is not set.
pub fn spawn(inbox: Inbox, database_url: String) {
    let Some(url) = inbox.config.inbound.imap_url.as_ref() else { return };
    let Ok(url) = reqwest::Url::parse(url.expose()) else {
        tracing::error!("HELPDESK_IMAP_URL is not a URL; inbound mail is off");
        return;
    };
    let account = Account { url };
    let mut folders: Vec<(String, Option<String>)> = vec![(account.folder(), None)];
    for (folder, category) in &inbox.config.inbound.mailboxes {
        match folders.iter_mut().find(|(f, _)| f == folder) {
            Some(existing) => existing.1.clone_from(category),
            None => folders.push((folder.clone(), category.clone())),
        }
    }
    for (folder, category) in folders {
        let (inbox, account, database_url) = (inbox.clone(), account.clone(), database_url.clone());
        tokio::spawn(async move { watch(inbox, account, folder, category, database_url).await });
    }
}

async fn watch(inbox: Inbox, account: Account, folder: String, category: Option<String>, database_url: String) {
    let poll = Duration::from_secs(inbox.config.inbound.poll_seconds);
    let mut failures = 0u32;
    loop {
        let key = account.lock_key(&folder);
        let url = database_url.clone();
        // The lock lives as long as this connection.
        let lock = tokio::task::spawn_blocking(move || -> anyhow::Result<Option<PgConnection>> {
            let mut conn = PgConnection::establish(&url)?;
            let taken: bool = diesel::select(
                diesel::dsl::sql::<diesel::sql_types::Bool>("pg_try_advisory_lock(").bind::<BigInt, _>(key).sql(")"),
            )
            .get_result(&mut conn)?;
            Ok(taken.then_some(conn))
        })
        .await;
        let wait = match lock {
            Ok(Ok(Some(conn))) => {
                let result = serve(&inbox, &account, &folder, category.as_deref()).await;
                drop(conn);
                match result {
                    Ok(()) => {
                        failures = 0;
                        Duration::from_secs(1)
                    }
                    Err(err) => {
                        failures += 1;
                        tracing::warn!(folder = %folder, error = %format!("{err:#}"), "IMAP session ended");
                        Duration::from_secs(2u64.saturating_pow(failures.min(10))).min(poll.max(Duration::from_secs(5)))
                    }
                }
            }
            // Another instance polls this folder.
            Ok(Ok(None)) => poll,
            Ok(Err(err)) => {
                tracing::warn!(error = %format!("{err:#}"), "cannot take the IMAP folder lock");
                poll
            }
            Err(_) => poll,
        };
        tokio::time::sleep(wait).await;
    }
}

/// Connects and signs in: TLS from the start (`imaps`), STARTTLS (`imap`), or plain to loopback.
async fn connect(account: &Account) -> anyhow::Result<Session<Stream>> {
    let tcp = crate::net::connect(account.host(), account.port()).await?;
    let client = if account.tls() {
        let mut client = Client::new(Box::new(crate::net::tls(account.host(), tcp).await?) as Stream);
        client.read_response().await?.context("no greeting")?;
        client
    } else {
        let mut plain = Client::new(Box::new(tcp) as Stream);
        plain.read_response().await?.context("no greeting")?;
        if account.loopback() {
            plain
        } else {
            plain.run_command_and_check_ok("STARTTLS", None).await.context("the server refused STARTTLS")?;
            let tcp = plain.into_inner();
            // After STARTTLS there is no second greeting.
            Client::new(Box::new(crate::net::tls(account.host(), tcp).await?) as Stream)
        }
    };
    client.login(account.user(), account.password()).await.map_err(|(e, _)| e).context("IMAP login failed")
}

/// One session: processes what is there, then waits for more, until the connection ends.
async fn serve(inbox: &Inbox, account: &Account, folder: &str, category: Option<&str>) -> anyhow::Result<()> {
    let mut session = connect(account).await?;
    let capabilities = session.capabilities().await?;
    let (can_move, can_idle) = (capabilities.has_str("MOVE"), capabilities.has_str("IDLE"));
    for target in [PROCESSED, FAILED] {
        // Already there: the server says NO, which is fine.
        let _ = session.create(target).await;
    }
    session.select(folder).await.with_context(|| format!("cannot open the folder {folder}"))?;
    let poll = Duration::from_secs(inbox.config.inbound.poll_seconds);
    loop {
        let mut uids: Vec<u32> = session.uid_search("ALL").await?.into_iter().collect();
        uids.sort_unstable();
        for uid in uids {
            let raw = fetch(&mut session, uid).await?;
            let target = match inbox.ingest(&raw, folder, category).await {
                Ok(outcome) => {
                    tracing::info!(folder, uid, outcome = ?outcome, "inbound mail processed");
                    if matches!(outcome, Outcome::Refused(_)) { FAILED } else { PROCESSED }
                }
                // The database or the file store is away: the message stays for the next pass.
                Err(IngestError::Unavailable(why)) => anyhow::bail!("cannot process mail now: {why}"),
                Err(err) => {
                    tracing::warn!(folder, uid, error = %format!("{err:#}"), "inbound mail failed");
                    report_failure(inbox, folder, &format!("{err:#}")).await;
                    FAILED
                }
            };
            move_message(&mut session, uid, target, can_move).await?;
        }
        if can_idle {
            let mut idle = session.idle();
            idle.init().await?;
            {
                let (wait, _stop) = idle.wait_with_timeout(poll);
                wait.await?;
            }
            session = idle.done().await?;
        } else {
            tokio::time::sleep(poll).await;
            session.noop().await?;
        }
    }
}

async fn fetch(session: &mut Session<Stream>, uid: u32) -> anyhow::Result<Vec<u8>> {
    let mut stream = session.uid_fetch(uid.to_string(), "BODY.PEEK[]").await?;
    let mut raw = Vec::new();
    while let Some(fetched) = stream.try_next().await? {
        if let Some(body) = fetched.body() {
            raw = body.to_vec();
        }
    }
    Ok(raw)
}

async fn move_message(session: &mut Session<Stream>, uid: u32, target: &str, can_move: bool) -> anyhow::Result<()> {
    let set = uid.to_string();
    if can_move {
        session.uid_mv(&set, target).await?;
    } else {
        session.uid_copy(&set, target).await?;
        let flagged = session.uid_store(&set, "+FLAGS.SILENT (\\Deleted)").await?;
        let _: Vec<_> = flagged.try_collect().await?;
        let expunged = session.uid_expunge(&set).await?;
        let _: Vec<_> = expunged.try_collect().await?;
    }
    Ok(())
}

/// A message went to `Failed`: the admins hear of it.
async fn report_failure(inbox: &Inbox, folder: &str, error: &str) {
    let (folder, error, public_url) = (folder.to_owned(), error.to_owned(), inbox.config.public_url.clone());
    let result = db::run(&inbox.pool, move |conn| {
        conn.transaction(|conn| crate::notifications::inbound_failed(conn, &folder, &error, &public_url))
    })
    .await;
    if let Err(err) = result {
        tracing::warn!(error = %err, "cannot notify the admins of a failed inbound mail");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_account_folder_and_security() {
        let account = Account {
            url: reqwest::Url::parse("imaps://support%40example.com:p%40ss@mail.example.com/Support").unwrap(),
        };
        assert_eq!((account.user().as_str(), account.password().as_str()), ("support@example.com", "p@ss"));
        assert_eq!((account.host(), account.port(), account.folder().as_str()), ("mail.example.com", 993, "Support"));
        assert!(account.tls() && !account.loopback());
        let local = Account { url: reqwest::Url::parse("imap://u:p@127.0.0.1:1143").unwrap() };
        assert_eq!((local.port(), local.folder().as_str(), local.loopback()), (1143, "INBOX", true));
        assert_ne!(account.lock_key("INBOX"), account.lock_key("Billing"));
    }
}
