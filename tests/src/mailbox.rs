//! Reading what a server mailed, wherever it went: the SMTP sink (when the server sends through
//! one) or the server's mail directory (`.eml` files, without SMTP).

use std::time::Duration;

use crate::{Mail, TestApp};

/// Undoes quoted-printable soft line breaks and `=3D`, enough to read links from `.eml` files.
fn unfold_quoted_printable(text: &str) -> String {
    text.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

impl TestApp {
    /// Every message to `recipient` so far, as text, oldest first.
    pub fn mails_to(&self, recipient: &str) -> Vec<String> {
        match &self.smtp_dir {
            Some(dir) => {
                let mut files: Vec<_> =
                    std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
                files.retain(|p| p.extension().is_some_and(|e| e == "json"));
                files.sort();
                files
                    .iter()
                    .filter_map(|p| std::fs::read(p).ok())
                    .filter_map(|b| serde_json::from_slice::<Mail>(&b).ok())
                    .filter(|m| m.rcpt_tos.iter().any(|r| r == recipient))
                    .map(|m| m.text().to_owned())
                    .collect()
            }
            None => {
                let dir = self.dir.path().join("mail");
                let mut files: Vec<_> = std::fs::read_dir(&dir)
                    .map(|d| {
                        d.flatten().filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path()))).collect()
                    })
                    .unwrap_or_default();
                files.sort();
                files
                    .iter()
                    .filter_map(|(_, p)| std::fs::read_to_string(p).ok())
                    .map(|t| unfold_quoted_printable(&t))
                    .filter(|t| t.lines().any(|l| l.starts_with("To:") && l.contains(recipient)))
                    .collect()
            }
        }
    }

    /// The newest link containing `fragment` in a mail to `recipient`, waiting up to 30 s.
    pub async fn mailed_link(&self, recipient: &str, fragment: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let found = self.mails_to(recipient).iter().rev().find_map(|text| {
                let at = text.find(fragment)?;
                let start = text[..at].rfind(|c: char| c.is_whitespace() || c == '"').map_or(0, |i| i + 1);
                let link: String =
                    text[start..].chars().take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<').collect();
                Some(link)
            });
            if let Some(link) = found {
                return link;
            }
            assert!(tokio::time::Instant::now() < deadline, "no mail to {recipient} with {fragment} within 30 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
