//! How emails leave: SMTP (`HELPDESK_SMTP_URL`, see [`super::smtp`]) or `.eml` files in
//! `HELPDESK_MAIL_DIR`.

use std::time::Duration;

use anyhow::Context;
use lettre::{
    FileTransport, Message as LettreMessage, Transport as _,
    message::{
        Mailbox, MultiPart,
        header::{HeaderName, HeaderValue},
    },
};

use super::{outbox::EmailRow, smtp::Smtp};
use crate::config::Config;

pub enum Transport {
    Smtp(Smtp),
    File(FileTransport),
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// Signs the one-click unsubscribe links (RFC 8058).
    unsubscribe: crate::notifications::unsubscribe::Signer,
    message_ids: crate::inbound::thread::MessageIds,
    public_url: String,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().context("HELPDESK_MAIL_FROM")?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                Smtp::new(url.expose(), usize::try_from(config.smtp_connections)?, Duration::from_secs(10))
                    .context("HELPDESK_SMTP_URL is not a valid SMTP URL")?,
            ),
            None => {
                std::fs::create_dir_all(&config.mail_dir)
                    .with_context(|| format!("cannot create the mail directory {}", config.mail_dir.display()))?;
                Transport::File(FileTransport::new(&config.mail_dir))
            }
        };
        Ok(Self {
            transport,
            from,
            unsubscribe: crate::notifications::unsubscribe::Signer::new(config.jwt_secret.expose()),
            message_ids: crate::inbound::thread::MessageIds::new(config.jwt_secret.expose()),
            public_url: config.public_url.clone(),
        })
    }

    /// How many emails may be sent at once.
    pub fn parallel(&self) -> usize {
        match &self.transport {
            Transport::Smtp(smtp) => smtp.connections(),
            Transport::File(_) => 1,
        }
    }

    /// Sends one email. Its Message-ID names
    /// the mail and its ticket, so replies thread (`inbound::thread`); non-essential mail carries
    /// a one-click `List-Unsubscribe` link (RFC 8058); every mail but an agent's reply is marked
    /// automatic (RFC 3834), so auto-responders leave it alone.
    pub async fn send(&self, email: &EmailRow) -> anyhow::Result<()> {
        let to: Mailbox = email.recipient.parse().context("invalid recipient address")?;
        let domain = self.from.email.domain().to_owned();
        let message_id = self.message_ids.make(email.id, email.ticket_number, &domain);
        let mut builder = LettreMessage::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(format!("<{message_id}>")));
        let automatic = match email.template.as_str() {
            "ticket_reply" => None,
            "ticket_created" => Some("auto-replied"),
            _ => Some("auto-generated"),
        };
        if let Some(value) = automatic {
            builder = builder
                .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), value.to_owned()));
        }
        if let Some(what) = &email.unsubscribe {
            let url = format!("{}/api/v1/unsubscribe?token={}", self.public_url, self.unsubscribe.token(what));
            builder = builder
                .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let (text, html) = (email.text_body.clone().unwrap_or_default(), email.html_body.clone().unwrap_or_default());
        let message =
            builder.multipart(MultiPart::alternative_plain_html(text, html)).context("cannot build the message")?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message.envelope(), &message.formatted()).await,
            Transport::File(file) => file.send(&message).map(drop).map_err(anyhow::Error::from),
        }
    }
}
