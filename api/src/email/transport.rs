//! How emails leave: SMTP (`HELPDESK_SMTP_URL`) or `.eml` files in `HELPDESK_MAIL_DIR`.

use std::time::Duration;

use anyhow::Context;
use lettre::{
    FileTransport, Message as LettreMessage, SmtpTransport, Transport as _,
    message::{Mailbox, MultiPart},
};

use crate::config::Config;

pub enum Transport {
    Smtp(Box<SmtpTransport>),
    File(FileTransport),
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().context("HELPDESK_MAIL_FROM")?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(Box::new(
                SmtpTransport::from_url(url.expose())
                    .context("HELPDESK_SMTP_URL is not a valid SMTP URL")?
                    .timeout(Some(Duration::from_secs(10)))
                    .build(),
            )),
            None => {
                std::fs::create_dir_all(&config.mail_dir)
                    .with_context(|| format!("cannot create the mail directory {}", config.mail_dir.display()))?;
                Transport::File(FileTransport::new(&config.mail_dir))
            }
        };
        Ok(Self { transport, from })
    }

    /// Sends one email (blocking: call from the worker's blocking thread).
    pub fn send(&self, to: &str, subject: &str, text: &str, html: &str) -> anyhow::Result<()> {
        let to: Mailbox = to.parse().context("invalid recipient address")?;
        let message = LettreMessage::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(text.to_owned(), html.to_owned()))
            .context("cannot build the message")?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(&message).map(drop).map_err(anyhow::Error::from),
            Transport::File(file) => file.send(&message).map(drop).map_err(anyhow::Error::from),
        }
    }
}
