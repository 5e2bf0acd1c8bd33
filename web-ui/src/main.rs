//! Helpdesk web UI: a Leptos single-page app, client-side rendered, served by the API binary.
//! It uses only the public API, through the types in `helpdesk-types`.

mod api;
mod app;
mod charts;
mod components;
mod i18n;
mod live;
mod markdown;
mod pages;
mod session;
mod time;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
