//! File uploads with a progress bar: XMLHttpRequest reports upload progress, fetch does not.

use helpdesk_types::{Problem, tickets::Attachment};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, prelude::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

use super::ApiError;
use crate::session::Session;

/// The largest file the server accepts (checked before uploading). The server's own limit is
/// configurable (`HELPDESK_MAX_UPLOAD_BYTES`); its answer is what counts.
pub const MAX_BYTES: f64 = 5.0 * 1024.0 * 1024.0;
pub const ALLOWED: &[&str] = &["jpg", "jpeg", "png", "gif", "pdf", "doc", "docx", "txt", "zip", "rar"];

/// Why a file cannot be uploaded, before sending it (an i18n key).
pub fn precheck(file: &File) -> Option<&'static str> {
    let name = file.name().to_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    if !ALLOWED.contains(&ext) {
        Some("upload.bad_type")
    } else if file.size() > MAX_BYTES {
        Some("upload.too_big")
    } else {
        None
    }
}

/// Why a file cannot be uploaded, judged as the server will judge it: the extension, the size,
/// and the content (magic bytes, `helpdesk_types::validation::content_matches`). Checked before
/// anything is created, so a refused file never leaves half a ticket behind.
pub async fn check(file: &File) -> Option<&'static str> {
    if let Some(problem) = precheck(file) {
        return Some(problem);
    }
    let name = file.name().to_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_owned()).unwrap_or_default();
    let Ok(buffer) = JsFuture::from(file.array_buffer()).await else {
        return Some("upload.unreadable");
    };
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    (!helpdesk_types::validation::content_matches(&ext, &bytes)).then_some("upload.bad_content")
}

/// A file size as people read it: "512 B", "14 KB", "2.3 MB".
pub fn size_text(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", (b + 512) / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn js_err(e: wasm_bindgen::JsValue) -> ApiError {
    ApiError::Network(format!("{e:?}"))
}

/// Uploads `files` to a ticket (to one of its comments with `comment_id`); `progress` gets
/// 0.0..=1.0.
pub async fn upload(
    session: Session,
    ticket_id: i64,
    comment_id: Option<i64>,
    files: Vec<File>,
    progress: impl Fn(f64) + 'static,
) -> Result<Vec<Attachment>, ApiError> {
    let form = FormData::new().map_err(js_err)?;
    if let Some(id) = comment_id {
        form.append_with_str("comment_id", &id.to_string()).map_err(js_err)?;
    }
    for file in &files {
        form.append_with_blob_and_filename("file", file, &file.name()).map_err(js_err)?;
    }
    let xhr = XmlHttpRequest::new().map_err(js_err)?;
    xhr.open("POST", &format!("/api/v1/tickets/{ticket_id}/attachments")).map_err(js_err)?;
    if let Some(token) = session.token.get_untracked() {
        xhr.set_request_header("Authorization", &format!("Bearer {token}")).map_err(js_err)?;
    }
    let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            progress(e.loaded() / e.total());
        }
    });
    xhr.upload().map_err(js_err)?.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
    });
    xhr.send_with_opt_form_data(Some(&form)).map_err(js_err)?;
    JsFuture::from(done).await.map_err(|_| ApiError::Network("upload failed".into()))?;
    drop(on_progress);
    let text = xhr.response_text().map_err(js_err)?.unwrap_or_default();
    if (200..300).contains(&xhr.status().unwrap_or(0)) {
        serde_json::from_str(&text).map_err(|e| ApiError::Network(e.to_string()))
    } else {
        Err(serde_json::from_str::<Problem>(&text).map(ApiError::Problem).unwrap_or_else(|_| ApiError::Network(text)))
    }
}
