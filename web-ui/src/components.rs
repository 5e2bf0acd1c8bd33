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
