//! Sign in (with the captcha only when the API asks for one), register, forgot and reset password.

use helpdesk_types::{
    accounts::{
        LoginRequest, LoginResponse, LoginTwoFactor, PasswordResetConfirm, PasswordResetRequest, RegisterRequest,
        TokenResponse, VerifyEmailRequest,
    },
    validation::{self as rules, limits},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_query_map};
use wasm_bindgen::JsCast;

use crate::{
    api::{self, ApiError},
    components::{ErrorText, Field},
    i18n::{tr, use_i18n},
    session::use_session,
};

/// Loads the hCaptcha widget script (the only request to another host, and only now).
pub fn load_captcha_script() {
    let document = document();
    if document.get_element_by_id("hcaptcha-script").is_some() {
        return;
    }
    if let Ok(script) = document.create_element("script")
        && let Ok(script) = script.dyn_into::<web_sys::HtmlScriptElement>()
    {
        script.set_id("hcaptcha-script");
        script.set_src("https://js.hcaptcha.com/1/api.js");
        script.set_async(true);
        if let Some(head) = document.head() {
            let _ = head.append_child(&script);
        }
    }
}

pub fn captcha_response() -> Option<String> {
    document()
        .query_selector("[name='h-captcha-response']")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .filter(|v| !v.is_empty())
}

