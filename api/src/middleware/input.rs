//! Text that PostgreSQL cannot store, refused once, where input arrives: a NUL character
//! (U+0000) anywhere in the query string or in a JSON body is a 422 naming the parameter or
//! the field (`subject`, `holidays[0].name`), whatever the route. Other control characters are
//! the business of each field's rules. Every JSON body of this API is an object: an array or a
//! bare value is a 400 (serde would otherwise fill a struct from an array, field by position).

use actix_web::{
    Error, HttpMessage, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    middleware::Next,
};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use serde_json::Value;

use crate::{app::JSON_LIMIT_BYTES, error::ApiError};

const MESSAGE: &str = "must not contain NUL characters";

/// The path of the first string (or key) in `value` holding a NUL character.
fn nul_path(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::String(s) => s.contains('\0').then(|| at.to_owned()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| nul_path(v, &format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let path = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
            if k.contains('\0') { Some(path) } else { nul_path(v, &path) }
        }),
        _ => None,
    }
}

fn refuse<B>(req: ServiceRequest, field: &str) -> ServiceResponse<EitherBody<B>> {
    let response = ApiError::field(field, MESSAGE).error_response();
    req.into_response(response).map_into_right_body()
}

pub async fn middleware<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    if let Some(name) = form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.replace('\0', "\\0"))
    {
        return Ok(refuse(req, &name));
    }
    if req.content_type() == "application/json" {
        // Read the body (at most one byte past the JSON limit, which the extractor then
        // refuses), check it, and hand it on unchanged.
        let mut body = BytesMut::new();
        let mut payload = req.take_payload();
        while let Some(chunk) = payload.next().await {
            body.extend_from_slice(&chunk?);
            if body.len() > JSON_LIMIT_BYTES {
                break;
            }
        }
        let body: Bytes = body.freeze();
        if body.len() <= JSON_LIMIT_BYTES
            && let Ok(value) = serde_json::from_slice::<Value>(&body)
        {
            if let Some(field) = nul_path(&value, "") {
                return Ok(refuse(req, if field.is_empty() { "body" } else { &field }));
            }
            if !value.is_object() {
                let response = ApiError::bad_request("The JSON body must be an object.").error_response();
                return Ok(req.into_response(response).map_into_right_body());
            }
        }
        req.set_payload(Payload::from(body));
    }
    Ok(next.call(req).await?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_names_the_field_with_the_nul() {
        let v = serde_json::json!({"name": "ok", "holidays": [{"name": "ok"}, {"name": "a\u{0}b"}]});
        assert_eq!(nul_path(&v, "").as_deref(), Some("holidays[1].name"));
        assert_eq!(nul_path(&serde_json::json!({"a": [1, true, null]}), ""), None);
        assert_eq!(nul_path(&serde_json::json!("x\u{0}"), "").as_deref(), Some(""));
    }
}
