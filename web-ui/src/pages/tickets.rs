//! Tickets: the list (customers' "my tickets" and the agents' queue share it), a new ticket with
//! attachments, and the ticket page with the conversation.

use helpdesk_types::{
    tickets::{
        Attachment, Comment, CreateComment, CreateTicket, Priority, Sort, Ticket, TicketEvent, TicketQuery,
        TicketStatus, UpdateTicket,
    },
    validation::{self as rules, limits},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_params_map};
use wasm_bindgen::JsCast;

use crate::{
    api::{ApiError, tickets, upload},
    components::{ErrorText, SlaBadge, SlaDetail, StatusBadge, loaded, priority_key, status_key},
    i18n::{tr, use_i18n},
    session::use_session,
};

/// A filterable, searchable, cursor-paged list of tickets.
#[component]
pub fn TicketList(#[prop(optional)] queue: bool) -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let status = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let items = RwSignal::new(Vec::<Ticket>::new());
    let cursor = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);
    let load = move |more: bool| {
        loading.set(true);
        let q = search.get_untracked();
        let query = TicketQuery {
            status: status.get_untracked().parse::<TicketStatus>().ok().map(|s| vec![s]),
            q: Some(q.trim().to_owned()).filter(|q| !q.is_empty()),
            sort: Some(if queue { Sort::Queue } else { Sort::CreatedAt }),
            limit: Some(25),
            cursor: if more { cursor.get_untracked() } else { None },
            ..TicketQuery::default()
        };
        spawn_local(async move {
            match tickets::list(session, &query).await {
                Ok(page) => {
                    error.set(None);
                    cursor.set(page.next_cursor);
                    items.update(|list| {
                        if !more {
                            list.clear();
                        }
                        list.extend(page.items);
                    });
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    load(false);
    if queue {
        // Live updates: a changed ticket reloads the queue.
        let live = crate::live::use_live();
        Effect::new(move |seen: Option<()>| {
            live.tickets.track();
            if seen.is_some() {
                load(false);
            }
        });
    }
    let assign_to_me = move |id: i64| {
        let me = session.user.get_untracked().map(|u| u.id);
        spawn_local(async move {
            let body = UpdateTicket { assignee_id: Some(me), ..Default::default() };
            match tickets::update(session, id, &body).await {
                Ok(_) => load(false),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="filters" on:submit=move |ev| { ev.prevent_default(); load(false); }>
            <label for="status-filter">{tr("tickets.status")}</label>
            <select id="status-filter" on:change=move |ev| { status.set(event_target_value(&ev)); load(false); }>
                <option value="">{tr("tickets.all")}</option>
                {TicketStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{move || i18n.t(status_key(*s))}</option> }).collect_view()}
            </select>
            <label for="search">{tr("tickets.search")}</label>
            <input id="search" type="search" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
            <button type="submit">{tr("tickets.search")}</button>
        </form>
        <ErrorText error=error />
        <Show when=move || loading.get() && items.with(Vec::is_empty)><p class="muted">{tr("common.loading")}</p></Show>
        <Show when=move || !loading.get() && items.with(Vec::is_empty) && error.get().is_none()><p class="muted empty">{tr("tickets.empty")}</p></Show>
        <ul class="ticket-list">
            <For each=move || items.get() key=|t| (t.id, t.updated_at) let:t>
                <li class="ticket-row">
                    <a href=format!("/tickets/{}", t.number) class="ticket-link">
                        <span class="number">"#"{t.number}</span>
                        <span class="subject">{t.subject.clone()}</span>
                    </a>
                    <StatusBadge status=t.status />
                    <SlaBadge status=t.sla.status />
                    <span class="badge">{move || i18n.t(priority_key(t.priority))}</span>
                    {t.organization.as_ref().map(|o| view! { <span class="org">{o.name.clone()}" ("{o.contract_tier.as_str()}")"</span> })}
                    {(queue && t.assignee.is_none()).then(|| view! {
                        <button class="small" on:click=move |_| assign_to_me(t.id)>{tr("ticket.assign_me")}</button>
                    })}
                </li>
            </For>
        </ul>
        <Show when=move || cursor.with(Option::is_some)>
            <button on:click=move |_| load(true)>{tr("tickets.more")}</button>
        </Show>
    }
}

#[component]
pub fn MyTickets() -> impl IntoView {
    view! {
        <section class="card">
            <h1>{tr("tickets.title")}</h1>
            <p><a class="button" href="/tickets/new">{tr("nav.new_ticket")}</a></p>
            <TicketList />
        </section>
    }
}

/// The files chosen in a file input, or an i18n key explaining why one cannot be uploaded.
fn chosen_files(input: &web_sys::HtmlInputElement) -> Result<Vec<web_sys::File>, &'static str> {
    let mut out = Vec::new();
    if let Some(list) = input.files() {
        for i in 0..list.length() {
            if let Some(file) = list.get(i) {
                if let Some(problem) = upload::precheck(&file) {
                    return Err(problem);
                }
                out.push(file);
            }
        }
    }
    Ok(out)
}

#[component]
pub fn NewTicket() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let subject = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let priority = RwSignal::new("normal".to_owned());
    let error = RwSignal::new(None::<ApiError>);
    let file_problem = RwSignal::new(None::<&'static str>);
    let progress = RwSignal::new(None::<f64>);
    let files_ref = NodeRef::<leptos::html::Input>::new();
    let categories = LocalResource::new(move || tickets::categories(session));
    let check_files = move |_| {
        file_problem.set(files_ref.get().and_then(|input| chosen_files(&input).err()));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let files = match files_ref.get().map(|input| chosen_files(&input)).unwrap_or(Ok(Vec::new())) {
            Ok(files) => files,
            Err(problem) => {
                file_problem.set(Some(problem));
                return;
            }
        };
        let body = CreateTicket {
            subject: subject.get_untracked(),
            description: description.get_untracked(),
            category_id: category.get_untracked().parse().ok(),
            priority: priority.get_untracked().parse::<Priority>().ok(),
            requester_id: None,
            channel: None,
        };
        let checked = ApiError::check([
            ("subject", rules::line_problem(&body.subject, limits::SUBJECT)),
            ("description", rules::text_problem(&body.description, limits::DESCRIPTION)),
        ]);
        if let Err(e) = checked {
            return error.set(Some(e));
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            let ticket = match tickets::create(session, &body).await {
                Ok(t) => t,
                Err(e) => return error.set(Some(e)),
            };
            if !files.is_empty() {
                progress.set(Some(0.0));
                if let Err(e) = upload::upload(session, ticket.id, files, move |p| progress.set(Some(p))).await {
                    error.set(Some(e));
                    return;
                }
            }
            navigate(&format!("/tickets/{}", ticket.number), Default::default());
        });
    };
    view! {
        <section class="card">
            <h1>{tr("nav.new_ticket")}</h1>
            <form on:submit=submit>
                <label for="category">{tr("tickets.category")}</label>
                <select id="category" on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="">{tr("tickets.none")}</option>
                    {move || loaded(categories.get(), |list| list.into_iter()
                        .map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view())}
                </select>
                <label for="priority">{tr("tickets.priority")}</label>
                <select id="priority" on:change=move |ev| priority.set(event_target_value(&ev))>
                    {Priority::ALL.iter().map(|p| view! {
                        <option value=p.as_str() selected=*p == Priority::Normal>{move || i18n.t(priority_key(*p))}</option>
                    }).collect_view()}
                </select>
                {move || error.get().and_then(|e| e.field("priority")).map(|m| view! { <span class="field-error">{m}</span> })}
                <label for="subject">{tr("tickets.subject")}</label>
                <input id="subject" name="subject" required maxlength="200" prop:value=move || subject.get() on:input=move |ev| subject.set(event_target_value(&ev)) />
                {move || error.get().and_then(|e| e.field("subject")).map(|m| view! { <span class="field-error">{m}</span> })}
                <label for="description">{tr("tickets.description")}</label>
                <textarea id="description" name="description" required rows="6" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                {move || error.get().and_then(|e| e.field("description")).map(|m| view! { <span class="field-error">{m}</span> })}
                <label for="files">{tr("tickets.files")}</label>
                <input id="files" type="file" multiple node_ref=files_ref on:change=check_files
                    accept=".jpg,.jpeg,.png,.gif,.pdf,.doc,.docx,.txt,.zip,.rar" />
                {move || file_problem.get().map(|k| view! { <p class="error file-error" role="alert">{move || i18n.t(k)}</p> })}
                {move || progress.get().map(|p| view! { <progress max="1" value=p.to_string()></progress> })}
                <ErrorText error=error />
                <button type="submit" disabled=move || file_problem.get().is_some()>{tr("tickets.create")}</button>
            </form>
        </section>
    }
}

/// Saves a blob fetched with the access token as a download.
async fn download(session: crate::session::Session, attachment: Attachment) {
    let token = session.token.get_untracked().unwrap_or_default();
    let Ok(response) = gloo_net::http::Request::get(&tickets::attachment_path(attachment.id))
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
    else {
        return;
    };
    let Ok(bytes) = response.binary().await else { return };
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let parts = js_sys::Array::of1(&array);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence(&parts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(a) = document().create_element("a").map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>()) {
        a.set_href(&url);
        a.set_download(&attachment.filename);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// How a ticket reached us, as the page names it.
fn channel_key(channel: helpdesk_types::tickets::Channel) -> &'static str {
    use helpdesk_types::tickets::Channel;
    match channel {
        Channel::Web => "channel.web",
        Channel::Email => "channel.email",
        Channel::Phone => "channel.phone",
        Channel::ContactForm => "channel.contact_form",
        Channel::Api => "channel.api",
    }
}

#[component]
pub fn TicketPage() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let params = use_params_map();
    let ticket = RwSignal::new(None::<Ticket>);
    let comments = RwSignal::new(Vec::<Comment>::new());
    let attachments = RwSignal::new(Vec::<Attachment>::new());
    let events = RwSignal::new(Vec::<TicketEvent>::new());
    let error = RwSignal::new(None::<ApiError>);
    let reply = RwSignal::new(String::new());
    let internal = RwSignal::new(false);
    let reload = move || {
        let number = params.with_untracked(|p| p.get("number").unwrap_or_default());
        spawn_local(async move {
            let loaded = async {
                let t = tickets::by_number(session, &number).await?;
                let id = t.id;
                ticket.set(Some(t));
                comments.set(tickets::comments(session, id).await?);
                attachments.set(tickets::attachments(session, id).await?);
                events.set(tickets::events(session, id).await?);
                Ok::<_, ApiError>(())
            };
            if let Err(e) = loaded.await {
                error.set(Some(e));
            }
        });
    };
    reload();
    if session.is_staff() {
        // Live updates: someone else's reply or change shows without a reload.
        let live = crate::live::use_live();
        Effect::new(move |seen: Option<()>| {
            live.tickets.track();
            if seen.is_some() {
                reload();
            }
        });
    }
    let update = move |body: UpdateTicket| {
        let Some(id) = ticket.get_untracked().map(|t| t.id) else { return };
        spawn_local(async move {
            match tickets::update(session, id, &body).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let send_reply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ticket.get_untracked().map(|t| t.id) else { return };
        let body = CreateComment { body: reply.get_untracked(), internal: internal.get_untracked() };
        if let Err(e) = ApiError::check([("body", rules::text_problem(&body.body, limits::COMMENT))]) {
            return error.set(Some(e));
        }
        spawn_local(async move {
            match tickets::add_comment(session, id, &body).await {
                Ok(_) => {
                    reply.set(String::new());
                    internal.set(false);
                    error.set(None);
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let staff = move || session.is_staff();
    view! {
        <section class="card">
            <ErrorText error=error />
            {move || ticket.get().map(|t| {
                let status = t.status;
                view! {
                    <header class="ticket-head">
                        <h1><span class="number">"#"{t.number}</span>" "{t.subject.clone()}</h1>
                        <StatusBadge status=t.status />
                        <SlaDetail sla=t.sla.clone() />
                        <span class="badge">{move || i18n.t(priority_key(t.priority))}</span>
                    </header>
                    <p class="description">{t.description.clone()}</p>
                    <p class="muted">{t.requester.full_name.clone()}" · "{t.requester.email.clone()}
                        {t.requester.restricted.then(|| view! { " " <span class="badge restricted">{tr("ticket.restricted")}</span> })}
                        {t.organization.as_ref().map(|o| format!(" · {} ({})", o.name, o.contract_tier))}
                        " · " <span class="channel">{move || i18n.t(channel_key(t.channel))}</span></p>
                    <div class="actions">
                        {move || (!staff() && status == TicketStatus::Resolved).then(|| view! {
                            <button on:click=move |_| update(UpdateTicket { status: Some(TicketStatus::Open), ..Default::default() })>{tr("ticket.reopen")}</button>
                        })}
                        {move || (!staff() && status != TicketStatus::Closed).then(|| view! {
                            <button id="close-ticket" on:click=move |_| update(UpdateTicket { status: Some(TicketStatus::Closed), ..Default::default() })>{tr("ticket.close")}</button>
                        })}
                        {move || staff().then(|| view! {
                            <label for="set-status">{tr("tickets.status")}</label>
                            <select id="set-status" on:change=move |ev| {
                                if let Ok(s) = event_target_value(&ev).parse::<TicketStatus>() { update(UpdateTicket { status: Some(s), ..Default::default() }) }
                            }>
                                {TicketStatus::ALL.iter().map(|s| view! { <option value=s.as_str() selected=*s == status>{move || i18n.t(status_key(*s))}</option> }).collect_view()}
                            </select>
                            <label for="set-priority">{tr("tickets.priority")}</label>
                            <select id="set-priority" on:change=move |ev| {
                                if let Ok(p) = event_target_value(&ev).parse::<Priority>() { update(UpdateTicket { priority: Some(p), ..Default::default() }) }
                            }>
                                {Priority::ALL.iter().map(|p| view! { <option value=p.as_str() selected=*p == t.priority>{move || i18n.t(priority_key(*p))}</option> }).collect_view()}
                            </select>
                            <button on:click=move |_| {
                                let me = session.user.get_untracked().map(|u| u.id);
                                update(UpdateTicket { assignee_id: Some(me), ..Default::default() })
                            }>{tr("ticket.assign_me")}</button>
                            <label class="checkbox"><input type="checkbox" id="legal-hold" prop:checked=t.legal_hold
                                on:change=move |ev| update(UpdateTicket { legal_hold: Some(event_target_checked(&ev)), ..Default::default() }) />
                                {tr("ticket.legal_hold")}</label>
                        })}
                    </div>
                }
            })}
            <h2>{tr("ticket.conversation")}</h2>
            <ol class="conversation">
                <For each=move || comments.get() key=|c| c.id let:c>
                    <li class=if c.internal { "comment internal" } else { "comment" }>
                        <div class="meta">
                            <strong>{c.author_name.clone()}</strong>" · "{c.created_at.format("%Y-%m-%d %H:%M").to_string()}
                            {c.internal.then(|| view! { <span class="badge internal-badge">{tr("ticket.internal_badge")}</span> })}
                        </div>
                        <p class="body">{c.body.clone()}</p>
                    </li>
                </For>
            </ol>
            <h2>{tr("ticket.attachments")}</h2>
            <ul class="attachments">
                <For each=move || attachments.get() key=|a| a.id let:a>
                    <li>
                        <button class="link" on:click={let a = a.clone(); move |_| { let a = a.clone(); spawn_local(download(session, a)) }}>{a.filename.clone()}</button>
                        " ("{a.size}" B)"
                    </li>
                </For>
            </ul>
            {move || ticket.get().filter(|t| t.status != TicketStatus::Closed).map(|_| view! {
                <form class="reply" on:submit=send_reply>
                    <label for="reply">{tr("ticket.reply")}</label>
                    <textarea id="reply" rows="4" required prop:value=move || reply.get() on:input=move |ev| reply.set(event_target_value(&ev))></textarea>
                    {move || staff().then(|| view! {
                        <label class="checkbox"><input id="internal" type="checkbox" prop:checked=move || internal.get()
                            on:change=move |ev| internal.set(event_target_checked(&ev)) />{tr("ticket.internal")}</label>
                    })}
                    <button type="submit" id="send-reply">{tr("ticket.send")}</button>
                </form>
            })}
            {move || staff().then(|| view! {
                <h2>{tr("ticket.events")}</h2>
                <ol class="events">
                    <For each=move || events.get() key=|e| e.id let:e>
                        <li>{e.created_at.format("%Y-%m-%d %H:%M").to_string()}" · "{e.actor_name.clone()}" · "{e.kind.clone()}
                            {e.from.clone().map(|f| format!(" {f}"))}{e.to.clone().map(|t| format!(" → {t}"))}</li>
                    </For>
                </ol>
            })}
        </section>
    }
}
