//! The command line: configuration errors, `migrate`, `create-admin`.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use helpdesk_tests::{TestDb, paths};

fn helpdesk(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut child = Command::new(paths::binary())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HELPDESK_BCRYPT_COST", "4")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run helpdesk");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn configuration_errors_name_the_variable_and_exit_2() {
    let db = "postgres://127.0.0.1:1/x";
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[], "DATABASE_URL"),
        (&[("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
        (&[("DATABASE_URL", db), ("HELPDESK_BIND", "everywhere")], "HELPDESK_BIND"),
        (&[("DATABASE_URL", db), ("HELPDESK_BCRYPT_COST", "many")], "HELPDESK_BCRYPT_COST"),
        (&[("DATABASE_URL", db), ("HELPDESK_PUBLIC_URL", "help.example.com")], "HELPDESK_PUBLIC_URL"),
        (&[("DATABASE_URL", db), ("HELPDESK_SMTP_URL", "http://mail")], "HELPDESK_SMTP_URL"),
        (&[("DATABASE_URL", db), ("HELPDESK_ENV", "production")], "HELPDESK_JWT_SECRET"),
        (&[("DATABASE_URL", db), ("HELPDESK_TRUST_PROXY", "true")], "HELPDESK_TRUST_PROXY"),
        (&[("DATABASE_URL", db), ("HELPDESK_TRUSTED_PROXIES", "10.0.0.0/99")], "HELPDESK_TRUSTED_PROXIES"),
        (&[("DATABASE_URL", db), ("HELPDESK_JWT_PREVIOUS_SECRETS", "short")], "HELPDESK_JWT_PREVIOUS_SECRETS"),
        (
            &[("DATABASE_URL", db), ("HELPDESK_ENV", "production"), ("HELPDESK_JWT_SECRET", SECRET)],
            "HELPDESK_PUBLIC_URL",
        ),
        (
            &[
                ("DATABASE_URL", db),
                ("HELPDESK_ENV", "production"),
                ("HELPDESK_JWT_SECRET", SECRET),
                ("HELPDESK_PUBLIC_URL", "https://h.example"),
            ],
            "HELPDESK_SMTP_URL",
        ),
    ];
    for (env, var) in cases {
        let output = helpdesk(&["serve"], env, None);
        assert_eq!(output.status.code(), Some(2), "{var}: {}", stderr(&output));
        let err = stderr(&output);
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.starts_with(&format!("configuration error: {var} ")), "{err}");
    }
}

const SECRET: &str = "0123456789abcdef0123456789abcdef";

/// Seeded demo agents share a published password: `seed` refuses production and writes nothing.
#[test]
fn seed_refuses_production() {
    let db = TestDb::create_empty();
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("HELPDESK_ENV", "production"),
        ("HELPDESK_JWT_SECRET", SECRET),
        ("HELPDESK_PUBLIC_URL", "https://help.example.com"),
        ("HELPDESK_SMTP_URL", "smtp://127.0.0.1:1"),
    ];
    let output = helpdesk(&["seed", "--tickets", "10"], &env, None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("production"), "{}", stderr(&output));
    use diesel::{QueryableByName, RunQueryDsl, sql_types::BigInt};
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let tables: Count = diesel::sql_query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")
        .get_result(&mut db.connect())
        .unwrap();
    assert_eq!(tables.n, 0, "nothing was written");
}

#[test]
fn an_unreachable_database_stops_start_up_with_a_clear_message() {
    let output = helpdesk(&["migrate"], &[("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cannot connect to the database (DATABASE_URL)"), "{}", stderr(&output));
}

#[test]
fn create_admin_reads_the_password_from_stdin_and_refuses_a_taken_email() {
    let db = TestDb::create_empty();
    let env = [("DATABASE_URL", db.url.as_str())];
    let args = ["create-admin", "--email", "Ada@Example.com", "--name", "Ada Lovelace"];
    let created = helpdesk(&args, &env, Some("a long enough password\n"));
    assert!(created.status.success(), "{}", stderr(&created));
    let out = String::from_utf8_lossy(&created.stdout);
    assert!(out.contains("ada@example.com") && out.contains("username ada"), "{out}");
    assert!(!out.contains("a long enough password"), "a password from stdin is not echoed");

    let again = helpdesk(&args, &env, Some("another long password\n"));
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));

    let if_none =
        helpdesk(&["create-admin", "--email", "b@example.com", "--name", "B", "--if-none"], &env, Some("x\n"));
    assert!(if_none.status.success(), "--if-none is a no-op when an admin exists: {}", stderr(&if_none));
}

