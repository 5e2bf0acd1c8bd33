//! The SLA engine (#12): business calendars, a clock that pauses while the customer is asked,
//! warnings and breaches told once to the right people (mail, in-app, live stream), reminders
//! for pending tickets, the job schedule, two instances, and the reports.

use std::time::Duration;

use futures_util::StreamExt;
use helpdesk_tests::{Session, SmtpServer, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn sql(app: &TestApp, query: &str) {
    diesel::RunQueryDsl::execute(diesel::sql_query(query), &mut app.db.connect()).unwrap();
}

/// Waits up to 20 s until `count()` reaches `n`.
async fn eventually(what: &str, n: usize, count: impl Fn() -> usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while count() < n {
        assert!(tokio::time::Instant::now() < deadline, "{what}: {} of {n}", count());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn office_hours(name: &str, tz: &str) -> Value {
    let days = ["mon", "tue", "wed", "thu", "fri"];
    json!({
        "name": name, "time_zone": tz, "holiday_region": "DE",
        "opening_hours": days.iter().map(|d| json!({"weekday": d, "start": "08:00", "end": "18:00"})).collect::<Vec<_>>(),
        "holidays": [{"date": "2026-12-24", "name": "Heiligabend", "yearly": true}],
    })
}

#[tokio::test]
async fn calendars_are_validated_and_the_around_the_clock_one_is_protected() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let customer = app.customer("cust").await;

    let listed = app.ok(Method::GET, "/api/v1/calendars", &admin, None).await;
    assert_eq!(listed[0]["id"], 1, "a default around-the-clock calendar exists");
    assert_eq!(listed[0]["used_by_policies"], 12);

    let mut bad = office_hours("Bad", "Mars/Olympus");
    bad["opening_hours"][1]["end"] = json!("07:00");
    bad["holidays"][0]["name"] = json!("a\u{7}b");
    bad["holiday_region"] = json!("DE-XX");
    let (status, problem) = app.send(Method::POST, "/api/v1/calendars", Some(&admin), Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["time_zone", "opening_hours[1].end", "holidays[0].name", "holiday_region"] {
        assert!(problem["errors"][field].is_array(), "{field} is named: {problem}");
    }
    let (status, _) = app
        .send(Method::POST, "/api/v1/calendars", Some(&customer), Some(office_hours("Office", "Europe/Berlin")))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let office = app.ok(Method::POST, "/api/v1/calendars", &admin, Some(office_hours("Office", "Europe/Berlin"))).await;
    let id = office["id"].as_i64().unwrap();
    let (status, _) =
        app.send(Method::POST, "/api/v1/calendars", Some(&admin), Some(office_hours("Office", "Europe/Berlin"))).await;
    assert_eq!(status, StatusCode::CONFLICT, "names are unique");

    let preset = app.ok(Method::GET, "/api/v1/calendars/holidays?region=DE-BY&year=2027", &admin, None).await;
    let dates: Vec<&str> = preset.as_array().unwrap().iter().map(|h| h["date"].as_str().unwrap()).collect();
    assert!(dates.contains(&"2027-03-29"), "Easter Monday 2027: {dates:?}");
    assert!(dates.contains(&"2027-05-27"), "Corpus Christi 2027 in Bavaria: {dates:?}");
    assert!(dates.contains(&"2027-10-03"));
    let (status, _) = app.send(Method::GET, "/api/v1/calendars/holidays?region=XX&year=2027", Some(&admin), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let policy = json!({"first_response_minutes": 240, "resolution_minutes": 2400, "calendar_id": id});
    app.ok(Method::PUT, "/api/v1/sla-policies/premium/high", &admin, Some(policy)).await;
    let (status, problem) = app.send(Method::DELETE, &format!("/api/v1/calendars/{id}"), Some(&admin), None).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("in_use")));
    assert_eq!(problem["policies"], 1);
    let (status, problem) = app.send(Method::DELETE, "/api/v1/calendars/1", Some(&admin), None).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("built_in")));
    let (status, _) =
        app.send(Method::PATCH, "/api/v1/calendars/1", Some(&admin), Some(json!({"opening_hours": []}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let bad_policy = json!({"first_response_minutes": 60, "resolution_minutes": 600, "calendar_id": 999});
    let (status, problem) =
        app.send(Method::PUT, "/api/v1/sla-policies/none/low", Some(&admin), Some(bad_policy)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let renamed =
        app.ok(Method::PATCH, &format!("/api/v1/calendars/{id}"), &admin, Some(json!({"name": "Büro"}))).await;
    assert_eq!((renamed["name"].as_str(), renamed["holiday_region"].as_str()), (Some("Büro"), Some("DE")));
}

#[tokio::test]
async fn deadlines_count_only_the_hours_the_calendar_is_open() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let customer = app.customer("cust").await;
    // Open one hour a week, Mondays 08:00-09:00 UTC: a 30-minute target ends on a Monday at 08:xx.
    let calendar = app
        .ok(
            Method::POST,
            "/api/v1/calendars",
            &admin,
            Some(json!({"name": "Monday hour", "time_zone": "UTC",
                        "opening_hours": [{"weekday": "mon", "start": "08:00", "end": "09:00"}]})),
        )
        .await;
    let policy = json!({"first_response_minutes": 30, "resolution_minutes": 90, "calendar_id": calendar["id"]});
    app.ok(Method::PUT, "/api/v1/sla-policies/none/normal", &admin, Some(policy)).await;
    let t = app.open_ticket(&customer, "Printer", "broken").await;
    let sla = &t["sla"];
    assert_eq!(sla["business_hours"], true);
    let first: chrono::DateTime<chrono::Utc> = sla["first_response_due_at"].as_str().unwrap().parse().unwrap();
    let resolution: chrono::DateTime<chrono::Utc> = sla["resolution_due_at"].as_str().unwrap().parse().unwrap();
    use chrono::{Datelike, Timelike};
    for due in [first, resolution] {
        assert_eq!(due.weekday(), chrono::Weekday::Mon, "{due}");
        assert!(due.hour() == 8 || (due.hour() == 9 && due.minute() == 0), "{due}");
    }
    assert!(resolution - first >= chrono::Duration::days(6), "90 minutes span two Monday hours");
    let left = sla["first_response"]["business_minutes_left"].as_i64().unwrap();
    assert!((1..=30).contains(&left), "at most the target is left: {left}");
}

#[tokio::test]
async fn pending_stops_the_clock_and_the_reply_moves_the_deadlines_by_the_paused_time() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let customer = app.customer("cust").await;
    let t = app.open_ticket(&customer, "VPN", "down").await;
    let path = format!("/api/v1/tickets/{}", t["id"]);
    app.ok(Method::POST, &format!("{path}/comments"), &agent, Some(json!({"body": "Which client?"}))).await;
    let pending = app.ok(Method::PATCH, &path, &agent, Some(json!({"status": "pending"}))).await;
    assert_eq!(pending["sla"]["status"], "paused");
    assert!(pending["sla"]["paused_since"].is_string());
    let due_before: chrono::DateTime<chrono::Utc> =
        pending["sla"]["resolution_due_at"].as_str().unwrap().parse().unwrap();
    // Two days pass while the ticket waits for the customer.
    sql(&app, &format!("UPDATE tickets SET sla_paused_at = sla_paused_at - interval '2 days' WHERE id = {}", t["id"]));
    let listed = app.ok(Method::GET, "/api/v1/tickets?sla_status=paused", &agent, None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "the paused filter finds it");
    app.ok(Method::POST, &format!("{path}/comments"), &customer, Some(json!({"body": "Windows 11"}))).await;
    let resumed = app.ok(Method::GET, &path, &agent, None).await;
    assert_eq!(resumed["status"], "open");
    assert_eq!(resumed["sla"]["status"], "on_track");
    let due_after: chrono::DateTime<chrono::Utc> =
        resumed["sla"]["resolution_due_at"].as_str().unwrap().parse().unwrap();
    let moved = (due_after - due_before).num_minutes();
    assert!((2 * 24 * 60..=2 * 24 * 60 + 1).contains(&moved), "moved by the two paused days: {moved} min");
    let events = app.ok(Method::GET, &format!("{path}/events"), &agent, None).await;
    let resumed_event = events["items"].as_array().unwrap().iter().find(|e| e["kind"] == "sla_resumed").unwrap();
    let figures: Value = serde_json::from_str(resumed_event["to"].as_str().unwrap()).unwrap();
    assert!(figures["paused_business_minutes"].as_i64().unwrap() >= 2 * 24 * 60);
    let seen_by_customer = app.ok(Method::GET, &format!("{path}/events"), &customer, None).await;
    assert!(
        seen_by_customer["items"].as_array().unwrap().iter().all(|e| !e["kind"].as_str().unwrap().starts_with("sla_")),
        "SLA events are for staff"
    );
}

/// Reads the SSE stream until `marker` arrives (10 s at most).
async fn next_event(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    marker: &str,
) {
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(chunk)) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(marker) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "no {marker:?} on the stream: {seen}");
}

