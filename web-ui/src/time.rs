//! Times as people read them: relative where they scan a list ("2 h ago", "due in 35 min"),
//! exact in the browser's time zone, with the zone named, on hover and where it matters.

use chrono::{DateTime, Utc};
use helpdesk_types::Locale;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::use_i18n;

/// Now, by the browser's clock.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// "just now", "5 min ago", "3 h ago", "2 d ago", "in 35 min", "in 4 h" (or in German).
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>, locale: Locale) -> String {
    let seconds = (at - now).num_seconds();
    let minutes = seconds.abs() / 60;
    let (n, unit_en, unit_de) = match minutes {
        0 => return if locale == Locale::De { "gerade eben".into() } else { "just now".into() },
        1..=59 => (minutes, "min", "Min."),
        60..=2879 => (minutes / 60, "h", "Std."),
        _ => (minutes / 1440, "d", if minutes / 1440 == 1 { "Tag" } else { "Tagen" }),
    };
    match (locale, seconds < 0) {
        (Locale::De, true) => format!("vor {n} {unit_de}"),
        (Locale::De, false) => format!("in {n} {unit_de}"),
        (_, true) => format!("{n} {unit_en} ago"),
        (_, false) => format!("in {n} {unit_en}"),
    }
}

/// The exact time in the browser's time zone with the zone's name ("2 Dec 2026, 14:05 CET").
pub fn exact(at: DateTime<Utc>, locale: Locale) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let options = js_sys::Object::new();
    for (key, value) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("timeZoneName", "short"),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    if let Some(zone) = chosen_zone() {
        let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &zone.into());
    }
    date.to_locale_string(if locale == Locale::De { "de-DE" } else { "en-GB" }, &options).into()
}

/// The time zone chosen in the profile (kept in this browser), if any; otherwise times show in
/// the browser's own zone.
pub fn chosen_zone() -> Option<String> {
    window().local_storage().ok().flatten()?.get_item("timezone").ok().flatten().filter(|z| !z.is_empty())
}

/// Remembers the chosen time zone (empty: the browser's own).
pub fn choose_zone(zone: &str) {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = if zone.is_empty() { storage.remove_item("timezone") } else { storage.set_item("timezone", zone) };
    }
}

/// The browser's own time zone and every zone it knows (IANA names).
pub fn zones() -> (String, Vec<String>) {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).unwrap_or(JsValue::UNDEFINED);
    let own = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    let own = js_sys::Reflect::get(&own, &"timeZone".into()).ok().and_then(|z| z.as_string()).unwrap_or_default();
    let list = js_sys::Reflect::get(&intl, &"supportedValuesOf".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(&intl, &"timeZone".into()).ok())
        .map(|v| js_sys::Array::from(&v).iter().filter_map(|z| z.as_string()).collect())
        .unwrap_or_default();
    (own, list)
}

/// A time shown relative to now, exact on hover; refreshed each minute.
#[component]
pub fn When(at: DateTime<Utc>) -> impl IntoView {
    let i18n = use_i18n();
    let tick = use_minute();
    view! {
        <time datetime=at.to_rfc3339() title=move || exact(at, i18n.0.get())>
            {move || { tick.track(); relative(at, now(), i18n.0.get()) }}
        </time>
    }
}

/// A signal that changes once a minute while the page is open (for relative times).
pub fn use_minute() -> RwSignal<u32> {
    if let Some(tick) = use_context::<Minute>() {
        return tick.0;
    }
    RwSignal::new(0)
}

/// The app's minute tick, provided once by the shell.
#[derive(Clone, Copy)]
pub struct Minute(pub RwSignal<u32>);

impl Minute {
    pub fn start() -> Self {
        let tick = RwSignal::new(0u32);
        let _ = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(60));
        Self(tick)
    }
}
