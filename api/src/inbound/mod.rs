//! Inbound email (#14): mail to the support address becomes tickets and replies. Messages come
//! from IMAP (`imap`, polled by the server) or from an MTA through `helpdesk ingest-email`; both
//! hand the raw message to [`Inbox::ingest`]:
//!
//! 1. parse it (`parse`); automatic mail (auto-replies, lists, daemons, our own address) and
//!    bounces never become tickets;
//! 2. check its files by the upload rules (P6) and store those that pass, with the original
//!    message as `original.eml` (staff-only, kept `HELPDESK_RAW_EMAIL_RETENTION_DAYS`);
//! 3. in one transaction: claim the message's key in `inbound_emails` (a message seen before is
//!    a no-op, so a crash before the IMAP move loses and duplicates nothing), then thread it
//!    (`thread`) to a reply on its ticket (quotes cut, `quote`) or open a new ticket, with the
//!    files, a note and one mail about refused files, and the log row.
//!
//! Objects stored for a message whose transaction fails are deleted again.

pub mod imap;
pub mod parse;
pub mod quote;
pub mod routes;
pub mod thread;

use std::sync::Arc;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use helpdesk_types::{
    Locale,
    integrations::EventType,
    tickets::{Channel, Priority, TicketStatus},
};
use sha2::{Digest, Sha256};

use crate::{
    accounts::{model::User, repo as accounts},
    attachments::{self, model::NewAttachment, receive::Received, validate},
    auth::tokens,
    config::Config,
    db::{
        self, DbPool,
        schema::{categories, emails, inbound_emails},
    },
    email::{self, Message},
    error::ApiError,
    storage::Storage,
    tickets::{
        comments,
        events::{self, Actor, Change},
        intake,
        model::{NewComment, TicketRow},
        notify,
        policy::Viewer,
        repo as tickets,
    },
};

/// Inline images below this size (signature logos referenced by `cid:`) are not stored.
const INLINE_KEEP_BYTES: usize = 32 * 1024;
/// Text past the ticket and comment limits is cut; the full text stays in `original.eml`.
const TEXT_LIMIT: usize = helpdesk_types::validation::limits::DESCRIPTION;
const SUBJECT_LIMIT: usize = helpdesk_types::validation::limits::SUBJECT;

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    TicketCreated {
        ticket_id: i64,
        number: i64,
    },
    CommentAdded {
        ticket_id: i64,
        number: i64,
        comment_id: i64,
    },
    /// Automatic mail, our own, or from a person whose processing is restricted.
    Ignored(String),
    /// A delivery status notification; this many of our mails are now `bounced`.
    Bounce(usize),
    /// Not taken (too many new tickets from the sender, no sender); goes to `Failed`.
    Refused(String),
    /// Processed before (the same Message-ID, or the same bytes).
    Duplicate,
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Self::TicketCreated { .. } => "ticket_created",
            Self::CommentAdded { .. } => "comment_added",
            Self::Ignored(_) | Self::Duplicate => "ignored",
            Self::Bounce(_) => "bounce",
            Self::Refused(_) => "refused",
        }
    }

    fn reason(&self) -> Option<String> {
        match self {
            Self::Ignored(r) | Self::Refused(r) => Some(r.clone()),
            Self::Bounce(n) => Some(format!("{n} of our mails marked bounced")),
            _ => None,
        }
    }
}

/// Why a message could not be processed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Not an RFC 5322 message: it will never be processed (`EX_DATAERR`, the `Failed` folder).
    #[error("not a mail message")]
    Unparseable,
    /// The database or the file store is unreachable: try again later (`EX_TEMPFAIL`).
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<ApiError> for IngestError {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::Unavailable(detail) => Self::Unavailable(detail),
            other => Self::Other(anyhow::anyhow!("{other}")),
        }
    }
}

/// The files of a message: stored (they passed the upload rules), refused (with the reason),
/// and the stored original.
#[derive(Default)]
struct Files {
    kept: Vec<Received>,
    refused: Vec<String>,
    original: Option<Received>,
}

impl Files {
    fn keys(&self) -> Vec<String> {
        self.kept.iter().chain(&self.original).map(|r| r.key.clone()).collect()
    }
}

