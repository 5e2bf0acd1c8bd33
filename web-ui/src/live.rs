//! Live updates from `GET /api/v1/stream` (Server-Sent Events). `EventSource` cannot send the
//! bearer token, so the stream is read with `fetch` and a body reader. Each event bumps a
//! counter that views track: the bell re-counts on `notification`, the queue and the ticket page
//! reload on `ticket`. A dropped stream reconnects after 3 s; the queue also polls every 30 s.

use gloo_net::http::Request;
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::session::Session;

/// Counters of live events; read them in a view or resource to refresh on change.
#[derive(Clone, Copy)]
pub struct Live {
    pub notifications: RwSignal<u64>,
    pub tickets: RwSignal<u64>,
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

impl Live {
    pub fn new() -> Self {
        Self { notifications: RwSignal::new(0), tickets: RwSignal::new(0) }
    }

    /// Keeps a stream open while someone is signed in.
    pub fn run(self, session: Session) {
        spawn_local(async move {
            loop {
                if let Some(token) = session.token.get_untracked() {
                    let _ = self.read(&token).await;
                }
                sleep(3000).await;
            }
        });
    }

    async fn read(self, token: &str) -> Result<(), wasm_bindgen::JsValue> {
        let response = Request::get("/api/v1/stream")
            .header("Authorization", &format!("Bearer {token}"))
            .send()
            .await
            .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))?;
        if !response.ok() {
            return Ok(());
        }
        let Some(body) = response.body() else { return Ok(()) };
        let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        let mut pending = String::new();
        loop {
            let chunk = JsFuture::from(reader.read()).await?;
            if js_sys::Reflect::get(&chunk, &"done".into())?.as_bool().unwrap_or(true) {
                return Ok(());
            }
            let bytes = js_sys::Uint8Array::new(&js_sys::Reflect::get(&chunk, &"value".into())?).to_vec();
            pending.push_str(&String::from_utf8_lossy(&bytes));
            while let Some(end) = pending.find("\n\n") {
                let frame: String = pending.drain(..end + 2).collect();
                for line in frame.lines() {
                    match line.strip_prefix("event: ") {
                        Some("notification") => self.notifications.update(|n| *n += 1),
                        Some("ticket" | "resync") => self.tickets.update(|n| *n += 1),
                        _ => {}
                    }
                }
            }
        }
    }
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}
