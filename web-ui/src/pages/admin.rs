//! Administration: users, organizations, categories, SLA policies, the email log.

use helpdesk_types::{
    Role,
    accounts::{CreateUser, UpdateUser},
    organizations::{Category, CategoryInput, ContractTier, JoinPolicy, OrganizationInput, SlaPolicy, SlaPolicyInput},
};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{ApiError, admin, tickets},
    components::{ErrorText, Field, loaded},
    i18n::tr,
    session::use_session,
};

#[component]
pub fn Admin() -> impl IntoView {
    view! {
        <section class="card"><h1>{tr("admin.title")}</h1></section>
        <Users />
        <Organizations />
        <Categories />
        <SlaPolicies />
        <EmailLog />
    }
}

#[component]
fn Users() -> impl IntoView {
    let session = use_session();
    let version = RwSignal::new(0);
    let users = LocalResource::new(move || {
        version.track();
        admin::users(session)
    });
    let [full_name, email, username] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let role = RwSignal::new("agent".to_owned());
    let error = RwSignal::new(None::<ApiError>);
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
    let erase = move |id: i64| {
        if !window().confirm_with_message("Erase this account for good?").unwrap_or(false) {
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
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{tr("admin.users")}</h2>
            <table>
                <tbody>
                    {move || loaded(users.get(), move |page| page.items.into_iter().map(|u| {
                        let id = u.id;
                        view! { <tr>
                            <td>{u.full_name}</td><td>{u.email}</td>
                            <td><select on:change=move |ev| set(id, UpdateUser { role: event_target_value(&ev).parse().ok(), ..Default::default() })>
                                {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == u.role>{r.as_str()}</option> }).collect_view()}
                            </select></td>
                            <td>{if u.active { "active" } else { "inactive" }}</td>
                            <td>{u.active.then(|| view! { <button class="small" on:click=move |_| set(id, UpdateUser { active: Some(false), ..Default::default() })>{tr("admin.deactivate")}</button> })}</td>
                            <td>{if u.restricted {
                                view! { <button class="small" on:click=move |_| restrict(id, false)>{tr("admin.lift")}</button> }.into_any()
                            } else {
                                view! { <button class="small" on:click=move |_| restrict(id, true)>{tr("admin.restrict")}</button> }.into_any()
                            }}</td>
                            <td><button class="small danger" on:click=move |_| erase(id)>{tr("admin.erase")}</button></td>
                        </tr> }
                    }).collect_view())}
                </tbody>
            </table>
            <form on:submit=create class="inline-form">
                <Field label="register.full_name" name="full_name" value=full_name error=error required=true />
                <Field label="register.email" name="email" value=email error=error kind="email" required=true />
                <Field label="register.username" name="username" value=username error=error required=true />
                <label for="new-role">"Role"</label>
                <select id="new-role" on:change=move |ev| role.set(event_target_value(&ev))>
                    <option value="agent">"agent"</option><option value="admin">"admin"</option><option value="customer">"customer"</option>
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
            match admin::create_organization(session, &body).await {
                Ok(_) => {
                    error.set(None);
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
                {move || loaded(orgs.get(), |page| page.items.into_iter().map(|o| {
                    let approval = o.join_policy == JoinPolicy::Approval;
                    view! {
                        <li>{o.name}" · "{o.contract_tier.as_str()}" · "{o.domains.join(", ")}
                            {o.dpa_signed_at.map(|d| format!(" · DPA {d}"))}
                            {approval.then(|| view! { <PendingMembers organization_id=o.id /> })}</li>
                    }
                }).collect_view())}
            </ul>
            <form on:submit=create class="inline-form">
                <Field label="register.company" name="name" value=name error=error required=true />
                <Field label="Domains" name="domains" value=domains error=error />
                <label for="tier">"Contract"</label>
                <select id="tier" on:change=move |ev| tier.set(event_target_value(&ev))>
                    {ContractTier::ALL.iter().map(|t| view! { <option value=t.as_str()>{t.as_str()}</option> }).collect_view()}
                </select>
                <Field label="DPA" name="dpa_signed_at" value=dpa error=error kind="date" />
                <label for="join-policy">{tr("admin.join_policy")}</label>
                <select id="join-policy" on:change=move |ev| policy.set(event_target_value(&ev))>
                    <option value="verified_domain">{tr("admin.join_verified")}</option>
                    <option value="approval">{tr("admin.join_approval")}</option>
                </select>
                <button type="submit">{tr("admin.create")}</button>
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
fn SlaPolicies() -> impl IntoView {
    let session = use_session();
    let policies = LocalResource::new(move || admin::sla_policies(session));
    let error = RwSignal::new(None::<ApiError>);
    let save = move |p: SlaPolicy, first: String, resolution: String| {
        let body = SlaPolicyInput {
            first_response_minutes: first.parse().unwrap_or(0),
            resolution_minutes: resolution.parse().unwrap_or(0),
            calendar_id: None,
            at_risk_percent: None,
        };
        spawn_local(async move {
            if let Err(e) = admin::put_sla_policy(session, &p, &body).await {
                error.set(Some(e));
            }
        });
    };
    view! {
        <section class="card">
            <h2>{tr("admin.sla")}</h2>
            <table>
                <thead><tr><th>"Tier"</th><th>"Priority"</th><th>"First response (min)"</th><th>"Resolution (min)"</th></tr></thead>
                <tbody>
                    {move || loaded(policies.get(), move |list| list.into_iter().map(|p| {
                        let first = RwSignal::new(p.first_response_minutes.to_string());
                        let resolution = RwSignal::new(p.resolution_minutes.to_string());
                        let policy = p.clone();
                        view! { <tr>
                            <td>{p.contract_tier.as_str()}</td><td>{p.priority.as_str()}</td>
                            <td><input type="number" min="1" aria-label="first response minutes" prop:value=move || first.get() on:input=move |ev| first.set(event_target_value(&ev)) /></td>
                            <td><input type="number" min="1" aria-label="resolution minutes" prop:value=move || resolution.get() on:input=move |ev| resolution.set(event_target_value(&ev)) /></td>
                            <td><button class="small" on:click=move |_| save(policy.clone(), first.get_untracked(), resolution.get_untracked())>{tr("ticket.save")}</button></td>
                        </tr> }
                    }).collect_view())}
                </tbody>
            </table>
            <ErrorText error=error />
        </section>
    }
}

#[component]
fn EmailLog() -> impl IntoView {
    let session = use_session();
    let log = LocalResource::new(move || admin::email_log(session));
    view! {
        <section class="card">
            <h2>{tr("admin.email_log")}</h2>
            <table>
                <thead><tr><th>"When"</th><th>"To"</th><th>"Template"</th><th>"Status"</th><th>"Attempts"</th><th>"Last error"</th></tr></thead>
                <tbody>
                    {move || loaded(log.get(), |page| page.items.into_iter().map(|e| view! { <tr>
                        <td>{e.created_at.format("%Y-%m-%d %H:%M").to_string()}</td><td>{e.recipient}</td><td>{e.template}</td>
                        <td>{e.status.as_str()}</td><td>{e.attempts}</td><td>{e.last_error.unwrap_or_default()}</td>
                    </tr> }).collect_view())}
                </tbody>
            </table>
        </section>
    }
}
