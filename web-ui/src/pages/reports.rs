//! Reports (staff): SLA met per tier, priority, category or agent, and the ticket volume with
//! the backlog over time, as inline SVG charts with their data tables.

use helpdesk_types::jobs::{SlaReportRow, VolumePoint};
use leptos::prelude::*;

use crate::{
    api::reports,
    charts::{BarChart, LineChart},
    components::{duration_text, loaded},
    i18n::{tr, use_i18n},
    session::use_session,
};

/// `YYYY-MM-DD`, `days` from today.
fn day(days: f64) -> String {
    let ms = js_sys::Date::now() + days * 86_400_000.0;
    let iso: String = js_sys::Date::new(&ms.into()).to_iso_string().into();
    iso.chars().take(10).collect()
}

#[component]
pub fn Reports() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let from = RwSignal::new(day(-30.0));
    let to = RwSignal::new(day(1.0));
    let group_by = RwSignal::new("tier".to_owned());
    let interval = RwSignal::new("day".to_owned());
    let range = move || (format!("{}T00:00:00Z", from.get()), format!("{}T00:00:00Z", to.get()));
    let sla = LocalResource::new(move || {
        let ((f, t), g) = (range(), group_by.get());
        async move { reports::sla(session, &f, &t, &g).await }
    });
    let volume = LocalResource::new(move || {
        let ((f, t), i) = (range(), interval.get());
        async move { reports::volume(session, &f, &t, &i).await }
    });
    let select = |value: RwSignal<String>, options: &'static [(&'static str, &'static str)], label: &'static str| {
        view! {
            <label>{move || i18n.t(label)}
                <select on:change=move |ev| value.set(event_target_value(&ev)) prop:value=move || value.get()>
                    {options.iter().map(|(v, key)| view! { <option value=*v>{move || i18n.t(key)}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <section class="card">
            <h1>{tr("reports.title")}</h1>
            <div class="filters">
                <label>{tr("reports.from")}<input type="date" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev)) /></label>
                <label>{tr("reports.to")}<input type="date" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev)) /></label>
                {select(group_by, &[("tier", "reports.by_tier"), ("priority", "reports.by_priority"), ("category", "reports.by_category"), ("agent", "reports.by_agent")], "reports.group_by")}
                {select(interval, &[("day", "reports.day"), ("week", "reports.week"), ("month", "reports.month")], "reports.interval")}
            </div>
        </section>
        <section class="card" data-testid="sla-report">
            {move || loaded(sla.get(), move |rows: Vec<SlaReportRow>| {
                let series = vec![
                    (i18n.t("reports.first_response_met").to_owned(), "first"),
                    (i18n.t("reports.resolution_met").to_owned(), "second"),
                ];
                let bars = rows.iter().map(|r| (r.group.clone(), vec![r.first_response_met_percent, r.resolution_met_percent])).collect();
                let minutes = |m: Option<f64>| m.map_or("–".to_owned(), |m| duration_text(m.round() as i64));
                view! {
                    <BarChart title=i18n.t("reports.sla_met").to_owned() series=series rows=bars />
                    <table class="report">
                        <thead><tr>
                            <th>{tr("reports.group")}</th><th>{tr("reports.tickets")}</th>
                            <th>{tr("reports.fr_median")}</th><th>{tr("reports.fr_p90")}</th>
                            <th>{tr("reports.res_median")}</th><th>{tr("reports.res_p90")}</th><th>{tr("reports.breaches")}</th>
                        </tr></thead>
                        <tbody>{rows.iter().map(|r| view! { <tr>
                            <th scope="row">{r.group.clone()}</th><td>{r.tickets}</td>
                            <td>{minutes(r.first_response_median_minutes)}</td><td>{minutes(r.first_response_p90_minutes)}</td>
                            <td>{minutes(r.resolution_median_minutes)}</td><td>{minutes(r.resolution_p90_minutes)}</td><td>{r.breaches}</td>
                        </tr> }).collect_view()}</tbody>
                    </table>
                    <p class="muted">{tr("reports.business_note")}</p>
                }
            })}
        </section>
        <section class="card" data-testid="volume-report">
            {move || loaded(volume.get(), move |points: Vec<VolumePoint>| {
                let labels = points.iter().map(|p| p.date.format("%d.%m.").to_string()).collect();
                let series = vec![
                    (i18n.t("reports.created").to_owned(), "first", points.iter().map(|p| p.created).collect()),
                    (i18n.t("reports.resolved").to_owned(), "second", points.iter().map(|p| p.resolved).collect()),
                    (i18n.t("reports.backlog").to_owned(), "third", points.iter().map(|p| p.backlog).collect()),
                ];
                view! { <LineChart title=i18n.t("reports.volume").to_owned() labels=labels series=series /> }
            })}
        </section>
    }
}
