//! Reading an upload: the multipart body is read part by part; each file is checked (allowed
//! extension, content matching it by magic bytes, size limit while streaming) and stored under
//! a random key before the next part is read (P6).

use actix_multipart::{Field, Multipart, MultipartError};
use bytes::BytesMut;
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};

use super::validate;
use crate::{auth::tokens, error::ApiError, state::AppState};

/// Files per upload request.
pub const MAX_FILES: usize = 10;
/// Any other part (`comment_id`, or a field we do not read) may be this large at most.
const MAX_OTHER_PART: usize = 1024;
/// Parts other than files per request.
const MAX_OTHER_PARTS: usize = 20;

/// A file stored in the object store whose row is not committed yet.
#[derive(Debug, Clone)]
pub struct Received {
    pub key: String,
    pub filename: String,
    pub content_type: &'static str,
    pub size: i64,
    pub sha256: String,
}

fn multipart_error(err: MultipartError) -> ApiError {
    match err {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => {
            ApiError::UnsupportedMediaType("Send the files as multipart/form-data in the field `file`.".into())
        }
        other => ApiError::bad_request(format!("The multipart body could not be read: {other}")),
    }
}

/// A failure of the multipart stream itself; after one, the stream must not be polled again.
fn stream_error(err: MultipartError, broken: &mut bool) -> ApiError {
    *broken = true;
    multipart_error(err)
}

fn unsupported_type() -> ApiError {
    ApiError::UnsupportedMediaType(format!(
        "Only these file types are accepted, and the content must match the extension: {}.",
        validate::allowed_list()
    ))
}

/// Reads one file field, keeping at most `limit` bytes, and checks its type by content.
async fn receive(field: &mut Field, limit: u64, broken: &mut bool) -> Result<(Received, bytes::Bytes), ApiError> {
    let raw_name = field.content_disposition().and_then(|cd| cd.get_filename()).unwrap_or_default().to_owned();
    let ext =
        validate::extension(&raw_name).filter(|e| validate::content_type(e).is_some()).ok_or_else(unsupported_type)?;
    let mut buf = BytesMut::new();
    while let Some(chunk) = field.try_next().await.map_err(|e| stream_error(e, broken))? {
        if (buf.len() + chunk.len()) as u64 > limit {
            return Err(ApiError::PayloadTooLarge(format!(
                "Each file may be at most {limit} bytes ({} MiB).",
                limit / (1024 * 1024)
            )));
        }
        buf.extend_from_slice(&chunk);
    }
    if buf.is_empty() {
        return Err(ApiError::field("file", "is empty"));
    }
    if !validate::content_matches(&ext, &buf) {
        return Err(unsupported_type());
    }
    let bytes = buf.freeze();
    let received = Received {
        key: hex::encode(tokens::hash(&tokens::generate())),
        filename: validate::sanitize_filename(&raw_name, &ext),
        content_type: validate::content_type(&ext).unwrap_or("application/octet-stream"),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(&bytes)),
    };
    Ok((received, bytes))
}

/// Reads the rest of a rejected upload without keeping it, so the client can read the answer
/// (a server that stops reading mid-body makes many clients see a reset instead).
pub async fn drain(payload: &mut Multipart) {
    // Enough for the largest acceptable request, so a client over a limit still reads the answer.
    let mut budget: usize = 128 * 1024 * 1024;
    while let Ok(Some(mut field)) = payload.try_next().await {
        while let Ok(Some(chunk)) = field.try_next().await {
            budget = budget.saturating_sub(chunk.len());
            if budget == 0 {
                return;
            }
        }
    }
}

/// A part that is not a file, read up to a small limit (larger is a 413).
async fn small_part(field: &mut Field, broken: &mut bool) -> Result<Vec<u8>, ApiError> {
    let name = field.name().unwrap_or_default().to_owned();
    let mut buf = Vec::new();
    while let Some(chunk) = field.try_next().await.map_err(|e| stream_error(e, broken))? {
        buf.extend_from_slice(&chunk);
        if buf.len() > MAX_OTHER_PART {
            return Err(ApiError::PayloadTooLarge(format!(
                "The part {name:?} is larger than {MAX_OTHER_PART} bytes; only `file` parts may be large."
            )));
        }
    }
    Ok(buf)
}

/// The problem for uploads beyond the daily quota.
pub fn quota_exceeded(quota: u64) -> ApiError {
    ApiError::Client {
        status: actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        code: crate::error::ProblemCode::UploadQuotaExceeded,
        title: "Upload quota exceeded",
        detail: format!(
            "You may upload at most {} MiB within 24 hours; try again later or ask support.",
            quota / (1024 * 1024)
        ),
        extensions: Default::default(),
    }
}

/// Reads every part: stores each file as soon as it is validated, remembers `comment_id`.
/// `quota_left`: bytes the uploader may still store today. Nothing is read past the limits
/// (10 files of 5 MiB, 20 small other parts), so a request cannot fill memory or disk.
pub async fn receive_all(
    state: &AppState,
    payload: &mut Multipart,
    stored: &mut Vec<Received>,
    broken: &mut bool,
    quota_left: u64,
) -> Result<Option<i64>, ApiError> {
    let mut comment_id = None;
    let (mut file_bytes, mut other_parts) = (0_u64, 0_usize);
    while let Some(mut field) = payload.try_next().await.map_err(|e| stream_error(e, broken))? {
        if field.name() == Some("file") {
            if stored.len() == MAX_FILES {
                return Err(ApiError::field("file", format!("at most {MAX_FILES} files per request")));
            }
            let (received, bytes) = receive(&mut field, state.config.max_upload_bytes, broken).await?;
            file_bytes += bytes.len() as u64;
            if file_bytes > quota_left {
                return Err(quota_exceeded(state.config.upload_quota_bytes_per_day));
            }
            state.storage.put(&received.key, bytes).await?;
            stored.push(received);
            continue;
        }
        other_parts += 1;
        if other_parts > MAX_OTHER_PARTS {
            return Err(ApiError::PayloadTooLarge(format!("At most {MAX_OTHER_PARTS} parts besides files.")));
        }
        let is_comment = field.name() == Some("comment_id");
        let bytes = small_part(&mut field, broken).await?;
        if is_comment {
            let text = String::from_utf8(bytes).unwrap_or_default();
            comment_id = Some(text.trim().parse().map_err(|_| ApiError::field("comment_id", "must be a comment id"))?);
        }
    }
    Ok(comment_id)
}