/// What ingesting needs: the database, the file store, the configuration.
#[derive(Clone)]
pub struct Inbox {
    pub pool: DbPool,
    pub storage: Storage,
    pub config: Arc<Config>,
    ids: thread::MessageIds,
    /// Our sending address, lower-case: mail from it is a loop.
    own_address: String,
}

impl Inbox {
    pub fn new(pool: DbPool, storage: Storage, config: Arc<Config>) -> Self {
        let ids = thread::MessageIds::new(config.jwt_secret.expose());
        let own_address = config
            .mail_from
            .parse::<lettre::message::Mailbox>()
            .map(|m| m.email.to_string().to_lowercase())
            .unwrap_or_default();
        Self { pool, storage, config, ids, own_address }
    }

    /// Processes one raw message; `mailbox` names where it came from (`pipe` or the IMAP
    /// folder), `category` the category new tickets get.
    pub async fn ingest(&self, raw: &[u8], mailbox: &str, category: Option<&str>) -> Result<Outcome, IngestError> {
        let mail = parse::parse(raw).ok_or(IngestError::Unparseable)?;
        let early = if mail.bounce_of.is_some() {
            None
        } else if let Some(why) = mail.automatic {
            Some(Outcome::Ignored(why.to_owned()))
        } else if mail.from == self.own_address {
            Some(Outcome::Ignored("sent from our own address (a loop)".to_owned()))
        } else if !mail.from.contains('@') {
            Some(Outcome::Refused("the mail names no sender address".to_owned()))
        } else {
            None
        };
        let takes_files = early.is_none() && mail.bounce_of.is_none();
        let files = if takes_files { self.store_files(&mail, raw).await? } else { Files::default() };
        let keys = files.keys();

        let (inbox, mailbox, category) = (self.clone(), mailbox.to_owned(), category.map(str::to_owned));
        let result = db::run(&self.pool, move |conn| {
            conn.transaction(|conn| inbox.record(conn, &mail, &mailbox, category.as_deref(), early, &files))
        })
        .await;
        match &result {
            Ok(Outcome::TicketCreated { .. } | Outcome::CommentAdded { .. }) => {}
            // Nothing refers to the stored objects.
            _ => self.storage.delete_all(&keys).await,
        }
        Ok(result?)
    }

    /// Checks every file by the upload rules and stores those that pass, and the original.
    async fn store_files(&self, mail: &parse::Mail, raw: &[u8]) -> Result<Files, IngestError> {
        let (mut kept, mut refused) = (Vec::new(), Vec::new());
        let limit = self.config.max_upload_bytes;
        for file in &mail.files {
            if file.inline && file.bytes.len() < INLINE_KEEP_BYTES {
                continue;
            }
            let ext = validate::extension(&file.name).filter(|e| validate::content_type(e).is_some());
            let problem = match &ext {
                None => Some("type not allowed"),
                Some(_) if file.bytes.is_empty() => Some("empty"),
                Some(_) if file.bytes.len() as u64 > limit => Some("larger than the limit"),
                Some(e) if !validate::content_matches(e, &file.bytes) => Some("content does not match the extension"),
                Some(_) => None,
            };
            let shown = validate::sanitize_filename(&file.name, ext.as_deref().unwrap_or(""));
            if let Some(problem) = problem {
                refused.push(format!("{shown}: {problem}"));
                continue;
            }
            let ext = ext.unwrap_or_default();
            let received = self
                .put(&file.bytes, shown, validate::content_type(&ext).unwrap_or("application/octet-stream"))
                .await?;
            kept.push(received);
        }
        let original = self.put(raw, "original.eml".to_owned(), "message/rfc822").await?;
        Ok(Files { kept, refused, original: Some(original) })
    }

    async fn put(&self, bytes: &[u8], filename: String, content_type: &'static str) -> Result<Received, IngestError> {
        let key = hex::encode(tokens::hash(&tokens::generate()));
        self.storage
            .put(&key, bytes::Bytes::copy_from_slice(bytes))
            .await
            .map_err(|e| IngestError::Unavailable(format!("{e:#}")))?;
        Ok(Received {
            key,
            filename,
            content_type,
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256: hex::encode(Sha256::digest(bytes)),
        })
    }

