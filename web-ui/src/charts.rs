//! Charts drawn as inline SVG by our own small components: no chart library, no CDN. Each chart
//! has its numbers in a table behind a `<details>` toggle, for screen readers and for copying.

use leptos::prelude::*;

use crate::i18n::tr;

const WIDTH: f64 = 640.0;
const BAR_HEIGHT: f64 = 22.0;
const LABEL: f64 = 140.0;

/// Horizontal bars of percentages, one row per group and series (`None`: no data).
#[component]
pub fn BarChart(
    title: String,
    /// Series names (already translated) and their CSS class.
    series: Vec<(String, &'static str)>,
    /// Group label and one value per series.
    rows: Vec<(String, Vec<Option<f64>>)>,
) -> impl IntoView {
    let per_group = series.len().max(1) as f64;
    let height = rows.len() as f64 * (per_group * BAR_HEIGHT + 10.0) + 10.0;
    let scale = (WIDTH - LABEL - 60.0) / 100.0;
    let bars = rows
        .iter()
        .enumerate()
        .flat_map(|(g, (label, values))| {
            let top = 10.0 + g as f64 * (per_group * BAR_HEIGHT + 10.0);
            let label_view = view! { <text x="0" y=top + BAR_HEIGHT * per_group / 2.0 + 4.0 class="chart-label">{label.clone()}</text> };
            let series = series.clone();
            std::iter::once(label_view.into_any()).chain(values.iter().enumerate().map(move |(s, v)| {
                let y = top + s as f64 * BAR_HEIGHT;
                let class = series.get(s).map_or("", |x| x.1);
                let value = v.unwrap_or(0.0);
                let text = v.map_or("–".to_owned(), |v| format!("{v:.1} %"));
                view! {
                    <g>
                        <rect x=LABEL y=y width=(value * scale).max(1.0) height=BAR_HEIGHT - 4.0 class=format!("bar {class}") />
                        <text x=LABEL + value * scale + 6.0 y=y + BAR_HEIGHT - 9.0 class="chart-value">{text}</text>
                    </g>
                }
                .into_any()
            }))
        })
        .collect_view();
    let legend = series
        .iter()
        .map(|(name, class)| view! { <span class=format!("legend {class}")>{name.clone()}</span> })
        .collect_view();
    let head = series.iter().map(|(name, _)| view! { <th>{name.clone()}</th> }).collect_view();
    let body = rows
        .iter()
        .map(|(label, values)| {
            let cells = values
                .iter()
                .map(|v| view! { <td>{v.map_or("–".to_owned(), |v| format!("{v:.1} %"))}</td> })
                .collect_view();
            view! { <tr><th scope="row">{label.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <div class="legend-row">{legend}</div>
            <svg role="img" aria-label=title viewBox=format!("0 0 {WIDTH} {height}") width="100%">{bars}</svg>
            <details><summary>{tr("reports.show_data")}</summary>
                <table><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>
            </details>
        </figure>
    }
}

/// Lines over time: one polyline per series.
#[component]
pub fn LineChart(
    title: String,
    /// The x-axis labels (dates).
    labels: Vec<String>,
    /// Series name, CSS class, values (one per label).
    series: Vec<(String, &'static str, Vec<i64>)>,
) -> impl IntoView {
    let height = 240.0;
    let (left, bottom, top) = (50.0, 30.0, 10.0);
    let max = series.iter().flat_map(|s| s.2.iter().copied()).max().unwrap_or(0).max(1) as f64;
    let n = labels.len().max(2) as f64;
    let x = move |i: usize| left + i as f64 * (WIDTH - left - 10.0) / (n - 1.0);
    let y = move |v: i64| top + (height - top - bottom) * (1.0 - v as f64 / max);
    let lines = series
        .iter()
        .map(|(name, class, values)| {
            let points: String = values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1} ", x(i), y(*v))).collect();
            view! { <polyline points=points class=format!("line {class}")><title>{name.clone()}</title></polyline> }
        })
        .collect_view();
    let step = (labels.len() / 6).max(1);
    let ticks = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(i, l)| view! { <text x=x(i) y=height - 8.0 class="chart-label" text-anchor="middle">{l.clone()}</text> })
        .collect_view();
    let legend = series
        .iter()
        .map(|(name, class, _)| view! { <span class=format!("legend {class}")>{name.clone()}</span> })
        .collect_view();
    let head = series.iter().map(|(name, _, _)| view! { <th>{name.clone()}</th> }).collect_view();
    let body = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let cells = series.iter().map(|s| view! { <td>{s.2.get(i).copied().unwrap_or(0)}</td> }).collect_view();
            view! { <tr><th scope="row">{l.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <div class="legend-row">{legend}</div>
            <svg role="img" aria-label=title viewBox=format!("0 0 {WIDTH} {height}") width="100%">
                <line x1=left y1=y(0) x2=WIDTH - 10.0 y2=y(0) class="axis" />
                <text x="0" y=y(max as i64) + 4.0 class="chart-label">{max as i64}</text>
                <text x="0" y=y(0) + 4.0 class="chart-label">"0"</text>
                {lines}
                {ticks}
            </svg>
            <details><summary>{tr("reports.show_data")}</summary>
                <table><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>
            </details>
        </figure>
    }
}
