//! Your profile: rectify your data, change the language and the password.

use helpdesk_types::{
    Locale,
    accounts::{ChangePassword, DisableTwoFactor, NotificationKind, TwoFactorCode, TwoFactorSetup, UpdateMe},
    validation::{self as rules, limits},
};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;

use crate::{
    api::{self, ApiError},
    components::{ErrorText, Field, loaded},
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
                <label for="timezone">{tr("profile.timezone")}</label>
                <select id="timezone" on:change=move |ev| crate::time::choose_zone(&event_target_value(&ev))>
                    {
                        let (own, all) = crate::time::zones();
                        let chosen = crate::time::chosen_zone().unwrap_or_default();
                        let browser = format!("{} ({own})", i18n.t("profile.timezone_browser"));
                        view! {
                            <option value="" selected=chosen.is_empty()>{browser}</option>
                            {all.into_iter().map(|z| view! { <option value=z.clone() selected=z == chosen>{z.clone()}</option> }).collect_view()}
                        }
                    }
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
        <Show when=move || session.is_staff()><NotificationSettings /></Show>
        <Show when=move || session.is_staff() && !session.is_admin()><crate::components::ApiTokens /></Show>
        <TwoFactor />
        <YourData />
    }
}

/// Two-factor sign-in: set up with the QR code and a first code (the recovery codes are shown
/// once, with a download), or turn off with the password and a code.
#[component]
pub fn TwoFactor() -> impl IntoView {
    let session = use_session();
    let error = RwSignal::new(None::<ApiError>);
    let setup = RwSignal::new(None::<TwoFactorSetup>);
    let codes = RwSignal::new(None::<Vec<String>>);
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Local state: changing the session's account would re-mount the page (and lose the codes).
    let on = RwSignal::new(session.user.get_untracked().is_some_and(|u| u.two_factor_enabled));
    let staff = session.user.get_untracked().is_some_and(|u| u.role.is_staff());
    let enabled = move || on.get();
    let required = move || staff && !on.get();
    let start = move |_| {
        spawn_local(async move {
            match api::me::start_two_factor(session).await {
                Ok(s) => {
                    error.set(None);
                    setup.set(Some(s));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = TwoFactorCode { code: code.get_untracked() };
        spawn_local(async move {
            match api::me::confirm_two_factor(session, &body).await {
                Ok(r) => {
                    error.set(None);
                    setup.set(None);
                    code.set(String::new());
                    codes.set(Some(r.recovery_codes));
                    on.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let disable = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = DisableTwoFactor { password: password.get_untracked(), code: code.get_untracked() };
        spawn_local(async move {
            match api::me::disable_two_factor(session, &body).await {
                Ok(()) => {
                    error.set(None);
                    code.set(String::new());
                    password.set(String::new());
                    on.set(false);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let download = move |_| {
        let text = codes.get_untracked().unwrap_or_default().join("\n");
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&format!("{text}\n")));
        if let Ok(blob) = web_sys::Blob::new_with_str_sequence(&parts)
            && let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob)
            && let Ok(a) = document().create_element("a").map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>())
        {
            a.set_href(&url);
            a.set_download("helpdesk-recovery-codes.txt");
            a.click();
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    };
    view! {
        <section class="card narrow" id="two-factor">
            <h2>{tr("twofa.title")}</h2>
            <Show when=required><p class="error" role="alert">{tr("twofa.required")}</p></Show>
            <p>{move || if enabled() { tr("twofa.on") } else { tr("twofa.off") }}</p>
            {move || codes.get().map(|list| view! {
                <p>{tr("twofa.codes")}</p>
                <ul class="codes" id="recovery-codes">{list.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                <button on:click=download>{tr("twofa.download")}</button>
            })}
            <Show when=move || !enabled() && setup.get().is_none()>
                <button id="start-2fa" on:click=start>{tr("twofa.start")}</button>
            </Show>
            {move || setup.get().map(|s| view! {
                <p>{tr("twofa.scan")}</p>
                <div class="qr" inner_html=s.qr_svg></div>
                <p><code id="totp-secret">{s.secret}</code></p>
                <form on:submit=confirm>
                    <Field label="login.code" name="code" value=code error=error required=true />
                    <button type="submit">{tr("twofa.confirm")}</button>
                </form>
            })}
            <Show when=enabled>
                <form on:submit=disable>
                    <Field label="login.password" name="disable_password" value=password error=error kind="password" required=true />
                    <Field label="login.code" name="code" value=code error=error required=true />
                    <button type="submit">{tr("twofa.disable")}</button>
                </form>
            </Show>
            <ErrorText error=error />
        </section>
    }
}

/// Fetches the export with the access token and saves it as a file (a plain link cannot carry
/// the token).
async fn download_export(session: crate::session::Session, error: RwSignal<Option<ApiError>>) {
    let token = session.token.get_untracked().unwrap_or_default();
    let response = gloo_net::http::Request::get(api::me::EXPORT_PATH)
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await;
    let bytes = match response {
        Ok(r) if r.ok() => r.binary().await.ok(),
        _ => None,
    };
    let Some(bytes) = bytes else {
        error.set(Some(ApiError::Network("the export could not be downloaded".into())));
        return;
    };
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let parts = js_sys::Array::of1(&array);
    if let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence(&parts)
        && let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob)
        && let Ok(a) = document().create_element("a").map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>())
    {
        a.set_href(&url);
        a.set_download("helpdesk-export.zip");
        a.click();
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}

/// Your data: deleting the account, with what is kept and why (P12).
#[component]
pub fn YourData() -> impl IntoView {
    let session = use_session();
    let navigate = leptos_router::hooks::use_navigate();
    let error = RwSignal::new(None::<ApiError>);
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let two_factor = session.user.get_untracked().is_some_and(|u| u.two_factor_enabled);
    let refused = RwSignal::new(session.user.get_untracked().map(|u| u.refused_notifications).unwrap_or_default());
    let restricted = RwSignal::new(session.user.get_untracked().is_some_and(|u| u.restricted));
    let saved = RwSignal::new(false);
    let toggle = move |kind: NotificationKind, wanted: bool| {
        refused.update(|list| {
            list.retain(|k| *k != kind);
            if !wanted {
                list.push(kind);
            }
        });
        let body = UpdateMe { refused_notifications: Some(refused.get_untracked()), ..Default::default() };
        spawn_local(async move {
            match api::me::update(session, &body).await {
                Ok(_) => saved.set(true),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let restrict = move |_| {
        spawn_local(async move {
            match api::me::restrict(session).await {
                Ok(()) => restricted.set(true),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let erase = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let code = Some(code.get_untracked()).filter(|c| !c.trim().is_empty());
        let body = helpdesk_types::privacy::EraseMe { password: password.get_untracked(), code };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::me::erase(session, &body).await {
                Ok(()) => {
                    session.clear();
                    navigate("/login?erased=1", Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card narrow" id="your-data">
            <h2>{tr("data.title")}</h2>
            <p>{tr("data.export_explained")}</p>
            <button id="download-data" on:click=move |_| spawn_local(download_export(session, error))>{tr("data.export")}</button>
            <h3>{tr("data.emails")}</h3>
            <p class="muted">{tr("data.emails_explained")}</p>
            {[(NotificationKind::TicketConfirmations, "data.kind_confirmations"), (NotificationKind::StatusUpdates, "data.kind_status"), (NotificationKind::Replies, "data.kind_replies"), (NotificationKind::Reminders, "data.kind_reminders")]
                .into_iter().map(|(kind, label)| view! {
                    <label class="checkbox"><input type="checkbox" id=format!("notify-{kind}")
                        prop:checked=move || !refused.get().contains(&kind)
                        on:change=move |ev| toggle(kind, event_target_checked(&ev)) />{tr(label)}</label>
                }).collect_view()}
            <Show when=move || saved.get()><p class="ok" role="status">{tr("profile.saved")}</p></Show>
            <h3>{tr("data.restrict_title")}</h3>
            <p class="muted">{tr("data.restrict_explained")}</p>
            <Show when=move || !restricted.get() fallback=|| view! { <p class="ok">{tr("data.restricted")}</p> }>
                <button id="restrict" on:click=restrict>{tr("data.restrict")}</button>
            </Show>
            <h3>{tr("data.erase")}</h3>
            <p>{tr("data.erase_explained")}</p>
            <form on:submit=erase id="erase-account">
                <Field label="login.password" name="erase_password" value=password error=error kind="password" required=true />
                {two_factor.then(|| view! { <Field label="login.code" name="erase_code" value=code error=error /> })}
                <button type="submit" class="danger">{tr("data.erase")}</button>
            </form>
            <ErrorText error=error />
        </section>
    }
}

/// Staff: where each kind of notification goes (mail, in the app, both, none) and which
/// categories' new tickets to hear about.
#[component]
pub fn NotificationSettings() -> impl IntoView {
    use helpdesk_types::notifications::{NotificationChannel, Topic};
    let session = use_session();
    let i18n = use_i18n();
    let settings = LocalResource::new(move || crate::api::notifications::settings(session));
    let categories = LocalResource::new(move || crate::api::tickets::categories(session));
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let topic_key = |t: Topic| match t {
        Topic::NewTicket => "notify.new_ticket",
        Topic::CustomerReply => "notify.customer_reply",
        Topic::Assigned => "notify.assigned",
        Topic::Mention => "notify.mention",
        Topic::SlaWarning => "notify.sla_warning",
        Topic::SlaBreach => "notify.sla_breach",
        Topic::JobFailed => "notify.job_failed",
    };
    let channel_key = |c: NotificationChannel| match c {
        NotificationChannel::Email => "notify.email",
        NotificationChannel::InApp => "notify.in_app",
        NotificationChannel::Both => "notify.both",
        NotificationChannel::None => "notify.none",
    };
    view! {
        <section class="card" id="notifications">
            <h2>{tr("notify.title")}</h2>
            {move || loaded(settings.get(), move |current| {
                let state = RwSignal::new(current);
                let save = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let body = state.get_untracked();
                    spawn_local(async move {
                        match crate::api::notifications::save_settings(session, &body).await {
                            Ok(s) => {
                                state.set(s);
                                error.set(None);
                                saved.set(true);
                            }
                            Err(e) => error.set(Some(e)),
                        }
                    });
                };
                view! {
                    <form on:submit=save>
                        <table>
                            <tbody>
                                {Topic::ALL.iter().map(|t| {
                                    let t = *t;
                                    view! { <tr>
                                        <th scope="row">{move || i18n.t(topic_key(t))}</th>
                                        <td><select aria-label=t.as_str() on:change=move |ev| {
                                            let value: Option<NotificationChannel> = event_target_value(&ev).parse().ok();
                                            if let Some(c) = value {
                                                state.update(|s| { s.channels.insert(t.as_str().to_owned(), c); });
                                            }
                                            saved.set(false);
                                        }>
                                            {NotificationChannel::ALL.iter().map(|c| {
                                                let selected = state.with_untracked(|s| s.channels.get(t.as_str()) == Some(c));
                                                view! { <option value=c.as_str() selected=selected>{move || i18n.t(channel_key(*c))}</option> }
                                            }).collect_view()}
                                        </select></td>
                                    </tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <fieldset><legend>{tr("notify.followed")}</legend>
                            {move || categories.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|c| {
                                let id = c.id;
                                view! { <label class="inline"><input type="checkbox"
                                    prop:checked=move || state.with(|s| s.followed_category_ids.contains(&id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        state.update(|s| {
                                            s.followed_category_ids.retain(|x| *x != id);
                                            if on { s.followed_category_ids.push(id); }
                                        });
                                        saved.set(false);
                                    } />{c.name}</label> }
                            }).collect_view()}
                        </fieldset>
                        <button type="submit">{tr("ticket.save")}</button>
                        {move || saved.get().then(|| view! { <p class="notice" role="status">{tr("common.saved")}</p> })}
                    </form>
                }
            })}
            <ErrorText error=error />
        </section>
    }
}
