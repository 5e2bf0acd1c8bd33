//! German and English strings. The language follows the browser and can be switched; the
//! choice is remembered in localStorage (not a cookie).

use helpdesk_types::Locale;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Locale>);

impl I18n {
    pub fn detect() -> Self {
        let stored = window().local_storage().ok().flatten().and_then(|s| s.get_item("locale").ok().flatten());
        let browser = window().navigator().language().unwrap_or_default();
        let locale = match stored.as_deref().unwrap_or(&browser) {
            l if l.starts_with("de") => Locale::De,
            _ => Locale::En,
        };
        Self(RwSignal::new(locale))
    }

    pub fn set(&self, locale: Locale) {
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item("locale", locale.as_str());
        }
        self.0.set(locale);
    }

    /// The text for `key` in the current language (reactive).
    pub fn t(&self, key: &'static str) -> &'static str {
        translate(self.0.get(), key)
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A reactive text node for `key`.
pub fn tr(key: &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(key)
}

/// key, English, German.
const STRINGS: &[(&str, &str, &str)] = &[
    (
        "forgot.done",
        "If the address has an account, a link is on its way.",
        "Wenn die Adresse ein Konto hat, ist ein Link unterwegs.",
    ),
    (
        "tickets.files",
        "Attachments (JPG, PNG, GIF, PDF, DOC, DOCX, TXT, ZIP, RAR; max. 5 MB)",
        "Anhänge (JPG, PNG, GIF, PDF, DOC, DOCX, TXT, ZIP, RAR; max. 5 MB)",
    ),
    ("DPA", "Data-processing agreement signed on", "Auftragsverarbeitungsvertrag unterzeichnet am"),
    ("Domains", "Email domains (comma-separated)", "E-Mail-Domains (durch Komma getrennt)"),
    ("app.title", "Helpdesk", "Helpdesk"),
    ("nav.tickets", "My tickets", "Meine Tickets"),
    ("nav.queue", "Queue", "Warteschlange"),
    ("nav.new_ticket", "New ticket", "Neues Ticket"),
    ("nav.profile", "Profile", "Profil"),
    ("nav.admin", "Admin", "Verwaltung"),
    ("nav.sign_out", "Sign out", "Abmelden"),
    ("nav.privacy", "Privacy", "Datenschutz"),
    ("login.title", "Sign in", "Anmelden"),
    ("login.login", "Email or username", "E-Mail oder Benutzername"),
    ("login.password", "Password", "Passwort"),
    ("login.submit", "Sign in", "Anmelden"),
    ("login.register", "Create an account", "Konto erstellen"),
    ("login.forgot", "Forgot your password?", "Passwort vergessen?"),
    ("login.captcha", "Please confirm that you are human.", "Bitte bestätigen Sie, dass Sie ein Mensch sind."),
    ("register.title", "Create an account", "Konto erstellen"),
    ("register.full_name", "Full name", "Vollständiger Name"),
    ("register.email", "Email", "E-Mail"),
    ("register.username", "Username", "Benutzername"),
    ("register.company", "Company (optional)", "Firma (optional)"),
    ("register.phone", "Phone (optional)", "Telefon (optional)"),
    ("register.submit", "Register", "Registrieren"),
    (
        "register.done",
        "Check your inbox: we sent you a link to confirm your address. You can sign in already.",
        "Bitte sehen Sie in Ihr Postfach: Wir haben Ihnen einen Link zur Bestätigung Ihrer Adresse geschickt. Sie können sich schon anmelden.",
    ),
    ("login.code", "Code from your authenticator app", "Code aus Ihrer Authenticator-App"),
    (
        "login.code_hint",
        "Enter the 6-digit code from your authenticator app, or a recovery code.",
        "Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein.",
    ),
    ("twofa.title", "Two-factor sign-in", "Zwei-Faktor-Anmeldung"),
    ("twofa.off", "Off: you sign in with your password only.", "Aus: Sie melden sich nur mit Ihrem Passwort an."),
    (
        "twofa.on",
        "On: signing in also needs a code from your authenticator app.",
        "An: Die Anmeldung braucht zusätzlich einen Code aus Ihrer Authenticator-App.",
    ),
    ("twofa.start", "Set up", "Einrichten"),
    (
        "twofa.scan",
        "Scan this code with your authenticator app (or type the secret), then enter the code it shows.",
        "Scannen Sie diesen Code mit Ihrer Authenticator-App (oder tippen Sie das Geheimnis ein) und geben Sie den angezeigten Code ein.",
    ),
    ("twofa.confirm", "Turn on", "Einschalten"),
    (
        "twofa.codes",
        "Recovery codes: each signs in once if you lose your phone. They are shown only now.",
        "Wiederherstellungscodes: Jeder meldet Sie einmal an, falls Sie Ihr Telefon verlieren. Sie werden nur jetzt angezeigt.",
    ),
    ("twofa.download", "Download the codes", "Codes herunterladen"),
    ("twofa.disable", "Turn off", "Ausschalten"),
    (
        "twofa.required",
        "Support staff must set up two-factor sign-in before anything else.",
        "Support-Mitarbeiter müssen zuerst die Zwei-Faktor-Anmeldung einrichten.",
    ),
    ("contact.title", "Contact us", "Kontakt"),
    ("contact.link", "Contact us without an account", "Kontakt ohne Konto"),
    ("contact.message", "Your message", "Ihre Nachricht"),
    ("contact.send", "Send", "Senden"),
    (
        "contact.done",
        "Thank you. We sent you a confirmation with a personal link to read and answer your request.",
        "Vielen Dank. Wir haben Ihnen eine Bestätigung mit einem persönlichen Link geschickt, über den Sie Ihre Anfrage lesen und beantworten.",
    ),
    ("data.title", "Your data", "Ihre Daten"),
    (
        "data.export_explained",
        "Download a copy of your data: your account, your tickets with their public replies and files, and the emails we sent you (a ZIP with data.json).",
        "Laden Sie eine Kopie Ihrer Daten herunter: Ihr Konto, Ihre Tickets mit öffentlichen Antworten und Dateien und die E-Mails, die wir Ihnen geschickt haben (ein ZIP mit data.json).",
    ),
    ("data.export", "Download my data", "Meine Daten herunterladen"),
    ("data.emails", "Emails you want", "Gewünschte E-Mails"),
    (
        "data.emails_explained",
        "Emails about your account and its security, and password links, are always sent.",
        "E-Mails zu Ihrem Konto und seiner Sicherheit sowie Passwort-Links werden immer gesendet.",
    ),
    (
        "data.kind_confirmations",
        "Confirmation when we receive your ticket",
        "Bestätigung, wenn wir Ihr Ticket erhalten",
    ),
    ("data.kind_status", "When a ticket's status changes", "Wenn sich der Status eines Tickets ändert"),
    ("data.kind_replies", "Replies to your tickets", "Antworten auf Ihre Tickets"),
    ("data.restrict_title", "Restrict processing", "Verarbeitung einschränken"),
    (
        "data.restrict_explained",
        "We keep your data but stop processing it: no emails, no new tickets or replies, and your tickets stay as they are, until an administrator lifts the restriction.",
        "Wir speichern Ihre Daten, verarbeiten sie aber nicht weiter: keine E-Mails, keine neuen Tickets oder Antworten, Ihre Tickets bleiben unverändert, bis ein Administrator die Einschränkung aufhebt.",
    ),
    ("data.restrict", "Restrict processing of my data", "Verarbeitung meiner Daten einschränken"),
    ("data.restricted", "Processing of your data is restricted.", "Die Verarbeitung Ihrer Daten ist eingeschränkt."),
    ("admin.restrict", "Restrict", "Einschränken"),
    (
        "admin.retention",
        "Delete closed tickets after (days, empty: keep)",
        "Geschlossene Tickets löschen nach (Tagen, leer: behalten)",
    ),
    ("ticket.legal_hold", "Legal hold (keep past retention)", "Aufbewahrungssperre (über die Frist hinaus behalten)"),
    ("admin.lift", "Lift restriction", "Einschränkung aufheben"),
    ("ticket.restricted", "restricted", "eingeschränkt"),
    (
        "data.erase_explained",
        "Deleting your account removes your name, email address, phone number, company, password and sessions for good. Tickets you opened stay only anonymized (their text removed, their files deleted), so our statistics and retention duties stay intact; replies from our staff stay. You receive one last confirmation email.",
        "Wenn Sie Ihr Konto löschen, werden Name, E-Mail-Adresse, Telefonnummer, Firma, Passwort und Sitzungen endgültig entfernt. Ihre Tickets bleiben nur anonymisiert erhalten (Texte entfernt, Dateien gelöscht), damit Statistiken und Aufbewahrungspflichten erhalten bleiben; Antworten unserer Mitarbeiter bleiben. Sie erhalten eine letzte Bestätigungs-E-Mail.",
    ),
    ("data.erase", "Delete my account", "Mein Konto löschen"),
    ("admin.erase", "Erase", "Löschen"),
    ("verify.title", "Confirm your email address", "E-Mail-Adresse bestätigen"),
    ("verify.working", "Confirming…", "Wird bestätigt …"),
    ("verify.done", "Your email address is confirmed.", "Ihre E-Mail-Adresse ist bestätigt."),
    (
        "verify.banner",
        "Please confirm your email address with the link we sent to",
        "Bitte bestätigen Sie Ihre E-Mail-Adresse mit dem Link, den wir geschickt haben an",
    ),
    ("verify.resend", "Send the link again", "Link erneut senden"),
    ("verify.sent", "A new link is on its way.", "Ein neuer Link ist unterwegs."),
    ("admin.join_policy", "Members join", "Mitglieder treten bei"),
    ("admin.join_verified", "with a verified address of the domain", "mit bestätigter Adresse der Domain"),
    ("admin.join_approval", "after an admin's approval", "nach Freigabe durch einen Admin"),
    ("admin.pending", "Waiting for approval", "Warten auf Freigabe"),
    ("admin.approve", "Approve", "Freigeben"),
    ("admin.decline", "Decline", "Ablehnen"),
    ("forgot.title", "Reset your password", "Passwort zurücksetzen"),
    ("forgot.submit", "Send link", "Link senden"),
    (
        "forgot.done",
        "If the address has an account, a link is on its way.",
        "Wenn die Adresse ein Konto hat, ist ein Link unterwegs.",
    ),
    ("reset.title", "Choose a new password", "Neues Passwort wählen"),
    ("reset.password", "New password", "Neues Passwort"),
    ("reset.submit", "Save password", "Passwort speichern"),
    ("reset.done", "Password changed. Please sign in.", "Passwort geändert. Bitte melden Sie sich an."),
    ("tickets.title", "My tickets", "Meine Tickets"),
    ("tickets.search", "Search", "Suchen"),
    ("tickets.all", "All", "Alle"),
    ("tickets.empty", "No tickets found.", "Keine Tickets gefunden."),
    ("tickets.more", "Load more", "Mehr laden"),
    ("tickets.subject", "Subject", "Betreff"),
    ("tickets.description", "Description", "Beschreibung"),
    ("tickets.category", "Category", "Kategorie"),
    ("tickets.priority", "Priority", "Priorität"),
    ("tickets.status", "Status", "Status"),
    (
        "tickets.files",
        "Attachments (JPG, PNG, GIF, PDF, DOC, DOCX, TXT, ZIP, RAR; max. 5 MB)",
        "Anhänge (JPG, PNG, GIF, PDF, DOC, DOCX, TXT, ZIP, RAR; max. 5 MB)",
    ),
    ("tickets.create", "Create ticket", "Ticket anlegen"),
    ("tickets.none", "None", "Keine"),
    ("ticket.reply", "Reply", "Antworten"),
    ("ticket.internal", "Internal note (support staff only)", "Interne Notiz (nur für Support sichtbar)"),
    ("ticket.internal_badge", "Internal", "Intern"),
    ("ticket.send", "Send", "Senden"),
    ("ticket.close", "Close ticket", "Ticket schließen"),
    ("ticket.reopen", "Reopen", "Wieder öffnen"),
    ("ticket.attachments", "Attachments", "Anhänge"),
    ("ticket.events", "History", "Verlauf"),
    ("ticket.assign_me", "Assign to me", "Mir zuweisen"),
    ("ticket.save", "Save", "Speichern"),
    ("ticket.conversation", "Conversation", "Verlauf der Unterhaltung"),
    ("upload.too_big", "File is larger than 5 MB", "Datei ist größer als 5 MB"),
    ("upload.bad_type", "This file type is not allowed", "Dieser Dateityp ist nicht erlaubt"),
    ("queue.title", "Queue", "Warteschlange"),
    ("queue.unassigned", "Unassigned", "Nicht zugewiesen"),
    ("queue.mine", "Mine", "Meine"),
    ("queue.breached", "SLA breached", "SLA verletzt"),
    ("queue.phone", "Find caller (phone)", "Anrufer suchen (Telefon)"),
    ("queue.log_call", "Log call as ticket", "Anruf als Ticket erfassen"),
    ("profile.title", "Profile", "Profil"),
    ("profile.language", "Language", "Sprache"),
    ("profile.current_password", "Current password", "Aktuelles Passwort"),
    ("profile.change_password", "Change password", "Passwort ändern"),
    ("profile.saved", "Saved.", "Gespeichert."),
    ("admin.title", "Administration", "Verwaltung"),
    ("admin.users", "Users", "Benutzer"),
    ("admin.organizations", "Organizations", "Organisationen"),
    ("admin.categories", "Categories", "Kategorien"),
    ("admin.sla", "SLA policies", "SLA-Richtlinien"),
    ("admin.email_log", "Email log", "E-Mail-Protokoll"),
    ("admin.create", "Create", "Anlegen"),
    ("admin.deactivate", "Deactivate", "Deaktivieren"),
    ("privacy.title", "Privacy", "Datenschutz"),
    ("common.loading", "Loading…", "Wird geladen…"),
    ("common.error", "Something went wrong", "Etwas ist schiefgegangen"),
    ("status.new", "New", "Neu"),
    ("status.open", "Open", "Offen"),
    ("status.pending", "Pending", "Wartet auf Kunde"),
    ("status.resolved", "Resolved", "Gelöst"),
    ("status.closed", "Closed", "Geschlossen"),
    ("sla.on_track", "On track", "Im Plan"),
    ("sla.at_risk", "At risk", "Gefährdet"),
    ("sla.breached", "Breached", "Verletzt"),
    ("sla.paused", "Paused", "Pausiert"),
    ("sla.met", "Met", "Eingehalten"),
    ("sla.left", "left", "verbleibend"),
    ("sla.overdue", "overdue", "überfällig"),
    ("sla.business_hours", "business hours", "Geschäftszeit"),
    ("sla.paused_note", "clock stopped while waiting for the customer", "Uhr steht, solange wir auf den Kunden warten"),
    ("priority.low", "Low", "Niedrig"),
    ("priority.normal", "Normal", "Normal"),
    ("priority.high", "High", "Hoch"),
    ("priority.urgent", "Urgent", "Dringend"),
];

pub fn translate(locale: Locale, key: &'static str) -> &'static str {
    STRINGS.iter().find(|(k, _, _)| *k == key).map_or(key, |(_, en, de)| if locale == Locale::De { de } else { en })
}
