//! A stand-in for the hCaptcha verify endpoint: a real HTTP server on loopback. It approves the
//! response token `pass` and rejects anything else, and records every verification request.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
    task::JoinHandle,
};

/// The token the stand-in approves.
pub const PASSING_TOKEN: &str = "pass";

pub struct CaptchaStandIn {
    pub url: String,
    requests: Arc<Mutex<Vec<HashMap<String, String>>>>,
    task: JoinHandle<()>,
}

fn parse_form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace('+', " ").replace("%2E", ".").replace("%3A", ":")))
        .collect()
}

async fn handle(mut stream: tokio::net::TcpStream, requests: Arc<Mutex<Vec<HashMap<String, String>>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(n) = stream.read(&mut chunk).await else { return };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            if body.len() >= length {
                let form = parse_form(&body[..length]);
                let success = form.get("response").is_some_and(|r| r == PASSING_TOKEN);
                requests.lock().expect("lock").push(form);
                let json = format!("{{\"success\": {success}}}");
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
                    json.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
                return;
            }
        }
    }
}

impl CaptchaStandIn {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the captcha stand-in");
        let url = format!("http://{}/siteverify", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(handle(stream, Arc::clone(&recorded)));
            }
        });
        Self { url, requests, task }
    }

    /// The form fields of every verification request received so far.
    pub fn requests(&self) -> Vec<HashMap<String, String>> {
        self.requests.lock().expect("lock").clone()
    }

    /// Stops answering (the verifier is down).
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for CaptchaStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}
