//! Small building blocks shared by the pages.

use helpdesk_types::tickets::{Priority, SlaStatus, TicketStatus};
use leptos::prelude::*;

use crate::{api::ApiError, i18n::use_i18n};

pub fn status_key(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::New => "status.new",
        TicketStatus::Open => "status.open",
        TicketStatus::Pending => "status.pending",
        TicketStatus::Resolved => "status.resolved",
        TicketStatus::Closed => "status.closed",
    }
}

pub fn priority_key(p: Priority) -> &'static str {
    match p {
        Priority::Low => "priority.low",
        Priority::Normal => "priority.normal",
        Priority::High => "priority.high",
        Priority::Urgent => "priority.urgent",
    }
}

fn sla_key(s: SlaStatus) -> &'static str {
    match s {
        SlaStatus::OnTrack => "sla.on_track",
        SlaStatus::AtRisk => "sla.at_risk",
        SlaStatus::Breached => "sla.breached",
        SlaStatus::Paused => "sla.paused",
        SlaStatus::Met => "sla.met",
    }
}

/// Minutes as "2 h 10 min".
pub fn duration_text(minutes: i64) -> String {
    let m = minutes.abs();
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The SLA badge with the business time left of the next open target ("2 h 10 min left,
/// business hours"), or "paused" while the ticket waits for the customer.
#[component]
pub fn SlaDetail(sla: helpdesk_types::tickets::Sla) -> impl IntoView {
    let i18n = use_i18n();
    let next = [&sla.first_response, &sla.resolution].into_iter().find_map(|t| t.business_minutes_left);
    let paused = sla.paused_since.is_some();
    let business = sla.business_hours;
    let status = sla.status;
    view! {
        <span class=format!("badge sla-{status}") data-testid="sla-badge">
            {move || i18n.t(sla_key(status))}
            {move || match (paused, next) {
                (true, _) => format!(" · {}", i18n.t("sla.paused_note")),
                (false, Some(left)) if left >= 0 => format!(
                    " · {} {}{}",
                    duration_text(left),
                    i18n.t("sla.left"),
                    if business { format!(", {}", i18n.t("sla.business_hours")) } else { String::new() }
                ),
                (false, Some(over)) => format!(" · {} {}", duration_text(over), i18n.t("sla.overdue")),
                (false, None) => String::new(),
            }}
        </span>
    }
}

#[component]
pub fn StatusBadge(status: TicketStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class=format!("badge status-{status}")>{move || i18n.t(status_key(status))}</span> }
}

#[component]
pub fn SlaBadge(status: SlaStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class=format!("badge sla-{status}")>{move || i18n.t(sla_key(status))}</span> }
}

/// A read's outcome: nothing while it loads, the error in plain language if it failed, else
/// what `ok` makes of the value. Reads never fail silently.
pub fn loaded<T, V: IntoView + 'static>(result: Option<Result<T, ApiError>>, ok: impl FnOnce(T) -> V) -> AnyView {
    match result {
        None => ().into_any(),
        Some(Ok(value)) => ok(value).into_any(),
        Some(Err(e)) => {
            let i18n = use_i18n();
            view! { <p class="error" role="alert">{move || problem_text(&e, i18n.0.get())}</p> }.into_any()
        }
    }
}

/// A fetched page into a cursor-paged list: it replaces the rows (a fresh load) or follows
/// them (`more`), and its cursor is the next one to ask for.
pub fn take_page<T: Send + Sync + 'static>(
    items: RwSignal<Vec<T>>,
    cursor: RwSignal<Option<String>>,
    page: helpdesk_types::Page<T>,
    more: bool,
) {
    cursor.set(page.next_cursor);
    items.update(|list| {
        if !more {
            list.clear();
        }
        list.extend(page.items);
    });
}

/// A message for the next page (set before navigating, taken by the page that shows it).
#[derive(Clone, Copy)]
pub struct Flash(pub RwSignal<Option<String>>);

/// Whether a key press belongs to a text field (shortcuts then stay out of the way).
pub fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
        return true;
    }
    ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable")
    })
}

/// An API error in the reader's language: in German the shared German text of the problem's
/// stable `code` (`helpdesk_types::problem::german_detail`), in English the server's `detail`.
pub fn problem_text(e: &ApiError, locale: helpdesk_types::Locale) -> String {
    if locale == helpdesk_types::Locale::De
        && let Some(text) = helpdesk_types::problem::german_detail(e.code())
    {
        return text.to_owned();
    }
    e.to_string()
}

/// A field rule's message in the reader's language.
pub fn field_text(message: &str, locale: helpdesk_types::Locale) -> String {
    if locale != helpdesk_types::Locale::De {
        return message.to_owned();
    }
    message.split("; ").map(helpdesk_types::problem::german_field_message).collect::<Vec<_>>().join("; ")
}

