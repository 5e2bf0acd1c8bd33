//! Performance and scale-out (#15): the dashboard counters stay exact under concurrent
//! changes; the outbox loses and repeats nothing when SMTP or the server stops mid-batch.

use std::{collections::HashMap, time::Duration};

use diesel::{QueryableByName, RunQueryDsl, sql_types::BigInt};
use helpdesk_tests::{SmtpServer, TestApp};
use reqwest::Method;
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
    for agent in &agents {
        let stats = app.ok(Method::GET, "/api/v1/tickets/stats", agent, None).await;
        assert_eq!(stats, counted(&app, agent.user_id()));
    }
    // Folding the counters' rows changes nothing.
    diesel::sql_query("SELECT fold_ticket_counts()").execute(&mut app.db.connect()).unwrap();
    let stats = app.ok(Method::GET, "/api/v1/tickets/stats", &agents[0], None).await;
    assert_eq!(stats, counted(&app, agents[0].user_id()));
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
