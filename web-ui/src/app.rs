//! The application shell.

use leptos::prelude::*;

use crate::api;

#[component]
pub fn App() -> impl IntoView {
    let health = LocalResource::new(api::ready);
    view! {
        <main class="shell">
            <h1>"Helpdesk"</h1>
            <Suspense fallback=|| view! { <p class="status">"Checking the server…"</p> }>
                {move || health.get().map(|result| match result {
                    Ok(h) => view! {
                        <p class="status ok" id="health">"Server ready (version " {h.version} ")"</p>
                    }.into_any(),
                    Err(e) => view! {
                        <p class="status error" id="health" role="alert">"Server not ready: " {e.to_string()}</p>
                    }.into_any(),
                })}
            </Suspense>
        </main>
    }
}
