//! The contact form for guests (P14; always with the captcha) and the private request page a
//! contact reads and answers their request on.

use helpdesk_types::{
    contact::{ContactRequest, consent_wording},
    tickets::{CreateComment, TicketStatus},
    validation::{self as rules, limits},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_params_map;

use crate::{
    api::{self, ApiError},
    components::{ErrorText, Field, StatusBadge, loaded},
    i18n::{tr, use_i18n},
    pages::auth::{captcha_response, load_captcha_script},
};

#[component]
pub fn Contact() -> impl IntoView {
    let i18n = use_i18n();
    let settings = LocalResource::new(api::privacy::settings);
    let [name, email, company, phone, subject] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let message = RwSignal::new(String::new());
    let consent = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    Effect::new(move |_| {
        if settings.get().is_some_and(|s| s.is_ok_and(|s| s.captcha_sitekey.is_some())) {
            load_captcha_script();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let optional = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let body = ContactRequest {
            name: name.get_untracked(),
            email: email.get_untracked(),
            company: optional(company),
            phone: optional(phone),
            subject: subject.get_untracked(),
            message: message.get_untracked(),
            consent: consent.get_untracked(),
            locale: Some(i18n.0.get_untracked()),
            captcha_token: captcha_response(),
        };
        let checked = ApiError::check([
            ("name", rules::line_problem(&body.name, limits::FULL_NAME)),
            ("subject", rules::line_problem(&body.subject, limits::SUBJECT)),
            ("message", rules::text_problem(&body.message, limits::DESCRIPTION)),
            ("phone", rules::optional_phone_problem(&phone.get_untracked()).map(Into::into)),
        ]);
        if let Err(e) = checked {
            return error.set(Some(e));
        }
        spawn_local(async move {
            match api::contact::send(&body).await {
                Ok(_) => done.set(true),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card narrow">
            <h1>{tr("contact.title")}</h1>
            <Show when=move || !done.get() fallback=|| view! { <p class="ok" role="status">{tr("contact.done")}</p> }>
                <form on:submit=submit id="contact-form">
                    <Field label="register.full_name" name="name" value=name error=error required=true />
                    <Field label="register.email" name="email" value=email error=error kind="email" required=true />
                    <Field label="register.company" name="company" value=company error=error />
                    <Field label="register.phone" name="phone" value=phone error=error kind="tel" />
                    <Field label="tickets.subject" name="subject" value=subject error=error required=true />
                    <label for="contact-message">{tr("contact.message")}</label>
                    <textarea id="contact-message" required rows="6" prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                    <label class="checkbox"><input id="contact-consent" type="checkbox" prop:checked=move || consent.get()
                        on:change=move |ev| consent.set(event_target_checked(&ev)) />{move || consent_wording(i18n.0.get())}</label>
                    {move || loaded(settings.get(), |s| s.captcha_sitekey.map(|key| view! { <div class="h-captcha" data-sitekey=key></div> }))}
                    <ErrorText error=error />
                    <button type="submit">{tr("contact.send")}</button>
                </form>
            </Show>
        </section>
    }
}

/// `/requests/:token`: the request and its public replies; answer while it is open.
#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let version = RwSignal::new(0);
    let request = LocalResource::new(move || {
        version.track();
        let t = token();
        async move { api::contact::view(&t).await }
    });
    let reply = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateComment { body: reply.get_untracked(), internal: false };
        if let Err(e) = ApiError::check([("body", rules::text_problem(&body.body, limits::COMMENT))]) {
            return error.set(Some(e));
        }
        let t = token();
        spawn_local(async move {
            match api::contact::reply(&t, &body).await {
                Ok(()) => {
                    reply.set(String::new());
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card">
            {move || loaded(request.get(), move |r| view! {
                <header class="ticket-head">
                    <h1><span class="number">"#"{r.number}</span>" "{r.subject.clone()}</h1>
                    <StatusBadge status=r.status />
                </header>
                <p class="description">{r.description.clone()}</p>
                <ol class="conversation">{r.replies.into_iter().map(|c| view! {
                    <li class="comment"><div class="meta"><strong>{c.author_name}</strong>" · "{c.created_at.format("%Y-%m-%d %H:%M").to_string()}</div>
                    <p class="body">{c.body}</p></li>
                }).collect_view()}</ol>
                {(r.status != TicketStatus::Closed).then(|| view! {
                    <form class="reply" on:submit=send id="request-reply">
                        <label for="reply">{tr("ticket.reply")}</label>
                        <textarea id="reply" rows="4" required prop:value=move || reply.get() on:input=move |ev| reply.set(event_target_value(&ev))></textarea>
                        <button type="submit">{tr("ticket.send")}</button>
                    </form>
                })}
            })}
            <ErrorText error=error />
        </section>
    }
}
