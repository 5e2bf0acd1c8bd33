//! Webhooks (#13): signed deliveries of what happens, retried until the receiver takes them, in
//! order per ticket, with a delivery log; private targets refused unless allowed.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD};
use helpdesk_tests::TestApp;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A loopback HTTP receiver that verifies each delivery's signature and answers with the next
/// status of `plan` (then 200).
#[derive(Clone)]
struct Receiver {
    url: String,
    /// (webhook-id, verified, body) of every request.
    got: Arc<Mutex<Vec<(String, bool, Value)>>>,
}

impl Receiver {
    async fn start(secret: Arc<Mutex<String>>, plan: Vec<u16>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let plan = Arc::new(Mutex::new(plan));
        let seen = Arc::clone(&got);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (secret, seen, plan) = (Arc::clone(&secret), Arc::clone(&seen), Arc::clone(&plan));
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let (head, body) = loop {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..at]).to_string();
                            let length: usize = head
                                .lines()
                                .find_map(|l| {
                                    l.to_lowercase()
                                        .strip_prefix("content-length:")
                                        .map(|v| v.trim().parse().unwrap_or(0))
                                })
                                .unwrap_or(0);
                            while buf.len() < at + 4 + length {
                                let n = socket.read(&mut chunk).await.unwrap_or(0);
                                if n == 0 {
                                    break;
                                }
                                buf.extend_from_slice(&chunk[..n]);
                            }
                            break (head, String::from_utf8_lossy(&buf[at + 4..]).to_string());
                        }
                    };
                    let header = |name: &str| {
                        head.lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                            })
                            .unwrap_or_default()
                    };
                    let (id, ts, sig) =
                        (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
                    let key = STANDARD.decode(secret.lock().unwrap().trim_start_matches("whsec_")).unwrap_or_default();
                    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
                    mac.update(format!("{id}.{ts}.{body}").as_bytes());
                    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
                    let verified = sig.split(' ').any(|s| s == expected);
                    seen.lock().unwrap().push((id, verified, serde_json::from_str(&body).unwrap_or(Value::Null)));
                    let status = {
                        let mut plan = plan.lock().unwrap();
                        if plan.is_empty() { 200 } else { plan.remove(0) }
                    };
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nretry-after: 0\r\nconnection: close\r\n\r\nok"
                    );
                    let _ = socket.write_all(reply.as_bytes()).await;
                });
            }
        });
        Self { url, got }
    }

    fn events(&self) -> Vec<(String, bool, Value)> {
        self.got.lock().unwrap().clone()
    }

    async fn wait_for(&self, n: usize) -> Vec<(String, bool, Value)> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let events = self.events();
            if events.len() >= n {
                return events;
            }
            assert!(tokio::time::Instant::now() < deadline, "{} of {n} deliveries: {events:?}", events.len());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn subscribed_events_arrive_signed_in_order_and_failures_are_retried() {
    let app = TestApp::builder().env("HELPDESK_WEBHOOK_ALLOW_PRIVATE", "true").spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let customer = app.customer("cust").await;
    let secret = Arc::new(Mutex::new(String::new()));
    // The first delivery meets a 503: it is retried, and nothing after it for the same ticket
    // overtakes it.
    let receiver = Receiver::start(Arc::clone(&secret), vec![503]).await;
    let created = app
        .ok(
            Method::POST,
            "/api/v1/webhooks",
            &admin,
            Some(json!({"url": receiver.url, "event_types": ["ticket.created", "ticket.status_changed", "comment.created"]})),
        )
        .await;
    *secret.lock().unwrap() = created["secret"].as_str().unwrap().to_owned();
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    let webhook = created["webhook"]["id"].as_i64().unwrap();

    let t = app.open_ticket(&customer, "Webhook", "x").await;
    let path = format!("/api/v1/tickets/{}", t["id"]);
    app.ok(Method::POST, &format!("{path}/comments"), &agent, Some(json!({"body": "secret note", "internal": true})))
        .await;
    app.ok(Method::POST, &format!("{path}/comments"), &agent, Some(json!({"body": "public answer"}))).await;
    app.ok(Method::PATCH, &path, &agent, Some(json!({"status": "pending"}))).await;

    let got = receiver.wait_for(5).await;
    assert!(got.iter().all(|(_, verified, _)| *verified), "every delivery is signed: {got:?}");
    // The retried first delivery kept its id; then the rest in order; the internal note never.
    assert_eq!(got[0].0, got[1].0, "a retry carries the same Webhook-Id");
    let delivered: Vec<&str> = got[1..].iter().map(|(_, _, b)| b["type"].as_str().unwrap()).collect();
    assert_eq!(
        delivered,
        ["ticket.created", "comment.created", "ticket.status_changed", "ticket.status_changed"][..delivered.len()]
    );
    assert!(got.iter().all(|(_, _, b)| !b.to_string().contains("secret note")), "no internal note");
    assert_eq!(got[1].2["data"]["ticket"]["number"], t["number"]);

    let log = app.ok(Method::GET, &format!("/api/v1/webhooks/{webhook}/deliveries"), &admin, None).await;
    let first = log["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((first["status"].as_str(), first["attempts"].as_i64()), (Some("delivered"), Some(2)), "{first}");
    assert_eq!(first["response_status"], 200);
    let ping = app.ok(Method::POST, &format!("/api/v1/webhooks/{webhook}/ping"), &admin, None).await;
    assert_eq!(ping["event_type"], "webhook.ping");
    let before = receiver.events().len();
    receiver.wait_for(before + 1).await;
    // The privacy page names the connected systems (P15: it never promises what is not so).
    let privacy = app.ok_guest("/api/v1/privacy").await;
    assert_eq!(privacy["webhook_hosts"], json!(["127.0.0.1"]));
    let (status, _) = app.send(Method::GET, "/api/v1/webhooks", Some(&agent), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents without a token cannot manage webhooks");
}

#[tokio::test]
async fn webhooks_refuse_bad_targets_and_private_addresses_unless_allowed() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    for body in [
        json!({"url": "ftp://example.com/x", "event_types": ["ticket.created"]}),
        json!({"url": "not a url", "event_types": ["ticket.created"]}),
        json!({"url": "https://user:pw@example.com/x", "event_types": ["ticket.created"]}),
        json!({"url": "https://example.com/x", "event_types": []}),
    ] {
        let (status, problem) = app.send(Method::POST, "/api/v1/webhooks", Some(&admin), Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
    }
    let secret = Arc::new(Mutex::new(String::new()));
    let receiver = Receiver::start(secret, vec![]).await;
    let created = app
        .ok(
            Method::POST,
            "/api/v1/webhooks",
            &admin,
            Some(json!({"url": receiver.url, "event_types": ["ticket.created"]})),
        )
        .await;
    let webhook = created["webhook"]["id"].as_i64().unwrap();
    app.ok(Method::POST, &format!("/api/v1/webhooks/{webhook}/ping"), &admin, None).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let log = app.ok(Method::GET, &format!("/api/v1/webhooks/{webhook}/deliveries"), &admin, None).await;
        if log["items"][0]["status"] == "failed" {
            assert!(log["items"][0]["last_error"].as_str().unwrap().contains("private"), "{log}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{log}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(receiver.events().is_empty(), "nothing reached the loopback receiver");
}
