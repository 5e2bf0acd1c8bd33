//! Email templates: plain text and HTML, English and German, chosen by the recipient's locale.
//! Every link is built from `HELPDESK_PUBLIC_URL`.

use helpdesk_types::{Locale, accounts::NotificationKind};

/// What an email says; the variant is the template.
#[derive(Debug, Clone)]
pub enum Message {
    /// Account created; with a token, the link that verifies the address.
    Welcome {
        name: String,
        username: String,
        verify_token: Option<String>,
    },
    /// Confirm a new address (an email change, or a resend).
    VerifyEmail {
        name: String,
        token: String,
    },
    /// To the current address: someone asked to change it to `new_email`.
    EmailChangeRequested {
        name: String,
        new_email: String,
    },
    /// Processing of the account was restricted, or the restriction lifted (P12).
    RestrictionChanged {
        name: String,
        restricted: bool,
    },
    /// The last email to an erased account (P12).
    AccountErased {
        name: String,
    },
    /// The account has not been used for long and will be erased (P2).
    InactivityWarning {
        name: String,
        days_left: u32,
    },
    /// An admin turned the account's two-factor sign-in off.
    TwoFactorReset {
        name: String,
    },
    /// To the owner of an address someone tried to register again (no account is revealed to
    /// the one registering).
    RegistrationAttempt {
        name: String,
        username: String,
    },
    PasswordReset {
        name: String,
        token: String,
        valid_minutes: u64,
    },
    PasswordChanged {
        name: String,
    },
    Invitation {
        name: String,
        username: String,
        token: String,
        valid_days: u64,
    },
    /// Personal data changed (P7); `fields` names what changed.
    DataChanged {
        name: String,
        fields: Vec<String>,
    },
    TicketCreated {
        name: String,
        number: i64,
        subject: String,
    },
    TicketStatusChanged {
        name: String,
        number: i64,
        subject: String,
        status: String,
    },
    /// A public reply (never an internal note). `private_link`: the token of a link for a
    /// requester without an account (P14).
    TicketReply {
        name: String,
        number: i64,
        subject: String,
        author: String,
        body: String,
        private_link: Option<String>,
    },
    /// The confirmation of a contact-form request, with its private link (P14).
    ContactReceived {
        name: String,
        number: i64,
        subject: String,
        token: String,
    },
    /// To staff: a notification (new ticket, assignment, mention, SLA warning or breach, failed
    /// job) with a link into the web UI (`link` is a path such as `/tickets/42`).
    AgentNotice {
        name: String,
        topic: helpdesk_types::notifications::Topic,
        title: String,
        link: String,
    },
    /// To the requester: the ticket waits for their answer (sent after
    /// `HELPDESK_PENDING_REMINDER_DAYS`, then again).
    PendingReminder {
        name: String,
        number: i64,
        subject: String,
        /// Days until the ticket is resolved without an answer.
        resolve_in_days: u32,
    },
    /// To the requester: a pending ticket without an answer was resolved.
    TicketAutoResolved {
        name: String,
        number: i64,
        subject: String,
        days: u32,
    },
    /// To the requester: a resolved ticket was closed automatically (P4).
    TicketAutoClosed {
        name: String,
        number: i64,
        subject: String,
    },
    /// To the sender of a mail: files of it were not stored (P6 upload rules), once per mail.
    AttachmentsRefused {
        name: String,
        number: i64,
        subject: String,
        /// "setup.exe: type not allowed" per file.
        files: Vec<String>,
        allowed: String,
        max_mb: u64,
    },
}

/// A rendered email.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub template: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
}

enum Block {
    Para(String),
    Link(String),
}

fn status_label(status: &str, de: bool) -> &str {
    match (status, de) {
        ("new", true) => "neu",
        ("open", true) => "in Bearbeitung",
        ("pending", true) => "wartet auf Ihre Antwort",
        ("resolved", true) => "gelöst",
        ("closed", true) => "geschlossen",
        ("pending", false) => "waiting for your reply",
        ("open", false) => "in progress",
        (other, _) => other,
    }
}