    /// The transaction: claim the message, decide, write, log.
    fn record(
        &self,
        conn: &mut PgConnection,
        mail: &parse::Mail,
        mailbox: &str,
        category: Option<&str>,
        early: Option<Outcome>,
        files: &Files,
    ) -> Result<Outcome, ApiError> {
        let claimed: Option<i64> = diesel::insert_into(inbound_emails::table)
            .values((
                inbound_emails::message_key.eq(&mail.key),
                inbound_emails::mailbox.eq(mailbox),
                inbound_emails::sender.eq(&mail.from),
                inbound_emails::subject.eq(truncate(&mail.subject, SUBJECT_LIMIT)),
                inbound_emails::outcome.eq("ignored"),
            ))
            .on_conflict(inbound_emails::message_key)
            .do_nothing()
            .returning(inbound_emails::id)
            .get_result(conn)
            .optional()?;
        let Some(log_id) = claimed else { return Ok(Outcome::Duplicate) };
        let outcome = match (&mail.bounce_of, early) {
            (Some(returned), _) => Outcome::Bounce(self.mark_bounced(conn, returned)?),
            (None, Some(early)) => early,
            (None, None) => self.deliver(conn, mail, category, files)?,
        };
        let (ticket_id, comment_id) = match &outcome {
            Outcome::TicketCreated { ticket_id, .. } => (Some(*ticket_id), None),
            Outcome::CommentAdded { ticket_id, comment_id, .. } => (Some(*ticket_id), Some(*comment_id)),
            _ => (None, None),
        };
        diesel::update(inbound_emails::table.find(log_id))
            .set((
                inbound_emails::outcome.eq(outcome.label()),
                inbound_emails::reason.eq(outcome.reason()),
                inbound_emails::ticket_id.eq(ticket_id),
                inbound_emails::comment_id.eq(comment_id),
            ))
            .execute(conn)?;
        Ok(outcome)
    }

    /// Our mails a bounce returns are marked `bounced` in the email log.
    fn mark_bounced(&self, conn: &mut PgConnection, returned: &[String]) -> QueryResult<usize> {
        let ids: Vec<i64> = returned.iter().filter_map(|id| self.ids.read(id)).map(|o| o.email_id).collect();
        diesel::update(emails::table.filter(emails::id.eq_any(ids)))
            .set((
                emails::status.eq(helpdesk_types::email::EmailStatus::Bounced),
                emails::last_error.eq("returned by the recipient's mail server"),
            ))
            .execute(conn)
    }

    /// The ticket the mail answers, with the sender as a viewer who may see it: by our
    /// Message-ID in `In-Reply-To`/`References`, else by `[#N]` in the subject. Only people of
    /// the ticket (requester, their organization when it shares tickets, staff) reply by mail.
    fn thread_target(
        &self,
        conn: &mut PgConnection,
        mail: &parse::Mail,
        sender: Option<&User>,
    ) -> Result<Option<(TicketRow, Viewer)>, ApiError> {
        let by_id = mail.answers.iter().find_map(|a| self.ids.read(a)).and_then(|o| o.ticket_number);
        let Some(number) = by_id.or_else(|| thread::subject_number(&mail.subject)) else { return Ok(None) };
        let Some(person) = sender.filter(|p| p.active) else { return Ok(None) };
        let Some(id) = tickets::id_by_number(conn, number)? else { return Ok(None) };
        let Some(ticket) = tickets::find(conn, id, true)? else { return Ok(None) };
        let viewer = Viewer::person(conn, person)?;
        Ok(viewer.can_see(&ticket).then_some((ticket, viewer)))
    }

