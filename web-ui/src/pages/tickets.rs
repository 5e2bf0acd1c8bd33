//! Tickets: the customers' list, a new ticket with attachments (all or nothing), and the ticket
//! page with the conversation, the reply and internal-note tabs, and the history in sentences.

use helpdesk_types::{
    Locale,
    tickets::{
        Attachment, Comment, CreateComment, CreateTicket, PersonRef, Priority, Sort, Ticket, TicketEvent, TicketQuery,
        TicketStatus, UpdateTicket,
    },
    validation::{self as rules, limits},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use wasm_bindgen::JsCast;

use crate::{
    api::{self, ApiError, tickets, upload},
    components::{ErrorText, Flash, SlaDetail, StatusBadge, loaded, priority_key, status_key},
    i18n::{tr, translate, use_i18n},
    markdown::Markdown,
    session::use_session,
    time::{When, exact},
};

/// How a customer reads a status: what happens next, not the internal vocabulary.
pub fn customer_state_key(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::New | TicketStatus::Open => "state.working",
        TicketStatus::Pending => "state.waiting_for_you",
        TicketStatus::Resolved => "state.solved",
        TicketStatus::Closed => "state.closed",
    }
}

/// The status badge as the viewer reads it: the workflow status for staff, the next step for
/// customers (same colours).
#[component]
pub fn StateBadge(status: TicketStatus, staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    if staff {
        return view! { <StatusBadge status=status /> }.into_any();
    }
    view! { <span class=format!("badge status-{status}")>{move || i18n.t(customer_state_key(status))}</span> }
        .into_any()
}

