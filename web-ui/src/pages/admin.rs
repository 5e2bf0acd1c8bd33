//! Administration: users, organizations, categories, SLA policies and their business calendars,
//! scheduled jobs, the email log.

use helpdesk_types::{
    Role,
    accounts::{CreateUser, UpdateUser},
    organizations::{Category, CategoryInput, ContractTier, JoinPolicy, OrganizationInput, SlaPolicy, SlaPolicyInput},
};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{ApiError, admin, tickets},
    components::{ErrorText, Field, loaded},
    i18n::{tr, use_i18n},
    session::use_session,
};

/// The sections of the administration, each its own page under `/admin/<slug>`.
const SECTIONS: [(&str, &str); 7] = [
    ("users", "admin.users"),
    ("organizations", "admin.organizations"),
    ("categories", "admin.categories"),
    ("sla", "admin.sla"),
    ("mail", "admin.mail"),
    ("integrations", "admin.integrations"),
    ("jobs", "admin.jobs"),
];

#[component]
pub fn Admin() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let section = Memo::new(move |_| params.with(|p| p.get("section").unwrap_or_default()));
    // Bumped when calendars change, so the policies' calendar choice follows.
    let calendars = RwSignal::new(0);
    view! {
        <section class="card admin-head">
            <h1>{tr("admin.title")}</h1>
            <nav class="subnav" aria-label=move || tr("admin.sections")()>
                <a href="/admin" class:active=move || section.get().is_empty()>{tr("admin.overview")}</a>
                {SECTIONS.iter().map(|(slug, label)| view! {
                    <a href=format!("/admin/{slug}") class:active=move || section.get() == *slug
                        aria-current=move || (section.get() == *slug).then_some("page")>{tr(label)}</a>
                }).collect_view()}
            </nav>
        </section>
        {move || match section.get().as_str() {
            "" => view! { <FirstRun /> }.into_any(),
            "users" => view! { <Users /> }.into_any(),
            "organizations" => view! { <Organizations /> }.into_any(),
            "categories" => view! { <Categories /> }.into_any(),
            "sla" => view! { <Calendars version=calendars /><SlaPolicies calendars_version=calendars /> }.into_any(),
            "mail" => view! { <EmailLog /><InboundLog /> }.into_any(),
            "integrations" => view! { <crate::components::ApiTokens /><Webhooks /> }.into_any(),
            "jobs" => view! { <Jobs /> }.into_any(),
            _ => view! { <section class="card"><p>{tr("notfound.text")}</p></section> }.into_any(),
        }}
    }
}

/// A fresh installation's first steps, each ticked off once done.
#[component]
fn FirstRun() -> impl IntoView {
    let session = use_session();
    let state = LocalResource::new(move || async move {
        let categories = tickets::categories(session).await.map(|c| !c.is_empty()).unwrap_or(false);
        let organizations = admin::organizations(session).await.map(|p| !p.items.is_empty()).unwrap_or(false);
        let agents = admin::users(session, "", None)
            .await
            .map(|p| p.items.iter().any(|u| u.role == Role::Agent))
            .unwrap_or(false);
        let mail = admin::email_log(session)
            .await
            .map(|p| p.items.iter().any(|m| m.status == helpdesk_types::email::EmailStatus::Sent))
            .unwrap_or(false);
        [
            (categories, "first.category", "/admin/categories"),
            (organizations, "first.organization", "/admin/organizations"),
            (agents, "first.agent", "/admin/users"),
            (mail, "first.smtp", "/admin/mail"),
            (false, "first.privacy", "/privacy"),
        ]
    });
    view! {
        <section class="card" id="first-run">
            <h2>{tr("first.title")}</h2>
            <ol class="checklist">
                {move || state.get().map(|steps| steps.into_iter().map(|(done, key, href)| view! {
                    <li class:done=done><a href=href>{tr(key)}</a>{done.then(|| view! { " " <span class="ok">"✓"</span> })}</li>
                }).collect_view())}
            </ol>
        </section>
    }
}

/// The name of a role in the reader's language.
fn role_key(role: Role) -> &'static str {
    match role {
        Role::Customer => "role.customer",
        Role::Agent => "role.agent",
        Role::Admin => "role.admin",
    }
}

