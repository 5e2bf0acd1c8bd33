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
        Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
    }
}

/// An API error in plain language.
#[component]
pub fn ErrorText(error: RwSignal<Option<ApiError>>) -> impl IntoView {
    move || error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
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
        {move || error.get().and_then(|e| e.field(name)).map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
    }
}