/// Names of account fields as people read them.
fn field_labels(fields: &[String], de: bool) -> String {
    fields
        .iter()
        .map(|f| match (f.as_str(), de) {
            ("full_name", false) => "full name",
            ("full_name", true) => "Name",
            ("email", false) => "email address",
            ("email", true) => "E-Mail-Adresse",
            ("username", false) => "username",
            ("username", true) => "Benutzername",
            ("company", false) => "company",
            ("company", true) => "Firma",
            ("phone", false) => "phone number",
            ("phone", true) => "Telefonnummer",
            ("locale", false) => "language",
            ("locale", true) => "Sprache",
            ("refused_notifications", false) => "email preferences",
            ("refused_notifications", true) => "E-Mail-Einstellungen",
            (other, _) => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn assemble(template: &'static str, subject: String, blocks: Vec<Block>) -> Rendered {
    let text = blocks
        .iter()
        .map(|b| match b {
            Block::Para(p) | Block::Link(p) => p.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let body: String = blocks
        .iter()
        .map(|b| match b {
            Block::Para(p) => format!("<p>{}</p>\n", escape(p)),
            Block::Link(url) => format!("<p><a href=\"{0}\">{0}</a></p>\n", escape(url)),
        })
        .collect();
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family: sans-serif; line-height: 1.5\">\n{body}</body></html>\n",
        escape(&subject)
    );
    Rendered { template, subject, text: format!("{text}\n"), html }
}

impl Message {
    /// The ticket a mail is about: its Message-ID names it, so replies find the ticket.
    pub fn ticket_number(&self) -> Option<i64> {
        match self {
            Self::TicketCreated { number, .. }
            | Self::TicketStatusChanged { number, .. }
            | Self::TicketReply { number, .. }
            | Self::ContactReceived { number, .. }
            | Self::PendingReminder { number, .. }
            | Self::TicketAutoResolved { number, .. }
            | Self::TicketAutoClosed { number, .. }
            | Self::AttachmentsRefused { number, .. } => Some(*number),
            _ => None,
        }
    }

    /// The kind of non-essential email this is, which the recipient may refuse; `None` for the
    /// essential ones (account and security).
    pub fn kind(&self) -> Option<NotificationKind> {
        match self {
            Self::TicketCreated { .. } => Some(NotificationKind::TicketConfirmations),
            Self::TicketStatusChanged { .. } => Some(NotificationKind::StatusUpdates),
            Self::TicketReply { .. } => Some(NotificationKind::Replies),
            Self::PendingReminder { .. } => Some(NotificationKind::Reminders),
            Self::TicketAutoResolved { .. } | Self::TicketAutoClosed { .. } => Some(NotificationKind::StatusUpdates),
            _ => None,
        }
    }

    /// What the recipient may turn off with the mail's one-click unsubscribe link: a refusable
    /// kind (`kind:reminders`) or a staff notification topic (`topic:sla_warning`).
    pub fn unsubscribe_kind(&self) -> Option<String> {
        match self {
            Self::AgentNotice { topic, .. } => Some(format!("topic:{topic}")),
            other => other.kind().map(|k| format!("kind:{k}")),
        }
    }

    /// Whether it goes out to an account whose processing is restricted: only the notice of the
    /// restriction itself, and the erasure confirmation.
    pub fn reaches_restricted(&self) -> bool {
        matches!(self, Self::RestrictionChanged { .. } | Self::AccountErased { .. })
    }

    pub fn template(&self) -> &'static str {
        match self {
            Self::Welcome { .. } => "welcome",
            Self::VerifyEmail { .. } => "verify_email",
            Self::EmailChangeRequested { .. } => "email_change_requested",
            Self::RegistrationAttempt { .. } => "registration_attempt",
            Self::TwoFactorReset { .. } => "two_factor_reset",
            Self::AccountErased { .. } => "account_erased",
            Self::RestrictionChanged { .. } => "restriction_changed",
            Self::InactivityWarning { .. } => "inactivity_warning",
            Self::PasswordReset { .. } => "password_reset",
            Self::PasswordChanged { .. } => "password_changed",
            Self::Invitation { .. } => "invitation",
            Self::DataChanged { .. } => "data_changed",
            Self::TicketCreated { .. } => "ticket_created",
            Self::TicketStatusChanged { .. } => "ticket_status_changed",
            Self::TicketReply { .. } => "ticket_reply",
            Self::ContactReceived { .. } => "contact_received",
            Self::AgentNotice { .. } => "agent_notice",
            Self::PendingReminder { .. } => "pending_reminder",
            Self::TicketAutoResolved { .. } => "ticket_auto_resolved",
            Self::TicketAutoClosed { .. } => "ticket_auto_closed",
            Self::AttachmentsRefused { .. } => "attachments_refused",
        }
    }

    pub fn render(&self, locale: Locale, public_url: &str) -> Rendered {
        use Block::{Link, Para};
        let de = locale == Locale::De;
        let sign = if de { "Ihr Helpdesk-Team" } else { "Your helpdesk team" };
        let (subject, blocks) = match self {
            Self::Welcome { name, username, verify_token } => (
                if de { "Willkommen beim Helpdesk".to_owned() } else { "Welcome to the helpdesk".to_owned() },
                match verify_token {
                    Some(token) => vec![
                        Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                        Para(if de {
                            format!(
                                "Ihr Konto wurde angelegt, Ihr Benutzername ist {username}. Bitte bestätigen Sie Ihre E-Mail-Adresse mit diesem Link (24 Stunden gültig):"
                            )
                        } else {
                            format!(
                                "your account has been created; your username is {username}. Please confirm your email address with this link (valid for 24 hours):"
                            )
                        }),
                        Link(format!("{public_url}/verify-email?token={token}")),
                        Para(sign.to_owned()),
                    ],
                    None => vec![
                        Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                        Para(if de {
                            format!(
                                "Ihr Konto wurde angelegt. Ihr Benutzername ist {username}. Sie können sich hier anmelden:"
                            )
                        } else {
                            format!("your account has been created. Your username is {username}. You can sign in here:")
                        }),
                        Link(format!("{public_url}/login")),
                        Para(sign.to_owned()),
                    ],
                },
            ),
            Self::VerifyEmail { name, token } => (
                if de {
                    "Bitte bestätigen Sie Ihre E-Mail-Adresse".to_owned()
                } else {
                    "Please confirm your email address".to_owned()
                },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        "bitte bestätigen Sie diese E-Mail-Adresse für Ihr Helpdesk-Konto (der Link ist 24 Stunden gültig):".to_owned()
                    } else {
                        "please confirm this email address for your helpdesk account (the link is valid for 24 hours):"
                            .to_owned()
                    }),
                    Link(format!("{public_url}/verify-email?token={token}")),
                    Para(if de {
                        "Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail.".to_owned()
                    } else {
                        "If you did not ask for this, ignore this email.".to_owned()
                    }),
                    Para(sign.to_owned()),
                ],
            ),
            Self::EmailChangeRequested { name, new_email } => (
                if de {
                    "Änderung Ihrer E-Mail-Adresse".to_owned()
                } else {
                    "Change of your email address".to_owned()
                },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!(
                            "für Ihr Konto wurde die neue Adresse {new_email} angegeben. Sie gilt, sobald der an sie gesendete Link benutzt wurde."
                        )
                    } else {
                        format!(
                            "the new address {new_email} was given for your account. It takes effect once the link sent to it is used."
                        )
                    }),
                    Para(if de {
                        "Waren Sie das nicht, ändern Sie bitte sofort Ihr Passwort:".to_owned()
                    } else {
                        "If this was not you, please change your password right away:".to_owned()
                    }),
                    Link(format!("{public_url}/forgot-password")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::RestrictionChanged { name, restricted } => (
                match (restricted, de) {
                    (true, true) => "Verarbeitung Ihrer Daten eingeschränkt".to_owned(),
                    (true, false) => "Processing of your data is restricted".to_owned(),
                    (false, true) => "Einschränkung aufgehoben".to_owned(),
                    (false, false) => "Restriction lifted".to_owned(),
                },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(match (restricted, de) {
                        (true, true) => "die Verarbeitung Ihrer Daten ist eingeschränkt: Wir speichern sie, verarbeiten sie aber nicht weiter. Sie erhalten keine E-Mails mehr, und neue Tickets oder Antworten sind nicht möglich, bis ein Administrator die Einschränkung aufhebt.".to_owned(),
                        (true, false) => "processing of your data is restricted: we keep it but do not process it further. You receive no more emails, and new tickets or replies are not possible until an administrator lifts the restriction.".to_owned(),
                        (false, true) => "die Einschränkung der Verarbeitung Ihrer Daten wurde aufgehoben.".to_owned(),
                        (false, false) => "the restriction of processing of your data was lifted.".to_owned(),
                    }),
                    Para(sign.to_owned()),
                ],
            ),
            Self::AccountErased { name } => (
                if de { "Ihr Konto wurde gelöscht".to_owned() } else { "Your account was deleted".to_owned() },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        "Ihr Helpdesk-Konto und Ihre personenbezogenen Daten wurden gelöscht. Tickets bleiben nur anonymisiert erhalten, soweit Aufbewahrungspflichten es verlangen. Dies ist die letzte E-Mail an diese Adresse.".to_owned()
                    } else {
                        "your helpdesk account and your personal data were deleted. Tickets are kept only anonymized, where retention rules require it. This is the last email to this address.".to_owned()
                    }),
                    Para(sign.to_owned()),
                ],
            ),
            Self::InactivityWarning { name, days_left } => (
                if de {
                    "Ihr Konto wird bald gelöscht".to_owned()
                } else {
                    "Your account will be deleted soon".to_owned()
                },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!(
                            "Sie haben Ihr Helpdesk-Konto lange nicht genutzt. Wenn Sie sich nicht innerhalb von {days_left} Tagen anmelden, löschen wir es mit Ihren personenbezogenen Daten. Melden Sie sich an, um es zu behalten:"
                        )
                    } else {
                        format!(
                            "you have not used your helpdesk account for a long time. Unless you sign in within {days_left} days, we delete it with your personal data. Sign in to keep it:"
                        )
                    }),
                    Link(format!("{public_url}/login")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::TwoFactorReset { name } => (
                if de {
                    "Zwei-Faktor-Anmeldung zurückgesetzt".to_owned()
                } else {
                    "Two-factor sign-in was reset".to_owned()
                },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        "ein Administrator hat die Zwei-Faktor-Anmeldung Ihres Kontos abgeschaltet. Sie melden sich jetzt nur mit Ihrem Passwort an; richten Sie sie im Profil neu ein. Haben Sie das nicht veranlasst, melden Sie sich bitte sofort bei uns.".to_owned()
                    } else {
                        "an administrator turned off two-factor sign-in for your account. You now sign in with your password only; set it up again in your profile. If you did not ask for this, please contact us right away.".to_owned()
                    }),
                    Link(format!("{public_url}/profile")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::RegistrationAttempt { name, username } => (
                if de {
                    "Registrierung mit Ihrer Adresse".to_owned()
                } else {
                    "Registration with your address".to_owned()
                },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!(
                            "jemand hat versucht, mit Ihrer E-Mail-Adresse ein neues Konto anzulegen. Sie haben bereits eines (Benutzername {username}); es wurde nichts geändert. Passwort vergessen?"
                        )
                    } else {
                        format!(
                            "someone tried to register a new account with your email address. You already have one (username {username}); nothing was changed. Forgot your password?"
                        )
                    }),
                    Link(format!("{public_url}/forgot-password")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::PasswordReset { name, token, valid_minutes } => (
                if de { "Passwort zurücksetzen".to_owned() } else { "Reset your password".to_owned() },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!(
                            "mit diesem Link setzen Sie ein neues Passwort. Er ist {valid_minutes} Minuten gültig und funktioniert einmal:"
                        )
                    } else {
                        format!(
                            "use this link to choose a new password. It is valid for {valid_minutes} minutes and works once:"
                        )
                    }),
                    Link(format!("{public_url}/reset-password?token={token}")),
                    Para(if de {
                        "Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail; Ihr Passwort bleibt unverändert.".to_owned()
                    } else {
                        "If you did not ask for this, ignore this email; your password stays as it is.".to_owned()
                    }),
                    Para(sign.to_owned()),
                ],
            ),
            Self::PasswordChanged { name } => (
                if de { "Ihr Passwort wurde geändert".to_owned() } else { "Your password was changed".to_owned() },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        "Ihr Passwort wurde soeben geändert und alle anderen Sitzungen wurden beendet. Waren Sie das nicht, setzen Sie Ihr Passwort sofort zurück:".to_owned()
                    } else {
                        "your password was just changed and all other sessions were signed out. If this was not you, reset your password now:".to_owned()
                    }),
                    Link(format!("{public_url}/forgot-password")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::Invitation { name, username, token, valid_days } => (
                if de { "Ihr Helpdesk-Zugang".to_owned() } else { "Your helpdesk account".to_owned() },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!(
                            "für Sie wurde ein Konto mit dem Benutzernamen {username} angelegt. Wählen Sie hier Ihr Passwort (der Link ist {valid_days} Tage gültig):"
                        )
                    } else {
                        format!(
                            "an account with the username {username} was created for you. Choose your password here (the link is valid for {valid_days} days):"
                        )
                    }),
                    Link(format!("{public_url}/reset-password?token={token}&welcome=1")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::DataChanged { name, fields } => (
                if de { "Ihre Daten wurden geändert".to_owned() } else { "Your personal data was changed".to_owned() },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!("in Ihrem Konto wurde Folgendes geändert: {}.", field_labels(fields, true))
                    } else {
                        format!("the following was changed in your account: {}.", field_labels(fields, false))
                    }),
                    Para(if de {
                        "Waren Sie das nicht, melden Sie sich bitte umgehend bei uns.".to_owned()
                    } else {
                        "If this was not you, please contact us right away.".to_owned()
                    }),
                    Link(format!("{public_url}/profile")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::AttachmentsRefused { name, number, subject, files, allowed, max_mb } => (
                format!("[#{number}] {subject}"),
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!("Ihre E-Mail ist bei Ticket #{number} angekommen, aber diese Dateien haben wir nicht gespeichert: {}.", files.join("; "))
                    } else {
                        format!("your email reached ticket #{number}, but we did not store these files: {}.", files.join("; "))
                    }),
                    Para(if de {
                        format!("Erlaubt sind {allowed} bis {max_mb} MB je Datei, deren Inhalt zur Endung passt. Sie können passende Dateien im Ticket hochladen.")
                    } else {
                        format!("Allowed are {allowed} up to {max_mb} MB each, with content that matches the extension. You can upload suitable files on the ticket.")
                    }),
                    Link(format!("{public_url}/tickets/{number}")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::TicketCreated { name, number, subject } => (
                format!("[#{number}] {subject}"),
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!("wir haben Ihr Ticket #{number} erhalten und melden uns so bald wie möglich.")
                    } else {
                        format!("we have received your ticket #{number} and will get back to you as soon as possible.")
                    }),
                    Link(format!("{public_url}/tickets/{number}")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::TicketStatusChanged { name, number, subject, status } => (
                format!("[#{number}] {subject}"),
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!("der Status Ihres Tickets #{number} ist jetzt: {}.", status_label(status, true))
                    } else {
                        format!("the status of your ticket #{number} is now: {}.", status_label(status, false))
                    }),
                    Link(format!("{public_url}/tickets/{number}")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::ContactReceived { name, number, subject, token } => (
                format!("[#{number}] {subject}"),
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!("wir haben Ihre Anfrage #{number} erhalten. Über diesen persönlichen Link lesen und beantworten Sie sie (geben Sie ihn nicht weiter):")
                    } else {
                        format!("we have received your request #{number}. Read and answer it through this personal link (do not share it):")
                    }),
                    Link(format!("{public_url}/requests/{token}")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::TicketReply { name, number, subject, author, body, private_link } => (
                format!("[#{number}] {subject}"),
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de { format!("{author} hat geantwortet:") } else { format!("{author} replied:") }),
                    Para(body.clone()),
                    Link(match private_link {
                        Some(token) => format!("{public_url}/requests/{token}"),
                        None => format!("{public_url}/tickets/{number}"),
                    }),
                    Para(sign.to_owned()),
                ],
            ),
            Self::AgentNotice { name, title, link, .. } => (
                title.clone(),
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(title.clone()),
                    Link(format!("{public_url}{link}")),
                    Para(if de {
                        "Bitte antworten Sie im Helpdesk, nicht auf diese E-Mail. Welche Benachrichtigungen Sie erhalten, stellen Sie im Profil ein.".to_owned()
                    } else {
                        "Please reply in the helpdesk, not to this email. Choose which notifications you get in your profile.".to_owned()
                    }),
                ],
            ),
            Self::PendingReminder { name, number, subject, resolve_in_days } => (
                if de { format!("[#{number}] Wir warten auf Ihre Antwort: {subject}") } else { format!("[#{number}] Waiting for your reply: {subject}") },
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!("zu Ihrem Ticket #{number} warten wir noch auf Ihre Antwort. Ohne Antwort gilt es in {resolve_in_days} Tagen als gelöst. Bitte antworten Sie im Portal:")
                    } else {
                        format!("we are still waiting for your reply on ticket #{number}. Without a reply it will be resolved in {resolve_in_days} days. Please reply in the portal:")
                    }),
                    Link(format!("{public_url}/tickets/{number}")),
                    Para(if de { "Erinnerungen können Sie in Ihren E-Mail-Einstellungen abbestellen.".to_owned() } else { "You can turn reminders off in your email preferences.".to_owned() }),
                    Para(sign.to_owned()),
                ],
            ),
            Self::TicketAutoResolved { name, number, subject, days } => (
                format!("[#{number}] {subject}"),
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!("da wir {days} Tage keine Antwort erhalten haben, haben wir Ihr Ticket #{number} als gelöst markiert. Antworten Sie im Portal, wenn Sie noch Hilfe brauchen; das Ticket wird dann wieder geöffnet.")
                    } else {
                        format!("as we have not heard back for {days} days, we marked your ticket #{number} resolved. Reply in the portal if you still need help and it opens again.")
                    }),
                    Link(format!("{public_url}/tickets/{number}")),
                    Para(sign.to_owned()),
                ],
            ),
            Self::TicketAutoClosed { name, number, subject } => (
                format!("[#{number}] {subject}"),
                vec![
                    Para(if de { format!("Hallo {name},") } else { format!("Hello {name},") }),
                    Para(if de {
                        format!("Ihr gelöstes Ticket #{number} wurde jetzt geschlossen. Brauchen Sie weitere Hilfe, eröffnen Sie bitte ein neues Ticket.")
                    } else {
                        format!("your resolved ticket #{number} has now been closed. If you need more help, please open a new ticket.")
                    }),
                    Link(format!("{public_url}/tickets/new")),
                    Para(sign.to_owned()),
                ],
            ),
        };
        assemble(self.template(), subject, blocks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_in_both_languages_with_public_links() {
        let msg = Message::PasswordReset { name: "Jane".into(), token: "t0k".into(), valid_minutes: 60 };
        let en = msg.render(Locale::En, "https://help.example.com");
        let de = msg.render(Locale::De, "https://help.example.com");
        assert_eq!(en.subject, "Reset your password");
        assert_eq!(de.subject, "Passwort zurücksetzen");
        for r in [&en, &de] {
            assert!(r.text.contains("https://help.example.com/reset-password?token=t0k"));
            assert!(r.html.contains("href=\"https://help.example.com/reset-password?token=t0k\""));
        }
    }

    #[test]
    fn user_data_is_escaped_in_html() {
        let r = Message::Welcome { name: "<script>x</script>".into(), username: "x".into(), verify_token: None }
            .render(Locale::En, "http://h");
        assert!(!r.html.contains("<script>"));
        assert!(r.text.contains("<script>"), "plain text stays as typed");
    }
}
