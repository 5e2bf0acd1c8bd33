//! Performance and scale-out (#15): the dashboard counters stay exact under concurrent
//! changes; the outbox loses and repeats nothing when SMTP or the server stops mid-batch; two
//! instances behind a balancer act as one; a database restart and a rolling restart under
//! load lose nothing; metrics for operators.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use diesel::{QueryableByName, RunQueryDsl, sql_types::BigInt};
use helpdesk_tests::{
    Session, SmtpServer, TestApp,
    postgres::PrivatePostgres,
    storage::{StorageKind, TestStorage},
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(app: &TestApp, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(&mut app.db.connect()).unwrap().n
}

/// The dashboard counts as a full scan of the tickets computes them.
fn counted(app: &TestApp, me: i64) -> Value {
    let active = "NOT archived AND status IN ('new', 'open', 'pending')";
    let mut by_status = serde_json::Map::new();
    for status in ["new", "open", "pending", "resolved", "closed"] {
        by_status.insert(
            status.into(),
            count(app, &format!("SELECT count(*) AS n FROM tickets WHERE NOT archived AND status = '{status}'")).into(),
        );
    }
    let running = format!("{active} AND sla_paused_at IS NULL");
    let ahead = format!("{running} AND next_due_at > now() AND NOT {BREACHED}");
    json!({
        "by_status": by_status,
        "by_sla_status": {
            "on_track": count(app, &format!("SELECT count(*) AS n FROM tickets WHERE {ahead} AND NOT {CLOSE}")),
            "at_risk": count(app, &format!("SELECT count(*) AS n FROM tickets WHERE {ahead} AND {CLOSE}")),
            "breached": count(app, &format!("SELECT count(*) AS n FROM tickets WHERE {active} AND {BREACHED}")),
        },
        "unassigned": count(app, &format!("SELECT count(*) AS n FROM tickets WHERE {active} AND assignee_id IS NULL")),
        "mine": count(app, &format!("SELECT count(*) AS n FROM tickets WHERE {active} AND assignee_id = {me}")),
    })
}

/// The SLA rules of `sla::clock`, written out again (every term TRUE or FALSE, never NULL).
const BREACHED: &str = "((coalesce(first_response_at, resolved_at) IS NOT NULL AND coalesce(first_response_at, resolved_at) > first_response_due_at)
    OR (coalesce(first_response_at, resolved_at) IS NULL AND coalesce(sla_paused_at, now()) > first_response_due_at)
    OR (resolved_at IS NOT NULL AND resolved_at > resolution_due_at)
    OR (resolved_at IS NULL AND coalesce(sla_paused_at, now()) > resolution_due_at))";
const CLOSE: &str = "((coalesce(first_response_at, resolved_at) IS NULL AND now() > first_response_warn_at)
    OR (resolved_at IS NULL AND now() > resolution_warn_at))";

