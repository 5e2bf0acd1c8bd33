//! Your profile: rectify your data, change the language and the password.

use helpdesk_types::{
    Locale,
    accounts::{ChangePassword, UpdateMe},
    validation::{self as rules, limits},
};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError},
    components::{ErrorText, Field},
    i18n::{tr, use_i18n},
    session::use_session,
};

#[component]
pub fn Profile() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let user = session.user.get_untracked();
    let full_name = RwSignal::new(user.as_ref().map(|u| u.full_name.clone()).unwrap_or_default());
    let company = RwSignal::new(user.as_ref().and_then(|u| u.company.clone()).unwrap_or_default());
    let phone = RwSignal::new(user.as_ref().and_then(|u| u.phone.clone()).unwrap_or_default());
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = UpdateMe {
            full_name: Some(full_name.get_untracked()),
            company: Some(company.get_untracked()),
            phone: Some(phone.get_untracked()),
            locale: Some(i18n.0.get_untracked()),
            ..Default::default()
        };
        let checked = ApiError::check([
            ("full_name", rules::line_problem(&full_name.get_untracked(), limits::FULL_NAME)),
            ("company", rules::optional_line_problem(&company.get_untracked(), limits::COMPANY)),
            ("phone", rules::optional_phone_problem(&phone.get_untracked()).map(Into::into)),
        ]);
        if let Err(e) = checked {
            return error.set(Some(e));
        }
        spawn_local(async move {
            match api::me::update(session, &body).await {
                Ok(account) => {
                    session.user.set(Some(account));
                    error.set(None);
                    saved.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body =
            ChangePassword { current_password: current.get_untracked(), new_password: new_password.get_untracked() };
        if let Err(e) = ApiError::check([("new_password", rules::password_problem(&body.new_password).map(Into::into))])
        {
            return error.set(Some(e));
        }
        spawn_local(async move {
            match api::me::change_password(session, &body).await {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                    current.set(String::new());
                    new_password.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card narrow">
            <h1>{tr("profile.title")}</h1>
            <form on:submit=save>
                <Field label="register.full_name" name="full_name" value=full_name error=error required=true />
                <Field label="register.company" name="company" value=company error=error />
                <Field label="register.phone" name="phone" value=phone error=error kind="tel" />
                <label for="language">{tr("profile.language")}</label>
                <select id="language" on:change=move |ev| {
                    if let Ok(l) = event_target_value(&ev).parse::<Locale>() { i18n.set(l) }
                }>
                    <option value="en" selected=move || i18n.0.get() == Locale::En>"English"</option>
                    <option value="de" selected=move || i18n.0.get() == Locale::De>"Deutsch"</option>
                </select>
                <button type="submit">{tr("ticket.save")}</button>
            </form>
            <h2>{tr("profile.change_password")}</h2>
            <form on:submit=change>
                <Field label="profile.current_password" name="current_password" value=current error=error kind="password" required=true />
                <Field label="reset.password" name="new_password" value=new_password error=error kind="password" required=true />
                <button type="submit">{tr("profile.change_password")}</button>
            </form>
            <ErrorText error=error />
            <Show when=move || saved.get()><p class="ok" role="status">{tr("profile.saved")}</p></Show>
        </section>
    }
}
