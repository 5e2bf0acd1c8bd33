//! Tickets (P3), comments and internal notes (P5), access control, workflow, SLA, search,
//! pagination, phone lookup, organizations, categories.

use helpdesk_tests::{Session, SmtpServer, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Customer A and C share organization A (which shares tickets); B is in organization B.
struct World {
    app: TestApp,
    admin: Session,
    agent: Session,
    a: Session,
    b: Session,
    c: Session,
}

async fn world() -> World {
    world_with(TestApp::spawn().await).await
}

async fn world_with(app: TestApp) -> World {
    let admin = app.admin("admin").await;
    app.create_organization(&admin, "Alpha GmbH", "alpha.example", "premium", true).await;
    app.create_organization(&admin, "Beta AG", "beta.example", "standard", false).await;
    let agent = app.user_with_role(&admin, "agent", "agent").await;
    let mut customers = Vec::new();
    for (name, domain) in [("anna", "alpha.example"), ("bert", "beta.example"), ("carla", "alpha.example")] {
        customers.push(app.verified_customer(name, &format!("{name}@{domain}")).await);
    }
    let c = customers.pop().unwrap();
    let b = customers.pop().unwrap();
    let a = customers.pop().unwrap();
    World { app, admin, agent, a, b, c }
}

/// One row of an access table: a request and the status each caller gets, in the order guest,
/// customer A (owner), B (other organization), C (A's sharing organization), agent, admin.
type Row = (Method, String, Option<Value>, [u16; 6]);

const CALLERS: [&str; 6] = ["guest", "customer A", "customer B", "customer C", "agent", "admin"];

impl World {
    fn callers(&self) -> [Option<&Session>; 6] {
        [None, Some(&self.a), Some(&self.b), Some(&self.c), Some(&self.agent), Some(&self.admin)]
    }
}

async fn assert_matrix(w: &World, rows: Vec<Row>) {
    for (method, path, body, expected) in rows {
        for ((caller, name), status) in w.callers().iter().zip(CALLERS).zip(expected) {
            let (got, value) = w.app.send(method.clone(), &path, *caller, body.clone()).await;
            assert_eq!(got.as_u16(), status, "{method} {path} as {name}: {value}");
        }
    }
}

#[tokio::test]
async fn access_control_matrix() {
    let w = world().await;
    let t = w.app.open_ticket(&w.a, "Printer", "It does not print").await;
    let (id, number) = (t["id"].as_i64().unwrap(), t["number"].as_i64().unwrap());
    let rows: Vec<Row> = vec![
        (Method::GET, "/api/v1/tickets".into(), None, [401, 200, 200, 200, 200, 200]),
        (Method::GET, format!("/api/v1/tickets/{id}"), None, [401, 200, 404, 200, 200, 200]),
        (Method::GET, format!("/api/v1/tickets/by-number/{number}"), None, [401, 200, 404, 200, 200, 200]),
        (Method::PATCH, format!("/api/v1/tickets/{id}"), Some(json!({})), [401, 200, 404, 200, 200, 200]),
        (Method::GET, format!("/api/v1/tickets/{id}/comments"), None, [401, 200, 404, 200, 200, 200]),
        (
            Method::POST,
            format!("/api/v1/tickets/{id}/comments"),
            Some(json!({"body": "hello"})),
            [401, 201, 404, 201, 201, 201],
        ),
        (Method::GET, format!("/api/v1/tickets/{id}/events"), None, [401, 200, 404, 200, 200, 200]),
        (Method::GET, "/api/v1/tickets/stats".into(), None, [401, 403, 403, 403, 200, 200]),
        (Method::GET, "/api/v1/customers/lookup?phone=0301234567".into(), None, [401, 403, 403, 403, 200, 200]),
        (Method::GET, "/api/v1/tickets/999999".into(), None, [401, 404, 404, 404, 404, 404]),
        (Method::DELETE, format!("/api/v1/tickets/{id}"), None, [401, 403, 403, 403, 403, 204]),
    ];
    assert_matrix(&w, rows).await;
}

/// The write rules, from the same table: internal notes are staff-only, closed tickets take no
/// change, only staff change staff fields, uploads are removed by their uploader within 15
/// minutes or by staff (on closed tickets only by staff), and files on internal notes are
/// invisible to customers.
#[tokio::test]
async fn write_rules_matrix() {
    let w = world().await;
    let id = |t: &Value| t["id"].as_i64().unwrap();
    let open = id(&w.app.open_ticket(&w.a, "Open", "x").await);
    let closed = id(&w.app.open_ticket(&w.a, "Closed", "x").await);
    let (status, _) = w
        .app
        .send(Method::PATCH, &format!("/api/v1/tickets/{closed}"), Some(&w.a), Some(json!({"status": "closed"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let note_body = json!({"body": "staff only", "internal": true});
    let note =
        w.app.ok(Method::POST, &format!("/api/v1/tickets/{open}/comments"), &w.agent, Some(note_body.clone())).await;
    let (_, files) = w.app.attach(&w.agent, open, Some(id(&note)), "note.txt").await;
    let note_file = id(&files[0]);
    let rows: Vec<Row> = vec![
        (Method::POST, format!("/api/v1/tickets/{open}/comments"), Some(note_body), [401, 403, 404, 403, 201, 201]),
        (
            Method::POST,
            format!("/api/v1/tickets/{closed}/comments"),
            Some(json!({"body": "hi"})),
            [401, 409, 404, 409, 409, 409],
        ),
        (
            Method::PATCH,
            format!("/api/v1/tickets/{closed}"),
            Some(json!({"status": "open"})),
            [401, 409, 404, 409, 409, 409],
        ),
        (
            Method::PATCH,
            format!("/api/v1/tickets/{open}"),
            Some(json!({"priority": "high"})),
            [401, 403, 403, 403, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/tickets/{open}"),
            Some(json!({"subject": "Renamed"})),
            [401, 403, 403, 403, 200, 200],
        ),
        (Method::GET, format!("/api/v1/attachments/{note_file}"), None, [401, 404, 404, 404, 200, 200]),
    ];
    assert_matrix(&w, rows).await;
    let (status, _) = w.app.attach(&w.a, closed, None, "late.txt").await;
    assert_eq!(status, StatusCode::CONFLICT, "a closed ticket takes no upload");

    // Removing A's fresh upload, each caller their own copy: A (uploader) and staff may.
    let removal: [u16; 6] = [401, 204, 404, 403, 204, 204];
    for ((caller, name), expected) in w.callers().iter().zip(CALLERS).zip(removal) {
        let (_, files) = w.app.attach(&w.a, open, None, "mine.txt").await;
        let path = format!("/api/v1/attachments/{}", id(&files[0]));
        let (got, value) = w.app.send(Method::DELETE, &path, *caller, None).await;
        assert_eq!(got.as_u16(), expected, "DELETE {path} as {name}: {value}");
    }
    // Once the ticket is closed, only staff remove files.
    let closing = id(&w.app.open_ticket(&w.a, "Closing", "x").await);
    let (_, first) = w.app.attach(&w.a, closing, None, "one.txt").await;
    let (_, second) = w.app.attach(&w.a, closing, None, "two.txt").await;
    w.app.ok(Method::PATCH, &format!("/api/v1/tickets/{closing}"), &w.a, Some(json!({"status": "closed"}))).await;
    let (status, _) =
        w.app.send(Method::DELETE, &format!("/api/v1/attachments/{}", id(&first[0])), Some(&w.a), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) =
        w.app.send(Method::DELETE, &format!("/api/v1/attachments/{}", id(&second[0])), Some(&w.agent), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

/// Text fields take line breaks but no NUL or other control characters, and nothing one past
/// a documented limit: a 422 naming the field, never a 500.
#[tokio::test]
async fn control_characters_and_overlong_text_are_422_problems_naming_the_field() {
    let w = world().await;
    let t = w.app.open_ticket(&w.a, "Printer", "Line one\nLine two\ttabbed").await;
    assert_eq!(t["description"], "Line one\nLine two\ttabbed");
    let id = t["id"].as_i64().unwrap();
    let cases: Vec<(Method, String, Value, &str)> = vec![
        (Method::POST, "/api/v1/tickets".into(), json!({"subject": "a\u{0}b", "description": "x"}), "subject"),
        (Method::POST, "/api/v1/tickets".into(), json!({"subject": "s", "description": "nul\u{0}byte"}), "description"),
        (Method::POST, "/api/v1/tickets".into(), json!({"subject": "x".repeat(201), "description": "x"}), "subject"),
        (
            Method::POST,
            "/api/v1/tickets".into(),
            json!({"subject": "s", "description": "x".repeat(20_001)}),
            "description",
        ),
        (Method::POST, format!("/api/v1/tickets/{id}/comments"), json!({"body": "a\u{0}b"}), "body"),
        (Method::POST, format!("/api/v1/tickets/{id}/comments"), json!({"body": "x".repeat(20_001)}), "body"),
        (Method::PATCH, format!("/api/v1/tickets/{id}"), json!({"subject": "line\nbreak"}), "subject"),
        (Method::PATCH, "/api/v1/me".into(), json!({"full_name": "a\u{0}b"}), "full_name"),
    ];
    for (method, path, body, field) in cases {
        let session = if method == Method::PATCH && path.contains("tickets") { &w.agent } else { &w.a };
        let (status, problem) = w.app.send(method.clone(), &path, Some(session), Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {problem}");
        assert!(problem["errors"][field].is_array(), "{method} {path} names {field}: {problem}");
    }
    let (status, problem) = w.app.send(Method::GET, "/api/v1/tickets?q=a%00b", Some(&w.a), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem["errors"]["q"].is_array());
    let (status, _) =
        w.app.send(Method::GET, &format!("/api/v1/tickets?q={}", "x".repeat(201)), Some(&w.a), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn customers_list_only_tickets_they_may_see() {
    let w = world().await;
    let a1 = w.app.open_ticket(&w.a, "A's ticket", "x").await;
    let b1 = w.app.open_ticket(&w.b, "B's ticket", "x").await;
    let c1 = w.app.open_ticket(&w.c, "C's ticket", "x").await;
    let ids =
        |page: Value| page["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let seen_by_a = ids(w.app.ok(Method::GET, "/api/v1/tickets", &w.a, None).await);
    assert_eq!(
        seen_by_a,
        vec![c1["id"].as_i64().unwrap(), a1["id"].as_i64().unwrap()],
        "own plus the shared organization's"
    );
    let seen_by_b = ids(w.app.ok(Method::GET, "/api/v1/tickets", &w.b, None).await);
    assert_eq!(seen_by_b, vec![b1["id"].as_i64().unwrap()]);
    let seen_by_agent = ids(w.app.ok(Method::GET, "/api/v1/tickets", &w.agent, None).await);
    assert_eq!(seen_by_agent.len(), 3);
}

#[tokio::test]
async fn customers_never_see_internal_notes_anywhere() {
    let smtp = SmtpServer::start().await;
    let w = world_with(TestApp::builder().smtp(&smtp).spawn().await).await;
    let t = w.app.open_ticket(&w.a, "Login fails", "I cannot log in").await;
    let id = t["id"].as_i64().unwrap();
    let secret = "Zebrafischgeheimnis";
    w.app
        .ok(
            Method::POST,
            &format!("/api/v1/tickets/{id}/comments"),
            &w.agent,
            Some(json!({"body": format!("{secret}: customer is on the old plan"), "internal": true})),
        )
        .await;
    w.app
        .ok(
            Method::POST,
            &format!("/api/v1/tickets/{id}/comments"),
            &w.agent,
            Some(json!({"body": "We are looking into it."})),
        )
        .await;
    smtp.wait_for("anna@alpha.example", |m| m.subject.contains("Login fails") && m.text().contains("looking into it"))
        .await;

    // Staff see the note.
    let staff_view = w.app.ok(Method::GET, &format!("/api/v1/tickets/{id}/comments"), &w.agent, None).await;
    assert!(staff_view.to_string().contains(secret));
    let staff_search = w.app.ok(Method::GET, &format!("/api/v1/tickets?q={secret}"), &w.agent, None).await;
    assert_eq!(staff_search["items"].as_array().unwrap().len(), 1);

    // Customers (the requester and a colleague who shares the ticket) see no trace of it.
    for customer in [&w.a, &w.c] {
        for path in [
            format!("/api/v1/tickets/{id}"),
            format!("/api/v1/tickets/by-number/{}", t["number"]),
            format!("/api/v1/tickets/{id}/comments"),
            format!("/api/v1/tickets/{id}/events"),
            "/api/v1/tickets".to_owned(),
            format!("/api/v1/tickets?q={secret}"),
            "/api/v1/tickets?q=plan".to_owned(),
        ] {
            let body = w.app.ok(Method::GET, &path, customer, None).await;
            assert!(!body.to_string().contains(secret), "{path} leaks the note: {body}");
        }
        let search = w.app.ok(Method::GET, &format!("/api/v1/tickets?q={secret}"), customer, None).await;
        assert!(search["items"].as_array().unwrap().is_empty(), "the note must not make the ticket match");
        let comments = w.app.ok(Method::GET, &format!("/api/v1/tickets/{id}/comments"), customer, None).await;
        assert_eq!(comments["items"].as_array().unwrap().len(), 1, "only the public reply");
        let events = w.app.ok(Method::GET, &format!("/api/v1/tickets/{id}/events"), customer, None).await;
        let comment_events =
            events["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "comment_added").count();
        assert_eq!(comment_events, 1, "the note's event is staff-only: {events}");
    }
    for mail in smtp.received() {
        assert!(
            !mail.text().contains(secret) && !mail.html.unwrap_or_default().contains(secret),
            "an email leaks the note"
        );
    }
    let (status, _) = w
        .app
        .send(
            Method::POST,
            &format!("/api/v1/tickets/{id}/comments"),
            Some(&w.a),
            Some(json!({"body": "x", "internal": true})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "customers cannot write internal notes");
}

#[tokio::test]
async fn pages_return_every_ticket_exactly_once_while_new_ones_arrive() {
    let w = world().await;
    let mut existing = Vec::new();
    for i in 0..23 {
        existing.push(w.app.open_ticket(&w.a, &format!("Ticket {i}"), "x").await["id"].as_i64().unwrap());
    }
    for sort in ["created_at", "updated_at", "priority", "sla_due", "queue"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/tickets?sort={sort}&limit=5&cursor={c}"),
                None => format!("/api/v1/tickets?sort={sort}&limit=5"),
            };
            let page = w.app.ok(Method::GET, &path, &w.agent, None).await;
            seen.extend(page["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
            // Someone opens a ticket between two pages.
            w.app.open_ticket(&w.b, "Arrived while paging", "x").await;
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        for id in &existing {
            assert_eq!(seen.iter().filter(|s| *s == id).count(), 1, "sort={sort}: ticket {id} seen {:?}", seen);
        }
        let mut unique = seen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "sort={sort}: a ticket was repeated");
    }
}

#[tokio::test]
async fn ticket_numbers_are_unique_human_friendly_and_resolvable() {
    let w = world().await;
    let first = w.app.open_ticket(&w.a, "One", "x").await;
    let second = w.app.open_ticket(&w.a, "Two", "x").await;
    let (n1, n2) = (first["number"].as_i64().unwrap(), second["number"].as_i64().unwrap());
    assert!(n1 >= 100_001 && n2 > n1, "{n1} {n2}");
    let found = w.app.ok(Method::GET, &format!("/api/v1/tickets/by-number/{n2}"), &w.a, None).await;
    assert_eq!(found["id"], second["id"]);
}

#[tokio::test]
async fn tickets_carry_every_field_of_p3() {
    let w = world().await;
    let t = w.app.open_ticket(&w.a, "Fields", "All of them").await;
    for field in [
        "id",
        "number",
        "subject",
        "description",
        "status",
        "priority",
        "channel",
        "category",
        "requester",
        "organization",
        "assignee",
        "created_at",
        "updated_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "archived",
        "sla",
    ] {
        assert!(t.get(field).is_some(), "missing {field}: {t}");
    }
    assert_eq!(t["requester"]["email"], "anna@alpha.example");
    assert_eq!(t["requester"]["phone"], "030 1234567");
    assert_eq!(t["organization"]["name"], "Alpha GmbH");
    assert_eq!(t["organization"]["contract_tier"], "premium");
    assert_eq!(
        (t["status"].as_str(), t["channel"].as_str(), t["priority"].as_str()),
        (Some("new"), Some("web"), Some("normal"))
    );
    assert_eq!(t["sla"]["status"], "on_track");
}

#[tokio::test]
async fn the_status_workflow_is_enforced() {
    let w = world().await;
    let t = w.app.open_ticket(&w.a, "Workflow", "x").await;
    let path = format!("/api/v1/tickets/{}", t["id"]);
    let set = |session: &Session, status: &str| {
        let (app, path, session, status) = (&w.app, path.clone(), session.clone(), status.to_owned());
        async move { app.send(Method::PATCH, &path, Some(&session), Some(json!({"status": status}))).await }
    };
    // A customer cannot resolve; the problem names what is allowed.
    let (status, problem) = set(&w.a, "resolved").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "invalid_transition");
    assert_eq!(problem["allowed"], json!(["closed"]));
    // Agents move freely.
    assert_eq!(set(&w.agent, "pending").await.0, StatusCode::OK);
    let (_, resolved) = set(&w.agent, "resolved").await;
    assert!(resolved["resolved_at"].is_string());
    // The customer reopens a resolved ticket: resolved_at is cleared.
    let (status, reopened) = set(&w.a, "open").await;
    assert_eq!((status, reopened["status"].as_str()), (StatusCode::OK, Some("open")));
    assert!(reopened["resolved_at"].is_null());
    // The customer closes it; closing sets both timestamps.
    let (_, closed) = set(&w.a, "closed").await;
    assert!(closed["closed_at"].is_string() && closed["resolved_at"].is_string());
    // Closed is final and read-only.
    assert_eq!(set(&w.agent, "open").await.0, StatusCode::CONFLICT);
    let (status, problem) =
        w.app.send(Method::POST, &format!("{path}/comments"), Some(&w.a), Some(json!({"body": "hello?"}))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("ticket_closed")));
    let (status, _) = w.app.send(Method::PATCH, &path, Some(&w.agent), Some(json!({"priority": "high"}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Customers cannot change staff fields.
    let other = w.app.open_ticket(&w.a, "Other", "x").await;
    let (status, _) = w
        .app
        .send(
            Method::PATCH,
            &format!("/api/v1/tickets/{}", other["id"]),
            Some(&w.a),
            Some(json!({"priority": "urgent"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn replies_drive_first_response_and_reopening() {
    let w = world().await;
    let t = w.app.open_ticket(&w.a, "Replies", "x").await;
    let path = format!("/api/v1/tickets/{}", t["id"]);
    w.app
        .ok(Method::POST, &format!("{path}/comments"), &w.agent, Some(json!({"body": "note", "internal": true})))
        .await;
    let after_note = w.app.ok(Method::GET, &path, &w.agent, None).await;
    assert!(after_note["first_response_at"].is_null(), "an internal note is no response");
    w.app.ok(Method::POST, &format!("{path}/comments"), &w.agent, Some(json!({"body": "Hello Anna"}))).await;
    let answered = w.app.ok(Method::GET, &path, &w.agent, None).await;
    assert!(answered["first_response_at"].is_string());
    assert_eq!(answered["status"], "open");
    w.app.ok(Method::PATCH, &path, &w.agent, Some(json!({"status": "pending"}))).await;
    let comment =
        w.app.ok(Method::POST, &format!("{path}/comments"), &w.a, Some(json!({"body": "Here is the info"}))).await;
    assert_eq!(comment["author_name"], "anna Example");
    assert_eq!(comment["author_email"], "anna@alpha.example");
    assert!(comment["created_at"].is_string());
    let reopened = w.app.ok(Method::GET, &path, &w.agent, None).await;
    assert_eq!(reopened["status"], "open", "a customer reply reopens a pending ticket");
    let events = w.app.ok(Method::GET, &format!("{path}/events"), &w.agent, None).await;
    let kinds: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "comment_added",
            "comment_added",
            "status_changed",
            "sla_met",
            "status_changed",
            "sla_paused",
            "comment_added",
            "status_changed",
            "sla_resumed"
        ]
    );
}

#[tokio::test]
async fn every_change_is_an_event_with_actor_and_values() {
    let w = world().await;
    let category = w.app.ok(Method::POST, "/api/v1/categories", &w.admin, Some(json!({"name": "Hardware"}))).await;
    let t = w.app.open_ticket(&w.a, "Events", "x").await;
    let path = format!("/api/v1/tickets/{}", t["id"]);
    let body = json!({"priority": "high", "category_id": category["id"], "assignee_id": w.agent.user_id(), "subject": "Events!"});
    w.app.ok(Method::PATCH, &path, &w.agent, Some(body)).await;
    let events = w.app.ok(Method::GET, &format!("{path}/events"), &w.a, None).await;
    let find = |kind: &str| {
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("{kind}: {events}"))
    };
    assert_eq!(
        (find("priority_changed")["from"].as_str(), find("priority_changed")["to"].as_str()),
        (Some("normal"), Some("high"))
    );
    assert_eq!(find("category_changed")["to"], "Hardware");
    assert_eq!(find("assignee_changed")["to"], "agent Example");
    assert_eq!(find("subject_changed")["to"], "Events!");
    assert_eq!(find("created")["actor_name"], "anna Example");
    assert_eq!(find("priority_changed")["actor_id"], w.agent.user_id());
}

#[tokio::test]
async fn sla_deadlines_follow_tier_and_priority() {
    let w = world().await;
    // Anna's organization has a premium contract: urgent = 30 min first response, 4 h resolution.
    let t = w.app.create_ticket(&w.a, json!({"subject": "Down", "description": "x", "priority": "urgent"})).await;
    let minutes = |from: &Value, to: &Value| {
        let parse = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
        (parse(to) - parse(from)).num_minutes()
    };
    assert_eq!(minutes(&t["created_at"], &t["sla"]["first_response_due_at"]), 30);
    assert_eq!(minutes(&t["created_at"], &t["sla"]["resolution_due_at"]), 240);
    // A new priority recomputes the deadlines from creation.
    let lowered = w
        .app
        .ok(Method::PATCH, &format!("/api/v1/tickets/{}", t["id"]), &w.agent, Some(json!({"priority": "low"})))
        .await;
    assert_eq!(minutes(&lowered["created_at"], &lowered["sla"]["first_response_due_at"]), 480);
    // Policies are editable.
    w.app
        .ok(
            Method::PUT,
            "/api/v1/sla-policies/standard/normal",
            &w.admin,
            Some(json!({"first_response_minutes": 15, "resolution_minutes": 60})),
        )
        .await;
    let bert = w.app.open_ticket(&w.b, "Standard", "x").await;
    assert_eq!(minutes(&bert["created_at"], &bert["sla"]["first_response_due_at"]), 15);
    let (status, _) = w
        .app
        .send(
            Method::PUT,
            "/api/v1/sla-policies/standard/normal",
            Some(&w.admin),
            Some(json!({"first_response_minutes": 0, "resolution_minutes": 60})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = w
        .app
        .send(
            Method::PUT,
            "/api/v1/sla-policies/gold/normal",
            Some(&w.admin),
            Some(json!({"first_response_minutes": 1, "resolution_minutes": 60})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A missed deadline shows as breached, in the ticket and in the filter.
    use diesel::RunQueryDsl;
    diesel::sql_query(format!(
        "UPDATE tickets SET first_response_due_at = now() - interval '1 minute' WHERE id = {}",
        bert["id"]
    ))
    .execute(&mut w.app.db.connect())
    .unwrap();
    let breached = w.app.ok(Method::GET, "/api/v1/tickets?sla_status=breached", &w.agent, None).await;
    let items = breached["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], bert["id"]);
    assert_eq!(items[0]["sla"]["status"], "breached");
    let stats = w.app.ok(Method::GET, "/api/v1/tickets/stats", &w.agent, None).await;
    assert_eq!(stats["by_sla_status"]["breached"], 1);
    assert_eq!(stats["by_status"]["new"], 2);
    assert_eq!(stats["unassigned"], 2);
}

#[tokio::test]
async fn the_queue_serves_premium_then_standard_then_the_rest_by_deadline() {
    let w = world().await;
    let dora = w.app.customer("dora").await; // no organization
    let none_urgent = w
        .app
        .create_ticket(
            &w.agent,
            json!({"subject": "none urgent", "description": "x", "priority": "urgent",
            "requester_id": dora.user_id(), "channel": "phone"}),
        )
        .await;
    let standard_low =
        w.app.create_ticket(&w.b, json!({"subject": "standard low", "description": "x", "priority": "low"})).await;
    let premium_low =
        w.app.create_ticket(&w.a, json!({"subject": "premium low", "description": "x", "priority": "low"})).await;
    let premium_urgent =
        w.app.create_ticket(&w.c, json!({"subject": "premium urgent", "description": "x", "priority": "urgent"})).await;
    let queue = w.app.ok(Method::GET, "/api/v1/tickets?sort=queue", &w.agent, None).await;
    let order: Vec<&Value> = queue["items"].as_array().unwrap().iter().map(|t| &t["id"]).collect();
    assert_eq!(order, vec![&premium_urgent["id"], &premium_low["id"], &standard_low["id"], &none_urgent["id"]]);
}

#[tokio::test]
async fn search_understands_german_word_forms_and_visible_comments() {
    let w = world().await;
    let printer = w.app.open_ticket(&w.a, "Problem mit dem Drucker", "Das Papierfach des Druckers klemmt").await;
    w.app.open_ticket(&w.a, "Passwort vergessen", "Ich komme nicht mehr rein").await;
    let found = w.app.ok(Method::GET, "/api/v1/tickets?q=Druckers", &w.a, None).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["id"], printer["id"]);
    let found = w.app.ok(Method::GET, "/api/v1/tickets?q=Drucker", &w.a, None).await;
    assert_eq!(found["items"][0]["id"], printer["id"]);
    // English stemming too.
    let english = w.app.open_ticket(&w.a, "Invoices missing", "The invoice emails never arrive").await;
    let found = w.app.ok(Method::GET, "/api/v1/tickets?q=invoice", &w.a, None).await;
    assert_eq!(found["items"][0]["id"], english["id"]);
    // A public reply makes its ticket findable.
    w.app
        .ok(
            Method::POST,
            &format!("/api/v1/tickets/{}/comments", printer["id"]),
            &w.agent,
            Some(json!({"body": "Bitte Toner tauschen"})),
        )
        .await;
    let found = w.app.ok(Method::GET, "/api/v1/tickets?q=Toner", &w.a, None).await;
    assert_eq!(found["items"][0]["id"], printer["id"]);
}

#[tokio::test]
async fn search_pages_merge_text_and_comment_matches_in_order_without_repeats() {
    let w = world().await;
    // Five matches, in creation order: text only, comment only, both, internal note only,
    // text only. Customers see four (never the note's), agents all five.
    let mut ids = Vec::new();
    for (subject, comment, internal) in [
        ("Kaffeemaschine tropft", None, false),
        ("Wasser im Flur", Some("Die Kaffeemaschine war es"), false),
        ("Kaffeemaschine wieder", Some("Kaffeemaschine entkalkt"), false),
        ("Leise Frage", Some("Kaffeemaschine vom Chef"), true),
        ("Kaffeemaschine piept", None, false),
    ] {
        let t = w.app.open_ticket(&w.a, subject, "Bitte kommen").await;
        if let Some(body) = comment {
            w.app
                .ok(
                    Method::POST,
                    &format!("/api/v1/tickets/{}/comments", t["id"]),
                    &w.agent,
                    Some(json!({"body": body, "internal": internal})),
                )
                .await;
        }
        ids.push(t["id"].as_i64().unwrap());
    }
    w.app.open_ticket(&w.a, "Drucker", "kein Treffer").await;
    let newest_first = |skip: Option<usize>| {
        ids.iter().enumerate().rev().filter(move |(i, _)| Some(*i) != skip).map(|(_, id)| *id).collect::<Vec<_>>()
    };
    // Small pages: text matches fill a page before the comment matches between them are read.
    for ((who, expected), limit) in [(&w.a, newest_first(Some(3))), (&w.agent, newest_first(None))]
        .into_iter()
        .flat_map(|c| [(c.clone(), 1), (c, 2)])
    {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = w
                .app
                .ok(
                    Method::GET,
                    &format!(
                        "/api/v1/tickets?q=Kaffeemaschine&limit={limit}{}",
                        cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default()
                    ),
                    who,
                    None,
                )
                .await;
            seen.extend(page["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, expected, "every match once, newest first, across pages of {limit}");
    }
    // Oldest first too (the SLA order is ascending).
    let due = w.app.ok(Method::GET, "/api/v1/tickets?q=Kaffeemaschine&sort=sla_due&limit=100", &w.agent, None).await;
    assert_eq!(due["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn agents_find_callers_by_phone_and_log_tickets_for_them() {
    let w = world().await;
    w.app.open_ticket(&w.a, "Open one", "x").await;
    let matches = w.app.ok(Method::GET, "/api/v1/customers/lookup?phone=%2B49%2030%20123%204567", &w.agent, None).await;
    let anna = matches
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["person"]["email"] == "anna@alpha.example")
        .expect("anna matches");
    assert_eq!(anna["organization"]["name"], "Alpha GmbH");
    assert_eq!(anna["contract_tier"], "premium");
    assert_eq!(anna["open_tickets"], 1);
    let none = w.app.ok(Method::GET, "/api/v1/customers/lookup?phone=0409999999", &w.agent, None).await;
    assert!(none.as_array().unwrap().is_empty());
    let (status, _) = w.app.send(Method::GET, "/api/v1/customers/lookup?phone=12", Some(&w.agent), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let logged = w.app.create_ticket(&w.agent, json!({
        "subject": "Called about VPN", "description": "Caller cannot connect", "requester_id": anna["person"]["id"], "channel": "phone"
    })).await;
    assert_eq!(logged["channel"], "phone");
    assert_eq!(logged["requester"]["email"], "anna@alpha.example");
    assert_eq!(logged["organization"]["contract_tier"], "premium");
    let (status, _) = w
        .app
        .send(
            Method::POST,
            "/api/v1/tickets",
            Some(&w.a),
            Some(json!({"subject": "x", "description": "x", "channel": "phone"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "customers cannot claim the phone channel");
    let (status, _) = w
        .app
        .send(
            Method::POST,
            "/api/v1/tickets",
            Some(&w.a),
            Some(json!({"subject": "x", "description": "x", "requester_id": w.b.user_id()})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_verified_address_of_an_organization_domain_joins_it() {
    let w = world().await;
    assert!(w.a.user["organization_id"].is_i64());
    assert_eq!(w.a.user["organization_id"], w.c.user["organization_id"]);
    assert_ne!(w.a.user["organization_id"], w.b.user["organization_id"]);
    let dora = w.app.customer("dora").await;
    assert!(dora.user["organization_id"].is_null());
}

/// Issue 10, critical: registering an address of an organization's domain gives no access to
/// the organization's tickets until the address is verified (and, under `approval`, an admin
/// let the person in).
#[tokio::test]
async fn an_unverified_address_never_opens_an_organizations_tickets() {
    let w = world().await;
    let t = w.app.open_ticket(&w.a, "Alpha's secret", "Our VPN key leaked").await;
    let id = t["id"].as_i64().unwrap();
    let (_, files) = w.app.attach(&w.a, id, None, "key.txt").await;
    let file = files[0]["id"].as_i64().unwrap();
    w.app.register_with_email("mallory", "mallory@alpha.example").await;
    let mallory = w.app.login("mallory", helpdesk_tests::app::PASSWORD).await;
    let me = w.app.get_json("/api/v1/me", &mallory).await;
    assert!(me["organization_id"].is_null() && me["email_verified"] == false, "{me}");
    let list = w.app.get_json("/api/v1/tickets", &mallory).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    for path in [
        format!("/api/v1/tickets/{id}"),
        format!("/api/v1/tickets/{id}/comments"),
        format!("/api/v1/tickets/{id}/events"),
        format!("/api/v1/attachments/{file}"),
    ] {
        let (status, _) = w.app.send(Method::GET, &path, Some(&mallory), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "GET {path}");
    }
    let (status, _) = w
        .app
        .send(Method::PATCH, &format!("/api/v1/tickets/{id}"), Some(&mallory), Some(json!({"status": "closed"})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The link mailed to her address proves it: now she is a member.
    w.app.verify_email("mallory@alpha.example").await;
    let me = w.app.get_json("/api/v1/me", &mallory).await;
    assert_eq!(me["organization_id"], w.a.user["organization_id"]);
    assert_eq!(w.app.get_json(&format!("/api/v1/tickets/{id}"), &mallory).await["id"], id);
}

#[tokio::test]
async fn under_approval_a_verified_address_waits_for_an_admin() {
    let w = world().await;
    let org = w.a.user["organization_id"].as_i64().unwrap();
    w.app
        .ok(Method::PATCH, &format!("/api/v1/organizations/{org}"), &w.admin, Some(json!({"join_policy": "approval"})))
        .await;
    let ella = w.app.verified_customer("ella", "ella@alpha.example").await;
    assert!(w.app.get_json("/api/v1/me", &ella).await["organization_id"].is_null(), "not before approval");
    let pending = w.app.ok(Method::GET, &format!("/api/v1/organizations/{org}/pending-members"), &w.admin, None).await;
    assert_eq!(pending[0]["username"], "ella", "{pending}");
    let (status, _) =
        w.app.send(Method::GET, &format!("/api/v1/organizations/{org}/pending-members"), Some(&w.agent), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admins decide");
    let ella_id = ella.user_id();
    w.app
        .ok(Method::POST, &format!("/api/v1/organizations/{org}/pending-members/{ella_id}/approve"), &w.admin, None)
        .await;
    assert_eq!(w.app.get_json("/api/v1/me", &ella).await["organization_id"], org);
    let (status, _) = w
        .app
        .send(
            Method::POST,
            &format!("/api/v1/organizations/{org}/pending-members/{ella_id}/approve"),
            Some(&w.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nobody waits any more");
}

#[tokio::test]
async fn organizations_and_categories_are_validated_and_admin_only() {
    let w = world().await;
    let (status, problem) =
        w.app.send(Method::POST, "/api/v1/organizations", Some(&w.admin), Some(json!({"name": "Alpha GmbH"}))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("name_taken")));
    let (status, problem) = w
        .app
        .send(
            Method::POST,
            "/api/v1/organizations",
            Some(&w.admin),
            Some(json!({"name": "X", "domains": ["not a domain"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["errors"]["domains"].is_array());
    let (status, _) =
        w.app.send(Method::POST, "/api/v1/organizations", Some(&w.agent), Some(json!({"name": "Y"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let list = w.app.ok(Method::GET, "/api/v1/organizations", &w.agent, None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    let id = list["items"][0]["id"].as_i64().unwrap();
    let updated = w
        .app
        .ok(
            Method::PATCH,
            &format!("/api/v1/organizations/{id}"),
            &w.admin,
            Some(json!({"dpa_signed_at": "2026-01-15"})),
        )
        .await;
    assert_eq!(updated["dpa_signed_at"], "2026-01-15");
    let cleared = w
        .app
        .ok(Method::PATCH, &format!("/api/v1/organizations/{id}"), &w.admin, Some(json!({"dpa_signed_at": null})))
        .await;
    assert!(cleared["dpa_signed_at"].is_null());

    let hidden =
        w.app.ok(Method::POST, "/api/v1/categories", &w.admin, Some(json!({"name": "Retired", "active": false}))).await;
    w.app.ok(Method::POST, "/api/v1/categories", &w.admin, Some(json!({"name": "Billing"}))).await;
    let for_customer = w.app.ok(Method::GET, "/api/v1/categories", &w.a, None).await;
    assert_eq!(for_customer.as_array().unwrap().len(), 1, "customers see active categories only");
    let (status, _) = w
        .app
        .send(
            Method::POST,
            "/api/v1/tickets",
            Some(&w.a),
            Some(json!({"subject": "x", "description": "x", "category_id": hidden["id"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = w.app.send(Method::POST, "/api/v1/categories", Some(&w.a), Some(json!({"name": "Mine"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn invalid_ticket_input_is_a_422_problem() {
    let w = world().await;
    for (body, field) in [
        (json!({"subject": " ", "description": "x"}), "subject"),
        (json!({"subject": "x".repeat(201), "description": "x"}), "subject"),
        (json!({"subject": "x", "description": ""}), "description"),
        (json!({"subject": "x", "description": "x", "category_id": 424242}), "category_id"),
    ] {
        let (status, problem) = w.app.send(Method::POST, "/api/v1/tickets", Some(&w.a), Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(problem["errors"][field].is_array(), "{body}: {problem}");
    }
    let (status, _) = w
        .app
        .send(
            Method::POST,
            "/api/v1/tickets",
            Some(&w.a),
            Some(json!({"subject": "x", "description": "x", "priority": "extreme"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for query in ["status=bogus", "limit=0", "created_after=yesterday", "assignee_id=someone", "cursor=%%%"] {
        let (status, _) = w.app.send(Method::GET, &format!("/api/v1/tickets?{query}"), Some(&w.agent), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
    }
    let (status, _) = w.app.send(Method::GET, "/api/v1/tickets/not-a-number", Some(&w.agent), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ticket_changes_are_emailed_to_the_requester() {
    let smtp = SmtpServer::start().await;
    let w = world_with(TestApp::builder().smtp(&smtp).spawn().await).await;
    let t = w.app.open_ticket(&w.a, "Mail me", "x").await;
    let number = t["number"].as_i64().unwrap();
    smtp.wait_for("anna@alpha.example", |m| {
        m.subject == format!("[#{number}] Mail me") && m.text().contains("received")
    })
    .await;
    w.app
        .ok(Method::PATCH, &format!("/api/v1/tickets/{}", t["id"]), &w.agent, Some(json!({"status": "pending"})))
        .await;
    smtp.wait_for("anna@alpha.example", |m| m.text().contains("waiting for your reply")).await;
}

/// An internal note or a file on one changes nothing a customer sees, `updated_at` included.
#[tokio::test]
async fn an_internal_note_changes_nothing_a_customer_sees() {
    let w = world().await;
    let first = w.app.open_ticket(&w.a, "First", "x").await;
    let second = w.app.open_ticket(&w.a, "Second", "x").await;
    let id = first["id"].as_i64().unwrap();
    let order =
        |list: &Value| list["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let before = w.app.get_json("/api/v1/tickets?sort=updated_at", &w.a).await;
    let note = w
        .app
        .ok(
            Method::POST,
            &format!("/api/v1/tickets/{id}/comments"),
            &w.agent,
            Some(json!({"body": "internal", "internal": true})),
        )
        .await;
    let (status, _) = w.app.attach(&w.agent, id, Some(note["id"].as_i64().unwrap()), "log.txt").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(w.app.get_json(&format!("/api/v1/tickets/{id}"), &w.a).await["updated_at"], first["updated_at"]);
    let after = w.app.get_json("/api/v1/tickets?sort=updated_at", &w.a).await;
    assert_eq!(order(&after), order(&before), "the customer's list keeps its order");
    assert_eq!(order(&after)[0], second["id"].as_i64().unwrap());
}

/// Customers choose a priority only as high as their contract allows (defaults: no contract
/// `normal`, standard `high`, premium `urgent`); staff set any.
#[tokio::test]
async fn customers_choose_priorities_only_as_high_as_their_contract_allows() {
    let w = world().await;
    let dora = w.app.customer("dora").await;
    let open = |priority: &str| json!({"subject": "s", "description": "d", "priority": priority});
    let cases = [
        (&dora, "normal", 201),
        (&dora, "high", 422),
        (&w.b, "high", 201),
        (&w.b, "urgent", 422),
        (&w.a, "urgent", 201),
    ];
    for (who, priority, expected) in cases {
        let (status, body) = w.app.send(Method::POST, "/api/v1/tickets", Some(who), Some(open(priority))).await;
        assert_eq!(status.as_u16(), expected, "{priority}: {body}");
        if expected == 422 {
            assert!(body["errors"]["priority"].is_array(), "{body}");
        }
    }
    let for_dora = json!({"subject": "s", "description": "d", "priority": "urgent", "requester_id": dora.user_id(), "channel": "phone"});
    assert_eq!(w.app.create_ticket(&w.agent, for_dora).await["priority"], "urgent");
}

/// Customers see the assigned agent's name, never the agent's email address or phone number.
#[tokio::test]
async fn customers_see_the_assigned_agents_name_only() {
    let w = world().await;
    let t = w.app.open_ticket(&w.a, "Who helps me?", "x").await;
    let path = format!("/api/v1/tickets/{}", t["id"]);
    w.app.ok(Method::PATCH, &path, &w.agent, Some(json!({"assignee_id": w.agent.user_id()}))).await;
    let seen = w.app.get_json(&path, &w.a).await;
    assert_eq!(seen["assignee"]["full_name"], "agent Example");
    assert_eq!((seen["assignee"]["email"].as_str(), seen["assignee"]["phone"].as_str()), (Some(""), None));
    assert!(!seen.to_string().contains("agent@example.com"));
    let listed = w.app.get_json("/api/v1/tickets", &w.a).await;
    assert!(!listed.to_string().contains("agent@example.com"));
    assert_eq!(w.app.get_json(&path, &w.agent).await["assignee"]["email"], "agent@example.com");
}

/// Staff addresses stay private in the conversation too: customers see who answered by name,
/// and an address only on their own comments.
#[tokio::test]
async fn customers_see_who_replied_by_name_only() {
    let w = world().await;
    let id = w.app.open_ticket(&w.a, "Who answered?", "x").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{id}/comments");
    w.app.ok(Method::POST, &path, &w.agent, Some(json!({"body": "We are on it."}))).await;
    w.app.ok(Method::POST, &path, &w.a, Some(json!({"body": "Thanks!"}))).await;
    let seen = w.app.get_json(&path, &w.a).await;
    let items = seen["items"].as_array().unwrap();
    assert_eq!(
        (items[0]["author_name"].as_str(), items[0]["author_email"].as_str()),
        (Some("agent Example"), Some(""))
    );
    assert!(!items[1]["author_email"].as_str().unwrap().is_empty(), "their own address stays: {seen}");
    assert!(!seen.to_string().contains("agent@example.com"));
    let staff_view = w.app.get_json(&path, &w.agent).await;
    assert_eq!(staff_view["items"][0]["author_email"], "agent@example.com");
}

/// Comments, events and files of a ticket come in pages of the same cursor shape as ticket
/// lists (at most 100).
#[tokio::test]
async fn per_ticket_lists_are_paginated() {
    let w = world().await;
    let id = w.app.open_ticket(&w.a, "Chatty", "x").await["id"].as_i64().unwrap();
    for i in 0..5 {
        w.app
            .ok(
                Method::POST,
                &format!("/api/v1/tickets/{id}/comments"),
                &w.a,
                Some(json!({"body": format!("message {i}")})),
            )
            .await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/tickets/{id}/comments?limit=2&cursor={c}"),
            None => format!("/api/v1/tickets/{id}/comments?limit=2"),
        };
        let page = w.app.ok(Method::GET, &path, &w.a, None).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|c| c["body"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, (0..5).map(|i| format!("message {i}")).collect::<Vec<_>>());
    for suffix in ["comments", "events", "attachments"] {
        let (status, problem) =
            w.app.send(Method::GET, &format!("/api/v1/tickets/{id}/{suffix}?limit=101"), Some(&w.a), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{suffix}: {problem}");
    }
}

/// `/api/v1/tickets?q=…` with `q` encoded as the web UI does.
fn search_path(q: &str) -> String {
    let query = helpdesk_types::tickets::TicketQuery { q: Some(q.to_owned()), ..Default::default() };
    format!("/api/v1/tickets?{}", query.to_query_string())
}

/// The subjects of the tickets `session` finds with `q`.
async fn found(w: &World, session: &Session, q: &str) -> Vec<String> {
    let page = w.app.ok(Method::GET, &search_path(q), session, None).await;
    page["items"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn search_finds_a_ticket_by_its_number_with_or_without_hash() {
    let w = world().await;
    let t = w.app.open_ticket(&w.a, "Drucker", "Geht nicht").await;
    w.app.open_ticket(&w.a, "Scanner", "Auch nicht").await;
    let number = t["number"].as_i64().unwrap();
    assert_eq!(found(&w, &w.agent, &number.to_string()).await, ["Drucker"]);
    assert_eq!(found(&w, &w.agent, &format!("#{number}")).await, ["Drucker"]);
    assert_eq!(found(&w, &w.a, &format!(" #{number} ")).await, ["Drucker"]);
    // Another customer's number finds nothing for a customer.
    assert!(found(&w, &w.b, &number.to_string()).await.is_empty());
    // Digits beyond any number, a lone hash: no match, no error.
    assert!(found(&w, &w.agent, "99999999999999999999999").await.is_empty());
    assert!(found(&w, &w.agent, "#").await.is_empty());
}

#[tokio::test]
async fn search_finds_tickets_by_the_start_of_the_requesters_name_or_email_and_the_organizations_name() {
    let w = world().await;
    w.app.open_ticket(&w.a, "Erstes Anliegen", "Text").await;
    w.app.open_ticket(&w.b, "Zweites Anliegen", "Text").await;
    // Names and emails by the start of a word, any case (anna Example, anna@alpha.example).
    assert_eq!(found(&w, &w.agent, "ann").await, ["Erstes Anliegen"]);
    assert_eq!(found(&w, &w.agent, "EXAMPLE ber").await, ["Zweites Anliegen"]);
    assert_eq!(found(&w, &w.agent, "bert@beta.example").await, ["Zweites Anliegen"]);
    // Organizations by the start of their name (Beta AG).
    assert_eq!(found(&w, &w.agent, "beta").await, ["Zweites Anliegen"]);
    assert_eq!(found(&w, &w.admin, "Alph").await, ["Erstes Anliegen"]);
    // Visibility holds: customer B finds nothing of anna's by her name or company.
    assert!(found(&w, &w.b, "anna").await.is_empty());
    assert!(found(&w, &w.b, "Alpha").await.is_empty());
    // Too short to name anyone, punctuation only, quotes: no people match and no error.
    for q in ["a", "'", "'':*|", "a & b", "\u{0}x"] {
        let (status, _) = w.app.send(Method::GET, &search_path(q), Some(&w.agent), None).await;
        assert!(status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY, "{q:?}: {status}");
    }
}

#[tokio::test]
async fn a_follow_up_links_the_closed_ticket_and_the_new_one_both_ways() {
    let w = world().await;
    let original = w.app.open_ticket(&w.a, "Drucker kaputt", "Geht nicht").await;
    let id = original["id"].as_i64().unwrap();
    // An open ticket is answered there, not followed up.
    let body = json!({"subject": "Noch mal", "description": "Wieder kaputt", "follow_up_of": id});
    let (status, problem) = w.app.send(Method::POST, "/api/v1/tickets", Some(&w.a), Some(body.clone())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["errors"]["follow_up_of"].is_array(), "{problem}");
    w.app.ok(Method::PATCH, &format!("/api/v1/tickets/{id}"), &w.agent, Some(json!({"status": "closed"}))).await;
    // Nobody else can attach a ticket to it, nor learn that it exists.
    for session in [&w.b, &w.c] {
        let (status, problem) = w.app.send(Method::POST, "/api/v1/tickets", Some(session), Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(problem["errors"]["follow_up_of"].is_array(), "{problem}");
    }
    let (status, _) = w
        .app
        .send(
            Method::POST,
            "/api/v1/tickets",
            Some(&w.a),
            Some(json!({"subject": "x", "description": "y", "follow_up_of": i64::MAX})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let follow_up = w.app.create_ticket(&w.a, body).await;
    assert_eq!(follow_up["follow_up_of"]["number"], original["number"]);
    let closed = w.app.get_json(&format!("/api/v1/tickets/{id}"), &w.a).await;
    assert_eq!(closed["follow_ups"][0]["number"], follow_up["number"]);
    assert_eq!(closed["follow_ups"][0]["subject"], "Noch mal");
    let for_agent = w.app.get_json(&format!("/api/v1/tickets/{id}"), &w.agent).await;
    assert_eq!(for_agent["follow_ups"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn agents_and_admins_are_listed_for_assignment_to_staff_only() {
    let w = world().await;
    let agents = w.app.ok(Method::GET, "/api/v1/agents", &w.agent, None).await;
    let names: Vec<&str> = agents.as_array().unwrap().iter().map(|p| p["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Admin Example", "agent Example"]);
    for (session, expected) in [(None, StatusCode::UNAUTHORIZED), (Some(&w.a), StatusCode::FORBIDDEN)] {
        let (status, _) = w.app.send(Method::GET, "/api/v1/agents", session, None).await;
        assert_eq!(status, expected);
    }
    // A deactivated agent is no longer offered.
    let id = w.agent.user_id();
    w.app.ok(Method::PATCH, &format!("/api/v1/users/{id}"), &w.admin, Some(json!({"active": false}))).await;
    let agents = w.app.ok(Method::GET, "/api/v1/agents", &w.admin, None).await;
    assert_eq!(agents.as_array().unwrap().len(), 1);
}

/// Whether `session` sees the ticket `id` marked as unread in its list.
async fn unread_in_list(w: &World, session: &Session, id: i64) -> bool {
    let page = w.app.ok(Method::GET, "/api/v1/tickets?limit=100", session, None).await;
    let ticket = page["items"].as_array().unwrap().iter().find(|t| t["id"] == id).expect("listed").clone();
    ticket["unread"].as_bool().unwrap()
}

#[tokio::test]
async fn unread_markers_show_news_from_the_other_side_until_the_ticket_is_opened() {
    let w = world().await;
    let t = w.app.open_ticket(&w.a, "Drucker", "Geht nicht").await;
    let id = t["id"].as_i64().unwrap();
    // A new ticket is news for the team, not for its author.
    assert!(unread_in_list(&w, &w.agent, id).await);
    assert!(!unread_in_list(&w, &w.a, id).await);
    let opened = w.app.get_json(&format!("/api/v1/tickets/{id}"), &w.agent).await;
    assert_eq!(opened["unread"], true, "the answer that marks it read still says it was news");
    assert!(!unread_in_list(&w, &w.agent, id).await);
    assert!(unread_in_list(&w, &w.admin, id).await, "each person has their own markers");
    // An internal note is no news for the customer; a public reply is.
    let comments = format!("/api/v1/tickets/{id}/comments");
    w.app.ok(Method::POST, &comments, &w.agent, Some(json!({"body": "intern", "internal": true}))).await;
    assert!(!unread_in_list(&w, &w.a, id).await);
    w.app.ok(Method::POST, &comments, &w.agent, Some(json!({"body": "Bitte neu starten"}))).await;
    assert!(unread_in_list(&w, &w.a, id).await);
    assert!(!unread_in_list(&w, &w.agent, id).await, "their own reply is no news to the team");
    let number = t["number"].as_i64().unwrap();
    w.app.get_json(&format!("/api/v1/tickets/by-number/{number}"), &w.a).await;
    assert!(!unread_in_list(&w, &w.a, id).await);
    // The customer answers: news for the agent again.
    w.app.ok(Method::POST, &comments, &w.a, Some(json!({"body": "Geht wieder nicht"}))).await;
    assert!(unread_in_list(&w, &w.agent, id).await);
    // A ticket staff log for a customer (a phone call) is no news to the team.
    let call = w
        .app
        .create_ticket(
            &w.agent,
            json!({"subject": "Anruf", "description": "notiert", "requester_id": w.a.user_id(), "channel": "phone"}),
        )
        .await;
    assert!(!unread_in_list(&w, &w.admin, call["id"].as_i64().unwrap()).await);
    // The markers are the person's data: erasing the account deletes them.
    let marked = || {
        use diesel::{QueryableByName, RunQueryDsl, sql_types::BigInt};
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let user = w.a.user_id();
        diesel::sql_query(format!("SELECT count(*) AS n FROM ticket_reads WHERE user_id = {user}"))
            .get_result::<Count>(&mut w.app.db.connect())
            .unwrap()
            .n
    };
    assert_eq!(marked(), 1);
    let (status, problem) = w
        .app
        .send(Method::DELETE, "/api/v1/me", Some(&w.a), Some(json!({"password": helpdesk_tests::app::PASSWORD})))
        .await;
    assert!(status.is_success(), "{problem}");
    assert_eq!(marked(), 0);
}

#[tokio::test]
async fn the_closed_view_pages_through_finished_tickets_in_queue_order() {
    let w = world().await;
    let mut finished = Vec::new();
    for (session, subject, status) in
        [(&w.b, "Beta eins", "closed"), (&w.a, "Alpha eins", "resolved"), (&w.c, "Alpha zwei", "closed")]
    {
        let t = w.app.open_ticket(session, subject, "x").await;
        w.app
            .ok(Method::PATCH, &format!("/api/v1/tickets/{}", t["id"]), &w.agent, Some(json!({"status": status})))
            .await;
        finished.push(t["id"].as_i64().unwrap());
    }
    w.app.open_ticket(&w.a, "Noch offen", "x").await;
    let path = "/api/v1/tickets?status=resolved&status=closed&sort=queue";
    let all = w.app.ok(Method::GET, &format!("{path}&limit=100"), &w.agent, None).await;
    let ids: Vec<i64> = all["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 3, "only the finished ones");
    assert!(finished.iter().all(|id| ids.contains(id)));
    // Premium (Alpha) before standard (Beta), one page at a time without repeats.
    assert_eq!(all["items"][2]["subject"], "Beta eins");
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&limit=1&cursor={c}"),
            None => format!("{path}&limit=1"),
        };
        let page = w.app.ok(Method::GET, &url, &w.agent, None).await;
        paged.extend(page["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(paged, ids);
}
