//! Domain helpers: requests that read like the spec (`app.open_ticket(..)`,
//! `app.create_organization(..)`), shared by every test file.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{Session, TestApp};

impl TestApp {
    /// `method path` as `session` (a guest when `None`) with an optional JSON body: the status
    /// and the JSON body (`null` when there is none).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        session: Option<&Session>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path);
        if let Some(s) = session {
            request = request.bearer_auth(&s.access_token);
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.expect("send the request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// As [`TestApp::send`] as `session`, asserting a 2xx; returns the body.
    pub async fn ok(&self, method: Method, path: &str, session: &Session, body: Option<Value>) -> Value {
        let (status, value) = self.send(method.clone(), path, Some(session), body).await;
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        value
    }

    /// `GET path` without a session, asserting a 2xx; returns the body.
    pub async fn ok_guest(&self, path: &str) -> Value {
        let (status, value) = self.send(Method::GET, path, None, None).await;
        assert!(status.is_success(), "GET {path}: {status} {value}");
        value
    }

    /// Opens a ticket with any body as `session`, asserting success; returns it.
    pub async fn create_ticket(&self, session: &Session, body: Value) -> Value {
        self.ok(Method::POST, "/api/v1/tickets", session, Some(body)).await
    }

    /// Opens a ticket as `session`; returns it.
    pub async fn open_ticket(&self, session: &Session, subject: &str, description: &str) -> Value {
        self.create_ticket(session, json!({"subject": subject, "description": description})).await
    }

    /// Creates an organization owning `domain`; returns its id.
    pub async fn create_organization(
        &self,
        admin: &Session,
        name: &str,
        domain: &str,
        tier: &str,
        shares_tickets: bool,
    ) -> i64 {
        let body = json!({"name": name, "domains": [domain], "contract_tier": tier, "shares_tickets": shares_tickets});
        self.ok(Method::POST, "/api/v1/organizations", admin, Some(body)).await["id"].as_i64().expect("an id")
    }
}

impl TestApp {
    /// Attaches one text file to a ticket (optionally to a comment) as `session`; the status and
    /// the created attachments.
    pub async fn attach(
        &self,
        session: &Session,
        ticket_id: i64,
        comment_id: Option<i64>,
        filename: &str,
    ) -> (StatusCode, Value) {
        let part = reqwest::multipart::Part::bytes(b"attached text".to_vec()).file_name(filename.to_owned());
        let mut form = reqwest::multipart::Form::new().part("file", part);
        if let Some(id) = comment_id {
            form = form.text("comment_id", id.to_string());
        }
        let path = format!("/api/v1/tickets/{ticket_id}/attachments");
        let response = self.authed(Method::POST, &path, session).multipart(form).send().await.expect("upload");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}