#[tokio::test]
async fn the_dashboard_counts_equal_a_full_count_after_a_random_mix_of_concurrent_changes() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let agents =
        [app.user_with_role(&admin, "agent1", "agent").await, app.user_with_role(&admin, "agent2", "agent").await];
    let customer = app.verified_customer("cora", "cora@example.org").await;
    let mut ids = Vec::new();
    for i in 0..24 {
        let t = app.open_ticket(&customer, &format!("Ticket {i}"), "x").await;
        ids.push(t["id"].as_i64().unwrap());
    }
    let statuses = ["open", "pending", "resolved", "closed", "new"];
    const PRIORITIES: [&str; 3] = ["low", "high", "urgent"];
    let assignees = [Value::Null, json!(agents[0].user_id()), json!(agents[1].user_id())];
    // Four rounds of concurrent changes: status, assignee, priority, some refused (a closed
    // ticket is read-only), with deadlines moved by SQL in between (breached, at risk).
    for round in 0..4usize {
        let changes = ids.iter().enumerate().map(|(i, id)| {
            let body = match (i + round) % 3 {
                0 => json!({"status": statuses[(i * 7 + round) % statuses.len()]}),
                1 => json!({"assignee_id": assignees[(i + round) % assignees.len()]}),
                _ => json!({"priority": PRIORITIES[(i + round) % 3], "status": "open"}),
            };
            let app = &app;
            let agent = &agents[i % 2];
            async move { app.send(Method::PATCH, &format!("/api/v1/tickets/{id}"), Some(agent), Some(body)).await }
        });
        futures_util::future::join_all(changes).await;
        use diesel::connection::SimpleConnection;
        app.db
            .connect()
            .batch_execute(&format!(
                "UPDATE tickets SET first_response_due_at = now() - interval '1 minute' WHERE id % 5 = {round};
                 UPDATE tickets SET first_response_warn_at = now() - interval '1 minute' WHERE id % 7 = {round}"
            ))
            .unwrap();
    }
    app.send(Method::DELETE, &format!("/api/v1/tickets/{}", ids[0]), Some(&admin), None).await;
    // The answer says when the tickets in time were counted (the write just now made the
    // instance count them again).
    let counts = |mut stats: Value| {
        let counted_at = stats.as_object_mut().unwrap().remove("sla_counted_at").unwrap();
        let counted_at = chrono::DateTime::parse_from_rfc3339(counted_at.as_str().unwrap()).unwrap();
        assert!((chrono::Utc::now() - counted_at.to_utc()).num_seconds() < 3, "counted {counted_at}");
        stats
    };
    for agent in &agents {
        let stats = app.ok(Method::GET, "/api/v1/tickets/stats", agent, None).await;
        assert_eq!(counts(stats), counted(&app, agent.user_id()));
    }
    // Folding the counters' rows changes nothing.
    diesel::sql_query("SELECT fold_ticket_counts()").execute(&mut app.db.connect()).unwrap();
    let stats = app.ok(Method::GET, "/api/v1/tickets/stats", &agents[0], None).await;
    assert_eq!(counts(stats), counted(&app, agents[0].user_id()));
    assert!(
        count(&app, "SELECT count(*) AS n FROM (SELECT key FROM ticket_counts GROUP BY key HAVING count(*) > 1) k")
            == 0
    );
}

/// Queues `n` emails straight into the outbox (as a burst of notifications would).
fn queue_mail(app: &TestApp, n: usize) {
    diesel::sql_query(format!(
        "INSERT INTO emails (recipient, subject, template, text_body, html_body)
         SELECT 'reader' || g || '@example.org', 'Burst ' || g, 'ticket_created', 'Hello', '<p>Hello</p>'
         FROM generate_series(1, {n}) g"
    ))
    .execute(&mut app.db.connect())
    .unwrap();
}

