//! Calls to the Helpdesk API, one module per resource with typed functions
//! (`api::tickets::list(session, &query)`); pages hold no URL strings. Bodies are the shared
//! `helpdesk-types`; failures are decoded from RFC 9457 problem bodies. A 401 triggers one
//! silent refresh (the HttpOnly cookie) and a retry; if that fails too, the session ends and the
//! app shows the sign-in page.

pub mod admin;
pub mod auth;
pub mod canned;
pub mod contact;
pub mod me;
pub mod notifications;
pub mod privacy;
pub mod reports;
pub mod tickets;
pub mod tokens;
pub mod upload;
pub mod webhooks;

use gloo_net::http::{Request, RequestBuilder, Response};
use helpdesk_types::{Problem, accounts::TokenResponse};
use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};

use crate::session::Session;

/// A failed API call, in words a person can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Problem(Problem),
    Network(String),
}

impl ApiError {
    pub fn code(&self) -> &str {
        match self {
            Self::Problem(p) => &p.code,
            Self::Network(_) => "network",
        }
    }

    /// Checks fields before a request with the rules of `helpdesk_types::validation` (the ones
    /// the server applies), and fails with the problem the server would answer.
    pub fn check<'a>(fields: impl IntoIterator<Item = (&'a str, Option<String>)>) -> Result<(), ApiError> {
        let errors: std::collections::BTreeMap<String, Vec<String>> =
            fields.into_iter().filter_map(|(name, problem)| Some((name.to_owned(), vec![problem?]))).collect();
        if errors.is_empty() {
            return Ok(());
        }
        Err(ApiError::Problem(Problem {
            type_: "/problems/validation-failed".into(),
            title: "Validation failed".into(),
            status: 422,
            detail: Some("One or more fields are invalid.".into()),
            code: "validation_failed".into(),
            errors,
            request_id: None,
            extensions: Default::default(),
        }))
    }

    /// Messages for one field of a validation or conflict problem.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            Self::Problem(p) => p.errors.get(name).map(|m| m.join("; ")),
            Self::Network(_) => None,
        }
    }
}

impl std::error::Error for ApiError {}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Problem(p) => f.write_str(p.detail.as_deref().unwrap_or(&p.title)),
            Self::Network(e) => write!(f, "The server cannot be reached ({e})."),
        }
    }
}

fn network(e: impl std::fmt::Display) -> ApiError {
    ApiError::Network(e.to_string())
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        // Any success without a body (204, or a 202 with none) is "done".
        let text = response.text().await.map_err(network)?;
        let text = if text.trim().is_empty() { "null" } else { &text };
        serde_json::from_str(text).map_err(network)
    } else {
        match response.json::<Problem>().await {
            Ok(problem) => Err(ApiError::Problem(problem)),
            Err(_) => Err(ApiError::Network(format!("HTTP {}", response.status()))),
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

fn builder(method: Method, path: &str, token: Option<&str>, headers: &[(&str, &str)]) -> RequestBuilder {
    let b = match method {
        Method::Get => Request::get(path),
        Method::Post => Request::post(path),
        Method::Put => Request::put(path),
        Method::Patch => Request::patch(path),
        Method::Delete => Request::delete(path),
    };
    let b = headers.iter().fold(b, |b, (name, value)| b.header(name, value));
    match token {
        Some(t) => b.header("Authorization", &format!("Bearer {t}")),
        None => b,
    }
}

async fn send(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
    headers: &[(&str, &str)],
) -> Result<Response, ApiError> {
    let b = builder(method, path, token, headers);
    match body {
        Some(json) => b.json(json).map_err(network)?.send().await.map_err(network),
        None => b.send().await.map_err(network),
    }
}

/// Restores or renews the session from the HttpOnly refresh cookie.
pub async fn refresh(session: Session) -> bool {
    let body = serde_json::json!({});
    match send(Method::Post, "/api/v1/auth/refresh", None, Some(&body), &[]).await {
        Ok(r) if r.ok() => match r.json::<TokenResponse>().await {
            Ok(tokens) => {
                session.token.set(Some(tokens.access_token));
                session.user.set(Some(tokens.user));
                true
            }
            Err(_) => false,
        },
        _ => false,
    }
}

/// Calls the API as the signed-in person.
pub(crate) async fn call<T: DeserializeOwned>(
    session: Session,
    method: Method,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<T, ApiError> {
    call_with(session, method, path, body, &[]).await
}

/// [`call`] with extra request headers (an `Idempotency-Key`).
pub(crate) async fn call_with<T: DeserializeOwned>(
    session: Session,
    method: Method,
    path: &str,
    body: Option<&impl Serialize>,
    headers: &[(&str, &str)],
) -> Result<T, ApiError> {
    let json = body.map(serde_json::to_value).transpose().map_err(network)?;
    let token = session.token.get_untracked();
    let response = send(method, path, token.as_deref(), json.as_ref(), headers).await?;
    if response.status() == 403 && !path.starts_with("/api/v1/me") {
        // Staff who must set up two-factor sign-in are sent to the set-up first.
        let problem = decode::<serde_json::Value>(response).await;
        if let Err(ApiError::Problem(p)) = &problem
            && p.code == "two_factor_setup_required"
            && window().location().pathname().ok().as_deref() != Some("/profile")
        {
            let _ = window().location().set_href("/profile#two-factor");
        }
        return Err(problem.err().unwrap_or_else(|| ApiError::Network("HTTP 403".into())));
    }
    if response.status() == 401 && token.is_some() {
        if refresh(session).await {
            let token = session.token.get_untracked();
            return decode(send(method, path, token.as_deref(), json.as_ref(), headers).await?).await;
        }
        session.clear();
    }
    decode(response).await
}

pub(crate) async fn get<T: DeserializeOwned>(session: Session, path: &str) -> Result<T, ApiError> {
    call(session, Method::Get, path, None::<&()>).await
}

pub(crate) async fn post<T: DeserializeOwned>(
    session: Session,
    path: &str,
    body: &impl Serialize,
) -> Result<T, ApiError> {
    call(session, Method::Post, path, Some(body)).await
}

pub(crate) async fn patch<T: DeserializeOwned>(
    session: Session,
    path: &str,
    body: &impl Serialize,
) -> Result<T, ApiError> {
    call(session, Method::Patch, path, Some(body)).await
}

pub(crate) async fn put<T: DeserializeOwned>(
    session: Session,
    path: &str,
    body: &impl Serialize,
) -> Result<T, ApiError> {
    call(session, Method::Put, path, Some(body)).await
}

/// Calls without a session (sign-in, registration, password reset).
pub(crate) async fn anonymous<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: &impl Serialize,
) -> Result<T, ApiError> {
    let json = serde_json::to_value(body).map_err(network)?;
    decode(send(method, path, None, Some(&json), &[]).await?).await
}

/// A read that needs no session (the privacy settings).
pub(crate) async fn public_get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(send(Method::Get, path, None, None, &[]).await?).await
}

/// A fresh key for an `Idempotency-Key` header: a retried request with the same key runs once.
pub(crate) fn idempotency_key() -> String {
    let part = || format!("{:013x}", (js_sys::Math::random() * 4_503_599_627_370_496.0) as u64);
    format!("web-{}{}", part(), part())
}

/// Percent-encodes a path segment or query parameter value.
pub(crate) fn enc(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
