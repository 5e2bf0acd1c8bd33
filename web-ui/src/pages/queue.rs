//! The agents' queue: counts, the work order, and logging a phone call for a caller.

use helpdesk_types::tickets::{Channel, CreateTicket, CustomerMatch};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use crate::{
    api::{ApiError, tickets},
    components::{ErrorText, loaded},
    i18n::tr,
    pages::tickets::TicketList,
    session::use_session,
};

#[component]
pub fn Queue() -> impl IntoView {
    let session = use_session();
    let stats = LocalResource::new(move || tickets::stats(session));
    view! {
        <section class="card">
            <h1>{tr("queue.title")}</h1>
            {move || loaded(stats.get(), |s| view! {
                <dl class="stats">
                    <div><dt>{tr("status.new")}</dt><dd>{s.by_status.get("new").copied().unwrap_or(0)}</dd></div>
                    <div><dt>{tr("status.open")}</dt><dd>{s.by_status.get("open").copied().unwrap_or(0)}</dd></div>
                    <div><dt>{tr("status.pending")}</dt><dd>{s.by_status.get("pending").copied().unwrap_or(0)}</dd></div>
                    <div><dt>{tr("queue.unassigned")}</dt><dd>{s.unassigned}</dd></div>
                    <div><dt>{tr("queue.mine")}</dt><dd>{s.mine}</dd></div>
                    <div><dt>{tr("queue.breached")}</dt><dd>{s.by_sla_status.get("breached").copied().unwrap_or(0)}</dd></div>
                </dl>
            })}
            <TicketList queue=true />
        </section>
        <PhoneCall />
    }
}

/// Find a caller by phone number and log the call as a ticket for them.
#[component]
fn PhoneCall() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let phone = RwSignal::new(String::new());
    let matches = RwSignal::new(Vec::<CustomerMatch>::new());
    let chosen = RwSignal::new(None::<i64>);
    let subject = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let lookup = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let number = phone.get_untracked();
        spawn_local(async move {
            match tickets::lookup_caller(session, &number).await {
                Ok(m) => {
                    chosen.set(m.first().map(|c| c.person.id));
                    matches.set(m);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let log_call = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateTicket {
            subject: subject.get_untracked(),
            description: notes.get_untracked(),
            category_id: None,
            priority: None,
            requester_id: chosen.get_untracked(),
            channel: Some(Channel::Phone),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match tickets::create(session, &body).await {
                Ok(t) => navigate(&format!("/tickets/{}", t.number), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{tr("queue.phone")}</h2>
            <form class="filters" on:submit=lookup>
                <label for="phone">{tr("register.phone")}</label>
                <input id="phone" type="tel" prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) />
                <button type="submit">{tr("tickets.search")}</button>
            </form>
            <ul>
                <For each=move || matches.get() key=|m| m.person.id let:m>
                    <li>
                        <label class="checkbox">
                            <input type="radio" name="caller" prop:checked=move || chosen.get() == Some(m.person.id)
                                on:change=move |_| chosen.set(Some(m.person.id)) />
                            {m.person.full_name.clone()}" · "{m.person.email.clone()}
                            {m.organization.as_ref().map(|o| format!(" · {}", o.name))}" · "{m.contract_tier.as_str()}
                            " · "{m.open_tickets}" open"
                        </label>
                    </li>
                </For>
            </ul>
            <Show when=move || chosen.get().is_some()>
                <form on:submit=log_call.clone()>
                    <label for="call-subject">{tr("tickets.subject")}</label>
                    <input id="call-subject" required prop:value=move || subject.get() on:input=move |ev| subject.set(event_target_value(&ev)) />
                    <label for="call-notes">{tr("tickets.description")}</label>
                    <textarea id="call-notes" required prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                    <button type="submit">{tr("queue.log_call")}</button>
                </form>
            </Show>
            <ErrorText error=error />
        </section>
    }
}
