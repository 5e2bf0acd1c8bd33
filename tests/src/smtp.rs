//! A real SMTP server on loopback (python aiosmtpd, see `tests/smtp_sink.py`).

use std::{path::PathBuf, process::Stdio, time::Duration};

use serde::Deserialize;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use crate::paths;

/// One received message.
#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub subject: String,
    pub headers: std::collections::BTreeMap<String, String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl Mail {
    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or_default()
    }

    /// The first URL in the plain-text body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let text = self.text();
        let start = text.find(prefix)?;
        Some(text[start..].split_whitespace().next()?.to_owned())
    }
}

pub struct SmtpServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

async fn start_sink(dir: &std::path::Path, port: u16) -> (Child, u16) {
    let mut child = Command::new(paths::python())
        .arg(paths::root().join("tests/smtp_sink.py"))
        .arg(dir)
        .arg(port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the SMTP server (python aiosmtpd; run scripts/ensure-tools.sh test)");
    let stdout = child.stdout.take().expect("piped stdout");
    let line = tokio::time::timeout(Duration::from_secs(20), BufReader::new(stdout).lines().next_line())
        .await
        .expect("the SMTP server starts within 20 s")
        .expect("read the SMTP server's port")
        .expect("the SMTP server printed its port");
    let port = line.trim_start_matches("PORT ").parse().expect("a port number");
    (child, port)
}

impl SmtpServer {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("create the mail directory");
        let (child, port) = start_sink(dir.path(), 0).await;
        Self { port, dir, child: Some(child) }
    }

    /// Where the received messages are written (one JSON file each).
    pub fn directory(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops accepting connections (the port stays reserved for [`SmtpServer::restart`]).
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// Starts again on the same port.
    pub async fn restart(&mut self) {
        self.stop().await;
        let (child, _) = start_sink(self.dir.path(), self.port).await;
        self.child = Some(child);
    }

    /// Every message received so far, oldest first.
    pub fn received(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(self.dir.path()).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        files.retain(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
        });
        files.sort();
        files
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .filter_map(|bytes| serde_json::from_slice(&bytes).ok())
            .collect()
    }

    /// Waits up to 30 s for a message to `recipient` that satisfies `matches`.
    pub async fn wait_for(&self, recipient: &str, matches: impl Fn(&Mail) -> bool) -> Mail {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(mail) =
                self.received().into_iter().find(|m| m.rcpt_tos.iter().any(|r| r == recipient) && matches(m))
            {
                return mail;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no matching mail to {recipient} within 30 s; got: {:#?}",
                self.received()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for any message to `recipient`.
    pub async fn wait_for_mail(&self, recipient: &str) -> Mail {
        self.wait_for(recipient, |_| true).await
    }
}
