//! Helpdesk web UI: a Leptos single-page app, client-side rendered, served by the API binary.

mod api;
mod app;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