/// Waits until no email is pending; the received subjects with their counts.
async fn all_sent(app: &TestApp, smtp: &SmtpServer, n: usize) -> HashMap<String, usize> {
    for _ in 0..1200 {
        if count(app, "SELECT count(*) AS n FROM emails WHERE status <> 'sent'") == 0 && smtp.received().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut subjects: HashMap<String, usize> = HashMap::new();
    for mail in smtp.received() {
        *subjects.entry(mail.subject).or_default() += 1;
    }
    subjects
}

fn assert_each_once(subjects: &HashMap<String, usize>, n: usize) {
    let twice: Vec<_> = subjects.iter().filter(|(_, c)| **c > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    let missing: Vec<String> = (1..=n).map(|i| format!("Burst {i}")).filter(|s| !subjects.contains_key(s)).collect();
    assert!(missing.is_empty(), "never sent: {missing:?}");
}

/// Waits until at least `n` messages arrived.
async fn received_at_least(smtp: &SmtpServer, n: usize) {
    for _ in 0..600 {
        if smtp.received().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("fewer than {n} messages arrived");
}

#[tokio::test]
async fn mail_is_neither_lost_nor_sent_twice_when_smtp_stops_mid_batch() {
    let mut smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).env("HELPDESK_SMTP_CONNECTIONS", "4").spawn().await;
    queue_mail(&app, 400);
    received_at_least(&smtp, 20).await;
    smtp.stop().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        count(&app, "SELECT count(*) AS n FROM emails WHERE status = 'pending' AND attempts > 0") > 0,
        "some failed"
    );
    smtp.restart().await;
    let subjects = all_sent(&app, &smtp, 400).await;
    assert_each_once(&subjects, 400);
}

#[tokio::test]
async fn mail_is_neither_lost_nor_sent_twice_when_the_server_stops_mid_batch() {
    let smtp = SmtpServer::start().await;
    let mut app = TestApp::builder().smtp(&smtp).env("HELPDESK_SMTP_CONNECTIONS", "4").spawn().await;
    queue_mail(&app, 400);
    received_at_least(&smtp, 20).await;
    assert!(app.terminate().await.success(), "a clean stop");
    let sent = count(&app, "SELECT count(*) AS n FROM emails WHERE status = 'sent'");
    assert_eq!(
        sent,
        i64::try_from(smtp.received().len()).unwrap(),
        "what was sent is recorded before the process ends"
    );
    let (db, _dir) = app.stop().await;
    let app = TestApp::builder().smtp(&smtp).database(db).spawn().await;
    let subjects = all_sent(&app, &smtp, 400).await;
    assert_each_once(&subjects, 400);
}

/// What one request of a load got.
#[derive(Debug)]
struct Answer {
    status: Option<u16>,
    retry_after: bool,
    ticket: Option<i64>,
    took: Duration,
    error: Option<String>,
}

/// Creates tickets (and lists them, every other request) from `workers` clients until `stop`,
/// through a round-robin balancer over `bases`: like a real one, it checks each instance's
/// readiness every 100 ms and sends requests only to ready ones (and to the next one when an
/// instance refuses the connection). Every request opens a new connection.
async fn load(bases: Vec<String>, session: Session, workers: usize, stop: Arc<AtomicBool>) -> Vec<Answer> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(30)).build().unwrap();
    let ready: Arc<Vec<AtomicBool>> = Arc::new(bases.iter().map(|_| AtomicBool::new(true)).collect());
    let checks = {
        let (client, bases, ready, stop) = (client.clone(), bases.clone(), ready.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                for (base, up) in bases.iter().zip(ready.iter()) {
                    let answer = client.get(format!("{base}/health/ready")).send().await;
                    up.store(answer.is_ok_and(|r| r.status().is_success()), Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let next = Arc::new(AtomicUsize::new(0));
    let tasks = (0..workers).map(|w| {
        let (client, bases, session, stop, next, ready) =
            (client.clone(), bases.clone(), session.clone(), stop.clone(), next.clone(), ready.clone());
        tokio::spawn(async move {
            let mut answers = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let create = i % 2 == 1;
                let started = Instant::now();
                let mut answer =
                    Answer { status: None, retry_after: false, ticket: None, took: Duration::ZERO, error: None };
                let first = next.fetch_add(1, Ordering::SeqCst);
                // Ready instances first; with none ready (a database outage), any.
                let order: Vec<usize> = (0..bases.len()).map(|k| (first + k) % bases.len()).collect();
                let preferred: Vec<usize> = order
                    .iter()
                    .copied()
                    .filter(|&b| ready[b].load(Ordering::SeqCst))
                    .chain(order.iter().copied())
                    .collect();
                for b in preferred {
                    let base = &bases[b];
                    let request = if create {
                        client
                            .post(format!("{base}/api/v1/tickets"))
                            .json(&json!({"subject": format!("Load {w}-{i}"), "description": "under load"}))
                    } else {
                        client.get(format!("{base}/api/v1/tickets?limit=5"))
                    };
                    match request.bearer_auth(&session.access_token).send().await {
                        Err(e) if e.is_connect() => {
                            answer.error = Some(format!("{e:#}"));
                            continue;
                        }
                        Err(e) => answer.error = Some(format!("{e:?}")),
                        Ok(response) => {
                            answer.error = None;
                            answer.status = Some(response.status().as_u16());
                            answer.retry_after = response.headers().contains_key("retry-after");
                            if create && response.status() == StatusCode::CREATED {
                                answer.ticket = response.json::<Value>().await.ok().and_then(|t| t["id"].as_i64());
                            }
                        }
                    }
                    break;
                }
                answer.took = started.elapsed();
                answers.push(answer);
            }
            answers
        })
    });
    let answers = futures_util::future::join_all(tasks).await.into_iter().flat_map(Result::unwrap).collect();
    checks.await.unwrap();
    answers
}

/// How many of `ids` are tickets in the database.
fn stored(app: &TestApp, ids: &[i64]) -> i64 {
    let list = ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    count(app, &format!("SELECT count(*) AS n FROM tickets WHERE id IN ({list})"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_under_load_answers_503_recovers_by_itself_and_keeps_every_created_ticket() {
    let pg = PrivatePostgres::start();
    let app = TestApp::builder().database(pg.database()).spawn().await;
    let customer = app.customer("carl").await;
    let stop = Arc::new(AtomicBool::new(false));
    let running = tokio::spawn(load(vec![app.address.clone()], customer.clone(), 4, stop.clone()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    tokio::task::block_in_place(|| pg.stop());
    let down = app.get("/health/ready").await;
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE, "readiness reflects the outage");
    tokio::time::sleep(Duration::from_secs(3)).await;
    tokio::task::block_in_place(|| pg.start_again());
    let mut ready = false;
    for _ in 0..60 {
        if app.get("/health/ready").await.status() == StatusCode::OK {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(ready, "ready again without a restart of the server");
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::SeqCst);
    let answers = running.await.unwrap();

    let odd: Vec<&Answer> = answers.iter().filter(|a| !matches!(a.status, Some(200 | 201 | 503))).collect();
    assert!(odd.is_empty(), "only success or 503, never a 500 or a broken connection: {odd:?}");
    let unavailable: Vec<&Answer> = answers.iter().filter(|a| a.status == Some(503)).collect();
    assert!(!unavailable.is_empty(), "the outage was noticed");
    assert!(unavailable.iter().all(|a| a.retry_after), "every 503 says when to retry");
    assert!(answers.iter().all(|a| a.took < Duration::from_secs(12)), "nothing hangs past the checkout timeout");
    let created: Vec<i64> = answers.iter().filter_map(|a| a.ticket).collect();
    assert!(created.len() > 10, "tickets were created before and after: {}", created.len());
    assert_eq!(stored(&app, &created), i64::try_from(created.len()).unwrap(), "every 201 is in the database");
}

#[tokio::test]
async fn a_rolling_restart_under_load_fails_no_request() {
    // Behind a balancer, an instance keeps serving for a moment after SIGTERM while its
    // readiness fails, so the balancer stops sending it requests before it stops accepting.
    let mut first = TestApp::builder().env("HELPDESK_SHUTDOWN_DRAIN_SECONDS", "1").spawn().await;
    let second = TestApp::builder().env("DATABASE_URL", first.db.url.clone()).spawn().await;
    let customer = first.customer("rita").await;
    let stop = Arc::new(AtomicBool::new(false));
    let running =
        tokio::spawn(load(vec![first.address.clone(), second.address.clone()], customer.clone(), 4, stop.clone()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(first.terminate().await.success(), "SIGTERM stops the instance cleanly");
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::SeqCst);
    let answers = running.await.unwrap();
    let failed: Vec<&Answer> = answers.iter().filter(|a| !matches!(a.status, Some(200 | 201))).collect();
    assert!(failed.is_empty(), "{} of {} requests failed: {failed:?}", failed.len(), answers.len());
    let created: Vec<i64> = answers.iter().filter_map(|a| a.ticket).collect();
    assert_eq!(stored(&first, &created), i64::try_from(created.len()).unwrap(), "on the one database");
}

/// A failed sign-in as `login` from `client` behind the balancer (which names it in
/// X-Forwarded-For).
async fn wrong_password(app: &TestApp, client: &str, login: &str) -> StatusCode {
    app.request(Method::POST, "/api/v1/auth/login")
        .header("x-forwarded-for", client)
        .json(&json!({"login": login, "password": "wrong-password-1"}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn refused_within_a_second(app: &TestApp, session: &Session) {
    let started = Instant::now();
    while app.me_status(session).await == StatusCode::OK {
        assert!(started.elapsed() < Duration::from_secs(1), "still accepted after a second");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.me_status(session).await, StatusCode::UNAUTHORIZED);
}

/// Within a second of a session ending on one instance, or of an account being deactivated
/// outside the API, every instance refuses it, though each keeps checked sessions for a moment.
#[tokio::test]
async fn a_session_ended_anywhere_is_refused_everywhere_within_a_second() {
    let first = TestApp::spawn().await;
    let second = TestApp::builder().env("DATABASE_URL", first.db.url.clone()).spawn().await;
    let anna = first.customer("anna").await;
    assert_eq!(second.me_status(&anna).await, StatusCode::OK, "the second instance has checked the session");
    let out = first.authed(Method::POST, "/api/v1/auth/logout", &anna).json(&json!({})).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    refused_within_a_second(&second, &anna).await;

    // Changed behind the API's back (an operator in psql): the database tells every instance.
    let bob = first.customer("bob").await;
    assert_eq!(first.me_status(&bob).await, StatusCode::OK);
    assert_eq!(second.me_status(&bob).await, StatusCode::OK);
    diesel::sql_query("UPDATE users SET active = false WHERE username = 'bob'")
        .execute(&mut first.db.connect())
        .unwrap();
    refused_within_a_second(&first, &bob).await;
    refused_within_a_second(&second, &bob).await;
}

#[tokio::test]
async fn two_instances_behind_a_balancer_are_one_helpdesk() {
    let storage = TestStorage::new(StorageKind::S3).await;
    let setup = |b: helpdesk_tests::TestAppBuilder| {
        storage.configure(
            b.env("HELPDESK_JOB_INTERVAL_SECONDS", "1")
                .env("HELPDESK_AUTH_RATE_PER_MINUTE", "6")
                .env("HELPDESK_TRUSTED_PROXIES", "127.0.0.1")
                .env("HELPDESK_REFRESH_GRACE_SECONDS", "1"),
        )
    };
    let first = setup(TestApp::builder()).spawn().await;
    let second = setup(TestApp::builder().env("DATABASE_URL", first.db.url.clone())).spawn().await;

    // A session from one instance works on the other; its refresh token rotates once for both.
    let anna = first.customer("anna").await;
    assert_eq!(second.me_status(&anna).await, StatusCode::OK);
    let rotated = second.post_json("/api/v1/auth/refresh", &json!({"refresh_token": anna.refresh_token})).await;
    assert_eq!(rotated.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1500)).await; // past the grace for two tabs
    let replayed = first.post_json("/api/v1/auth/refresh", &json!({"refresh_token": anna.refresh_token})).await;
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED, "a used refresh token is used on every instance");
    let anna = second.login("anna", helpdesk_tests::app::PASSWORD).await;

    // A file uploaded to one is downloaded from the other (one bucket).
    let ticket = first.open_ticket(&anna, "Shared", "x").await;
    let (status, uploaded) = first.attach(&anna, ticket["id"].as_i64().unwrap(), None, "note.txt").await;
    assert_eq!(status, StatusCode::CREATED, "{uploaded}");
    let download =
        second.authed(Method::GET, &format!("/api/v1/attachments/{}", uploaded[0]["id"]), &anna).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"attached text");

    // Failed sign-ins count in the database: the sixth for one account is refused on either
    // instance (HELPDESK_LOGIN_FAILURES_PER_ACCOUNT=5).
    for (i, app) in [&first, &second, &first, &second, &first].into_iter().enumerate() {
        assert_eq!(wrong_password(app, "203.0.113.7", "anna").await, StatusCode::UNAUTHORIZED, "attempt {}", i + 1);
    }
    assert_eq!(wrong_password(&second, "203.0.113.7", "anna").await, StatusCode::TOO_MANY_REQUESTS);

    // The per-IP budget of the sign-in endpoints (6 a minute) is one budget for both (the
    // client is named by the balancer; the test's own sign-ins came from 127.0.0.1). Each
    // instance adds its counts to the shared total every second.
    let second_of_minute = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() % 60;
    if second_of_minute > 45 {
        tokio::time::sleep(Duration::from_secs(61 - second_of_minute)).await;
    }
    for (i, app) in [&first, &first, &first, &second, &second, &second].into_iter().enumerate() {
        let status = wrong_password(app, "203.0.113.8", &format!("nobody{i}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {}", i + 1);
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for app in [&first, &second] {
        let status = wrong_password(app, "203.0.113.8", "nobody7").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the seventh attempt, on either instance");
    }

    // Every scheduled job ran once per period (1 s here), with two instances ticking.
    #[derive(QueryableByName)]
    struct Gap {
        #[diesel(sql_type = diesel::sql_types::Text)]
        job: String,
        #[diesel(sql_type = diesel::sql_types::Double)]
        seconds: f64,
    }
    let gaps: Vec<Gap> = diesel::sql_query(
        "SELECT job, seconds FROM (
             SELECT job, extract(epoch FROM started_at - lag(started_at) OVER (PARTITION BY job ORDER BY started_at))::float8 AS seconds
             FROM job_runs) g
         WHERE seconds IS NOT NULL",
    )
    .load::<Gap>(&mut first.db.connect())
    .unwrap();
    assert!(gaps.len() > 4, "the jobs ran repeatedly");
    let early: Vec<(&str, f64)> =
        gaps.iter().filter(|g| g.seconds < 0.89).map(|g| (g.job.as_str(), g.seconds)).collect();
    assert!(early.is_empty(), "a job ran twice within its period: {early:?}");
}

#[tokio::test]
async fn metrics_are_served_to_the_metrics_token_only() {
    let app = TestApp::builder().env("HELPDESK_METRICS_TOKEN", "metrics-secret-2026").spawn().await;
    let anna = app.customer("anna").await;
    app.open_ticket(&anna, "Counted", "x").await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::UNAUTHORIZED);
    let wrong = app.request(Method::GET, "/metrics").bearer_auth(&anna.access_token).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "a session is not the metrics token");
    let metrics = app.request(Method::GET, "/metrics").bearer_auth("metrics-secret-2026").send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = metrics.text().await.unwrap();
    for expected in [
        r#"helpdesk_http_requests_total{method="POST",route="/api/v1/tickets",status="201"} 1"#,
        r#"helpdesk_http_request_duration_seconds_bucket{method="POST",route="/api/v1/tickets",status="201",le="#,
        r#"helpdesk_db_pool_connections{state="in_use"}"#,
        "helpdesk_db_pool_waiting",
        r#"helpdesk_outbox_pending{outbox="email"}"#,
        r#"helpdesk_outbox_oldest_pending_seconds{outbox="webhook"}"#,
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains("metrics-secret"), "no secret in the output");

    let without = TestApp::spawn().await;
    let answer = without.request(Method::GET, "/metrics").bearer_auth("anything").send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND, "no token configured: no metrics");
}
