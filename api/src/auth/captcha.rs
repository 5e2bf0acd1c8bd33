//! hCaptcha verification (P8): POST `secret`, `response`, `remoteip` to the verify URL. An
//! unreachable or broken verifier is a 503, never a bypass.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{config::Captcha, error::ApiError};

pub struct CaptchaVerifier {
    client: reqwest::Client,
    settings: Captcha,
}

#[derive(Deserialize)]
struct VerifyResponse {
    success: bool,
}

impl CaptchaVerifier {
    pub fn new(settings: Captcha) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
        Ok(Self { client, settings })
    }

    /// Whether a captcha can be asked for (a secret is configured).
    pub fn enabled(&self) -> bool {
        self.settings.secret.is_some()
    }

    /// The problem telling the client to solve a captcha, with the site key for the widget.
    pub fn required(&self, detail: &str) -> ApiError {
        let mut extensions = Map::new();
        extensions.insert("sitekey".into(), self.settings.sitekey.clone().map_or(Value::Null, Value::String));
        ApiError::Client {
            status: actix_web::http::StatusCode::FORBIDDEN,
            code: crate::error::ProblemCode::CaptchaRequired,
            title: "Captcha required",
            detail: detail.to_owned(),
            extensions,
        }
    }

    /// Checks a captcha response with the verifier.
    pub async fn verify(&self, response: &str, client_ip: Option<&str>) -> Result<bool, ApiError> {
        let Some(secret) = &self.settings.secret else { return Ok(false) };
        let mut form = vec![("secret", secret.expose()), ("response", response)];
        if let Some(ip) = client_ip {
            form.push(("remoteip", ip));
        }
        let reply = self
            .client
            .post(&self.settings.verify_url)
            .form(&form)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| ApiError::Unavailable(format!("captcha verifier unreachable: {e}")))?;
        let body: VerifyResponse = reply
            .json()
            .await
            .map_err(|e| ApiError::Unavailable(format!("captcha verifier answered nonsense: {e}")))?;
        Ok(body.success)
    }
}
