//! The real `helpdesk` binary, started per test on a random port against its own database.

use std::{path::PathBuf, process::Stdio, time::Duration};

use reqwest::{Client, Method, RequestBuilder, Response};
use serde::Serialize;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use crate::{TestDb, paths, smtp::SmtpServer};

/// A running server and everything it owns for one test.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    /// A client without a cookie store; use [`TestApp::browser`] for one with cookies.
    pub client: Client,
    pub db: TestDb,
    /// The server's stderr (logs), kept with the test's artifacts.
    pub log_path: PathBuf,
    /// Private directory for this server's files (attachments, mail files).
    pub dir: tempfile::TempDir,
    /// Where this server's mail can be read: the SMTP sink's directory, if it sends through one.
    pub(crate) smtp_dir: Option<PathBuf>,
    /// The server's environment, for commands that must see what it sees (`ingest-email`).
    env: Vec<(String, String)>,
    child: Child,
}

pub struct TestAppBuilder {
    env: Vec<(String, String)>,
    db: Option<TestDb>,
    smtp_dir: Option<PathBuf>,
}

impl TestAppBuilder {
    /// Sets an environment variable of the server.
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    /// Sends email through `smtp`.
    pub fn smtp(mut self, smtp: &SmtpServer) -> Self {
        self.smtp_dir = Some(smtp.directory());
        self.env("HELPDESK_SMTP_URL", smtp.url())
    }

    /// Uses an existing database instead of a fresh clone.
    pub fn database(mut self, db: TestDb) -> Self {
        self.db = Some(db);
        self
    }

