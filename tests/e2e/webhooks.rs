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
    addr: std::net::SocketAddr,
    secret: Arc<Mutex<String>>,
    plan: Arc<Mutex<Vec<u16>>>,
    /// The accept loop; aborting it closes the port (connections are refused).
    server: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl Receiver {
    async fn start(secret: Arc<Mutex<String>>, plan: Vec<u16>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let receiver = Self {
            url: format!("http://{addr}/hook"),
            got: Arc::new(Mutex::new(Vec::new())),
            addr,
            secret,
            plan: Arc::new(Mutex::new(plan)),
            server: Arc::new(Mutex::new(None)),
        };
        receiver.serve(listener);
        receiver
    }

    /// Goes down: the port refuses connections until [`Receiver::restart`].
    fn stop(&self) {
        if let Some(server) = self.server.lock().unwrap().take() {
            server.abort();
        }
    }

    async fn restart(&self) {
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let (secret, seen, plan) = (Arc::clone(&self.secret), Arc::clone(&self.got), Arc::clone(&self.plan));
        let server = tokio::spawn(async move {
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
        *self.server.lock().unwrap() = Some(server);
    }

    fn events(&self) -> Vec<(String, bool, Value)> {
        self.got.lock().unwrap().clone()
    }

    async fn wait_for(&self, n: usize) -> Vec<(String, bool, Value)> {
        self.wait_for_within(n, Duration::from_secs(30)).await
    }

    async fn wait_for_within(&self, n: usize, within: Duration) -> Vec<(String, bool, Value)> {
        let deadline = tokio::time::Instant::now() + within;
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

/// The events of `got` once each (the first delivery of every `Webhook-Id`).
fn deduplicated(got: &[(String, bool, Value)]) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    got.iter().filter(|(id, _, _)| seen.insert(id.clone())).map(|(_, _, body)| body.clone()).collect()
}

#[tokio::test]
async fn a_receiver_down_for_a_minute_then_gets_every_event_once_and_in_order_per_ticket() {
    let app = TestApp::builder().env("HELPDESK_WEBHOOK_ALLOW_PRIVATE", "true").spawn().await;
    let admin = app.admin("admin").await;
    let customer = app.customer("cust").await;
    let secret = Arc::new(Mutex::new(String::new()));
    let receiver = Receiver::start(Arc::clone(&secret), vec![]).await;
    let events = ["ticket.created", "comment.created", "ticket.status_changed"];
    let body = json!({"url": receiver.url, "event_types": events});
    let created = app.ok(Method::POST, "/api/v1/webhooks", &admin, Some(body)).await;
    *secret.lock().unwrap() = created["secret"].as_str().unwrap().to_owned();

    // What happens to each ticket, in order: (ticket id, event type, comment body).
    let mut expected: Vec<(i64, &str, String)> = Vec::new();
    let mut tickets = Vec::new();
    for n in 0..3 {
        let t = app.open_ticket(&customer, &format!("Outage {n}"), "x").await;
        expected.push((t["id"].as_i64().unwrap(), "ticket.created", String::new()));
        tickets.push(t["id"].as_i64().unwrap());
    }
    receiver.wait_for(3).await;

    receiver.stop();
    let down = tokio::time::Instant::now();
    // The customer adds to each ticket three times during the outage (a reply by the requester
    // leaves a new ticket's status alone); then an agent sets each to pending.
    for round in 0..3 {
        for &ticket in &tickets {
            let text = format!("round {round} on {ticket}");
            let path = format!("/api/v1/tickets/{ticket}/comments");
            app.ok(Method::POST, &path, &customer, Some(json!({ "body": text }))).await;
            expected.push((ticket, "comment.created", text));
        }
        tokio::time::sleep(Duration::from_secs(15)).await;
    }
    for &ticket in &tickets {
        app.ok(Method::PATCH, &format!("/api/v1/tickets/{ticket}"), &admin, Some(json!({"status": "pending"}))).await;
        expected.push((ticket, "ticket.status_changed", String::new()));
    }
    tokio::time::sleep(Duration::from_secs(60).saturating_sub(down.elapsed())).await;
    receiver.restart().await;

    // Retries back off to 40 s (plus jitter) by now; the backlog follows at once.
    let total = expected.len();
    assert_eq!(total, 15);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while deduplicated(&receiver.events()).len() < total && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let got = receiver.events();
    assert!(got.iter().all(|(_, verified, _)| *verified), "every delivery is signed");
    let once = deduplicated(&got);
    assert_eq!(once.len(), total, "every event arrives, none twice after deduplication: {once:?}");
    for &ticket in &tickets {
        let want: Vec<(&str, String)> =
            expected.iter().filter(|(t, _, _)| *t == ticket).map(|(_, kind, text)| (*kind, text.clone())).collect();
        let arrived: Vec<(&str, String)> = once
            .iter()
            .filter(|e| e["data"]["ticket"]["id"] == ticket)
            .map(|e| {
                let text = e["data"]["comment"]["body"].as_str().unwrap_or_default().to_owned();
                (e["type"].as_str().unwrap(), text)
            })
            .collect();
        assert_eq!(arrived, want, "ticket {ticket}: in the order it happened");
    }
}