#[component]
pub fn Login() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let sitekey = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let challenge = RwSignal::new(None::<String>);
    let code = RwSignal::new(String::new());
    let signed_in = move |tokens: TokenResponse, navigate: &dyn Fn(&str)| {
        let staff = tokens.user.role.is_staff();
        session.token.set(Some(tokens.access_token));
        session.user.set(Some(tokens.user));
        navigate(if staff { "/queue" } else { "/tickets" });
    };
    let nav = navigate.clone();
    let submit_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = challenge.get_untracked() else { return };
        let body = LoginTwoFactor { challenge: token, code: code.get_untracked(), client: None };
        let navigate = nav.clone();
        spawn_local(async move {
            match api::auth::login_second_step(&body).await {
                Ok(tokens) => signed_in(tokens, &|to| navigate(to, Default::default())),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let body = LoginRequest {
                login: login.get_untracked(),
                password: password.get_untracked(),
                captcha_token: captcha_response(),
                client: None,
            };
            match api::auth::login(&body).await {
                Ok(LoginResponse::Tokens(tokens)) => signed_in(*tokens, &|to| navigate(to, Default::default())),
                Ok(LoginResponse::TwoFactor(second)) => {
                    error.set(None);
                    challenge.set(Some(second.challenge));
                }
                Err(e) => {
                    if e.code() == "captcha_required" {
                        if let ApiError::Problem(p) = &e {
                            sitekey.set(Some(
                                p.extensions.get("sitekey").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
                            ));
                        }
                        load_captcha_script();
                    }
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card narrow">
            <h1>{tr("login.title")}</h1>
            <Show when=move || challenge.get().is_some()>
                <form on:submit=submit_code.clone() id="second-step">
                    <p>{tr("login.code_hint")}</p>
                    <Field label="login.code" name="code" value=code error=error required=true />
                    <ErrorText error=error />
                    <button type="submit">{tr("login.submit")}</button>
                </form>
            </Show>
            <form on:submit=submit class:hidden=move || challenge.get().is_some()>
                <Field label="login.login" name="login" value=login error=error required=true />
                <Field label="login.password" name="password" value=password error=error kind="password" required=true />
                {move || sitekey.get().map(|key| view! {
                    <div id="captcha">
                        <p>{tr("login.captcha")}</p>
                        <div class="h-captcha" data-sitekey=key></div>
                    </div>
                })}
                <ErrorText error=error />
                <button type="submit" disabled=move || busy.get()>{tr("login.submit")}</button>
            </form>
            <p><a href="/register">{tr("login.register")}</a>" · "<a href="/forgot-password">{tr("login.forgot")}</a>
                " · "<a href="/contact" id="contact-link">{tr("contact.link")}</a></p>
        </section>
    }
}

#[component]
pub fn Register() -> impl IntoView {
    let i18n = use_i18n();
    let [full_name, email, username, password, company, phone] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let optional = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let body = RegisterRequest {
            full_name: full_name.get_untracked(),
            email: email.get_untracked(),
            username: username.get_untracked(),
            password: password.get_untracked(),
            company: optional(company),
            phone: optional(phone),
            locale: Some(i18n.0.get_untracked()),
            captcha_token: None,
        };
        let checked = ApiError::check([
            ("full_name", rules::line_problem(&body.full_name, limits::FULL_NAME)),
            ("username", rules::username_problem(&body.username).map(Into::into)),
            ("password", rules::password_problem(&body.password).map(Into::into)),
            ("company", rules::optional_line_problem(&company.get_untracked(), limits::COMPANY)),
            ("phone", rules::optional_phone_problem(&phone.get_untracked()).map(Into::into)),
        ]);
        if let Err(e) = checked {
            return error.set(Some(e));
        }
        spawn_local(async move {
            match api::auth::register(&body).await {
                Ok(_) => {
                    error.set(None);
                    done.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card narrow">
            <h1>{tr("register.title")}</h1>
            <Show when=move || !done.get() fallback=|| view! { <p class="ok" role="status">{tr("register.done")}</p><a href="/login">{tr("login.submit")}</a> }>
                <form on:submit=submit>
                    <Field label="register.full_name" name="full_name" value=full_name error=error required=true />
                    <Field label="register.email" name="email" value=email error=error kind="email" required=true />
                    <Field label="register.username" name="username" value=username error=error required=true />
                    <Field label="login.password" name="password" value=password error=error kind="password" required=true />
                    <Field label="register.company" name="company" value=company error=error />
                    <Field label="register.phone" name="phone" value=phone error=error kind="tel" />
                    <ErrorText error=error />
                    <button type="submit">{tr("register.submit")}</button>
                </form>
            </Show>
        </section>
    }
}

#[component]
pub fn ForgotPassword() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = PasswordResetRequest { email: email.get_untracked() };
        spawn_local(async move {
            match api::auth::request_password_reset(&body).await {
                Ok(()) => done.set(true),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card narrow">
            <h1>{tr("forgot.title")}</h1>
            <Show when=move || !done.get() fallback=|| view! { <p class="ok" role="status">{tr("forgot.done")}</p> }>
                <form on:submit=submit>
                    <Field label="register.email" name="email" value=email error=error kind="email" required=true />
                    <ErrorText error=error />
                    <button type="submit">{tr("forgot.submit")}</button>
                </form>
            </Show>
        </section>
    }
}

#[component]
pub fn ResetPassword() -> impl IntoView {
    let query = use_query_map();
    // An invitation's link: the person chooses a first password, not a new one.
    let welcome = query.with_untracked(|q| q.get("welcome").is_some());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let token = query.with_untracked(|q| q.get("token").unwrap_or_default());
        let body = PasswordResetConfirm { token, new_password: password.get_untracked() };
        if let Err(e) = ApiError::check([("new_password", rules::password_problem(&body.new_password).map(Into::into))])
        {
            return error.set(Some(e));
        }
        spawn_local(async move {
            match api::auth::confirm_password_reset(&body).await {
                Ok(()) => done.set(true),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card narrow">
            <h1>{if welcome { tr("invite.title")() } else { tr("reset.title")() }}</h1>
            <Show when=move || !done.get() fallback=|| view! { <p class="ok" role="status">{tr("reset.done")}</p><a href="/login">{tr("login.submit")}</a> }>
                <form on:submit=submit>
                    <Field label=if welcome { "invite.password" } else { "reset.password" } name="new_password" value=password error=error kind="password" required=true />
                    <ErrorText error=error />
                    <button type="submit">{tr("reset.submit")}</button>
                </form>
            </Show>
        </section>
    }
}

/// The page the emailed link opens: confirms the address, then shows the outcome.
#[component]
pub fn VerifyEmail() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let token = query.with_untracked(|q| q.get("token").unwrap_or_default());
    spawn_local(async move {
        match api::auth::verify_email(&VerifyEmailRequest { token }).await {
            Ok(()) => {
                done.set(true);
                // A signed-in person sees the new state (address, organization) at once.
                if session.signed_in() {
                    api::refresh(session).await;
                }
            }
            Err(e) => error.set(Some(e)),
        }
    });
    view! {
        <section class="card narrow">
            <h1>{tr("verify.title")}</h1>
            <Show when=move || done.get() fallback=move || view! {
                <Show when=move || error.get().is_none()><p class="muted">{tr("verify.working")}</p></Show>
            }>
                <p class="ok" role="status">{tr("verify.done")}</p>
                <a href="/">{tr("app.title")}</a>
            </Show>
            <ErrorText error=error />
        </section>
    }
}

/// Shown to a signed-in person whose address (or new address) waits for its link.
#[component]
pub fn VerifyBanner() -> impl IntoView {
    let session = use_session();
    let sent = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let resend = move |_| {
        spawn_local(async move {
            match api::auth::resend_verification(session).await {
                Ok(_) => sent.set(true),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    move || {
        let user = session.user.get()?;
        let address = user.pending_email.clone().or_else(|| (!user.email_verified).then(|| user.email.clone()))?;
        Some(view! {
            <div class="banner" role="status" id="verify-banner">
                {tr("verify.banner")}" "<strong>{address}</strong>". "
                <Show when=move || !sent.get() fallback=|| view! { <span>{tr("verify.sent")}</span> }>
                    <button class="link" id="resend-verification" on:click=resend>{tr("verify.resend")}</button>
                </Show>
                <ErrorText error=error />
            </div>
        })
    }
}
