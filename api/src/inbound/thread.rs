//! Threading. Our outgoing Message-IDs name the mail and its ticket and carry a MAC
//! (`<hd.42.100123.5f0c6d8e2f1b4c4e9b1a@example.com>`), so a reply that answers one finds its
//! ticket without anything stored per mail, and nobody can make up one for another ticket.
//! `[#100123]` in a subject is the fallback, honoured only for people of the ticket.

use crate::auth::tokens;

/// Makes and reads our Message-IDs.
#[derive(Clone)]
pub struct MessageIds(Vec<u8>);

/// What one of our Message-IDs names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ours {
    pub email_id: i64,
    pub ticket_number: Option<i64>,
}

impl MessageIds {
    pub fn new(secret: &str) -> Self {
        Self(tokens::hmac_sha256(secret.as_bytes(), b"helpdesk message-id v1"))
    }

    fn mac(&self, email_id: i64, ticket: i64) -> String {
        hex::encode(&tokens::hmac_sha256(&self.0, format!("{email_id}.{ticket}").as_bytes())[..10])
    }

    /// The Message-ID (without angle brackets) of outgoing email `email_id`.
    pub fn make(&self, email_id: i64, ticket_number: Option<i64>, domain: &str) -> String {
        let ticket = ticket_number.unwrap_or(0);
        format!("hd.{email_id}.{ticket}.{}@{domain}", self.mac(email_id, ticket))
    }

    /// What `id` names, if it is one of ours and unchanged.
    pub fn read(&self, id: &str) -> Option<Ours> {
        let local = id.split('@').next()?;
        let mut parts = local.strip_prefix("hd.")?.split('.');
        let (email, ticket, mac) = (parts.next()?, parts.next()?, parts.next()?);
        let (email_id, ticket): (i64, i64) = (email.parse().ok()?, ticket.parse().ok()?);
        let expected = self.mac(email_id, ticket);
        let same =
            mac.len() == expected.len() && mac.bytes().zip(expected.bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0;
        (same && parts.next().is_none()).then_some(Ours { email_id, ticket_number: (ticket > 0).then_some(ticket) })
    }
}

/// The ticket number in a subject: `[#100123]`.
pub fn subject_number(subject: &str) -> Option<i64> {
    let start = subject.find("[#")? + 2;
    let end = subject[start..].find(']')? + start;
    subject[start..end].trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_message_ids_name_mail_and_ticket_and_cannot_be_made_up() {
        let ids = MessageIds::new("secret");
        let id = ids.make(42, Some(100_123), "example.com");
        assert_eq!(ids.read(&id), Some(Ours { email_id: 42, ticket_number: Some(100_123) }));
        assert_eq!(ids.read(&ids.make(7, None, "x")), Some(Ours { email_id: 7, ticket_number: None }));
        let forged = id.replace(".100123.", ".100124.");
        assert_eq!(ids.read(&forged), None);
        assert_eq!(MessageIds::new("other").read(&id), None);
        assert_eq!(ids.read("CAFx1234@mail.gmail.com"), None);
    }

    #[test]
    fn the_ticket_number_is_read_from_the_subject() {
        assert_eq!(subject_number("Re: [#100123] Drucker"), Some(100_123));
        assert_eq!(subject_number("AW: [# 100123 ] x"), Some(100_123));
        assert_eq!(subject_number("[#abc] x"), None);
        assert_eq!(subject_number("no number"), None);
    }
}
