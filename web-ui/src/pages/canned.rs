//! Canned replies: the support team's texts, kept here and inserted in the ticket composer.

use helpdesk_types::{
    tickets::{CannedReply, CannedReplyInput},
    validation::{self as rules, CANNED_PLACEHOLDERS, limits},
};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{ApiError, canned},
    components::{ErrorText, loaded},
    i18n::{tr, use_i18n},
    session::use_session,
};

#[component]
pub fn CannedReplies() -> impl IntoView {
    let session = use_session();
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        canned::list(session)
    });
    let editing = RwSignal::new(None::<i64>);
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let edit = move |c: CannedReply| {
        editing.set(Some(c.id));
        title.set(c.title);
        body.set(c.body);
        saved.set(false);
    };
    let reset = move || {
        editing.set(None);
        title.set(String::new());
        body.set(String::new());
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = CannedReplyInput { title: Some(title.get_untracked()), body: Some(body.get_untracked()) };
        let checked = ApiError::check([
            ("title", rules::line_problem(&title.get_untracked(), limits::CANNED_TITLE)),
            ("body", rules::canned_body_problem(&body.get_untracked())),
        ]);
        if let Err(e) = checked {
            return error.set(Some(e));
        }
        spawn_local(async move {
            let result = match editing.get_untracked() {
                Some(id) => canned::update(session, id, &input).await,
                None => canned::create(session, &input).await,
            };
            match result {
                Ok(_) => {
                    error.set(None);
                    saved.set(true);
                    reset();
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let remove = move |id: i64| {
        spawn_local(async move {
            match canned::delete(session, id).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let placeholders = CANNED_PLACEHOLDERS.iter().map(|p| format!("{{{{{p}}}}}")).collect::<Vec<_>>().join(" ");
    view! {
        <section class="card" id="canned-replies">
            <h1>{tr("canned.title")}</h1>
            <table>
                <thead><tr><th>{tr("canned.name")}</th><th>{tr("canned.text")}</th><th>{tr("canned.author")}</th><th></th></tr></thead>
                <tbody>
                    {move || loaded(list.get(), move |items| items.into_iter().map(|c| {
                        let id = c.id;
                        let chosen = c.clone();
                        view! { <tr class="canned-row">
                            <td>{c.title.clone()}</td>
                            <td class="muted">{c.body.chars().take(120).collect::<String>()}</td>
                            <td>{c.created_by.clone().unwrap_or_default()}</td>
                            <td>
                                <button class="small secondary" on:click=move |_| edit(chosen.clone())>{tr("canned.edit")}</button>" "
                                <button class="small danger" on:click=move |_| remove(id)>{tr("canned.delete")}</button>
                            </td>
                        </tr> }
                    }).collect_view())}
                </tbody>
            </table>
            <h2>{move || if editing.get().is_some() { tr("canned.edit")() } else { tr("canned.add")() }}</h2>
            <form on:submit=save id="canned-form">
                <label for="canned-title">{tr("canned.name")}</label>
                <input id="canned-title" required prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                <crate::components::FieldError error=error name="title" />
                <label for="canned-body">{tr("canned.text")}</label>
                <textarea id="canned-body" rows="5" required prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <crate::components::FieldError error=error name="body" />
                <p class="muted small">{tr("canned.placeholders")}" "<code>{placeholders}</code></p>
                <button type="submit">{tr("ticket.save")}</button>
                <Show when=move || saved.get()><p class="ok" role="status">{tr("common.saved")}</p></Show>
            </form>
            <ErrorText error=error />
        </section>
    }
}

/// The composer's "insert a canned reply": a search over the titles and a list to pick from;
/// the chosen text arrives with its placeholders filled in.
#[component]
pub fn CannedPicker(fill: Callback<String, String>, on_pick: Callback<String>) -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let list = LocalResource::new(move || async move { canned::list(session).await.unwrap_or_default() });
    let search = RwSignal::new(String::new());
    let matching = move || {
        let needle = search.get().to_lowercase();
        list.get()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| {
                needle.is_empty() || c.title.to_lowercase().contains(&needle) || c.body.to_lowercase().contains(&needle)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <div class="canned-picker">
            <label for="canned-search">{tr("canned.insert")}</label>
            <input id="canned-search" type="search" placeholder=move || i18n.t("canned.search")
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
            <ul class="canned-list">
                {move || matching().into_iter().take(8).map(|c| {
                    let text = c.body.clone();
                    view! { <li><button type="button" class="link canned-choice" on:click=move |_| {
                        on_pick.run(fill.run(text.clone()));
                        search.set(String::new());
                    }>{c.title.clone()}</button></li> }
                }).collect_view()}
            </ul>
        </div>
    }
}