/// The message of one field of the last problem, in the reader's language.
#[component]
pub fn FieldError(error: RwSignal<Option<ApiError>>, name: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error
            .get()
            .and_then(|e| e.field(name))
            .map(|m| view! { <span class="field-error" role="alert">{field_text(&m, i18n.0.get())}</span> })
    }
}

/// An API error in plain language.
#[component]
pub fn ErrorText(error: RwSignal<Option<ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || error.get().map(|e| view! { <p class="error" role="alert">{move || problem_text(&e, i18n.0.get())}</p> })
}

/// A labelled input with its field error from the last problem.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    view! {
        <label for=id.clone()>{move || i18n.t(label)}</label>
        <input id=id name=name type=kind required=required
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev)) />
        <FieldError error=error name=name />
    }
}

/// API tokens for integrations: create one (its secret is shown once, with a copy button), list
/// and revoke. Admins see everyone's tokens.
#[component]
pub fn ApiTokens() -> impl IntoView {
    use helpdesk_types::integrations::{CreateApiToken, Scope};
    use leptos::task::spawn_local;
    let session = crate::session::use_session();
    let version = RwSignal::new(0);
    let tokens = LocalResource::new(move || {
        version.track();
        crate::api::tokens::list(session)
    });
    let name = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let chosen: Vec<(Scope, RwSignal<bool>)> =
        Scope::ALL.iter().map(|s| (*s, RwSignal::new(*s == Scope::TicketsRead))).collect();
    let secret = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let scopes = chosen.clone();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateApiToken {
            name: name.get_untracked(),
            scopes: scopes.iter().filter(|(_, on)| on.get_untracked()).map(|(s, _)| *s).collect(),
            expires_at: expires
                .get_untracked()
                .parse::<chrono::NaiveDate>()
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc()),
        };
        spawn_local(async move {
            match crate::api::tokens::create(session, &body).await {
                Ok(created) => {
                    secret.set(Some(created.secret));
                    name.set(String::new());
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let revoke = move |id: i64| {
        spawn_local(async move {
            match crate::api::tokens::revoke(session, id).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let copy = move |_| {
        if let Some(s) = secret.get_untracked() {
            let _ = window().navigator().clipboard().write_text(&s);
        }
    };
    view! {
        <section class="card" id="api-tokens">
            <h2>{crate::i18n::tr("tokens.title")}</h2>
            {move || secret.get().map(|s| view! {
                <div class="notice" role="status">
                    <p>{crate::i18n::tr("tokens.shown_once")}</p>
                    <code data-testid="token-secret">{s}</code>" "
                    <button class="small" type="button" on:click=copy>{crate::i18n::tr("tokens.copy")}</button>
                </div>
            })}
            <table>
                <thead><tr><th>{crate::i18n::tr("admin.name")}</th><th>{crate::i18n::tr("tokens.prefix")}</th><th>{crate::i18n::tr("tokens.scopes")}</th><th>{crate::i18n::tr("tokens.last_used")}</th><th>{crate::i18n::tr("tokens.expires")}</th><th></th></tr></thead>
                <tbody>
                    {move || loaded(tokens.get(), move |list| list.into_iter().map(|t| {
                        let id = t.id;
                        let scopes = t.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                        view! { <tr>
                            <td>{t.name.clone()}</td><td><code>{t.prefix.clone()}"…"</code></td><td>{scopes}</td>
                            <td>{t.last_used_at.map(|d| d.format("%d.%m.%Y %H:%M").to_string()).unwrap_or_else(|| "–".into())}</td>
                            <td>{t.expires_at.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_else(|| "–".into())}</td>
                            <td><button class="small" on:click=move |_| revoke(id)>{crate::i18n::tr("tokens.revoke")}</button></td>
                        </tr> }
                    }).collect_view())}
                </tbody>
            </table>
            <form on:submit=create class="stack">
                <Field label="admin.name" name="token_name" value=name error=error required=true />
                <fieldset><legend>{crate::i18n::tr("tokens.scopes")}</legend>
                    {chosen.iter().map(|(scope, on)| {
                        let on = *on;
                        view! { <label class="inline"><input type="checkbox" value=scope.as_str() prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev)) />{scope.as_str()}</label> }
                    }).collect_view()}
                </fieldset>
                <label for="field-token_expires">{crate::i18n::tr("tokens.expires")}</label>
                <input id="field-token_expires" type="date" prop:value=move || expires.get() on:input=move |ev| expires.set(event_target_value(&ev)) />
                <button type="submit">{crate::i18n::tr("tokens.create")}</button>
            </form>
            <ErrorText error=error />
        </section>
    }
}