#[component]
fn Users() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let search = RwSignal::new(String::new());
    let items = RwSignal::new(Vec::<helpdesk_types::Account>::new());
    let cursor = RwSignal::new(None::<String>);
    let version = RwSignal::new(0);
    let orgs =
        LocalResource::new(
            move || async move { admin::organizations(session).await.map(|p| p.items).unwrap_or_default() },
        );
    let [full_name, email, username] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let role = RwSignal::new("agent".to_owned());
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let load = move |more: bool| {
        let q = search.get_untracked();
        let after = if more { cursor.get_untracked() } else { None };
        spawn_local(async move {
            match admin::users(session, &q, after.as_deref()).await {
                Ok(page) => {
                    crate::components::take_page(items, cursor, page, more);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        version.track();
        load(false);
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateUser {
            full_name: full_name.get_untracked(),
            email: email.get_untracked(),
            username: username.get_untracked(),
            role: role.get_untracked().parse().unwrap_or(Role::Agent),
            organization_id: None,
            password: None,
            locale: None,
        };
        spawn_local(async move {
            match admin::create_user(session, &body).await {
                Ok(_) => {
                    error.set(None);
                    saved.set(true);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let restrict = move |id: i64, on: bool| {
        spawn_local(async move {
            match admin::set_restriction(session, id, on).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let confirm = move |key: &'static str| window().confirm_with_message(i18n.t(key)).unwrap_or(false);
    let erase = move |id: i64| {
        if !confirm("admin.confirm_erase") {
            return;
        }
        spawn_local(async move {
            match admin::erase_user(session, id).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let set = move |id: i64, body: UpdateUser| {
        spawn_local(async move {
            match admin::update_user(session, id, &body).await {
                Ok(_) => {
                    error.set(None);
                    saved.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
            version.update(|v| *v += 1);
        });
    };
    view! {
        <section class="card" id="users">
            <h2>{tr("admin.users")}</h2>
            <form class="filters" on:submit=move |ev| { ev.prevent_default(); load(false); }>
                <label>{tr("tickets.search")}
                    <input id="user-search" type="search" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) /></label>
                <button type="submit">{tr("tickets.search")}</button>
            </form>
            <Show when=move || saved.get()><p class="notice" role="status">{tr("common.saved")}</p></Show>
            <table>
                <thead><tr>
                    <th>{tr("admin.name")}</th><th>{tr("register.email")}</th><th>{tr("admin.role")}</th><th>{tr("admin.organization")}</th>
                    <th>{tr("admin.state")}</th><th></th><th></th><th></th>
                </tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(|u| {
                        let id = u.id;
                        let current = u.role;
                        let name = u.full_name.clone();
                        let org = u.organization_id;
                        view! { <tr class="user-row">
                            <td>{u.full_name.clone()}</td><td>{u.email.clone()}</td>
                            <td><select aria-label=format!("{} – {}", i18n.t("admin.role"), name) on:change=move |ev| {
                                let Ok(to) = event_target_value(&ev).parse::<Role>() else { return };
                                let demotion = to != Role::Admin && current != Role::Customer && to != current;
                                if demotion && !confirm("admin.confirm_demote") {
                                    return version.update(|v| *v += 1);
                                }
                                set(id, UpdateUser { role: Some(to), ..Default::default() })
                            }>
                                {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == current>{move || i18n.t(role_key(*r))}</option> }).collect_view()}
                            </select></td>
                            <td><select aria-label=format!("{} – {}", i18n.t("admin.organization"), u.full_name) on:change=move |ev| {
                                let chosen = event_target_value(&ev).parse::<i64>().ok();
                                set(id, UpdateUser { organization_id: Some(chosen), ..Default::default() })
                            }>
                                <option value="" selected=org.is_none()>"–"</option>
                                {move || orgs.get().unwrap_or_default().into_iter().map(|o| view! {
                                    <option value=o.id.to_string() selected=Some(o.id) == org>{o.name}</option>
                                }).collect_view()}
                            </select></td>
                            <td>{move || i18n.t(if u.active { "admin.active" } else { "admin.inactive" })}</td>
                            <td>{u.active.then(|| view! { <button class="small" on:click=move |_| {
                                if confirm("admin.confirm_deactivate") { set(id, UpdateUser { active: Some(false), ..Default::default() }) }
                            }>{tr("admin.deactivate")}</button> })}</td>
                            <td>{if u.restricted {
                                view! { <button class="small" on:click=move |_| restrict(id, false)>{tr("admin.lift")}</button> }.into_any()
                            } else {
                                view! { <button class="small" on:click=move |_| restrict(id, true)>{tr("admin.restrict")}</button> }.into_any()
                            }}</td>
                            <td><button class="small danger" on:click=move |_| erase(id)>{tr("admin.erase")}</button></td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || cursor.with(Option::is_some)>
                <button on:click=move |_| load(true)>{tr("tickets.more")}</button>
            </Show>
            <h3>{tr("admin.invite")}</h3>
            <form on:submit=create class="inline-form">
                <Field label="register.full_name" name="full_name" value=full_name error=error required=true />
                <Field label="register.email" name="email" value=email error=error kind="email" required=true />
                <Field label="register.username" name="username" value=username error=error required=true />
                <label for="new-role">{tr("admin.role")}</label>
                <select id="new-role" on:change=move |ev| role.set(event_target_value(&ev))>
                    {[Role::Agent, Role::Admin, Role::Customer].into_iter().map(|r| view! { <option value=r.as_str()>{move || i18n.t(role_key(r))}</option> }).collect_view()}
                </select>
                <button type="submit">{tr("admin.create")}</button>
            </form>
            <ErrorText error=error />
        </section>
    }
}

#[component]
fn Organizations() -> impl IntoView {
    let session = use_session();
    let version = RwSignal::new(0);
    let orgs = LocalResource::new(move || {
        version.track();
        admin::organizations(session)
    });
    let name = RwSignal::new(String::new());
    let domains = RwSignal::new(String::new());
    let tier = RwSignal::new("none".to_owned());
    let dpa = RwSignal::new(String::new());
    let policy = RwSignal::new("verified_domain".to_owned());
    let error = RwSignal::new(None::<ApiError>);
    let editing = RwSignal::new(None::<i64>);
    let saved = RwSignal::new(false);
    let i18n = use_i18n();
    let edit = move |o: helpdesk_types::organizations::Organization| {
        editing.set(Some(o.id));
        name.set(o.name);
        domains.set(o.domains.join(", "));
        tier.set(o.contract_tier.as_str().to_owned());
        dpa.set(o.dpa_signed_at.map(|d| d.to_string()).unwrap_or_default());
        policy.set(o.join_policy.as_str().to_owned());
        saved.set(false);
    };
    let remove = move |id: i64| {
        if !window().confirm_with_message(i18n.t("admin.confirm_delete_org")).unwrap_or(false) {
            return;
        }
        spawn_local(async move {
            match admin::delete_organization(session, id).await {
                Ok(()) => {
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = OrganizationInput {
            name: Some(name.get_untracked()),
            domains: Some(
                domains
                    .get_untracked()
                    .split(',')
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            contract_tier: tier.get_untracked().parse().ok(),
            dpa_signed_at: Some(dpa.get_untracked().parse().ok()),
            shares_tickets: None,
            join_policy: policy.get_untracked().parse().ok(),
        };
        spawn_local(async move {
            let result = match editing.get_untracked() {
                Some(id) => admin::update_organization(session, id, &body).await,
                None => admin::create_organization(session, &body).await,
            };
            match result {
                Ok(_) => {
                    error.set(None);
                    saved.set(true);
                    editing.set(None);
                    name.set(String::new());
                    domains.set(String::new());
                    dpa.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{tr("admin.organizations")}</h2>
            <ul>
                {move || loaded(orgs.get(), move |page| page.items.into_iter().map(|o| {
                    let approval = o.join_policy == JoinPolicy::Approval;
                    let (id, chosen) = (o.id, o.clone());
                    view! {
                        <li class="org-row">{o.name}" · "{o.contract_tier.as_str()}" · "{o.domains.join(", ")}
                            {o.dpa_signed_at.map(|d| format!(" · DPA {d}"))}" "
                            <button class="small secondary" on:click=move |_| edit(chosen.clone())>{tr("canned.edit")}</button>" "
                            <button class="small danger" on:click=move |_| remove(id)>{tr("admin.delete")}</button>
                            {approval.then(|| view! { <PendingMembers organization_id=o.id /> })}</li>
                    }
                }).collect_view())}
            </ul>
            <Show when=move || saved.get()><p class="notice" role="status">{tr("common.saved")}</p></Show>
            <form on:submit=create class="inline-form" id="organization-form">
                <Field label="register.company" name="name" value=name error=error required=true />
                <Field label="Domains" name="domains" value=domains error=error />
                <label for="tier">{tr("admin.tier")}</label>
                <select id="tier" prop:value=move || tier.get() on:change=move |ev| tier.set(event_target_value(&ev))>
                    {ContractTier::ALL.iter().map(|t| view! { <option value=t.as_str()>{t.as_str()}</option> }).collect_view()}
                </select>
                <Field label="DPA" name="dpa_signed_at" value=dpa error=error kind="date" />
                <label for="join-policy">{tr("admin.join_policy")}</label>
                <select id="join-policy" prop:value=move || policy.get() on:change=move |ev| policy.set(event_target_value(&ev))>
                    <option value="verified_domain">{tr("admin.join_verified")}</option>
                    <option value="approval">{tr("admin.join_approval")}</option>
                </select>
                <button type="submit">{move || if editing.get().is_some() { tr("ticket.save")() } else { tr("admin.create")() }}</button>
            </form>
            <ErrorText error=error />
        </section>
    }
}

/// People who verified an address of the organization's domain and wait for approval.
#[component]
fn PendingMembers(organization_id: i64) -> impl IntoView {
    let session = use_session();
    let version = RwSignal::new(0);
    let pending = LocalResource::new(move || {
        version.track();
        admin::pending_members(session, organization_id)
    });
    let error = RwSignal::new(None::<ApiError>);
    let decide = move |user_id: i64, approve: bool| {
        spawn_local(async move {
            let result = if approve {
                admin::approve_member(session, organization_id, user_id).await.map(|_| ())
            } else {
                admin::decline_member(session, organization_id, user_id).await
            };
            match result {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        {move || loaded(pending.get(), move |people| (!people.is_empty()).then(|| view! {
            <div class="pending">
                <strong>{tr("admin.pending")}</strong>
                <ul>{people.into_iter().map(|p| { let id = p.id; view! {
                    <li>{p.full_name}" · "{p.email}" "
                        <button class="small" on:click=move |_| decide(id, true)>{tr("admin.approve")}</button>
                        <button class="small" on:click=move |_| decide(id, false)>{tr("admin.decline")}</button>
                    </li>
                } }).collect_view()}</ul>
            </div>
        }))}
        <ErrorText error=error />
    }
}

#[component]
fn Categories() -> impl IntoView {
    let session = use_session();
    let version = RwSignal::new(0);
    let categories = LocalResource::new(move || {
        version.track();
        tickets::categories(session)
    });
    let name = RwSignal::new(String::new());
    let retention = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CategoryInput {
            name: Some(name.get_untracked()),
            retention_days: Some(retention.get_untracked().trim().parse().ok()),
            ..Default::default()
        };
        spawn_local(async move {
            match admin::create_category(session, &body).await {
                Ok(_) => {
                    name.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let toggle = move |c: Category| {
        spawn_local(async move {
            let body = CategoryInput { active: Some(!c.active), ..Default::default() };
            match admin::update_category(session, c.id, &body).await {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{tr("admin.categories")}</h2>
            <ul>
                {move || loaded(categories.get(), move |list| list.into_iter().map(|c| {
                    let label = if c.active { "active" } else { "inactive" };
                    let kept = c.retention_days.map(|d| format!(" · {d} d"));
                    view! { <li>{c.name.clone()}{kept}" · "<button class="small" on:click={let c = c.clone(); move |_| toggle(c.clone())}>{label}</button></li> }
                }).collect_view())}
            </ul>
            <form on:submit=create class="inline-form">
                <Field label="tickets.category" name="name" value=name error=error required=true />
                <Field label="admin.retention" name="retention_days" value=retention error=error kind="number" />
                <button type="submit">{tr("admin.create")}</button>
            </form>
            <ErrorText error=error />
        </section>
    }
}

#[component]
fn SlaPolicies(calendars_version: RwSignal<i32>) -> impl IntoView {
    let session = use_session();
    let policies = LocalResource::new(move || admin::sla_policies(session));
    let calendars = LocalResource::new(move || {
        calendars_version.track();
        admin::calendars(session)
    });
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<String>);
    let save = move |p: SlaPolicy, first: i32, resolution: i32, calendar: String, percent: String| {
        let body = SlaPolicyInput {
            first_response_minutes: first,
            resolution_minutes: resolution,
            calendar_id: calendar.parse().ok(),
            at_risk_percent: percent.parse().ok(),
        };
        spawn_local(async move {
            match admin::put_sla_policy(session, &p, &body).await {
                Ok(_) => {
                    error.set(None);
                    saved.set(Some(format!("{} / {}", p.contract_tier, p.priority)));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{tr("admin.sla")}</h2>
            <table>
                <thead><tr>
                    <th>{tr("admin.tier")}</th><th>{tr("tickets.priority")}</th><th>{tr("admin.first_response_min")}</th>
                    <th>{tr("admin.resolution_min")}</th><th>{tr("admin.calendar")}</th><th>{tr("admin.at_risk_percent")}</th>
                </tr></thead>
                <tbody>
                    {move || loaded(policies.get(), move |list| list.into_iter().map(|p| {
                        let first = RwSignal::new(p.first_response_minutes);
                        let resolution = RwSignal::new(p.resolution_minutes);
                        let calendar = RwSignal::new(p.calendar_id.to_string());
                        let percent = RwSignal::new(p.at_risk_percent.to_string());
                        let policy = p.clone();
                        let label = format!("{} {}", p.contract_tier, p.priority);
                        view! { <tr>
                            <td>{p.contract_tier.as_str()}</td><td>{p.priority.as_str()}</td>
                            <td><HoursMinutes minutes=first label=format!("{label} first response") /></td>
                            <td><HoursMinutes minutes=resolution label=format!("{label} resolution") /></td>
                            <td><select aria-label=format!("{label} calendar") on:change=move |ev| calendar.set(event_target_value(&ev))>
                                {move || calendars.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|c| {
                                    let id = c.id.to_string();
                                    let selected = id == calendar.get_untracked();
                                    view! { <option value=id selected=selected>{c.name}</option> }
                                }).collect_view()}
                            </select></td>
                            <td><input type="number" min="1" max="99" aria-label=format!("{label} at risk percent") prop:value=move || percent.get() on:input=move |ev| percent.set(event_target_value(&ev)) /></td>
                            <td><button class="small" on:click=move |_| save(policy.clone(), first.get_untracked(), resolution.get_untracked(), calendar.get_untracked(), percent.get_untracked())>{tr("ticket.save")}</button></td>
                        </tr> }
                    }).collect_view())}
                </tbody>
            </table>
            {move || saved.get().map(|what| view! { <p class="notice" role="status">{tr("common.saved")}" "{what}</p> })}
            <ErrorText error=error />
        </section>
    }
}

/// The i18n key of an email template's name.
fn mail_key(template: &str) -> &'static str {
    match template {
        "welcome" => "mail.welcome",
        "verify_email" => "mail.verify_email",
        "email_change_requested" => "mail.email_change_requested",
        "registration_attempt" => "mail.registration_attempt",
        "two_factor_reset" => "mail.two_factor_reset",
        "account_erased" => "mail.account_erased",
        "restriction_changed" => "mail.restriction_changed",
        "inactivity_warning" => "mail.inactivity_warning",
        "password_reset" => "mail.password_reset",
        "password_changed" => "mail.password_changed",
        "invitation" => "mail.invitation",
        "data_changed" => "mail.data_changed",
        "ticket_created" => "mail.ticket_created",
        "ticket_status_changed" => "mail.ticket_status_changed",
        "ticket_reply" => "mail.ticket_reply",
        "contact_received" => "mail.contact_received",
        "agent_notice" => "mail.agent_notice",
        "pending_reminder" => "mail.pending_reminder",
        "ticket_auto_resolved" => "mail.ticket_auto_resolved",
        "ticket_auto_closed" => "mail.ticket_auto_closed",
        "attachments_refused" => "mail.attachments_refused",
        _ => "",
    }
}

/// The i18n key of an email's state.
fn email_status_key(status: &str) -> &'static str {
    match status {
        "pending" => "email.pending",
        "sent" => "email.sent",
        "failed" => "email.failed",
        "bounced" => "email.bounced",
        _ => "",
    }
}

/// `key` translated, or `raw` when there is no key.
fn translated_or(raw: &str, key: &'static str, locale: helpdesk_types::Locale) -> String {
    if key.is_empty() { raw.to_owned() } else { crate::i18n::translate(locale, key).to_owned() }
}

/// A job's description in the reader's language (the server's is English).
fn job_description(name: &str, english: &str, locale: helpdesk_types::Locale) -> String {
    let key = match name {
        "sla_monitor" => "job.sla_monitor",
        "pending_follow_up" => "job.pending_follow_up",
        "cleanup" => "job.cleanup",
        "attachment_sweep" => "job.attachment_sweep",
        _ => return english.to_owned(),
    };
    crate::i18n::translate(locale, key).to_owned()
}

/// A duration entered as hours and minutes (kept as minutes).
#[component]
fn HoursMinutes(minutes: RwSignal<i32>, label: String) -> impl IntoView {
    let i18n = use_i18n();
    let part = |ev: &leptos::ev::Event| event_target_value(ev).trim().parse::<i32>().unwrap_or(0).max(0);
    let (hours_label, minutes_label) = (label.clone(), label);
    view! {
        <span class="duration">
            <input type="number" min="0" class="hours" aria-label=move || format!("{hours_label} {}", i18n.t("unit.hours"))
                prop:value=move || (minutes.get() / 60).to_string()
                on:input=move |ev| { let h = part(&ev); minutes.update(|m| *m = h.saturating_mul(60) + *m % 60) } />
            " h "
            <input type="number" min="0" max="59" class="minutes" aria-label=move || format!("{minutes_label} {}", i18n.t("unit.minutes"))
                prop:value=move || (minutes.get() % 60).to_string()
                on:input=move |ev| { let m = part(&ev).min(59); minutes.update(|t| *t = *t / 60 * 60 + m) } />
            " min"
        </span>
    }
}

/// Business calendars: opening hours per weekday, a holiday preset (Germany or a state) and own
/// holidays. SLA targets count only the hours a calendar is open.
#[component]
fn Calendars(version: RwSignal<i32>) -> impl IntoView {
    use helpdesk_types::sla::{CalendarInput, Holiday, OpeningInterval, Weekday};
    let session = use_session();
    let calendars = LocalResource::new(move || {
        version.track();
        admin::calendars(session)
    });
    let regions = LocalResource::new(move || admin::holiday_regions(session));
    let name = RwSignal::new(String::new());
    let time_zone = RwSignal::new("Europe/Berlin".to_owned());
    let region = RwSignal::new("DE".to_owned());
    let start = RwSignal::new("08:00".to_owned());
    let end = RwSignal::new("18:00".to_owned());
    let days: [RwSignal<bool>; 7] = std::array::from_fn(|d| RwSignal::new(d < 5));
    let own = RwSignal::new(String::new());
    let yearly = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let preview = LocalResource::new(move || {
        let code = region.get();
        async move {
            if code.is_empty() {
                return Ok(Vec::new());
            }
            let year = js_sys::Date::new_0().get_full_year() as i32;
            admin::holidays(session, &code, year).await
        }
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let opening_hours = Weekday::ALL
            .iter()
            .zip(days)
            .filter(|(_, on)| on.get_untracked())
            .map(|(d, _)| OpeningInterval { weekday: *d, start: start.get_untracked(), end: end.get_untracked() })
            .collect();
        let holidays = own
            .get_untracked()
            .lines()
            .filter_map(|line| {
                let (date, name) = line.trim().split_once(' ')?;
                Some(Holiday { date: date.parse().ok()?, name: name.trim().to_owned(), yearly: yearly.get_untracked() })
            })
            .collect();
        let code = region.get_untracked();
        let body = CalendarInput {
            name: name.get_untracked(),
            time_zone: time_zone.get_untracked(),
            opening_hours,
            holidays,
            holiday_region: (!code.is_empty()).then_some(code),
        };
        spawn_local(async move {
            match admin::create_calendar(session, &body).await {
                Ok(_) => {
                    name.set(String::new());
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let remove = move |id: i64| {
        spawn_local(async move {
            match admin::delete_calendar(session, id).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let day_names = ["Mo", "Di/Tu", "Mi/We", "Do/Th", "Fr", "Sa", "So/Su"];
    view! {
        <section class="card" id="calendars">
            <h2>{tr("admin.calendars")}</h2>
            <table>
                <thead><tr><th>{tr("admin.name")}</th><th>{tr("admin.time_zone")}</th><th>{tr("admin.hours")}</th><th>{tr("admin.holidays")}</th><th>{tr("admin.used_by")}</th><th></th></tr></thead>
                <tbody>
                    {move || loaded(calendars.get(), move |list| list.into_iter().map(|c| {
                        let hours = c.opening_hours.iter().map(|i| format!("{} {}–{}", i.weekday, i.start, i.end)).collect::<Vec<_>>().join(", ");
                        let holidays = c.holiday_region.clone().into_iter().chain(c.holidays.iter().map(|h| h.name.clone())).collect::<Vec<_>>().join(", ");
                        let id = c.id;
                        view! { <tr>
                            <td>{c.name.clone()}</td><td>{c.time_zone.clone()}</td><td class="muted">{hours}</td><td>{holidays}</td><td>{c.used_by_policies}</td>
                            <td>{(id != 1).then(|| view! { <button class="small" on:click=move |_| remove(id)>{tr("admin.delete")}</button> })}</td>
                        </tr> }
                    }).collect_view())}
                </tbody>
            </table>
            <form on:submit=create class="stack">
                <Field label="admin.name" name="name" value=name error=error required=true />
                <Field label="admin.time_zone" name="time_zone" value=time_zone error=error required=true />
                <fieldset><legend>{tr("admin.hours")}</legend>
                    {day_names.iter().zip(days).map(|(label, on)| view! {
                        <label class="inline"><input type="checkbox" prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev)) />{*label}</label>
                    }).collect_view()}
                    <label class="inline">{tr("admin.from")}<input type="time" prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev)) /></label>
                    <label class="inline">{tr("admin.to")}<input type="time" prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev)) /></label>
                </fieldset>
                <label for="field-holiday_region">{tr("admin.holiday_preset")}</label>
                <select id="field-holiday_region" on:change=move |ev| region.set(event_target_value(&ev))>
                    <option value="">{tr("admin.no_preset")}</option>
                    {move || regions.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|r| {
                        let selected = r.code == region.get_untracked();
                        view! { <option value=r.code.clone() selected=selected>{r.name}</option> }
                    }).collect_view()}
                </select>
                <p class="muted">{move || preview.get().and_then(Result::ok).map(|days| days.iter().map(|h| format!("{} {}", h.date.format("%d.%m."), h.name)).collect::<Vec<_>>().join(" · "))}</p>
                <label for="field-own_holidays">{tr("admin.own_holidays")}</label>
                <textarea id="field-own_holidays" rows="3" placeholder="2026-12-24 Heiligabend" prop:value=move || own.get() on:input=move |ev| own.set(event_target_value(&ev))></textarea>
                <label class="inline"><input type="checkbox" prop:checked=move || yearly.get() on:change=move |ev| yearly.set(event_target_checked(&ev)) />{tr("admin.every_year")}</label>
                <button type="submit">{tr("admin.create")}</button>
            </form>
            <ErrorText error=error />
        </section>
    }
}

/// Webhooks: subscribe a URL to events (the signing secret shows once), see each webhook's
/// deliveries, ping it and deliver again.
#[component]
fn Webhooks() -> impl IntoView {
    use crate::api::webhooks;
    use helpdesk_types::integrations::{EventType, WebhookInput};
    let session = use_session();
    let version = RwSignal::new(0);
    let list = LocalResource::new(move || {
        version.track();
        webhooks::list(session)
    });
    let url = RwSignal::new(String::new());
    let chosen: Vec<(EventType, RwSignal<bool>)> = EventType::ALL
        .iter()
        .filter(|e| **e != EventType::Ping)
        .map(|e| (*e, RwSignal::new(matches!(e, EventType::TicketCreated | EventType::CommentCreated))))
        .collect();
    let secret = RwSignal::new(None::<String>);
    let open = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<ApiError>);
    let deliveries = LocalResource::new(move || {
        version.track();
        let id = open.get();
        async move {
            match id {
                Some(id) => webhooks::deliveries(session, id).await.map(|p| p.items),
                None => Ok(Vec::new()),
            }
        }
    });
    let events = chosen.clone();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = WebhookInput {
            url: url.get_untracked(),
            event_types: events.iter().filter(|(_, on)| on.get_untracked()).map(|(e, _)| *e).collect(),
            active: true,
            include_internal: false,
        };
        spawn_local(async move {
            match webhooks::create(session, &body).await {
                Ok(created) => {
                    secret.set(Some(created.secret));
                    url.set(String::new());
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let act = move |call: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>| {
        spawn_local(async move {
            match call.await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="webhooks">
            <h2>{tr("webhooks.title")}</h2>
            {move || secret.get().map(|s| view! {
                <p class="notice" role="status">{tr("webhooks.secret_once")}" "<code data-testid="webhook-secret">{s}</code></p>
            })}
            <table>
                <thead><tr><th>"URL"</th><th>{tr("webhooks.events")}</th><th>{tr("webhooks.state")}</th><th></th></tr></thead>
                <tbody>
                    {move || loaded(list.get(), move |hooks| hooks.into_iter().map(|w| {
                        let id = w.id;
                        let events = w.event_types.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
                        let state = match (&w.disabled_reason, w.active) {
                            (Some(reason), _) => reason.clone(),
                            (None, true) => "active".to_owned(),
                            (None, false) => "paused".to_owned(),
                        };
                        view! { <tr>
                            <td><code>{w.url.clone()}</code></td><td class="muted">{events}</td><td>{state}</td>
                            <td>
                                <button class="small" on:click=move |_| open.set(Some(id))>{tr("webhooks.deliveries")}</button>" "
                                <button class="small" on:click=move |_| act(Box::pin(async move { webhooks::ping(session, id).await.map(|_| ()) }))>"Ping"</button>" "
                                <button class="small" on:click=move |_| act(Box::pin(async move { webhooks::delete(session, id).await }))>{tr("admin.delete")}</button>
                            </td>
                        </tr> }
                    }).collect_view())}
                </tbody>
            </table>
            {move || open.get().map(|id| view! {
                <h3>{tr("webhooks.deliveries")}" #"{id}</h3>
                <table data-testid="deliveries">
                    <thead><tr><th>{tr("webhooks.event")}</th><th>{tr("webhooks.state")}</th><th>{tr("webhooks.attempts")}</th><th>"HTTP"</th><th>{tr("webhooks.error")}</th><th></th></tr></thead>
                    <tbody>
                        {move || loaded(deliveries.get(), move |items| items.into_iter().map(|d| {
                            let delivery = d.id;
                            view! { <tr>
                                <td>{d.event_type.clone()}<br /><span class="muted">{d.created_at.format("%d.%m. %H:%M:%S").to_string()}</span></td>
                                <td>{d.status.clone()}</td><td>{d.attempts}</td>
                                <td>{d.response_status.map(|s| s.to_string()).unwrap_or_default()}</td>
                                <td class="muted">{d.last_error.clone().unwrap_or_default()}</td>
                                <td><button class="small" on:click=move |_| act(Box::pin(async move { webhooks::redeliver(session, id, delivery).await.map(|_| ()) }))>{tr("webhooks.redeliver")}</button></td>
                            </tr> }
                        }).collect_view())}
                    </tbody>
                </table>
            })}
            <form on:submit=create class="stack">
                <Field label="webhooks.url" name="webhook_url" value=url error=error required=true />
                <fieldset><legend>{tr("webhooks.events")}</legend>
                    {chosen.iter().map(|(e, on)| {
                        let on = *on;
                        view! { <label class="inline"><input type="checkbox" value=e.as_str() prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev)) />{e.as_str()}</label> }
                    }).collect_view()}
                </fieldset>
                <button type="submit">{tr("webhooks.create")}</button>
            </form>
            <ErrorText error=error />
        </section>
    }
}

/// The scheduled jobs: what they do, how often, the last run and the next one.
#[component]
fn Jobs() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let jobs = LocalResource::new(move || admin::jobs(session));
    view! {
        <section class="card" id="jobs">
            <h2>{tr("admin.jobs")}</h2>
            <table>
                <thead><tr><th>{tr("admin.job")}</th><th>{tr("admin.every")}</th><th>{tr("admin.last_run")}</th><th>{tr("admin.outcome")}</th><th>{tr("admin.next_run")}</th></tr></thead>
                <tbody>
                    {move || loaded(jobs.get(), |list| list.into_iter().map(|j| {
                        let last = j.last_run.clone();
                        view! { <tr class:failing=j.failing>
                            <td><strong>{j.name.clone()}</strong><br /><span class="muted">{job_description(&j.name, &j.description, i18n.0.get_untracked())}</span></td>
                            <td>{crate::components::duration_text(j.every_seconds / 60)}</td>
                            <td>{last.as_ref().map(|r| r.started_at.format("%d.%m. %H:%M:%S").to_string())}</td>
                            <td>{last.as_ref().map(|r| format!("{} {}", r.outcome, r.error.clone().unwrap_or_else(|| r.counts.to_string())))}</td>
                            <td>{j.next_run_at.format("%d.%m. %H:%M:%S").to_string()}</td>
                        </tr> }
                    }).collect_view())}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn EmailLog() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let log = LocalResource::new(move || admin::email_log(session));
    view! {
        <section class="card">
            <h2>{tr("admin.email_log")}</h2>
            <table>
                <thead><tr><th>"When"</th><th>"To"</th><th>"Template"</th><th>"Status"</th><th>"Attempts"</th><th>"Last error"</th></tr></thead>
                <tbody>
                    {move || loaded(log.get(), |page| page.items.into_iter().map(|e| view! { <tr>
                        <td>{e.created_at.format("%Y-%m-%d %H:%M").to_string()}</td><td>{e.recipient}</td><td title=e.template.clone()>{translated_or(&e.template, mail_key(&e.template), i18n.0.get_untracked())}</td>
                        <td>{translated_or(e.status.as_str(), email_status_key(e.status.as_str()), i18n.0.get_untracked())}</td><td>{e.attempts}</td><td>{e.last_error.unwrap_or_default()}</td>
                    </tr> }).collect_view())}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn InboundLog() -> impl IntoView {
    use helpdesk_types::email::InboundOutcome;
    let session = use_session();
    let i18n = crate::i18n::use_i18n();
    let log = LocalResource::new(move || admin::inbound_log(session));
    let outcome_key = |o: InboundOutcome| match o {
        InboundOutcome::TicketCreated => "inbound.ticket_created",
        InboundOutcome::CommentAdded => "inbound.comment_added",
        InboundOutcome::Ignored => "inbound.ignored",
        InboundOutcome::Bounce => "inbound.bounce",
        InboundOutcome::Refused => "inbound.refused",
    };
    view! {
        <section class="card" id="inbound">
            <h2>{tr("admin.inbound_log")}</h2>
            <p class="muted">{tr("admin.inbound_hint")}</p>
            <table>
                <thead><tr>
                    <th>{tr("inbound.when")}</th><th>{tr("inbound.from")}</th><th>{tr("inbound.subject")}</th>
                    <th>{tr("inbound.mailbox")}</th><th>{tr("inbound.outcome")}</th>
                </tr></thead>
                <tbody>
                    {move || loaded(log.get(), |page| page.items.into_iter().map(|e| {
                        let outcome = i18n.t(outcome_key(e.outcome));
                        let reason = e.reason.map(|r| format!(" ({r})")).unwrap_or_default();
                        view! { <tr>
                            <td>{e.created_at.format("%Y-%m-%d %H:%M").to_string()}</td><td>{e.sender}</td><td>{e.subject}</td>
                            <td>{e.mailbox}</td>
                            <td>{outcome}{reason}{e.ticket_number.map(|n| view! { " " <a href=format!("/tickets/{n}")>{format!("#{n}")}</a> })}</td>
                        </tr> }
                    }).collect_view())}
                </tbody>
            </table>
        </section>
    }
}