    pub async fn spawn(self) -> TestApp {
        let db = self.db.unwrap_or_else(TestDb::create);
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let test = paths::current_test();
        let log_path = paths::artifacts(&test).join("server.log");
        let log = std::fs::File::create(&log_path).expect("create the server log");
        let mut env: Vec<(String, String)> = [
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("DATABASE_URL", db.url.clone()),
            ("HELPDESK_BIND", "127.0.0.1:0".into()),
            ("HELPDESK_JWT_SECRET", "test-secret-0123456789abcdef0123456789abcdef".into()),
            ("HELPDESK_BCRYPT_COST", "4".into()),
            ("HELPDESK_DB_POOL_SIZE", "4".into()),
            // Tests register many accounts from one address; the limit has its own test.
            ("HELPDESK_REGISTRATIONS_PER_IP_HOUR", "1000".into()),
            ("HELPDESK_WEB_DIR", paths::root().join("web-ui/dist").display().to_string()),
            ("HELPDESK_STORAGE", dir.path().join("attachments").display().to_string()),
            ("HELPDESK_MAIL_DIR", dir.path().join("mail").display().to_string()),
            ("RUST_LOG", "info,helpdesk_api=debug".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        env.extend(self.env);
        let mut cmd = Command::new(paths::binary());
        cmd.arg("serve")
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("start helpdesk serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await;
        let address = match first {
            Ok(Ok(Some(line))) => line.rsplit(' ').next().unwrap_or_default().to_owned(),
            _ => {
                let _ = child.kill().await;
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                panic!("helpdesk serve did not start; its log:\n{log}");
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        // Idle connections are dropped well before the server's 5 s keep-alive ends them, so a
        // test that pauses (a browser scenario) never sends on a connection being closed.
        let client =
            Client::builder().pool_idle_timeout(Duration::from_secs(2)).build().expect("build the HTTP client");
        TestApp { address, client, db, log_path, dir, smtp_dir: self.smtp_dir, env, child }
    }
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder { env: Vec::new(), db: None, smtp_dir: None }
    }

    /// Runs `helpdesk ingest-email` (as an MTA alias would) with the server's configuration and
    /// `raw` on stdin; its exit code and stderr. `extra` overrides variables.
    pub fn ingest_email(&self, raw: &[u8], args: &[&str], extra: &[(&str, &str)]) -> (i32, String) {
        use std::io::Write;
        let mut child = std::process::Command::new(paths::binary())
            .arg("ingest-email")
            .args(args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(extra.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run helpdesk ingest-email");
        child.stdin.take().expect("stdin").write_all(raw).expect("write the message");
        let output = child.wait_with_output().expect("ingest-email finishes");
        (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
    }

    /// A server with the default test configuration.
    pub async fn spawn() -> Self {
        Self::builder().spawn().await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("send GET")
    }

    pub async fn post_json(&self, path: &str, body: &impl Serialize) -> Response {
        self.request(Method::POST, path).json(body).send().await.expect("send POST")
    }

    /// A client that keeps cookies, like a browser.
    pub fn browser(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .pool_idle_timeout(Duration::from_secs(2))
            .build()
            .expect("build a cookie-keeping client")
    }

    /// Stops the server and hands back its database and directory, to start another server on them.
    pub async fn stop(mut self) -> (TestDb, tempfile::TempDir) {
        let _ = self.child.kill().await;
        (self.db, self.dir)
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the process to exit; returns its exit status.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        }
        tokio::time::timeout(Duration::from_secs(40), self.child.wait())
            .await
            .expect("the server exits within 40 s of SIGTERM")
            .expect("wait for the server")
    }
}

/// A signed-in API client: the access token and the refresh token (`client: api`).
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub user: serde_json::Value,
}

impl Session {
    pub fn user_id(&self) -> i64 {
        self.user["id"].as_i64().expect("the user has an id")
    }
}

/// The password the domain helpers give every account.
pub const PASSWORD: &str = "correct-horse-battery-staple";

impl TestApp {
    /// A request with the session's access token.
    pub fn authed(&self, method: Method, path: &str, session: &Session) -> RequestBuilder {
        self.request(method, path).bearer_auth(&session.access_token)
    }

    /// `GET path` as `session`, decoded as JSON (whatever the status).
    pub async fn get_json(&self, path: &str, session: &Session) -> serde_json::Value {
        self.authed(Method::GET, path, session).send().await.expect("send GET").json().await.expect("a JSON body")
    }

    /// Whether `session` is still signed in: the status of `GET /api/v1/me`.
    pub async fn me_status(&self, session: &Session) -> reqwest::StatusCode {
        self.authed(Method::GET, "/api/v1/me", session).send().await.expect("send GET /me").status()
    }

    /// Registers a customer `<username>@example.com` with [`PASSWORD`] (address not verified).
    pub async fn register(&self, username: &str) {
        self.register_with_email(username, &format!("{username}@example.com")).await;
    }

    /// Registers a customer with [`PASSWORD`] and the given address (not verified yet).
    pub async fn register_with_email(&self, username: &str, email: &str) {
        let body = serde_json::json!({
            "full_name": format!("{username} Example"),
            "email": email,
            "username": username,
            "password": PASSWORD,
            "phone": "030 1234567",
        });
        let response = self.post_json("/api/v1/auth/register", &body).await;
        assert_eq!(response.status(), 202, "register {username}: {}", response.text().await.unwrap_or_default());
    }

    /// Uses the newest verification link mailed to `email`.
    pub async fn verify_email(&self, email: &str) {
        let link = self.mailed_link(email, "/verify-email?token=").await;
        let token = link.rsplit("token=").next().expect("a token").to_owned();
        let response = self.post_json("/api/v1/auth/verify-email", &serde_json::json!({"token": token})).await;
        assert_eq!(response.status(), 204, "verify {email}: {}", response.text().await.unwrap_or_default());
    }

    /// Registers a customer with `email`, verifies the address and signs in.
    pub async fn verified_customer(&self, username: &str, email: &str) -> Session {
        self.register_with_email(username, email).await;
        self.verify_email(email).await;
        self.login(username, PASSWORD).await
    }

    /// The status of a sign-in attempt as an API client.
    pub async fn login_status(&self, login: &str, password: &str) -> reqwest::StatusCode {
        let body = serde_json::json!({"login": login, "password": password, "client": "api"});
        self.post_json("/api/v1/auth/login", &body).await.status()
    }

    /// Signs in as an API client.
    pub async fn login(&self, login: &str, password: &str) -> Session {
        let body = serde_json::json!({"login": login, "password": password, "client": "api"});
        let response = self.post_json("/api/v1/auth/login", &body).await;
        assert_eq!(response.status(), 200, "login {login}: {}", response.text().await.unwrap_or_default());
        let body: serde_json::Value = response.json().await.expect("a token response");
        Session {
            access_token: body["access_token"].as_str().expect("access_token").to_owned(),
            refresh_token: body["refresh_token"].as_str().expect("refresh_token").to_owned(),
            user: body["user"].clone(),
        }
    }

    /// Registers and signs in a customer.
    pub async fn customer(&self, username: &str) -> Session {
        self.register(username).await;
        self.login(username, PASSWORD).await
    }

    /// Creates an admin with `helpdesk create-admin` (as an operator would) and signs in.
    pub async fn admin(&self, username: &str) -> Session {
        let mut child = std::process::Command::new(paths::binary())
            .args([
                "create-admin",
                "--email",
                &format!("{username}@example.com"),
                "--name",
                "Admin Example",
                "--username",
                username,
            ])
            .env("DATABASE_URL", &self.db.url)
            .env("HELPDESK_BCRYPT_COST", "4")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("run helpdesk create-admin");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            writeln!(stdin, "{PASSWORD}").expect("write the password");
        }
        assert!(child.wait().expect("create-admin finishes").success(), "create-admin failed");
        self.login(username, PASSWORD).await
    }

    /// Creates a user of `role` through the admin API and signs them in.
    pub async fn user_with_role(&self, admin: &Session, username: &str, role: &str) -> Session {
        let body = serde_json::json!({
            "full_name": format!("{username} Example"), "email": format!("{username}@example.com"),
            "username": username, "role": role, "password": PASSWORD,
        });
        let response = self.authed(Method::POST, "/api/v1/users", admin).json(&body).send().await.expect("create user");
        assert_eq!(response.status(), 201, "create {username}: {}", response.text().await.unwrap_or_default());
        self.login(username, PASSWORD).await
    }
}
