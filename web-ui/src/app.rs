//! The application shell: session restore, navigation, routes (protected for staff and admins).

use helpdesk_types::Locale;
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{Redirect, Route, Router, Routes},
    hooks::use_navigate,
    path,
};

use crate::{
    api,
    i18n::{I18n, tr},
    live::{Live, use_live},
    pages::{
        admin::Admin,
        auth::{ForgotPassword, Login, Register, ResetPassword, VerifyBanner, VerifyEmail},
        canned::CannedReplies,
        contact::{Contact, RequestPage},
        privacy::Privacy,
        profile::Profile,
        queue::Queue,
        reports::Reports,
        tickets::{MyTickets, NewTicket, TicketPage},
    },
    session::{Session, use_session},
};

/// Who may see a page.
#[derive(Clone, Copy, PartialEq)]
enum Need {
    SignedIn,
    Staff,
    Admin,
}

/// Renders `page` once the session is known; sends guests to sign-in and others home.
#[component]
fn Guard(need: Need, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    // Only what decides access is tracked: a changed name (a saved profile) must not mount the
    // page again and lose its state.
    let access = Memo::new(move |_| (session.ready.get(), session.signed_in(), session.is_staff(), session.is_admin()));
    move || {
        let (ready, signed_in, staff, admin) = access.get();
        if !ready {
            view! { <p class="muted">{tr("common.loading")}</p> }.into_any()
        } else if !signed_in {
            view! { <Redirect path="/login" /> }.into_any()
        } else if (need == Need::Staff && !staff) || (need == Need::Admin && !admin) {
            view! { <Redirect path="/tickets" /> }.into_any()
        } else {
            children().into_any()
        }
    }
}

/// A page that does not exist, inside the app.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="card" id="not-found">
            <h1>{tr("notfound.title")}</h1>
            <p>{tr("notfound.text")}</p>
            <p><a href="/">{tr("notfound.home")}</a></p>
        </section>
    }
}

/// The keyboard shortcuts, shown with `?`; `g q` goes to the queue.
#[component]
fn Shortcuts() -> impl IntoView {
    let session = use_session();
    let open = RwSignal::new(false);
    let pending_g = RwSignal::new(false);
    let navigate = use_navigate();
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if crate::components::typing(&ev) || !session.is_staff() {
            return;
        }
        match ev.key().as_str() {
            "?" => open.update(|o| *o = !*o),
            "Escape" => open.set(false),
            "g" => {
                pending_g.set(true);
                return;
            }
            "q" if pending_g.get_untracked() => navigate("/queue", Default::default()),
            _ => {}
        }
        pending_g.set(false);
    });
    on_cleanup(move || keys.remove());
    let rows = [
        ("j / k", "keys.move"),
        ("o / Enter", "keys.open"),
        ("x", "keys.select"),
        ("a", "keys.assign"),
        ("r", "keys.reply"),
        ("n", "keys.note"),
        ("/", "keys.search"),
        ("g q", "keys.queue"),
        ("?", "keys.help"),
    ];
    view! {
        <Show when=move || open.get()>
            <div class="overlay" role="dialog" aria-label="shortcuts" id="shortcuts" on:click=move |_| open.set(false)>
                <div class="card">
                    <h2>{tr("keys.title")}</h2>
                    <table>{rows.iter().map(|(k, what)| view! { <tr><td><kbd>{*k}</kbd></td><td>{tr(what)}</td></tr> }).collect_view()}</table>
                </div>
            </div>
        </Show>
    }
}

#[component]
fn Nav() -> impl IntoView {
    let session = use_session();
    // The menu of a narrow screen; going elsewhere closes it.
    let menu = RwSignal::new(false);
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.pathname.track();
        menu.set(false);
    });
    let i18n = crate::i18n::use_i18n();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Signing out locally happens either way; the server session times out on its own.
            let _ = api::auth::logout(session).await;
            session.clear();
            navigate("/login", Default::default());
        });
    };
    view! {
        <nav class="top" aria-label="main" class:open=move || menu.get()>
            <a class="brand" href="/">{tr("app.title")}</a>
            <button class="link menu-toggle" id="menu-toggle" aria-expanded=move || menu.get().to_string()
                on:click=move |_| menu.update(|m| *m = !*m)>{tr("nav.menu")}</button>
            <Show when=move || session.signed_in()>
                <Show when=move || session.is_staff() fallback=|| view! { <a href="/tickets">{tr("nav.tickets")}</a> }>
                    <a href="/queue">{tr("nav.queue")}</a>
                    <a href="/reports">{tr("nav.reports")}</a>
                    <a href="/canned-replies">{tr("nav.canned")}</a>
                </Show>
                <a href="/tickets/new">{tr("nav.new_ticket")}</a>
                <a href="/profile">{tr("nav.profile")}</a>
                <Show when=move || session.is_admin()><a href="/admin">{tr("nav.admin")}</a></Show>
                <Show when=move || session.is_staff()><Bell /></Show>
                <button class="link" id="sign-out" on:click=sign_out.clone()>{tr("nav.sign_out")}</button>
            </Show>
            <a href="/privacy">{tr("nav.privacy")}</a>
            <button class="link lang" id="language-switch"
                on:click=move |_| i18n.set(if i18n.0.get_untracked() == Locale::De { Locale::En } else { Locale::De })>
                {move || if i18n.0.get() == Locale::De { "English" } else { "Deutsch" }}
            </button>
        </nav>
    }
}