/// The customers' tickets: searchable, filterable, cursor-paged, newest first.
#[component]
pub fn TicketList() -> impl IntoView {
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
            sort: Some(Sort::CreatedAt),
            limit: Some(25),
            cursor: if more { cursor.get_untracked() } else { None },
            ..TicketQuery::default()
        };
        spawn_local(async move {
            match tickets::list(session, &query).await {
                Ok(page) => {
                    error.set(None);
                    crate::components::take_page(items, cursor, page, more);
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    load(false);
    view! {
        <form class="filters" on:submit=move |ev| { ev.prevent_default(); load(false); }>
            <label for="status-filter">{tr("tickets.status")}
            <select id="status-filter" on:change=move |ev| { status.set(event_target_value(&ev)); load(false); }>
                <option value="">{tr("tickets.all")}</option>
                {TicketStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{move || i18n.t(customer_state_key(*s))}</option> }).collect_view()}
            </select></label>
            <label for="search">{tr("tickets.search")}
            <input id="search" type="search" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) /></label>
            <button type="submit">{tr("tickets.search")}</button>
        </form>
        <ErrorText error=error />
        <Show when=move || loading.get() && items.with(Vec::is_empty)><p class="muted">{tr("common.loading")}</p></Show>
        <Show when=move || !loading.get() && items.with(Vec::is_empty) && error.get().is_none()><p class="muted empty">{tr("tickets.empty")}</p></Show>
        <Show when=move || !items.with(Vec::is_empty)>
            <table class="tickets">
                <thead><tr>
                    <th>{tr("col.number")}</th><th>{tr("tickets.subject")}</th><th>{tr("tickets.status")}</th><th>{tr("col.updated")}</th>
                </tr></thead>
                <tbody>
                    <For each=move || items.get() key=|t| (t.id, t.updated_at) let:t>
                        <tr class="ticket-row" class:unread=t.unread>
                            <td class="number">"#"{t.number}</td>
                            <td><a href=format!("/tickets/{}", t.number) class="ticket-link"><span class="subject">{t.subject.clone()}</span></a>
                                {t.unread.then(|| view! { " " <span class="badge new-reply">{move || i18n.t("unread.reply")}</span> })}</td>
                            <td><StateBadge status=t.status staff=false /></td>
                            <td><When at=t.updated_at /></td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </Show>
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

/// The files chosen in a file input.
fn chosen_files(input: &web_sys::HtmlInputElement) -> Vec<web_sys::File> {
    let Some(list) = input.files() else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The first file that cannot be uploaded, with the reason (an i18n key), checked as the server
/// checks: extension, size and content.
async fn refused_file(files: &[web_sys::File]) -> Option<(String, &'static str)> {
    for file in files {
        if let Some(problem) = upload::check(file).await {
            return Some((file.name(), problem));
        }
    }
    None
}

#[component]
pub fn NewTicket() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let flash = expect_context::<Flash>();
    let navigate = use_navigate();
    let query = use_query_map();
    // `?follow_up=<number>`: a follow-up of a closed ticket, linked to it.
    let follow_up = LocalResource::new(move || {
        let number = query.with_untracked(|q| q.get("follow_up"));
        async move {
            match number {
                Some(n) => tickets::by_number(session, &n).await.ok(),
                None => None,
            }
        }
    });
    let subject = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let priority = RwSignal::new("normal".to_owned());
    let error = RwSignal::new(None::<ApiError>);
    let file_problem = RwSignal::new(None::<(String, &'static str)>);
    let progress = RwSignal::new(None::<f64>);
    let busy = RwSignal::new(false);
    // One key per form: a retry after a lost answer returns the ticket already created.
    let key = api::idempotency_key();
    let files_ref = NodeRef::<leptos::html::Input>::new();
    let categories = LocalResource::new(move || tickets::categories(session));
    Effect::new(move |_| {
        if let Some(Some(original)) = follow_up.get() {
            subject.set(format!("{} #{}: {}", i18n.t("followup.prefix"), original.number, original.subject));
        }
    });
    let check_files = move |_| {
        let files = files_ref.get().map(|input| chosen_files(&input)).unwrap_or_default();
        spawn_local(async move { file_problem.set(refused_file(&files).await) });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let files = files_ref.get().map(|input| chosen_files(&input)).unwrap_or_default();
        let body = CreateTicket {
            subject: subject.get_untracked(),
            description: description.get_untracked(),
            category_id: category.get_untracked().parse().ok(),
            priority: priority.get_untracked().parse::<Priority>().ok(),
            requester_id: None,
            channel: None,
            follow_up_of: follow_up.get_untracked().flatten().map(|t| t.id),
        };
        let checked = ApiError::check([
            ("subject", rules::line_problem(&body.subject, limits::SUBJECT)),
            ("description", rules::text_problem(&body.description, limits::DESCRIPTION)),
        ]);
        if let Err(e) = checked {
            return error.set(Some(e));
        }
        let navigate = navigate.clone();
        let key = key.clone();
        busy.set(true);
        spawn_local(async move {
            // Every file is checked before the ticket exists: a refused file creates nothing.
            if let Some(refused) = refused_file(&files).await {
                file_problem.set(Some(refused));
                busy.set(false);
                return;
            }
            let ticket = match tickets::create(session, &body, &key).await {
                Ok(t) => t,
                Err(e) => {
                    busy.set(false);
                    return error.set(Some(e));
                }
            };
            if !files.is_empty() {
                progress.set(Some(0.0));
                if let Err(e) = upload::upload(session, ticket.id, None, files, move |p| progress.set(Some(p))).await {
                    // The ticket exists: go there and offer the files again, never a second ticket.
                    flash.0.set(Some(format!("{} {e}", i18n.t("upload.after_create"))));
                }
            }
            navigate(&format!("/tickets/{}", ticket.number), Default::default());
        });
    };
    view! {
        <section class="card">
            <h1>{tr("nav.new_ticket")}</h1>
            {move || follow_up.get().flatten().map(|t| view! {
                <p class="notice" id="follow-up-of">{tr("followup.of")}" "<a href=format!("/tickets/{}", t.number)>"#"{t.number}" "{t.subject.clone()}</a></p>
            })}
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
                <crate::components::FieldError error=error name="priority" />
                <label for="subject">{tr("tickets.subject")}</label>
                <input id="subject" name="subject" required maxlength="200" prop:value=move || subject.get() on:input=move |ev| subject.set(event_target_value(&ev)) />
                <crate::components::FieldError error=error name="subject" />
                <label for="description">{tr("tickets.description")}</label>
                <textarea id="description" name="description" required rows="6" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                <crate::components::FieldError error=error name="description" />
                <label for="files">{tr("tickets.files")}</label>
                <input id="files" type="file" multiple node_ref=files_ref on:change=check_files
                    accept=".jpg,.jpeg,.png,.gif,.pdf,.doc,.docx,.txt,.zip,.rar" />
                {move || file_problem.get().map(|(name, k)| view! { <p class="error file-error" role="alert">{name}": "{move || i18n.t(k)}</p> })}
                {move || progress.get().map(|p| view! { <progress max="1" value=p.to_string()></progress> })}
                <ErrorText error=error />
                <button type="submit" disabled=move || file_problem.get().is_some() || busy.get()>{tr("tickets.create")}</button>
            </form>
        </section>
    }
}

/// A file fetched with the access token, as an object URL (revoke it when done).
async fn object_url(session: crate::session::Session, attachment_id: i64) -> Option<String> {
    let token = session.token.get_untracked().unwrap_or_default();
    let response = gloo_net::http::Request::get(&tickets::attachment_path(attachment_id))
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .ok()?;
    let content_type = response.headers().get("content-type").unwrap_or_default();
    let bytes = response.binary().await.ok()?;
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&array), &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Saves a file as a download.
async fn download(session: crate::session::Session, attachment: Attachment) {
    let Some(url) = object_url(session, attachment.id).await else { return };
    if let Ok(a) = document().create_element("a").map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>()) {
        a.set_href(&url);
        a.set_download(&attachment.filename);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// An image attachment as a thumbnail that opens a large preview.
#[component]
fn Thumbnail(attachment: Attachment, preview: RwSignal<Option<(String, String)>>) -> impl IntoView {
    let session = use_session();
    let url = LocalResource::new(move || object_url(session, attachment.id));
    // The object URL holds the image in memory until revoked.
    on_cleanup(move || {
        if let Some(Some(Some(u))) = url.try_get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&u);
        }
    });
    let name = attachment.filename.clone();
    view! {
        {move || url.get().flatten().map(|src| {
            let (big, name) = (src.clone(), name.clone());
            view! {
                <button class="thumb" type="button" title=name.clone() on:click=move |_| preview.set(Some((big.clone(), name.clone())))>
                    <img src=src alt=name.clone() />
                </button>
            }
        })}
    }
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

/// A history entry as a sentence in the reader's language ("Agent 1 changed the status from
/// Open to Pending").
pub fn event_sentence(e: &TicketEvent, locale: Locale) -> String {
    let t = |key| translate(locale, key);
    let status = |v: &Option<String>| {
        v.as_deref()
            .and_then(|s| s.parse::<TicketStatus>().ok())
            .map_or_else(|| v.clone().unwrap_or_default(), |s| t(status_key(s)).to_owned())
    };
    let priority = |v: &Option<String>| {
        v.as_deref()
            .and_then(|s| s.parse::<Priority>().ok())
            .map_or_else(|| v.clone().unwrap_or_default(), |p| t(priority_key(p)).to_owned())
    };
    let or_nobody =
        |v: &Option<String>| v.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| t("history.nobody").to_owned());
    let target = |v: &Option<String>| match v.as_deref() {
        Some("first_response") => t("facts.first_response").to_owned(),
        Some("resolution") => t("facts.resolution").to_owned(),
        other => other.unwrap_or_default().to_owned(),
    };
    let who = e.actor_name.clone();
    let (key, from, to) = match e.kind.as_str() {
        "created" => ("history.created", String::new(), String::new()),
        "status_changed" => ("history.status", status(&e.from), status(&e.to)),
        "priority_changed" => ("history.priority", priority(&e.from), priority(&e.to)),
        "category_changed" => ("history.category", or_nobody(&e.from), or_nobody(&e.to)),
        "assignee_changed" => ("history.assignee", or_nobody(&e.from), or_nobody(&e.to)),
        "subject_changed" => ("history.subject", e.from.clone().unwrap_or_default(), e.to.clone().unwrap_or_default()),
        "comment_added" => ("history.comment", String::new(), String::new()),
        "attachment_added" => ("history.attached", String::new(), e.to.clone().unwrap_or_default()),
        "attachment_removed" => ("history.detached", e.from.clone().unwrap_or_default(), String::new()),
        "legal_hold_changed" if e.to.as_deref() == Some("on") => ("history.hold_on", String::new(), String::new()),
        "legal_hold_changed" => ("history.hold_off", String::new(), String::new()),
        "sla_at_risk" => ("history.sla_at_risk", target(&e.from), String::new()),
        "sla_breached" => ("history.sla_breached", target(&e.from), String::new()),
        "sla_met" => ("history.sla_met", target(&e.from), String::new()),
        "sla_paused" => ("history.sla_paused", String::new(), String::new()),
        other => return format!("{who}: {other}"),
    };
    t(key).replace("{who}", &who).replace("{from}", &from).replace("{to}", &to)
}

/// Which composer tab is open.
#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Reply,
    Note,
}

#[component]
pub fn TicketPage() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let flash = expect_context::<Flash>();
    let params = use_params_map();
    let ticket = RwSignal::new(None::<Ticket>);
    let comments = RwSignal::new(Vec::<Comment>::new());
    let attachments = RwSignal::new(Vec::<Attachment>::new());
    let events = RwSignal::new(Vec::<TicketEvent>::new());
    let error = RwSignal::new(None::<ApiError>);
    // A file refused after the ticket was created (from the new-ticket form).
    let upload_problem = RwSignal::new(flash.0.get_untracked());
    flash.0.set(None);
    let reply = RwSignal::new(String::new());
    let tab = RwSignal::new(Tab::Reply);
    let previewing = RwSignal::new(false);
    let confirm_close = RwSignal::new(false);
    let preview = RwSignal::new(None::<(String, String)>);
    let reply_files = NodeRef::<leptos::html::Input>::new();
    let more_files = NodeRef::<leptos::html::Input>::new();
    let sending = RwSignal::new(false);
    let staff = session.is_staff();
    let agents = LocalResource::new(move || async move {
        if staff { tickets::agents(session).await.unwrap_or_default() } else { Vec::<PersonRef>::new() }
    });
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
    if staff {
        // Live updates: someone else's reply or change shows without a reload.
        let live = crate::live::use_live();
        Effect::new(move |seen: Option<()>| {
            live.tickets.track();
            if seen.is_some() {
                reload();
            }
        });
    }
    // Keyboard: `r` opens the reply, `n` the internal note.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if crate::components::typing(&ev) {
            return;
        }
        let chosen = match ev.key().as_str() {
            "r" => Tab::Reply,
            "n" if staff => Tab::Note,
            _ => return,
        };
        ev.prevent_default();
        tab.set(chosen);
        if let Some(el) = document().get_element_by_id("reply") {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
    on_cleanup(move || keys.remove());
    let update = move |body: UpdateTicket| {
        let Some(id) = ticket.get_untracked().map(|t| t.id) else { return };
        spawn_local(async move {
            match tickets::update(session, id, &body).await {
                Ok(_) => {
                    error.set(None);
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let attach_more = move |_| {
        let Some(id) = ticket.get_untracked().map(|t| t.id) else { return };
        let files = more_files.get().map(|input| chosen_files(&input)).unwrap_or_default();
        spawn_local(async move {
            if let Some((name, problem)) = refused_file(&files).await {
                return upload_problem.set(Some(format!("{name}: {}", i18n.t(problem))));
            }
            match upload::upload(session, id, None, files, |_| {}).await {
                Ok(_) => {
                    upload_problem.set(None);
                    reload();
                }
                Err(e) => upload_problem.set(Some(e.to_string())),
            }
        });
    };
    let send_reply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ticket.get_untracked().map(|t| t.id) else { return };
        let body = CreateComment { body: reply.get_untracked(), internal: tab.get_untracked() == Tab::Note };
        if let Err(e) = ApiError::check([("body", rules::text_problem(&body.body, limits::COMMENT))]) {
            return error.set(Some(e));
        }
        let files = reply_files.get().map(|input| chosen_files(&input)).unwrap_or_default();
        sending.set(true);
        spawn_local(async move {
            if let Some((name, problem)) = refused_file(&files).await {
                sending.set(false);
                return upload_problem.set(Some(format!("{name}: {}", i18n.t(problem))));
            }
            match tickets::add_comment(session, id, &body).await {
                Ok(comment) => {
                    if !files.is_empty()
                        && let Err(e) = upload::upload(session, id, Some(comment.id), files, |_| {}).await
                    {
                        upload_problem.set(Some(e.to_string()));
                    }
                    if let Some(input) = reply_files.try_get_untracked().flatten() {
                        input.set_value("");
                    }
                    reply.set(String::new());
                    tab.set(Tab::Reply);
                    error.set(None);
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    view! {
        <section class="card">
            <ErrorText error=error />
            {move || ticket.get().map(|t| {
                let status = t.status;
                let me = session.user.get_untracked().map(|u| u.id);
                let assignee_id = t.assignee.as_ref().map(|a| a.id);
                let sla = t.sla.clone();
                view! {
                    <header class="ticket-head">
                        <h1><span class="number">"#"{t.number}</span>" "{t.subject.clone()}</h1>
                        <StateBadge status=t.status staff=staff />
                        {staff.then(|| view! { <SlaDetail sla=t.sla.clone() /> })}
                        <span class="badge">{move || i18n.t(priority_key(t.priority))}</span>
                    </header>
                    <dl class="facts">
                        <div><dt>{tr("facts.created")}</dt><dd><When at=t.created_at /></dd></div>
                        <div><dt>{tr("col.updated")}</dt><dd><When at=t.updated_at /></dd></div>
                        <div><dt>{tr("tickets.category")}</dt><dd>{t.category.as_ref().map_or_else(|| "–".to_owned(), |c| c.name.clone())}</dd></div>
                        <div><dt>{tr("facts.channel")}</dt><dd class="channel">{move || i18n.t(channel_key(t.channel))}</dd></div>
                        <div><dt>{tr("col.assignee")}</dt><dd id="assignee-name">{t.assignee.as_ref().map_or_else(|| i18n.t("queue.unassigned").to_owned(), |a| a.full_name.clone())}</dd></div>
                        {staff.then(|| {
                            let targets = [("facts.first_response", sla.first_response_due_at, t.first_response_at), ("facts.resolution", sla.resolution_due_at, t.resolved_at)];
                            targets.into_iter().map(|(key, due, done)| view! {
                                <div><dt>{tr(key)}</dt><dd>{match done {
                                    Some(at) => view! { <span>{tr("facts.done")}" "<When at=at /></span> }.into_any(),
                                    None => view! { <span title=move || exact(due, i18n.0.get())>{tr("facts.due")}" "<When at=due /></span> }.into_any(),
                                }}</dd></div>
                            }).collect_view()
                        })}
                    </dl>
                    {t.follow_up_of.clone().map(|o| view! {
                        <p class="muted">{tr("followup.of")}" "<a href=format!("/tickets/{}", o.number)>"#"{o.number}" "{o.subject}</a></p>
                    })}
                    <Markdown text=t.description.clone() class="description" />
                    <p class="muted">{t.requester.full_name.clone()}
                        {staff.then(|| format!(" · {}", t.requester.email))}
                        {t.requester.restricted.then(|| view! { " " <span class="badge restricted">{tr("ticket.restricted")}</span> })}
                        {t.organization.as_ref().map(|o| format!(" · {} ({})", o.name, o.contract_tier))}</p>
                    {(status == TicketStatus::Closed).then(|| view! {
                        <div class="notice closed-note" id="closed-note">
                            <p>{tr("closed.why")}" "{t.closed_at.map(|at| view! { <When at=at /> })}</p>
                            {t.follow_ups.iter().map(|f| view! {
                                <p>{tr("followup.opened")}" "<a href=format!("/tickets/{}", f.number)>"#"{f.number}" "{f.subject.clone()}</a></p>
                            }).collect_view()}
                            <a class="button" id="follow-up" href=format!("/tickets/new?follow_up={}", t.number)>{tr("followup.open")}</a>
                        </div>
                    })}
                    <div class="actions">
                        {(!staff && status == TicketStatus::Resolved).then(|| view! {
                            <button on:click=move |_| update(UpdateTicket { status: Some(TicketStatus::Open), ..Default::default() })>{tr("ticket.reopen")}</button>
                        })}
                        {(!staff && status != TicketStatus::Closed).then(|| view! {
                            <Show when=move || confirm_close.get() fallback=move || view! {
                                <button class="secondary" id="close-ticket" on:click=move |_| confirm_close.set(true)>{tr("ticket.close")}</button>
                            }>
                                <span role="alert">{tr("ticket.close_confirm")}</span>
                                <button class="danger" id="confirm-close" on:click=move |_| {
                                    confirm_close.set(false);
                                    update(UpdateTicket { status: Some(TicketStatus::Closed), ..Default::default() })
                                }>{tr("ticket.close_yes")}</button>
                                <button class="secondary" on:click=move |_| confirm_close.set(false)>{tr("common.cancel")}</button>
                            </Show>
                        })}
                        {staff.then(|| view! {
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
                            <label for="set-assignee">{tr("col.assignee")}</label>
                            <select id="set-assignee" on:change=move |ev| {
                                let value = event_target_value(&ev);
                                update(UpdateTicket { assignee_id: Some(value.parse().ok()), ..Default::default() })
                            }>
                                <option value="" selected=assignee_id.is_none()>{tr("queue.unassigned")}</option>
                                {move || agents.get().unwrap_or_default().into_iter().map(|a| view! {
                                    <option value=a.id.to_string() selected=Some(a.id) == assignee_id>{a.full_name}</option>
                                }).collect_view()}
                            </select>
                            {(assignee_id != me).then(|| view! {
                                <button id="assign-me" on:click=move |_| update(UpdateTicket { assignee_id: Some(me), ..Default::default() })>{tr("ticket.assign_me")}</button>
                            })}
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
                            <strong>{c.author_name.clone()}</strong>" · "<When at=c.created_at />
                            {c.internal.then(|| view! { <span class="badge internal-badge">{tr("ticket.internal_badge")}</span> })}
                        </div>
                        <Markdown text=c.body.clone() class="body" />
                        <ul class="attachments inline">
                            <For each={let id = c.id; move || attachments.get().into_iter().filter(move |a| a.comment_id == Some(id))}
                                key=|a| a.id let:a>{attachment_item(a, preview)}</For>
                        </ul>
                    </li>
                </For>
            </ol>
            <h2>{tr("ticket.attachments")}</h2>
            <ul class="attachments">
                <For each=move || attachments.get().into_iter().filter(|a| a.comment_id.is_none()) key=|a| a.id let:a>
                    {attachment_item(a, preview)}
                </For>
            </ul>
            {move || upload_problem.get().map(|problem| view! { <p class="error" role="alert" id="upload-problem">{problem}</p> })}
            {move || ticket.get().filter(|t| t.status != TicketStatus::Closed).map(|_| view! {
                <div class="add-files">
                    <label for="more-files">{tr("ticket.add_files")}</label>
                    <input id="more-files" type="file" multiple node_ref=more_files on:change=attach_more
                        accept=".jpg,.jpeg,.png,.gif,.pdf,.doc,.docx,.txt,.zip,.rar" />
                </div>
                <form class=move || if tab.get() == Tab::Note { "reply composer note" } else { "reply composer" } on:submit=send_reply>
                    <div class="tabs" role="tablist">
                        <button type="button" role="tab" id="tab-reply" aria-selected=move || (tab.get() == Tab::Reply).to_string()
                            on:click=move |_| tab.set(Tab::Reply)>{tr("ticket.reply")}</button>
                        {staff.then(|| view! {
                            <button type="button" role="tab" id="tab-note" aria-selected=move || (tab.get() == Tab::Note).to_string()
                                on:click=move |_| tab.set(Tab::Note)>{tr("ticket.note")}</button>
                        })}
                    </div>
                    {staff.then(|| {
                        let fill = Callback::new(move |text: String| {
                            let t = ticket.get_untracked();
                            let agent = session.user.get_untracked().map(|u| u.full_name).unwrap_or_default();
                            let customer = t.as_ref().map(|t| t.requester.full_name.clone()).unwrap_or_default();
                            let first = |name: &str| name.split_whitespace().next().unwrap_or_default().to_owned();
                            rules::fill_placeholders(&text, &[
                                ("customer.first_name", first(&customer)),
                                ("customer.name", customer.clone()),
                                ("ticket.number", t.as_ref().map(|t| t.number.to_string()).unwrap_or_default()),
                                ("ticket.subject", t.as_ref().map(|t| t.subject.clone()).unwrap_or_default()),
                                ("agent.first_name", first(&agent)),
                                ("agent.name", agent.clone()),
                            ])
                        });
                        let pick = Callback::new(move |text: String| {
                            reply.update(|r| if r.trim().is_empty() { *r = text } else { r.push_str("\n\n"); r.push_str(&text) });
                        });
                        view! { <crate::pages::canned::CannedPicker fill=fill on_pick=pick /> }
                    })}
                    <label for="reply" class="sr-only">{move || if tab.get() == Tab::Note { i18n.t("ticket.note") } else { i18n.t("ticket.reply") }}</label>
                    <textarea id="reply" rows="4" required prop:value=move || reply.get() on:input=move |ev| reply.set(event_target_value(&ev))></textarea>
                    <div class="preview-bar">
                        <span class="muted small">{tr("markdown.hint")}</span>
                        <button type="button" class="link" id="toggle-preview" on:click=move |_| previewing.update(|p| *p = !*p)>
                            {move || if previewing.get() { i18n.t("markdown.hide") } else { i18n.t("markdown.preview") }}</button>
                    </div>
                    <Show when=move || previewing.get()>
                        <Markdown text=Signal::derive(move || reply.get()) class="preview" />
                    </Show>
                    <p class="muted" id="notified">{move || {
                        if tab.get() == Tab::Note {
                            i18n.t("ticket.note_hint").to_owned()
                        } else if staff {
                            let who = ticket.get().map(|t| t.requester.full_name).unwrap_or_default();
                            i18n.t("ticket.notifies").replace("{who}", &who)
                        } else {
                            i18n.t("ticket.notifies_team").to_owned()
                        }
                    }}</p>
                    <label for="reply-files">{tr("ticket.attach")}</label>
                    <input id="reply-files" type="file" multiple node_ref=reply_files accept=".jpg,.jpeg,.png,.gif,.pdf,.doc,.docx,.txt,.zip,.rar" />
                    <button type="submit" id="send-reply" disabled=move || sending.get()>
                        {move || if tab.get() == Tab::Note { i18n.t("ticket.add_note") } else { i18n.t("ticket.send") }}
                    </button>
                </form>
            })}
            {staff.then(|| view! {
                <h2>{tr("ticket.events")}</h2>
                <ol class="events">
                    <For each=move || events.get() key=|e| e.id let:e>
                        <li><When at=e.created_at />" · "{move || event_sentence(&e, i18n.0.get())}</li>
                    </For>
                </ol>
            })}
            {move || preview.get().map(|(src, name)| {
                let label = name.clone();
                view! {
                    <div class="lightbox" role="dialog" aria-label=label on:click=move |_| preview.set(None)>
                        <img src=src alt=name />
                    </div>
                }
            })}
        </section>
    }
}

/// One attachment: an image shows as a thumbnail, every file as a download link with its size.
fn attachment_item(a: Attachment, preview: RwSignal<Option<(String, String)>>) -> impl IntoView {
    let session = use_session();
    let image = a.content_type.starts_with("image/");
    let pdf = a.content_type == "application/pdf";
    let size = upload::size_text(a.size);
    let name = a.filename.clone();
    let id = a.id;
    // A PDF opens in the browser's own viewer in a new tab (the page itself frames nothing).
    let open_pdf = move |_| {
        spawn_local(async move {
            if let Some(url) = object_url(session, id).await {
                let _ = window().open_with_url_and_target(&url, "_blank");
            }
        })
    };
    view! {
        <li>
            {image.then(|| view! { <Thumbnail attachment=a.clone() preview=preview /> })}
            {pdf.then(|| view! { <button class="small secondary pdf-preview" on:click=open_pdf>{tr("ticket.preview_pdf")}</button>" " })}
            <button class="link" on:click=move |_| { let a = a.clone(); spawn_local(download(session, a)) }>{name}</button>
            " (" <span class="size">{size}</span> ")"
        </li>
    }
}
