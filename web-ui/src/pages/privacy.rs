//! The privacy page, generated from the server's live settings (P15).

use helpdesk_types::Locale;
use leptos::prelude::*;

use crate::{api, components::loaded, i18n::tr, i18n::use_i18n};

#[component]
pub fn Privacy() -> impl IntoView {
    let i18n = use_i18n();
    let settings = LocalResource::new(api::privacy::settings);
    view! {
        <section class="card">
            <h1>{tr("privacy.title")}</h1>
            {move || loaded(settings.get(), move |s| {
                let de = i18n.0.get() == Locale::De;
                let mb = s.max_upload_bytes / (1024 * 1024);
                let types = s.allowed_file_types.join(", ");
                let items: Vec<String> = if de { vec![
                    format!("Konten, die {} Tage nicht genutzt wurden, werden gelöscht; {} Tage vorher erhalten Sie eine Warnung.", s.inactive_account_deletion_days, s.inactive_account_warning_days),
                    format!("Gelöste Tickets werden nach {} Tagen geschlossen und archiviert.", s.auto_close_resolved_after_days),
                    if s.request_logs_kept_by_server {
                        format!("Das E-Mail-Protokoll wird nach {} Tagen gelöscht, Server-Protokolle nach {} Tagen.", s.email_log_retention_days, s.request_log_retention_days)
                    } else {
                        format!("Das E-Mail-Protokoll wird nach {} Tagen gelöscht. Server-Protokolle (ohne Passwörter oder Inhalte) verwaltet das Protokollsystem des Betreibers.", s.email_log_retention_days)
                    },
                    format!("Nach {} fehlgeschlagenen Anmeldungen ist ein Captcha nötig; Fehlversuche werden nach {} Minuten gelöscht.", s.login_failures_before_captcha, s.login_failure_window_minutes),
                    format!("Sitzungen enden nach {} Minuten ohne Aktivität. Wir setzen nur ein technisch notwendiges Sitzungs-Cookie.", s.session_idle_minutes),
                    format!("Anhänge: nur {types}, höchstens {mb} MB je Datei; der Typ wird am Inhalt geprüft."),
                    format!("Anfragen über das Kontaktformular werden {} Tage nach ihrem Abschluss gelöscht.", s.contact_retention_days),
                    format!("E-Mails an den Support werden zu Tickets; das Original jeder E-Mail sieht nur das Support-Team und es wird nach {} Tagen gelöscht, das Empfangsprotokoll nach {} Tagen. Anhänge darin gelten dieselben Regeln wie beim Hochladen.", s.raw_email_retention_days, s.email_log_retention_days),
                    format!("Datenschutz-Aktionen (Auskunft, Löschung, Einschränkung, Widerspruch) werden protokolliert; das Protokoll wird nach {} Tagen gelöscht.", s.audit_log_retention_days),
                    "Immer gesendet werden E-Mails zu Ihrem Konto und seiner Sicherheit (Bestätigungs- und Passwort-Links, geänderte Daten, Löschung); Ticket-Bestätigungen, Statusänderungen und Antworten können Sie im Profil abbestellen.".to_owned(),
                    match (s.captcha_enabled, s.smtp_relay) {
                        (true, true) => "Empfänger außerhalb dieses Systems: der Captcha-Dienst hCaptcha (beim Kontaktformular und nach fehlgeschlagenen Anmeldungen) und der E-Mail-Relay-Server des Betreibers.".to_owned(),
                        (true, false) => "Empfänger außerhalb dieses Systems: der Captcha-Dienst hCaptcha (beim Kontaktformular und nach fehlgeschlagenen Anmeldungen).".to_owned(),
                        (false, true) => "Empfänger außerhalb dieses Systems: der E-Mail-Relay-Server des Betreibers.".to_owned(),
                        (false, false) if s.webhook_hosts.is_empty() => "Es werden keine Daten an Dritte übermittelt.".to_owned(),
                        (false, false) => String::new(),
                    },
                    if s.webhook_hosts.is_empty() { String::new() } else {
                        format!("Angebundene Systeme des Betreibers erhalten Ticket- und Kontodaten per Webhook: {}.", s.webhook_hosts.join(", "))
                    },
                ] } else { vec![
                    format!("Accounts unused for {} days are deleted; you get a warning {} days before.", s.inactive_account_deletion_days, s.inactive_account_warning_days),
                    format!("Resolved tickets are closed and archived after {} days.", s.auto_close_resolved_after_days),
                    if s.request_logs_kept_by_server {
                        format!("The email log is deleted after {} days, server logs after {} days.", s.email_log_retention_days, s.request_log_retention_days)
                    } else {
                        format!("The email log is deleted after {} days. Server logs (no passwords or contents) are kept by the operator's log system.", s.email_log_retention_days)
                    },
                    format!("After {} failed sign-ins a captcha is required; failed attempts are deleted after {} minutes.", s.login_failures_before_captcha, s.login_failure_window_minutes),
                    format!("Sessions end after {} minutes without activity. We set only one technically necessary session cookie.", s.session_idle_minutes),
                    format!("Attachments: only {types}, at most {mb} MB per file; the type is checked by content."),
                    format!("Contact-form requests are deleted {} days after they are closed.", s.contact_retention_days),
                    format!("Emails to support become tickets; the original of each email is visible to the support team only and deleted after {} days, the log of received emails after {} days. Their attachments follow the same rules as uploads.", s.raw_email_retention_days, s.email_log_retention_days),
                    format!("Privacy actions (access, erasure, restriction, objection) are logged; the log is deleted after {} days.", s.audit_log_retention_days),
                    "Emails about your account and its security (confirmation and password links, changed data, deletion) are always sent; ticket confirmations, status changes and replies can be turned off in your profile.".to_owned(),
                    match (s.captcha_enabled, s.smtp_relay) {
                        (true, true) => "Recipients outside this system: the captcha service hCaptcha (on the contact form and after failed sign-ins) and the operator's email relay.".to_owned(),
                        (true, false) => "Recipients outside this system: the captcha service hCaptcha (on the contact form and after failed sign-ins).".to_owned(),
                        (false, true) => "Recipients outside this system: the operator's email relay.".to_owned(),
                        (false, false) if s.webhook_hosts.is_empty() => "No data is passed to third parties.".to_owned(),
                        (false, false) => String::new(),
                    },
                    if s.webhook_hosts.is_empty() { String::new() } else {
                        format!("Systems the operator connected receive ticket and account data by webhook: {}.", s.webhook_hosts.join(", "))
                    },
                ] };
                view! { <ul class="privacy">{items.into_iter().filter(|i| !i.is_empty()).map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }
            })}
        </section>
    }
}
