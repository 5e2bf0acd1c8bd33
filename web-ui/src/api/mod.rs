//! Calls to the Helpdesk API. Bodies are the shared `helpdesk-types`; failures are decoded
//! from RFC 9457 problem bodies into [`ApiError`].

use gloo_net::http::{Request, Response};
use helpdesk_types::{Health, Problem};
use serde::de::DeserializeOwned;

/// A failed API call, in words a person can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with a problem body.
    Problem(Problem),
    /// The server could not be reached or answered something unreadable.
    Network(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Problem(p) => f.write_str(p.detail.as_deref().unwrap_or(&p.title)),
            Self::Network(e) => write!(f, "The server cannot be reached ({e})."),
        }
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        response.json().await.map_err(|e| ApiError::Network(e.to_string()))
    } else {
        match response.json::<Problem>().await {
            Ok(problem) => Err(ApiError::Problem(problem)),
            Err(_) => Err(ApiError::Network(format!("HTTP {}", response.status()))),
        }
    }
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let response = Request::get(path).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    decode(response).await
}

/// `GET /health/ready`
pub async fn ready() -> Result<Health, ApiError> {
    get("/health/ready").await
}
