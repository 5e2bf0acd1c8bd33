//! The agents' queue: views as in a mail client's folders (Mine, Unassigned, All open, Pending,
//! SLA at risk, SLA breached, Closed) with their counts, filters and sort, bulk actions on
//! selected rows, keyboard navigation, and the caller lookup for logging a phone call.

use helpdesk_types::tickets::{
    AssigneeFilter, Channel, CreateTicket, CustomerMatch, Priority, SlaStatus, Sort, Ticket, TicketQuery, TicketStats,
    TicketStatus, UpdateTicket,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_query_map};
use wasm_bindgen::JsCast;

use crate::{
    api::{self, ApiError, tickets},
    components::{ErrorText, SlaBadge, StatusBadge, loaded, priority_key, status_key},
    i18n::{tr, use_i18n},
    session::use_session,
    time::When,
};

/// A folder of the queue.
#[derive(Clone, Copy, PartialEq)]
enum View {
    Mine,
    Unassigned,
    Open,
    Pending,
    AtRisk,
    Breached,
    Closed,
}

const ACTIVE: [TicketStatus; 3] = [TicketStatus::New, TicketStatus::Open, TicketStatus::Pending];

impl View {
    const ALL: [View; 7] =
        [View::Mine, View::Unassigned, View::Open, View::Pending, View::AtRisk, View::Breached, View::Closed];

    fn slug(self) -> &'static str {
        match self {
            View::Mine => "mine",
            View::Unassigned => "unassigned",
            View::Open => "open",
            View::Pending => "pending",
            View::AtRisk => "at-risk",
            View::Breached => "breached",
            View::Closed => "closed",
        }
    }

    fn parse(slug: &str) -> View {
        View::ALL.into_iter().find(|v| v.slug() == slug).unwrap_or(View::Open)
    }

    fn label(self) -> &'static str {
        match self {
            View::Mine => "queue.mine",
            View::Unassigned => "queue.unassigned",
            View::Open => "queue.all_open",
            View::Pending => "status.pending",
            View::AtRisk => "queue.at_risk",
            View::Breached => "queue.breached",
            View::Closed => "status.closed",
        }
    }

    /// The view's filters.
    fn query(self) -> TicketQuery {
        let mut q = TicketQuery::default();
        match self {
            View::Mine => (q.status, q.assignee_id) = (Some(ACTIVE.to_vec()), Some(AssigneeFilter::Me)),
            View::Unassigned => (q.status, q.assignee_id) = (Some(ACTIVE.to_vec()), Some(AssigneeFilter::Nobody)),
            View::Open => q.status = Some(ACTIVE.to_vec()),
            View::Pending => q.status = Some(vec![TicketStatus::Pending]),
            View::AtRisk => q.sla_status = Some(SlaStatus::AtRisk),
            View::Breached => (q.status, q.sla_status) = (Some(ACTIVE.to_vec()), Some(SlaStatus::Breached)),
            View::Closed => q.status = Some(vec![TicketStatus::Resolved, TicketStatus::Closed]),
        }
        q
    }

    /// The view's count from the dashboard counters.
    fn count(self, s: &TicketStats) -> i64 {
        let status = |k: &str| s.by_status.get(k).copied().unwrap_or(0);
        match self {
            View::Mine => s.mine,
            View::Unassigned => s.unassigned,
            View::Open => status("new") + status("open") + status("pending"),
            View::Pending => status("pending"),
            View::AtRisk => s.by_sla_status.get("at_risk").copied().unwrap_or(0),
            View::Breached => s.by_sla_status.get("breached").copied().unwrap_or(0),
            View::Closed => status("resolved") + status("closed"),
        }
    }
}

#[component]
pub fn Queue() -> impl IntoView {
    view! {
        <PhoneCall />
        <section class="card">
            <h1>{tr("queue.title")}</h1>
            <QueueTable />
        </section>
    }
}

