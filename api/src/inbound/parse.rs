//! One received message, parsed with `mail-parser` (every charset and transfer encoding German
//! senders use, RFC 2047 words in subjects and file names): who sent it, what it answers, its
//! text, its files, and whether a machine sent it (loop protection).

use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

/// A received message, as much as the helpdesk uses of it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// What makes processing idempotent: the Message-ID, or the hash of a message without one.
    pub key: String,
    /// The sender's address, lower-case (empty when the message names none).
    pub from: String,
    /// The sender's display name, or the address.
    pub from_name: String,
    pub subject: String,
    /// Message-IDs this one answers (`In-Reply-To`, then `References`), without `<>`.
    pub answers: Vec<String>,
    /// The body as text: the `text/plain` part, or the HTML converted (no scripts, no images,
    /// link targets written after their text).
    pub text: String,
    /// Why no ticket and no automatic answer may come of it (an auto-reply, a list, a daemon).
    pub automatic: Option<&'static str>,
    /// For a delivery status notification: the Message-IDs of the returned mail.
    pub bounce_of: Option<Vec<String>>,
    pub files: Vec<File>,
}

/// A file of the message.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
    /// An inline part referenced from the HTML (`cid:`), such as a signature logo.
    pub inline: bool,
}

/// The address part of a Message-ID header value, without angle brackets and blanks.
fn bare_id(id: &str) -> String {
    id.trim().trim_start_matches('<').trim_end_matches('>').trim().to_owned()
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![bare_id(t)],
        HeaderValue::TextList(list) => list.iter().map(|t| bare_id(t)).collect(),
        _ => Vec::new(),
    }
}

fn header_text<'a>(message: &'a Message<'_>, name: &'a str) -> Option<&'a str> {
    message.header_raw(name).map(str::trim)
}

/// Why a message is automatic, from its headers (RFC 3834 `Auto-Submitted`, `Precedence`,
/// mailing-list headers, daemon senders).
fn automatic(message: &Message<'_>, from: &str) -> Option<&'static str> {
    if header_text(message, "Auto-Submitted").is_some_and(|v| !v.eq_ignore_ascii_case("no")) {
        return Some("automatic message (Auto-Submitted)");
    }
    if header_text(message, "Precedence")
        .is_some_and(|v| ["bulk", "list", "junk"].iter().any(|p| v.eq_ignore_ascii_case(p)))
    {
        return Some("bulk or list mail (Precedence)");
    }
    if message.header_raw("List-Id").is_some() {
        return Some("mailing list (List-Id)");
    }
    let local = from.split('@').next().unwrap_or_default();
    if local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster") {
        return Some("mail system (MAILER-DAEMON or postmaster)");
    }
    None
}

/// The Message-IDs a delivery status notification returns: from the attached message or its
/// headers (`message/rfc822`, `text/rfc822-headers`).
fn bounce_of(message: &Message<'_>) -> Option<Vec<String>> {
    let report = message.root_part().content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct.attribute("report-type").is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    });
    if !report {
        return None;
    }
    let mut found = Vec::new();
    for part in &message.parts {
        if let Some(inner) = part.message() {
            found.extend(inner.message_id().map(bare_id));
        } else if part.is_content_type("text", "rfc822-headers")
            && let Some(headers) = part.text_contents()
            && let Some(inner) = MessageParser::default().parse_headers(headers.as_bytes())
        {
            found.extend(inner.message_id().map(bare_id));
        }
    }
    Some(found)
}