/// The bell: unread notifications, refreshed by live updates (and every 60 s), with the latest
/// ones in a panel.
#[component]
fn Bell() -> impl IntoView {
    use helpdesk_types::notifications::MarkRead;
    let session = use_session();
    let live = use_live();
    let open = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    // Going elsewhere closes the panel.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    let count = LocalResource::new(move || {
        live.notifications.track();
        version.track();
        api::notifications::unread_count(session)
    });
    let list = LocalResource::new(move || {
        live.notifications.track();
        version.track();
        let show = open.get();
        async move { if show { api::notifications::list(session).await.ok() } else { None } }
    });
    let poll = leptos::prelude::set_interval_with_handle(
        move || version.update(|v| *v += 1),
        std::time::Duration::from_secs(60),
    );
    on_cleanup(move || {
        if let Ok(handle) = poll {
            handle.clear();
        }
    });
    let read_all = move |_| {
        spawn_local(async move {
            let _ = api::notifications::mark_read(session, &MarkRead { ids: vec![], all: true }).await;
            version.update(|v| *v += 1);
        });
    };
    let unread = move || count.get().and_then(Result::ok).map_or(0, |c| c.unread);
    view! {
        <div class="bell">
            <button class="link" data-testid="bell" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                {tr("nav.notifications")}
                {move || (unread() > 0).then(|| view! { " " <span class="count" aria-label="unread">{unread()}</span> })}
            </button>
            <Show when=move || open.get()>
                <div class="panel" role="dialog" aria-label="notifications">
                    <button class="small" on:click=read_all>{tr("notifications.read_all")}</button>
                    <ul>
                        {move || list.get().flatten().map(|page| {
                            if page.items.is_empty() {
                                view! { <li class="muted">{tr("notifications.none")}</li> }.into_any()
                            } else {
                                page.items.into_iter().map(|n| view! {
                                    <li class:unread=!n.read>
                                        <a href=n.link.clone() on:click=move |_| open.set(false)>{n.title.clone()}</a>
                                        <span class="muted">" · "{n.created_at.format("%d.%m. %H:%M").to_string()}</span>
                                    </li>
                                }).collect_view().into_any()
                            }
                        })}
                    </ul>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn Home() -> impl IntoView {
    let session = use_session();
    move || {
        if !session.ready.get() {
            view! { <p class="muted">{tr("common.loading")}</p> }.into_any()
        } else if session.is_staff() {
            view! { <Redirect path="/queue" /> }.into_any()
        } else if session.signed_in() {
            view! { <Redirect path="/tickets" /> }.into_any()
        } else {
            view! { <Redirect path="/login" /> }.into_any()
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    let i18n = I18n::detect();
    provide_context(session);
    provide_context(i18n);
    provide_context(crate::components::Flash(RwSignal::new(None)));
    provide_context(crate::time::Minute::start());
    let live = Live::new();
    provide_context(live);
    live.run(session);
    Effect::new(move |_| {
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("lang", i18n.0.get().as_str());
        }
    });
    // A reload keeps the session through the HttpOnly refresh cookie.
    spawn_local(async move {
        api::refresh(session).await;
        session.ready.set(true);
    });
    view! {
        <Router>
            <a class="skip" href="#main">{tr("nav.skip")}</a>
            <Nav />
            <Shortcuts />
            <main class="shell" id="main" tabindex="-1">
                <VerifyBanner />
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/login") view=Login />
                    <Route path=path!("/register") view=Register />
                    <Route path=path!("/forgot-password") view=ForgotPassword />
                    <Route path=path!("/reset-password") view=ResetPassword />
                    <Route path=path!("/verify-email") view=VerifyEmail />
                    <Route path=path!("/contact") view=Contact />
                    <Route path=path!("/requests/:token") view=RequestPage />
                    <Route path=path!("/privacy") view=Privacy />
                    <Route path=path!("/tickets") view=|| view! { <Guard need=Need::SignedIn><MyTickets /></Guard> } />
                    <Route path=path!("/tickets/new") view=|| view! { <Guard need=Need::SignedIn><NewTicket /></Guard> } />
                    <Route path=path!("/tickets/:number") view=|| view! { <Guard need=Need::SignedIn><TicketPage /></Guard> } />
                    <Route path=path!("/queue") view=|| view! { <Guard need=Need::Staff><Queue /></Guard> } />
                    <Route path=path!("/profile") view=|| view! { <Guard need=Need::SignedIn><Profile /></Guard> } />
                    <Route path=path!("/admin") view=|| view! { <Guard need=Need::Admin><Admin /></Guard> } />
                    <Route path=path!("/admin/:section") view=|| view! { <Guard need=Need::Admin><Admin /></Guard> } />
                    <Route path=path!("/reports") view=|| view! { <Guard need=Need::Staff><Reports /></Guard> } />
                    <Route path=path!("/canned-replies") view=|| view! { <Guard need=Need::Staff><CannedReplies /></Guard> } />
                </Routes>
            </main>
        </Router>
    }
}