/// The views, the filters and the table.
#[component]
fn QueueTable() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let query_map = use_query_map();
    let view_now = Memo::new(move |_| View::parse(&query_map.with(|q| q.get("view").unwrap_or_default())));
    // Bumped after every change, by live updates and every 30 s: the counts and rows reload.
    let version = RwSignal::new(0u32);
    let stats = LocalResource::new(move || {
        version.track();
        tickets::stats(session)
    });
    let agents = LocalResource::new(move || async move { tickets::agents(session).await.unwrap_or_default() });
    let categories = LocalResource::new(move || async move { tickets::categories(session).await.unwrap_or_default() });
    let search = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let sort = RwSignal::new("queue".to_owned());
    let items = RwSignal::new(Vec::<Ticket>::new());
    let cursor = RwSignal::new(None::<String>);
    let selected = RwSignal::new(std::collections::BTreeSet::<i64>::new());
    let focus = RwSignal::new(0usize);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);
    let load = move |more: bool| {
        loading.set(true);
        let mut query = view_now.get_untracked().query();
        let text = search.get_untracked();
        query.q = Some(text.trim().to_owned()).filter(|q| !q.is_empty());
        query.priority = priority.get_untracked().parse().ok();
        query.category_id = category.get_untracked().parse().ok();
        if let Ok(a) = assignee.get_untracked().parse::<AssigneeFilter>() {
            query.assignee_id = Some(a);
        }
        query.sort = sort.get_untracked().parse::<Sort>().ok();
        query.limit = Some(25);
        query.cursor = if more { cursor.get_untracked() } else { None };
        spawn_local(async move {
            match tickets::list(session, &query).await {
                Ok(page) => {
                    error.set(None);
                    crate::components::take_page(items, cursor, page, more);
                    if !more {
                        // A reload (poll, live update) keeps the selection of rows still listed.
                        // The page may be gone by now (a quick click elsewhere): nothing left to do.
                        let Some(listed) = items.try_with_untracked(|l| {
                            l.iter().map(|t| t.id).collect::<std::collections::BTreeSet<i64>>()
                        }) else {
                            return;
                        };
                        selected.update(|s| s.retain(|id| listed.contains(id)));
                        focus.update(|f| *f = (*f).min(listed.len().saturating_sub(1)));
                    }
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    Effect::new(move |_| {
        view_now.track();
        version.track();
        load(false);
    });
    let live = crate::live::use_live();
    Effect::new(move |seen: Option<()>| {
        live.tickets.track();
        if seen.is_some() {
            version.update(|v| *v += 1);
        }
    });
    let poll = set_interval_with_handle(move || version.update(|v| *v += 1), std::time::Duration::from_secs(30));
    on_cleanup(move || {
        if let Ok(handle) = poll {
            handle.clear();
        }
    });
    // Applies one change to every selected ticket (or to `only`), then reloads.
    let apply = move |body: UpdateTicket, only: Option<i64>| {
        let ids: Vec<i64> = match only {
            Some(id) => vec![id],
            None => selected.get_untracked().into_iter().collect(),
        };
        spawn_local(async move {
            let mut failed = None;
            for id in ids {
                if let Err(e) = tickets::update(session, id, &body).await {
                    failed = Some(e);
                }
            }
            error.set(failed);
            version.update(|v| *v += 1);
        });
    };
    let me = move || session.user.get_untracked().map(|u| u.id);
    let keys = window_event_listener(leptos::ev::keydown, {
        let navigate = navigate.clone();
        move |ev| {
            if crate::components::typing(&ev) {
                return;
            }
            let count = items.with_untracked(Vec::len);
            let current = items.with_untracked(|list| list.get(focus.get_untracked()).map(|t| (t.id, t.number)));
            match ev.key().as_str() {
                "j" | "ArrowDown" if count > 0 => focus.update(|f| *f = (*f + 1).min(count - 1)),
                "k" | "ArrowUp" => focus.update(|f| *f = f.saturating_sub(1)),
                "o" | "Enter" => {
                    if let Some((_, number)) = current {
                        navigate(&format!("/tickets/{number}"), Default::default());
                    }
                }
                "x" => {
                    if let Some((id, _)) = current {
                        selected.update(|s| {
                            if !s.remove(&id) {
                                s.insert(id);
                            }
                        });
                    }
                }
                "a" => {
                    if let Some((id, _)) = current {
                        apply(UpdateTicket { assignee_id: Some(me()), ..Default::default() }, Some(id));
                    }
                }
                "/" => {
                    if let Some(el) = document().get_element_by_id("search") {
                        let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
                    }
                }
                _ => return,
            }
            ev.prevent_default();
        }
    });
    on_cleanup(move || keys.remove());
    let bulk_status = RwSignal::new(String::new());
    view! {
        <nav class="views" aria-label=move || i18n.t("queue.views")>
            {View::ALL.into_iter().map(|v| view! {
                <a href=format!("/queue?view={}", v.slug()) class="view" class:active=move || view_now.get() == v
                    data-view=v.slug() aria-current=move || (view_now.get() == v).then_some("page")>
                    <span class="label">{move || i18n.t(v.label())}</span>
                    <span class="count">{move || loaded(stats.get(), move |s| v.count(&s))}</span>
                </a>
            }).collect_view()}
        </nav>
        <form class="filters" on:submit=move |ev| { ev.prevent_default(); load(false); }>
            <label>{tr("tickets.search")}
                <input id="search" type="search" placeholder=move || i18n.t("queue.search_hint")
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) /></label>
            <label>{tr("tickets.priority")}
                <select id="filter-priority" on:change=move |ev| { priority.set(event_target_value(&ev)); load(false); }>
                    <option value="">{tr("tickets.all")}</option>
                    {Priority::ALL.iter().map(|p| view! { <option value=p.as_str()>{move || i18n.t(priority_key(*p))}</option> }).collect_view()}
                </select></label>
            <label>{tr("tickets.category")}
                <select id="filter-category" on:change=move |ev| { category.set(event_target_value(&ev)); load(false); }>
                    <option value="">{tr("tickets.all")}</option>
                    {move || categories.get().unwrap_or_default().into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                </select></label>
            <label>{tr("col.assignee")}
                <select id="filter-assignee" on:change=move |ev| { assignee.set(event_target_value(&ev)); load(false); }>
                    <option value="">{tr("tickets.all")}</option>
                    <option value="me">{tr("queue.mine")}</option>
                    <option value="none">{tr("queue.unassigned")}</option>
                    {move || agents.get().unwrap_or_default().into_iter().map(|a| view! { <option value=a.id.to_string()>{a.full_name}</option> }).collect_view()}
                </select></label>
            <label>{tr("queue.sort")}
                <select id="sort" on:change=move |ev| { sort.set(event_target_value(&ev)); load(false); }>
                    <option value="queue">{tr("sort.queue")}</option>
                    <option value="created_at">{tr("sort.newest")}</option>
                    <option value="updated_at">{tr("sort.updated")}</option>
                    <option value="sla_due">{tr("sort.due")}</option>
                </select></label>
            <button type="submit">{tr("tickets.search")}</button>
        </form>
        <Show when=move || !selected.with(|s| s.is_empty())>
            <div class="bulk" role="toolbar" id="bulk">
                <strong>{move || i18n.t("queue.selected").replace("{n}", &selected.with(|s| s.len()).to_string())}</strong>
                <label>{tr("col.assignee")}
                    <select id="bulk-assign" on:change=move |ev| {
                        let value = event_target_value(&ev);
                        let who = match value.as_str() { "" => return, "none" => None, id => id.parse().ok() };
                        apply(UpdateTicket { assignee_id: Some(who), ..Default::default() }, None);
                    }>
                        <option value="">"–"</option>
                        <option value="none">{tr("queue.unassigned")}</option>
                        {move || agents.get().unwrap_or_default().into_iter().map(|a| view! { <option value=a.id.to_string()>{a.full_name}</option> }).collect_view()}
                    </select></label>
                <label>{tr("tickets.status")}
                    <select id="bulk-status" prop:value=move || bulk_status.get() on:change=move |ev| {
                        if let Ok(s) = event_target_value(&ev).parse::<TicketStatus>() {
                            apply(UpdateTicket { status: Some(s), ..Default::default() }, None);
                        }
                        bulk_status.set(String::new());
                    }>
                        <option value="">"–"</option>
                        {TicketStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{move || i18n.t(status_key(*s))}</option> }).collect_view()}
                    </select></label>
                <label>{tr("tickets.priority")}
                    <select id="bulk-priority" on:change=move |ev| {
                        if let Ok(p) = event_target_value(&ev).parse::<Priority>() {
                            apply(UpdateTicket { priority: Some(p), ..Default::default() }, None);
                        }
                    }>
                        <option value="">"–"</option>
                        {Priority::ALL.iter().map(|p| view! { <option value=p.as_str()>{move || i18n.t(priority_key(*p))}</option> }).collect_view()}
                    </select></label>
                <button id="bulk-close" on:click=move |_| apply(UpdateTicket { status: Some(TicketStatus::Closed), ..Default::default() }, None)>
                    {tr("ticket.close")}</button>
            </div>
        </Show>
        <ErrorText error=error />
        <Show when=move || !loading.get() && items.with(Vec::is_empty) && error.get().is_none()><p class="muted empty">{tr("tickets.empty")}</p></Show>
        <table class="queue">
            <thead><tr>
                <th><input type="checkbox" aria-label=move || i18n.t("queue.select_all") id="select-all"
                    prop:checked=move || !items.with(Vec::is_empty) && selected.with(|s| s.len()) == items.with(Vec::len)
                    on:change=move |ev| {
                        let all = event_target_checked(&ev);
                        selected.set(if all { items.with_untracked(|l| l.iter().map(|t| t.id).collect()) } else { Default::default() });
                    } /></th>
                <th>{tr("col.number")}</th><th>{tr("tickets.subject")}</th><th>{tr("col.requester")}</th><th>{tr("tickets.status")}</th>
                <th>{tr("tickets.priority")}</th><th>{tr("col.assignee")}</th><th>{tr("col.updated")}</th><th>{tr("col.due")}</th>
            </tr></thead>
            <tbody>
                {move || items.get().into_iter().enumerate().map(|(i, t)| {
                    let id = t.id;
                    let mine = t.assignee.as_ref().map(|a| a.id) == me();
                    let due = [(t.first_response_at, t.sla.first_response.due_at), (t.resolved_at, t.sla.resolution.due_at)]
                        .into_iter()
                        .filter_map(|(done, due)| done.is_none().then_some(due))
                        .min();
                    let sla = t.sla.status;
                    view! {
                        <tr class="ticket-row" class:unread=t.unread class:focused=move || focus.get() == i class:selected=move || selected.with(|s| s.contains(&id))
                            on:click=move |_| focus.set(i)>
                            <td><input type="checkbox" class="select" aria-label=format!("#{}", t.number)
                                prop:checked=move || selected.with(|s| s.contains(&id))
                                on:change=move |ev| { let on = event_target_checked(&ev); selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } }); } /></td>
                            <td class="number">"#"{t.number}</td>
                            <td>{t.unread.then(|| view! { <span class="dot" title=move || i18n.t("unread.customer")>"● "</span> })}
                                <a href=format!("/tickets/{}", t.number) class="ticket-link"><span class="subject">{t.subject.clone()}</span></a></td>
                            <td class="requester">{t.requester.full_name.clone()}
                                {t.organization.as_ref().map(|o| view! { <span class="org">{o.name.clone()}" ("{o.contract_tier.as_str()}")"</span> })}</td>
                            <td><StatusBadge status=t.status /></td>
                            <td><span class="badge">{move || i18n.t(priority_key(t.priority))}</span></td>
                            <td class="assignee">{match t.assignee.clone() {
                                Some(a) => view! { <span>{a.full_name}</span> }.into_any(),
                                None => view! { <button class="small" on:click=move |_| apply(UpdateTicket { assignee_id: Some(me()), ..Default::default() }, Some(id))>{tr("ticket.assign_me")}</button> }.into_any(),
                            }}{(mine).then(|| view! { <span class="muted">" ✓"</span> })}</td>
                            <td><When at=t.updated_at /></td>
                            <td class=format!("due sla-{sla}")>{due.map(|at| view! { <When at=at /> })}" "<SlaBadge status=sla /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <Show when=move || cursor.with(Option::is_some)>
            <button on:click=move |_| load(true)>{tr("tickets.more")}</button>
        </Show>
        <p class="muted small">{tr("keys.hint")}</p>
    }
}

/// Find a caller by phone number and log the call as a ticket for them.
#[component]
fn PhoneCall() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let phone = RwSignal::new(String::new());
    let matches = RwSignal::new(Vec::<CustomerMatch>::new());
    let searched = RwSignal::new(false);
    let chosen = RwSignal::new(None::<i64>);
    let subject = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let priority = RwSignal::new("normal".to_owned());
    let error = RwSignal::new(None::<ApiError>);
    let categories = LocalResource::new(move || async move { tickets::categories(session).await.unwrap_or_default() });
    let key = api::idempotency_key();
    let lookup = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let number = phone.get_untracked();
        spawn_local(async move {
            match tickets::lookup_caller(session, &number).await {
                Ok(m) => {
                    chosen.set(m.first().map(|c| c.person.id));
                    matches.set(m);
                    searched.set(true);
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
            category_id: category.get_untracked().parse().ok(),
            priority: priority.get_untracked().parse().ok(),
            requester_id: chosen.get_untracked(),
            channel: Some(Channel::Phone),
            follow_up_of: None,
        };
        let navigate = navigate.clone();
        let key = key.clone();
        spawn_local(async move {
            match tickets::create(session, &body, &key).await {
                Ok(t) => navigate(&format!("/tickets/{}", t.number), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card caller" id="caller-lookup">
            <h2>{tr("queue.caller")}</h2>
            <form class="filters" on:submit=lookup>
                <label for="phone">{tr("queue.caller_phone")}</label>
                <input id="phone" type="tel" prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) />
                <button type="submit">{tr("tickets.search")}</button>
            </form>
            <Show when=move || searched.get() && matches.with(Vec::is_empty)><p class="muted">{tr("queue.no_caller")}</p></Show>
            <ul>
                <For each=move || matches.get() key=|m| m.person.id let:m>
                    <li>
                        <label class="checkbox">
                            <input type="radio" name="caller" prop:checked=move || chosen.get() == Some(m.person.id)
                                on:change=move |_| chosen.set(Some(m.person.id)) />
                            {m.person.full_name.clone()}" · "{m.person.email.clone()}
                            {m.organization.as_ref().map(|o| format!(" · {}", o.name))}" · "{m.contract_tier.as_str()}
                            " · "{move || i18n.t("queue.open_tickets").replace("{n}", &m.open_tickets.to_string())}
                        </label>
                    </li>
                </For>
            </ul>
            <Show when=move || chosen.get().is_some()>
                <form on:submit=log_call.clone()>
                    <label for="call-category">{tr("tickets.category")}</label>
                    <select id="call-category" on:change=move |ev| category.set(event_target_value(&ev))>
                        <option value="">{tr("tickets.none")}</option>
                        {move || categories.get().unwrap_or_default().into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                    </select>
                    <label for="call-priority">{tr("tickets.priority")}</label>
                    <select id="call-priority" on:change=move |ev| priority.set(event_target_value(&ev))>
                        {Priority::ALL.iter().map(|p| view! { <option value=p.as_str() selected=*p == Priority::Normal>{move || i18n.t(priority_key(*p))}</option> }).collect_view()}
                    </select>
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