/// Link targets after their text (`<a href="https://x">the manual</a>` -> `the manual
/// (https://x)`), so converting the HTML to text keeps them.
fn keep_link_targets(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut pending: Option<String> = None;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tag_end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let tag = &rest[at..tag_end];
        let lower = tag.to_ascii_lowercase();
        if lower.starts_with("<a ") || lower.starts_with("<a\n") {
            pending = href(tag).filter(|h| {
                let h = h.to_ascii_lowercase();
                h.starts_with("http://") || h.starts_with("https://") || h.starts_with("mailto:")
            });
            out.push_str(tag);
        } else if lower.starts_with("</a") {
            out.push_str(tag);
            if let Some(target) = pending.take() {
                out.push_str(&format!(" ({})", target.trim_start_matches("mailto:")));
            }
        } else {
            out.push_str(tag);
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    out
}

fn href(tag: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find("href=")? + 5;
    let value = &tag[at..];
    let (quote, value) = match value.chars().next()? {
        q @ ('"' | '\'') => (Some(q), &value[1..]),
        _ => (None, value),
    };
    let end = match quote {
        Some(q) => value.find(q)?,
        None => value.find(|c: char| c.is_whitespace() || c == '>').unwrap_or(value.len()),
    };
    Some(value[..end].replace("&amp;", "&"))
}

fn body_text(message: &Message<'_>) -> String {
    let html_only = message.text_part(0).is_some_and(|p| p.is_text_html());
    let text = if html_only {
        message
            .body_html(0)
            .map(|html| mail_parser::decoders::html::html_to_text(&keep_link_targets(&html)))
            .unwrap_or_default()
    } else {
        message.body_text(0).map(|t| t.into_owned()).unwrap_or_default()
    };
    text.replace("\r\n", "\n").replace('\0', "")
}

fn files(message: &Message<'_>) -> Vec<File> {
    message
        .attachments()
        .filter(|part| !part.is_message())
        .map(|part| {
            let inline = part.content_id().is_some()
                && part.content_disposition().is_none_or(|d| !d.ctype().eq_ignore_ascii_case("attachment"));
            File {
                name: part.attachment_name().map_or_else(|| "attachment".to_owned(), str::to_owned),
                bytes: part.contents().to_vec(),
                inline,
            }
        })
        .chain(message.attachments().filter(|part| part.is_message()).map(|part| File {
            name: format!("{}.eml", part.attachment_name().unwrap_or("forwarded")),
            bytes: part.contents().to_vec(),
            inline: false,
        }))
        .collect()
}

/// Parses a message; `None` when it is not one (RFC 5322 requires a `From` header).
pub fn parse(raw: &[u8]) -> Option<Mail> {
    let message = MessageParser::default().parse(raw)?;
    message.from()?;
    let sender = message.from().and_then(|a| a.first());
    let from = sender.and_then(|a| a.address()).unwrap_or_default().trim().to_lowercase();
    let from_name = sender.and_then(|a| a.name()).map_or_else(|| from.clone(), |n| n.trim().to_owned());
    let key = match message.message_id() {
        Some(id) if !bare_id(id).is_empty() => bare_id(id),
        _ => format!("sha256:{}", hex::encode(Sha256::digest(raw))),
    };
    let mut answers = ids(message.in_reply_to());
    answers.extend(ids(message.references()).into_iter().rev());
    Some(Mail {
        key,
        automatic: automatic(&message, &from),
        bounce_of: bounce_of(&message),
        from_name,
        from,
        subject: message.subject().unwrap_or_default().trim().replace('\0', ""),
        answers,
        text: body_text(&message),
        files: files(&message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rfc_2047_subject_and_a_latin_1_body_are_decoded() {
        let raw = b"From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <Juergen@Example.DE>\r\n\
Subject: =?UTF-8?B?RHJ1Y2tlciBkZWZla3Q6IMOEcmdlcg==?=\r\n\
Message-ID: <abc@example.de>\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n\
Gr=FC=DFe aus K=F6ln\r\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.subject, "Drucker defekt: Ärger");
        assert_eq!((mail.from.as_str(), mail.from_name.as_str()), ("juergen@example.de", "Jürgen Müller"));
        assert_eq!(mail.text.trim(), "Grüße aus Köln");
        assert_eq!(mail.key, "abc@example.de");
        assert!(mail.automatic.is_none() && mail.bounce_of.is_none());
    }

    #[test]
    fn what_has_no_from_header_is_not_a_message() {
        assert!(parse(b"").is_none());
        assert!(parse(b"\x00\x01 garbage").is_none());
        assert!(parse(b"Subject: x\r\n\r\nno sender\r\n").is_none());
    }

    #[test]
    fn a_message_without_message_id_is_keyed_by_its_hash() {
        let mail = parse(b"From: a@example.com\r\nSubject: x\r\n\r\nhello\r\n").unwrap();
        assert!(mail.key.starts_with("sha256:") && mail.key.len() == 71, "{}", mail.key);
    }

    #[test]
    fn replies_name_what_they_answer() {
        let raw = b"From: a@example.com\r\nIn-Reply-To: <one@x>\r\nReferences: <zero@x> <one@x>\r\n\r\nok\r\n";
        assert_eq!(parse(raw).unwrap().answers, ["one@x", "one@x", "zero@x"]);
    }

    #[test]
    fn html_only_mail_becomes_text_without_scripts_and_with_link_targets() {
        let raw = b"From: a@example.com\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<html><head><style>p{}</style><script>alert(1)</script></head><body><p>See <a href=\"https://example.com/manual\">the manual</a>.</p><img src=\"https://tracker.example/x.gif\"></body></html>";
        let text = parse(raw).unwrap().text;
        assert!(text.contains("the manual (https://example.com/manual)"), "{text}");
        assert!(!text.contains("alert") && !text.contains("tracker"), "{text}");
    }

    #[test]
    fn automatic_mail_is_recognised() {
        for header in
            ["Auto-Submitted: auto-replied", "Precedence: bulk", "Precedence: junk", "List-Id: <news.example.com>"]
        {
            let raw = format!("From: a@example.com\r\n{header}\r\n\r\nx\r\n");
            assert!(parse(raw.as_bytes()).unwrap().automatic.is_some(), "{header}");
        }
        let raw = b"From: MAILER-DAEMON@mx.example.com\r\n\r\nx\r\n";
        assert!(parse(raw).unwrap().automatic.is_some());
        let raw = b"From: a@example.com\r\nAuto-Submitted: no\r\n\r\nx\r\n";
        assert!(parse(raw).unwrap().automatic.is_none());
    }
}