#[tokio::test]
async fn the_assignee_hears_once_of_the_warning_and_once_of_the_breach() {
    let app = TestApp::builder().env("HELPDESK_JOB_INTERVAL_SECONDS", "1").spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let customer = app.customer("cust").await;
    let t = app.open_ticket(&customer, "Server slow", "since today").await;
    let (id, path) = (t["id"].as_i64().unwrap(), format!("/api/v1/tickets/{}", t["id"]));
    app.ok(Method::PATCH, &path, &admin, Some(json!({"assignee_id": agent.user_id()}))).await;
    let app = &app;
    let mails_with =
        |text: &'static str| move || app.mails_to("agent@example.com").iter().filter(|m| m.contains(text)).count();
    eventually("assignment mail", 1, mails_with("Assigned to you")).await;

    let stream = app.authed(Method::GET, "/api/v1/stream", &agent).send().await.unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut stream = stream.bytes_stream();
    next_event(&mut stream, ": connected").await;

    // The first-response warning time passes.
    sql(
        app,
        &format!(
            "UPDATE tickets SET first_response_warn_at = now() - interval '1 minute', sla_alert_at = now() WHERE id = {id}"
        ),
    );
    eventually("warning mail", 1, mails_with("SLA at risk")).await;
    next_event(&mut stream, "event: notification").await;
    let at_risk = app.ok(Method::GET, &path, &agent, None).await;
    assert_eq!(at_risk["sla"]["status"], "at_risk");
    // Then the deadline.
    sql(
        app,
        &format!(
            "UPDATE tickets SET first_response_due_at = now() - interval '1 second', sla_alert_at = now() WHERE id = {id}"
        ),
    );
    eventually("breach mail", 1, mails_with("SLA breached")).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails = app.mails_to("agent@example.com");
    assert_eq!(mails.iter().filter(|m| m.contains("SLA at risk")).count(), 1, "one warning: {mails:#?}");
    assert_eq!(mails.iter().filter(|m| m.contains("SLA breached")).count(), 1, "one breach");
    assert!(mails.iter().any(|m| m.contains(&format!("/tickets/{}", t["number"]))), "a link into the app");
    assert!(app.mails_to("admin@example.com").iter().all(|m| !m.contains("SLA")), "the assignee, not the admins");

    let list = app.ok(Method::GET, "/api/v1/notifications?unread=true", &agent, None).await;
    let topics: Vec<&str> = list["items"].as_array().unwrap().iter().map(|n| n["topic"].as_str().unwrap()).collect();
    assert_eq!(topics, ["sla_breach", "sla_warning", "assigned", "new_ticket"]);
    assert_eq!(list["items"][0]["link"], format!("/tickets/{}", t["number"]));
    let count = app.ok(Method::GET, "/api/v1/notifications/unread-count", &agent, None).await;
    assert_eq!(count["unread"], 4);
    let first_id = list["items"][0]["id"].clone();
    let after = app.ok(Method::POST, "/api/v1/notifications/read", &agent, Some(json!({"ids": [first_id]}))).await;
    assert_eq!(after["unread"], 3);
    let (status, _) = app.send(Method::POST, "/api/v1/notifications/read", Some(&agent), Some(json!({}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Someone else's notification ids change nothing.
    let other = app.ok(Method::POST, "/api/v1/notifications/read", &admin, Some(json!({"ids": [first_id]}))).await;
    assert_eq!(other["unread"], 1, "the admin's own new-ticket notice");
    let again = app.ok(Method::GET, "/api/v1/notifications/unread-count", &agent, None).await;
    assert_eq!(again["unread"], 3);

    let breached = app.ok(Method::GET, "/api/v1/tickets?sla_status=breached", &agent, None).await;
    assert_eq!(breached["items"].as_array().unwrap().len(), 1);
    let events = app.ok(Method::GET, &format!("{path}/events"), &agent, None).await;
    let kinds: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"sla_at_risk") && kinds.contains(&"sla_breached"), "{kinds:?}");
}

#[tokio::test]
async fn an_agent_chooses_where_each_notification_goes() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let customer = app.customer("cust").await;
    let settings = app.ok(Method::GET, "/api/v1/me/notification-settings", &agent, None).await;
    assert_eq!(settings["channels"]["new_ticket"], "in_app");
    assert_eq!(settings["channels"]["assigned"], "both");
    let (status, problem) = app
        .send(
            Method::PUT,
            "/api/v1/me/notification-settings",
            Some(&agent),
            Some(json!({"channels": {"nonsense": "email"}, "followed_category_ids": []})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, _) = app
        .send(
            Method::PUT,
            "/api/v1/me/notification-settings",
            Some(&agent),
            Some(json!({"channels": {}, "followed_category_ids": [4711]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = json!({"channels": {"assigned": "none", "new_ticket": "email"}, "followed_category_ids": []});
    app.ok(Method::PUT, "/api/v1/me/notification-settings", &agent, Some(body)).await;

    let t = app.open_ticket(&customer, "Invoice", "wrong amount").await;
    let app = &app;
    let mails_with =
        |text: &'static str| move || app.mails_to("agent@example.com").iter().filter(|m| m.contains(text)).count();
    eventually("new-ticket mail", 1, mails_with("New ticket")).await;
    app.ok(
        Method::PATCH,
        &format!("/api/v1/tickets/{}", t["id"]),
        &admin,
        Some(json!({"assignee_id": agent.user_id()})),
    )
    .await;
    // A mention in an internal note by a colleague.
    app.ok(
        Method::POST,
        &format!("/api/v1/tickets/{}/comments", t["id"]),
        &admin,
        Some(json!({"body": "@agent please call them", "internal": true})),
    )
    .await;
    eventually("mention mail", 1, mails_with("You were mentioned")).await;
    let list = app.ok(Method::GET, "/api/v1/notifications", &agent, None).await;
    let topics: Vec<&str> = list["items"].as_array().unwrap().iter().map(|n| n["topic"].as_str().unwrap()).collect();
    assert_eq!(topics, ["mention"], "new tickets by mail only, assignments not at all");
    assert!(app.mails_to("agent@example.com").iter().all(|m| !m.contains("Assigned to you")));
    // Customers have no bell of their own, and nobody reads another's list.
    let theirs = app.ok(Method::GET, "/api/v1/notifications", &customer, None).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
}

async fn pending_ticket(app: &TestApp, agent: &Session, customer: &Session, subject: &str, days: i64) -> i64 {
    let t = app.open_ticket(customer, subject, "please help").await;
    let path = format!("/api/v1/tickets/{}", t["id"]);
    app.ok(Method::PATCH, &path, agent, Some(json!({"status": "pending"}))).await;
    sql(
        app,
        &format!("UPDATE tickets SET sla_paused_at = now() - interval '{days} days 1 hour' WHERE id = {}", t["id"]),
    );
    t["id"].as_i64().unwrap()
}

#[tokio::test]
async fn pending_tickets_are_reminded_then_resolved_and_objecting_customers_get_no_reminder() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).env("HELPDESK_JOB_INTERVAL_SECONDS", "1").spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let anna = app.verified_customer("anna", "anna@example.com").await;
    let bert = app.verified_customer("bert", "bert@example.com").await;
    app.ok(Method::PATCH, "/api/v1/me", &bert, Some(json!({"refused_notifications": ["reminders"]}))).await;

    let reminded = pending_ticket(&app, &agent, &anna, "Reminder due", 3).await;
    pending_ticket(&app, &agent, &bert, "Bert objects", 3).await;
    let resolved = pending_ticket(&app, &agent, &anna, "Unanswered", 14).await;
    eventually("reminder and auto-resolve", 2, || {
        app.mails_to("anna@example.com")
            .iter()
            .filter(|m| m.contains("still waiting for your reply") || m.contains("marked your ticket"))
            .count()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let anna_mails = app.mails_to("anna@example.com");
    assert_eq!(
        anna_mails.iter().filter(|m| m.contains("still waiting for your reply")).count(),
        1,
        "one reminder per period"
    );
    assert!(anna_mails.iter().any(|m| m.contains("marked your ticket") && m.contains("resolved")));
    assert!(
        app.mails_to("bert@example.com").iter().all(|m| !m.contains("still waiting for your reply")),
        "objection respected"
    );
    let t = app.ok(Method::GET, &format!("/api/v1/tickets/{resolved}"), &agent, None).await;
    assert_eq!(t["status"], "resolved");
    let t = app.ok(Method::GET, &format!("/api/v1/tickets/{reminded}"), &agent, None).await;
    assert_eq!(t["status"], "pending");

    // The auto-close of a long-resolved ticket mails the requester too (P4).
    sql(&app, &format!("UPDATE tickets SET resolved_at = now() - interval '31 days' WHERE id = {resolved}"));
    eventually("auto-close mail", 1, || {
        app.mails_to("anna@example.com").iter().filter(|m| m.contains("has now been closed")).count()
    })
    .await;

    let jobs = app.ok(Method::GET, "/api/v1/admin/jobs", &admin, None).await;
    let names: Vec<&str> = jobs.as_array().unwrap().iter().map(|j| j["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["sla_monitor", "pending_follow_up", "cleanup", "attachment_sweep"]);
    let follow_up = &jobs[1];
    assert_eq!(follow_up["last_run"]["outcome"], "ok", "{follow_up}");
    assert_eq!(follow_up["failing"], false);
    let (status, _) = app.send(Method::GET, "/api/v1/admin/jobs", Some(&agent), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn two_instances_run_every_job_once_per_period_and_send_no_duplicate_mail() {
    let smtp = SmtpServer::start().await;
    let first = TestApp::builder().smtp(&smtp).env("HELPDESK_JOB_INTERVAL_SECONDS", "2").spawn().await;
    let second = TestApp::builder()
        .smtp(&smtp)
        .env("HELPDESK_JOB_INTERVAL_SECONDS", "2")
        .env("DATABASE_URL", first.db.url.clone())
        .spawn()
        .await;
    let admin = first.admin("admin").await;
    let agent = first.user_with_role(&admin, "agent", "agent").await;
    let anna = first.verified_customer("anna", "anna@example.com").await;
    for n in 0..5 {
        pending_ticket(&first, &agent, &anna, &format!("Waiting {n}"), 3).await;
    }
    eventually("five reminders", 5, || {
        first.mails_to("anna@example.com").iter().filter(|m| m.contains("still waiting for your reply")).count()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let reminders =
        first.mails_to("anna@example.com").iter().filter(|m| m.contains("still waiting for your reply")).count();
    assert_eq!(reminders, 5, "each reminder once, though two instances run the job");
    // No two runs of a job started within one period (2 s, with the scheduler's 10 % slack).
    use diesel::{QueryableByName, RunQueryDsl, sql_types::BigInt};
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let overlapping: N = diesel::sql_query(
        "SELECT count(*) AS n FROM job_runs a JOIN job_runs b ON a.job = b.job AND a.id < b.id
         AND b.started_at - a.started_at < interval '1.8 seconds'",
    )
    .get_result(&mut first.db.connect())
    .unwrap();
    assert_eq!(overlapping.n, 0);
    drop(second);
}

#[tokio::test]
async fn reports_show_sla_met_per_tier_and_volume_per_day_and_keep_deleted_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let customer = app.customer("cust").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let t = app.open_ticket(&customer, &format!("Report {n}"), "x").await;
        ids.push(t["id"].as_i64().unwrap());
    }
    let path = |id: i64| format!("/api/v1/tickets/{id}");
    app.ok(Method::POST, &format!("{}/comments", path(ids[0])), &agent, Some(json!({"body": "On it"}))).await;
    app.ok(Method::PATCH, &path(ids[0]), &agent, Some(json!({"status": "resolved"}))).await;
    app.ok(Method::PATCH, &path(ids[1]), &agent, Some(json!({"status": "resolved"}))).await;
    // A late resolution: the ticket's deadline lies in the past when it is resolved.
    sql(
        &app,
        &format!(
            "UPDATE tickets SET resolution_due_at = now() - interval '1 hour', resolution_warn_at = now() - interval '2 hours' WHERE id = {}",
            ids[1]
        ),
    );
    app.ok(Method::PATCH, &path(ids[1]), &agent, Some(json!({"status": "open"}))).await;
    app.ok(Method::PATCH, &path(ids[1]), &agent, Some(json!({"status": "resolved"}))).await;
    // A deleted ticket still counts.
    app.ok(Method::DELETE, &path(ids[2]), &admin, None).await;

    let from = (chrono::Utc::now() - chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ");
    let to = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ");
    let report =
        app.ok(Method::GET, &format!("/api/v1/reports/sla?from={from}&to={to}&group_by=tier"), &agent, None).await;
    let row = &report[0];
    assert_eq!((row["group"].as_str(), row["tickets"].as_i64()), (Some("none"), Some(3)), "{report}");
    assert_eq!(row["resolution_met_percent"], 50.0, "{row}");
    assert_eq!(row["breaches"], 1);
    assert!(row["first_response_median_minutes"].is_number());
    let volume =
        app.ok(Method::GET, &format!("/api/v1/reports/volume?from={from}&to={to}&interval=day"), &agent, None).await;
    let points = volume.as_array().unwrap();
    let created: i64 = points.iter().map(|p| p["created"].as_i64().unwrap()).sum();
    let resolved: i64 = points.iter().map(|p| p["resolved"].as_i64().unwrap()).sum();
    assert_eq!((created, resolved), (3, 2), "{volume}");
    assert_eq!(points.last().unwrap()["backlog"], 1);

    for bad in [
        format!("/api/v1/reports/sla?from={to}&to={from}"),
        format!("/api/v1/reports/sla?from={from}&to={to}&group_by=mood"),
        format!("/api/v1/reports/volume?from={from}&to={to}&interval=hour"),
        "/api/v1/reports/volume?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z".to_owned(),
        "/api/v1/reports/sla?from=yesterday&to=today".to_owned(),
    ] {
        let (status, problem) = app.send(Method::GET, &bad, Some(&agent), None).await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "{bad}: {status} {problem}"
        );
    }
    let (status, _) =
        app.send(Method::GET, &format!("/api/v1/reports/sla?from={from}&to={to}"), Some(&customer), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "staff only");
}

#[tokio::test]
async fn one_click_unsubscribe_turns_off_reminders_and_agent_mail_but_not_essential_mail() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().smtp(&smtp).env("HELPDESK_JOB_INTERVAL_SECONDS", "1").spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let anna = app.verified_customer("anna", "anna@example.com").await;
    pending_ticket(&app, &agent, &anna, "First wait", 3).await;
    let reminder = smtp.wait_for("anna@example.com", |m| m.text().contains("still waiting for your reply")).await;
    assert_eq!(reminder.headers.get("list-unsubscribe-post").map(String::as_str), Some("List-Unsubscribe=One-Click"));
    let header = reminder.headers.get("list-unsubscribe").expect("a List-Unsubscribe header").clone();
    let url = header.trim_start_matches('<').trim_end_matches('>').to_owned();
    let path = &url[url.find("/api/v1/unsubscribe").unwrap()..];
    // Essential mail (the welcome, a password reset) carries no such header.
    let welcome = smtp.wait_for("anna@example.com", |m| m.subject.contains("Welcome")).await;
    assert!(!welcome.headers.contains_key("list-unsubscribe"));

    // A forged or altered token changes nothing.
    let (status, problem) = app.send(Method::POST, &format!("{path}x"), None, None).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_token")));
    let response = app.request(Method::POST, path).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let me = app.ok(Method::GET, "/api/v1/me", &anna, None).await;
    assert_eq!(me["refused_notifications"], json!(["reminders"]));
    pending_ticket(&app, &agent, &anna, "Second wait", 3).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let reminders = smtp.received().iter().filter(|m| m.text().contains("still waiting for your reply")).count();
    assert_eq!(reminders, 1, "no reminder after unsubscribing");

    // An agent's SLA mail: the link stops that topic by mail, the bell keeps it.
    app.ok(Method::PATCH, &format!("/api/v1/tickets/{}", 1), &admin, Some(json!({"assignee_id": agent.user_id()})))
        .await;
    let assigned = smtp.wait_for("agent@example.com", |m| m.text().contains("Assigned to you")).await;
    let header = assigned.headers.get("list-unsubscribe").expect("agent notices have the header").clone();
    let url = header.trim_start_matches('<').trim_end_matches('>').to_owned();
    let response = app.request(Method::POST, &url[url.find("/api/v1/").unwrap()..]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let settings = app.ok(Method::GET, "/api/v1/me/notification-settings", &agent, None).await;
    assert_eq!(settings["channels"]["assigned"], "in_app");
}

#[tokio::test]
async fn the_queue_filtered_by_sla_status_pages_through_every_tier_in_queue_order() {
    let app = TestApp::spawn().await;
    let admin = app.admin("admin").await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    app.create_organization(&admin, "Premium GmbH", "premium.example", "premium", false).await;
    app.create_organization(&admin, "Standard AG", "standard.example", "standard", false).await;
    let mut customers = Vec::new();
    for (name, domain) in [("pia", "premium.example"), ("stan", "standard.example"), ("nora", "none.example")] {
        customers.push(app.verified_customer(name, &format!("{name}@{domain}")).await);
    }
    for round in 0..3 {
        for c in &customers {
            let t = app.open_ticket(c, &format!("Round {round}"), "x").await;
            if round == 2 {
                // Resolved in time: met, at the far end of the queue.
                app.ok(
                    Method::PATCH,
                    &format!("/api/v1/tickets/{}", t["id"]),
                    &agent,
                    Some(json!({"status": "resolved"})),
                )
                .await;
            }
        }
    }
    let everything = app.ok(Method::GET, "/api/v1/tickets?sort=queue&limit=100", &agent, None).await;
    for status in ["on_track", "met"] {
        let expected: Vec<i64> = everything["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["sla"]["status"] == status)
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        assert!(expected.len() >= 3, "{status}: {expected:?}");
        let mut paged = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = app
                .ok(
                    Method::GET,
                    &format!("/api/v1/tickets?sort=queue&sla_status={status}&limit=2{cursor}"),
                    &agent,
                    None,
                )
                .await;
            paged.extend(page["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(paged, expected, "{status}: the same tickets in the same order, page by page");
    }
}