#[test]
fn create_admin_rejects_a_short_password() {
    let db = TestDb::create_empty();
    let output = helpdesk(
        &["create-admin", "--email", "a@example.com", "--name", "A"],
        &[("DATABASE_URL", db.url.as_str())],
        Some("short\n"),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("invalid password"), "{}", stderr(&output));
}

#[tokio::test]
async fn reset_password_gives_a_locked_out_admin_a_new_password_and_ends_the_old_sessions() {
    let db = TestDb::create_empty();
    let env = [("DATABASE_URL", db.url.as_str())];
    let created =
        helpdesk(&["create-admin", "--email", "ada@example.com", "--name", "Ada"], &env, Some("the forgotten one\n"));
    assert!(created.status.success(), "{}", stderr(&created));
    let app = helpdesk_tests::TestApp::builder().database(db).spawn().await;
    let old_session = app.login("ada", "the forgotten one").await;
    let env = [("DATABASE_URL", app.db.url.as_str())];
    for (login, input, expected) in
        [("nobody", "a brand new password\n", "no account"), ("ada", "short\n", "invalid password")]
    {
        let refused = helpdesk(&["reset-password", "--login", login], &env, Some(input));
        assert_eq!(refused.status.code(), Some(1));
        assert!(stderr(&refused).contains(expected), "{}", stderr(&refused));
    }
    let reset = helpdesk(&["reset-password", "--login", "ADA@example.com"], &env, Some("a brand new password\n"));
    assert!(reset.status.success(), "{}", stderr(&reset));
    assert!(!String::from_utf8_lossy(&reset.stdout).contains("a brand new password"), "not echoed");
    assert_eq!(app.login_status("ada", "the forgotten one").await, reqwest::StatusCode::UNAUTHORIZED);
    app.login("ada", "a brand new password").await;
    assert_eq!(app.me_status(&old_session).await, reqwest::StatusCode::UNAUTHORIZED, "old sessions end");
}

#[tokio::test]
async fn seed_creates_demo_data_the_api_serves() {
    let db = TestDb::create_empty();
    let output = helpdesk(&["seed", "--tickets", "300"], &[("DATABASE_URL", db.url.as_str())], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let app = helpdesk_tests::TestApp::builder().database(db).spawn().await;
    // The documented demo accounts exist.
    for login in ["demo.customer1", "demo.customer5", "demo.agent10"] {
        assert_eq!(app.login_status(login, "demo-password-2026").await, reqwest::StatusCode::OK, "{login}");
    }
    let agent = app.login("demo.agent1", "demo-password-2026").await;
    // The clean-up job archives seeded tickets resolved long ago (at start-up, then every
    // minute): wait until it is done, so no ticket moves between the two lists while they are
    // counted.
    use diesel::{QueryableByName, RunQueryDsl, sql_types::BigInt};
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let due: Due = diesel::sql_query(
            "SELECT count(*) AS n FROM tickets WHERE status = 'resolved' AND resolved_at < now() - interval '30 days'",
        )
        .get_result(&mut app.db.connect())
        .unwrap();
        if due.n == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the clean-up job did not archive the old tickets");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let mut total = 0;
    for archived in [false, true] {
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/tickets?sort=queue&limit=100&archived={archived}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page: serde_json::Value =
                app.authed(reqwest::Method::GET, &path, &agent).send().await.unwrap().json().await.unwrap();
            total += page["items"].as_array().unwrap().len();
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
    }
    assert_eq!(total, 300);
}