    fn deliver(
        &self,
        conn: &mut PgConnection,
        mail: &parse::Mail,
        category: Option<&str>,
        files: &Files,
    ) -> Result<Outcome, ApiError> {
        let sender = accounts::find_by_email(conn, &mail.from)?;
        if sender.as_ref().is_some_and(|s| s.restricted_at.is_some()) {
            return Ok(Outcome::Ignored("the sender's data may not be processed (restricted, P12)".to_owned()));
        }
        let public_url = self.config.public_url.clone();
        match self.thread_target(conn, mail, sender.as_ref())? {
            Some((ticket, _))
                if ticket.status != TicketStatus::Closed && tickets::requester_restricted(conn, &ticket)? =>
            {
                Ok(Outcome::Ignored("the ticket's requester may not be processed (restricted, P12)".to_owned()))
            }
            Some((mut ticket, viewer)) if ticket.status != TicketStatus::Closed => {
                let (text, internal) = reply_text(&mail.text, viewer.staff);
                let comment = comments::add(conn, &viewer, &mut ticket, &text, internal, &public_url)?;
                self.attach(conn, &ticket, &viewer, Some(comment.id), files, &mail.from)?;
                Ok(Outcome::CommentAdded { ticket_id: ticket.id, number: ticket.number, comment_id: comment.id })
            }
            closed => {
                let follow_up = closed.map(|(t, _)| t.number);
                self.new_ticket(conn, mail, sender, category, follow_up, files)
            }
        }
    }

    fn new_ticket(
        &self,
        conn: &mut PgConnection,
        mail: &parse::Mail,
        sender: Option<User>,
        category: Option<&str>,
        follow_up: Option<i64>,
        files: &Files,
    ) -> Result<Outcome, ApiError> {
        let since = Utc::now() - Duration::hours(1);
        let recent: i64 = inbound_emails::table
            .filter(inbound_emails::sender.eq(&mail.from))
            .filter(inbound_emails::outcome.eq("ticket_created"))
            .filter(inbound_emails::created_at.gt(since))
            .count()
            .get_result(conn)?;
        if recent >= i64::from(self.config.inbound.max_per_sender_per_hour) {
            return Ok(Outcome::Refused(format!(
                "more than {} new tickets from this sender within an hour",
                self.config.inbound.max_per_sender_per_hour
            )));
        }
        let requester = match sender {
            Some(person) => person,
            None => crate::contact::find_or_create_contact(
                conn,
                &mail.from,
                &truncate(&mail.from_name, 200),
                None,
                None,
                guess_locale(&mail.from),
            )?,
        };
        let category_id = match category {
            Some(name) => categories::table
                .filter(categories::name.eq(name))
                .filter(categories::active.eq(true))
                .select(categories::id)
                .first::<i64>(conn)
                .optional()?,
            None => None,
        };
        let subject = match truncate(&mail.subject, SUBJECT_LIMIT) {
            s if s.trim().is_empty() => "(no subject)".to_owned(),
            s => s,
        };
        let mut description = String::new();
        if let Some(number) = follow_up {
            description.push_str(&format!("Follow-up to #{number}, which is closed.\n\n"));
        }
        description.push_str(&mail.text);
        let description = match truncate(description.trim(), TEXT_LIMIT) {
            d if d.is_empty() => "(no text)".to_owned(),
            d => d,
        };
        let content = intake::Content {
            subject: &subject,
            description: &description,
            priority: Priority::Normal,
            channel: Channel::Email,
        };
        let new = intake::new_ticket(conn, &requester, &content, category_id)?;
        let row = tickets::insert(conn, &new)?;
        crate::webhooks::emit(conn, EventType::TicketCreated, Some(row.id), false, crate::webhooks::ticket_data(&row))?;
        let viewer = Viewer::person(conn, &requester)?;
        events::record(conn, row.id, &viewer.actor(), Change::Created)?;
        notify::created(conn, &requester, &row, requester.id, &self.config.public_url)?;
        self.attach(conn, &row, &viewer, None, files, &mail.from)?;
        Ok(Outcome::TicketCreated { ticket_id: row.id, number: row.number })
    }

    /// The files on the ticket (or on the reply `comment_id`), the refused ones reported.
    fn attach(
        &self,
        conn: &mut PgConnection,
        ticket: &TicketRow,
        sender: &Viewer,
        comment_id: Option<i64>,
        files: &Files,
        address: &str,
    ) -> Result<(), ApiError> {
        if !files.kept.is_empty() {
            attachments::routes::record(conn, sender, ticket, comment_id, &files.kept)?;
        }
        self.keep_original(conn, ticket.id, comment_id, Some(sender.user_id), files.original.as_ref())?;
        self.report_refused(conn, ticket, sender, &files.refused, address)
    }

    /// The original message, staff-only, deleted after the raw-mail retention.
    fn keep_original(
        &self,
        conn: &mut PgConnection,
        ticket_id: i64,
        comment_id: Option<i64>,
        by: Option<i64>,
        original: Option<&Received>,
    ) -> QueryResult<()> {
        let Some(o) = original else { return Ok(()) };
        let days = i64::from(self.config.inbound.raw_email_retention_days);
        attachments::repo::insert(
            conn,
            &NewAttachment {
                ticket_id,
                comment_id,
                internal: true,
                object_key: &o.key,
                filename: &o.filename,
                content_type: o.content_type,
                size: o.size,
                sha256: &o.sha256,
                uploaded_by: by,
                expires_at: Some(Utc::now() + Duration::days(days)),
            },
        )?;
        Ok(())
    }

    /// Files that broke the rules: an internal note for staff, one mail to the sender.
    fn report_refused(
        &self,
        conn: &mut PgConnection,
        ticket: &TicketRow,
        sender: &Viewer,
        refused: &[String],
        address: &str,
    ) -> Result<(), ApiError> {
        if refused.is_empty() {
            return Ok(());
        }
        let note = format!("Files of this mail were not stored: {}.", refused.join("; "));
        tickets::insert_comment(
            conn,
            &NewComment {
                ticket_id: ticket.id,
                author_id: None,
                author_name: "Helpdesk",
                author_email: "",
                body: &note,
                internal: true,
            },
        )?;
        events::record(
            conn,
            ticket.id,
            &Actor { id: None, name: "Helpdesk" },
            Change::CommentAdded { internal: true },
        )?;
        let locale = accounts::find(conn, sender.user_id)?.map_or(Locale::En, |u| u.locale);
        let message = Message::AttachmentsRefused {
            name: sender.name.clone(),
            number: ticket.number,
            subject: ticket.subject.clone(),
            files: refused.to_vec(),
            allowed: validate::allowed_list(),
            max_mb: self.config.max_upload_bytes / (1024 * 1024),
        };
        email::enqueue(conn, address, locale, &message, &self.config.public_url)?;
        Ok(())
    }
}

/// A reply's text without the quoted earlier messages; a line `#internal` at the top of a
/// staff reply makes it an internal note.
fn reply_text(text: &str, staff: bool) -> (String, bool) {
    let stripped = quote::strip_quoted(text);
    let mut lines = stripped.lines().skip_while(|l| l.trim().is_empty()).peekable();
    let internal = staff && lines.peek().is_some_and(|l| l.trim().eq_ignore_ascii_case("#internal"));
    let body: String = if internal { lines.skip(1).collect::<Vec<_>>().join("\n") } else { stripped.clone() };
    let body = truncate(body.trim(), TEXT_LIMIT);
    (if body.is_empty() { "(no text)".to_owned() } else { body }, internal)
}

/// At most `max` characters.
fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect::<String>().trim().to_owned()
}

/// German for senders from German-speaking countries' domains, English otherwise.
fn guess_locale(address: &str) -> Locale {
    let domain = address.rsplit('@').next().unwrap_or_default();
    if [".de", ".at", ".ch"].iter().any(|tld| domain.ends_with(tld)) { Locale::De } else { Locale::En }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staff_reply_starting_with_internal_is_a_note() {
        assert_eq!(reply_text("#internal\nCustomer is on holiday.\n", true), ("Customer is on holiday.".into(), true));
        assert_eq!(reply_text("#internal\nx", false), ("#internal\nx".into(), false));
        assert_eq!(reply_text("Thanks!\n\n> quoted", true), ("Thanks!".into(), false));
    }

    #[test]
    fn long_text_is_cut_at_the_limit() {
        let (body, _) = reply_text(&"x".repeat(TEXT_LIMIT + 10), false);
        assert_eq!(body.chars().count(), TEXT_LIMIT);
    }

    #[test]
    fn the_locale_of_a_new_contact_follows_the_domain() {
        assert_eq!(guess_locale("a@firma.de"), Locale::De);
        assert_eq!(guess_locale("a@example.com"), Locale::En);
    }
}
