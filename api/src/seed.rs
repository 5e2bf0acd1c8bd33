//! `helpdesk seed --tickets N`: realistic demo data, generated inside PostgreSQL with
//! `INSERT ... SELECT generate_series` in batches (no round trip per row), so a million tickets
//! take minutes. Used by `make run` (small demo set) and the benchmarks.

use std::time::Instant;

use diesel::{Connection, PgConnection, RunQueryDsl, sql_types::BigInt};

use crate::auth::password;

/// Password of every seeded account.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

const BATCH: i64 = 50_000;

/// `SET` clause: alerts for thresholds already passed count as sent; the next one ahead is watched.
const ALERTS: &str = "sla_alerted = array_remove(ARRAY[
        CASE WHEN first_response_at IS NULL AND now() >= first_response_warn_at THEN 'first_response:at_risk' END,
        CASE WHEN first_response_at IS NULL AND now() >= first_response_due_at THEN 'first_response:breached' END,
        CASE WHEN resolved_at IS NULL AND now() >= resolution_warn_at THEN 'resolution:at_risk' END,
        CASE WHEN resolved_at IS NULL AND now() >= resolution_due_at THEN 'resolution:breached' END], NULL),
    sla_alert_at = least(
        CASE WHEN first_response_at IS NULL AND first_response_warn_at > now() THEN first_response_warn_at
             WHEN first_response_at IS NULL AND first_response_due_at > now() THEN first_response_due_at END,
        CASE WHEN resolved_at IS NULL AND resolution_warn_at > now() THEN resolution_warn_at
             WHEN resolved_at IS NULL AND resolution_due_at > now() THEN resolution_due_at END)";

fn exec(conn: &mut PgConnection, sql: &str) -> anyhow::Result<usize> {
    Ok(diesel::sql_query(sql).execute(conn)?)
}

/// Seeds `tickets` tickets (about three comments each), 20 organizations, one customer per 25
/// tickets, 10 agents and 6 categories. Returns the number of tickets created.
pub fn seed(conn: &mut PgConnection, tickets: i64, bcrypt_cost: u32) -> anyhow::Result<i64> {
    let started = Instant::now();
    let hash = password::hash(DEMO_PASSWORD, bcrypt_cost)?;
    let customers = (tickets / 25).max(5);
    conn.transaction(|conn| -> anyhow::Result<()> {
        exec(conn, "INSERT INTO organizations (name, domains, contract_tier, shares_tickets, dpa_signed_at)
            SELECT 'Demo Org ' || g, ARRAY['demo' || g || '.example'],
                   (ARRAY['none', 'standard', 'premium'])[1 + g % 3], g % 2 = 0,
                   CASE WHEN g % 3 = 0 THEN DATE '2026-01-01' + g END
            FROM generate_series(1, 20) g ON CONFLICT (name) DO NOTHING")?;
        exec(conn, "INSERT INTO categories (name, description)
            SELECT n, 'Demo category' FROM unnest(ARRAY['Hardware', 'Software', 'Network', 'Billing', 'Accounts', 'Other']) n
            ON CONFLICT (name) DO NOTHING")?;
        diesel::sql_query(
            "INSERT INTO users (email, username, full_name, password_hash, role, locale)
             SELECT 'agent' || g || '@helpdesk.example', 'demo.agent' || g, 'Agent ' || g, $1, 'agent', 'de'
             FROM generate_series(1, 10) g ON CONFLICT DO NOTHING",
        )
        .bind::<diesel::sql_types::Text, _>(&hash)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO users (email, username, full_name, company, phone, password_hash, role, locale, organization_id)
             SELECT CASE WHEN g <= 5 THEN 'demo.customer' || g ELSE 'customer' || g || '.' || s.seq END
                        || '@demo' || (1 + g % 20) || '.example',
                    CASE WHEN g <= 5 THEN 'demo.customer' || g ELSE 'demo.c' || s.seq || '.' || g END,
                    (ARRAY['Anna', 'Ben', 'Clara', 'David', 'Emma', 'Felix', 'Greta', 'Hans'])[1 + g % 8] || ' ' ||
                    (ARRAY['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner'])[1 + g % 7],
                    'Demo Org ' || (1 + g % 20), '+49 30 ' || (1000000 + g), $1, 'customer',
                    (ARRAY['de', 'en'])[1 + g % 2],
                    (SELECT id FROM organizations WHERE name = 'Demo Org ' || (1 + g % 20))
             FROM generate_series(1, $2) g, (SELECT substr(md5(random()::text), 1, 6) AS seq) s
             ON CONFLICT DO NOTHING",
        )
        .bind::<diesel::sql_types::Text, _>(&hash)
        .bind::<BigInt, _>(customers)
        .execute(conn)?;
        Ok(())
    })?;
    let mut done = 0;
    while done < tickets {
        let n = BATCH.min(tickets - done);
        conn.transaction(|conn| -> anyhow::Result<()> {
            diesel::sql_query(
                "WITH customers AS (
                     SELECT id, organization_id, row_number() OVER (ORDER BY id) AS rn FROM users WHERE role = 'customer'),
                 total AS (SELECT count(*) AS n FROM customers),
                 agents AS (SELECT array_agg(id) AS ids FROM users WHERE role = 'agent'),
                 cats AS (SELECT array_agg(id) AS ids FROM categories),
                 rows AS (
                     -- Resolved tickets are recent: older ones would have been closed by the
                     -- clean-up job (30 days after resolution), which would then catch up on
                     -- the whole backlog while a benchmark measures.
                     SELECT g, now() - (random() * CASE WHEN g % 7 = 3 THEN interval '20 days' ELSE interval '730 days' END) AS created,
                            (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + (g % 5)] AS priority,
                            (ARRAY['new', 'open', 'pending', 'resolved', 'closed', 'closed', 'closed'])[1 + (g % 7)] AS status
                     FROM generate_series(1, $1) g)
                 INSERT INTO tickets (subject, description, status, priority, channel, category_id, requester_id,
                                      organization_id, assignee_id, contract_tier, created_at, updated_at,
                                      first_response_at, resolved_at, closed_at, first_response_due_at, resolution_due_at,
                                      first_response_warn_at, resolution_warn_at, sla_paused_at)
                 SELECT (ARRAY['Drucker druckt nicht', 'VPN verbindet nicht', 'Rechnung fehlt', 'Passwort vergessen',
                               'E-Mail kommt nicht an', 'Server langsam', 'Invoice is wrong', 'Cannot log in',
                               'Backup failed', 'New laptop needed'])[1 + (g % 10)] || ' #' || g,
                        (ARRAY['Seit heute Morgen funktioniert es nicht mehr. Bitte um Rückruf.',
                               'The problem started after the last update. Screenshots attached.',
                               'Betrifft das ganze Team im zweiten Stock.',
                               'Please have a look as soon as possible, it blocks our work.'])[1 + (g % 4)]
                        -- Devices of known frequency, for the search benchmark: each of the first
                        -- four in 1 of 10,000 tickets, each of the next four in 1 of 100.
                        || CASE WHEN g % 10000 BETWEEN 2 AND 5
                                THEN ' Betrifft: ' || (ARRAY['Plotter', 'Beamer', 'Headset', 'Dockingstation'])[g % 10000 - 1] || '.'
                                WHEN g % 100 BETWEEN 6 AND 9
                                THEN ' Betrifft: ' || (ARRAY['Monitor', 'Tastatur', 'Router', 'Webcam'])[g % 100 - 5] || '.'
                                ELSE '' END,
                        r.status, r.priority, (ARRAY['web', 'web', 'email', 'phone', 'api'])[1 + (g % 5)],
                        cats.ids[1 + (g % array_length(cats.ids, 1))],
                        c.id, c.organization_id,
                        CASE WHEN g % 4 = 0 THEN NULL ELSE agents.ids[1 + (g % array_length(agents.ids, 1))] END,
                        coalesce(o.contract_tier, 'none'), r.created, r.created + interval '1 hour',
                        CASE WHEN r.status <> 'new' THEN r.created + interval '2 hours' END,
                        CASE WHEN r.status IN ('resolved', 'closed') THEN r.created + interval '1 day' END,
                        CASE WHEN r.status = 'closed' THEN r.created + interval '2 days' END,
                        r.created + make_interval(mins => p.first_response_minutes),
                        r.created + make_interval(mins => p.resolution_minutes),
                        r.created + make_interval(secs => p.first_response_minutes * 0.6 * p.at_risk_percent),
                        r.created + make_interval(secs => p.resolution_minutes * 0.6 * p.at_risk_percent),
                        CASE WHEN r.status = 'pending' THEN r.created + interval '3 hours' END
                 FROM rows r
                 CROSS JOIN total CROSS JOIN agents CROSS JOIN cats
                 JOIN customers c ON c.rn = 1 + (r.g * 7919) % total.n
                 LEFT JOIN organizations o ON o.id = c.organization_id
                 JOIN sla_policies p ON p.contract_tier = coalesce(o.contract_tier, 'none') AND p.priority = r.priority",
            )
            .bind::<BigInt, _>(n)
            .execute(conn)?;
            // Thresholds already passed count as alerted (a demo database does not start with a
            // flood of SLA mails); the monitor watches the ones ahead. And the report facts.
            diesel::sql_query(format!(
                "UPDATE tickets SET {ALERTS} WHERE id IN (SELECT id FROM tickets ORDER BY id DESC LIMIT $1) AND status IN ('new', 'open')"
            ))
            .bind::<BigInt, _>(n)
            .execute(conn)?;
            diesel::sql_query(
                "INSERT INTO sla_facts
                 SELECT id, created_at, contract_tier, priority, category_id, assignee_id,
                        extract(epoch FROM coalesce(first_response_at, resolved_at) - created_at)::bigint,
                        coalesce(first_response_at, resolved_at, now()) > first_response_due_at,
                        resolved_at, extract(epoch FROM resolved_at - created_at)::bigint,
                        coalesce(resolved_at, now()) > resolution_due_at
                 FROM (SELECT * FROM tickets ORDER BY id DESC LIMIT $1) t",
            )
            .bind::<BigInt, _>(n)
            .execute(conn)?;
            diesel::sql_query(
                "INSERT INTO comments (ticket_id, author_id, author_name, author_email, body, internal, created_at)
                 SELECT t.id, u.id, u.full_name, u.email,
                        (ARRAY['Danke, wir schauen uns das an.', 'Could you send a screenshot?',
                               'Kunde hat Vertrag Premium, bitte priorisieren.', 'Problem is solved after restart.'])[1 + (k + t.id) % 4],
                        k = 2, t.created_at + k * interval '3 hours'
                 FROM (SELECT * FROM tickets ORDER BY id DESC LIMIT $1) t
                 CROSS JOIN generate_series(1, 3) k
                 JOIN users u ON u.id = CASE WHEN k = 1 THEN t.requester_id ELSE coalesce(t.assignee_id, t.requester_id) END",
            )
            .bind::<BigInt, _>(n)
            .execute(conn)?;
            Ok(())
        })?;
        done += n;
        tracing::info!(done, total = tickets, elapsed_s = started.elapsed().as_secs(), "seeding tickets");
    }
    // As autovacuum would: fresh statistics for the planner, and empty GIN pending lists.
    exec(conn, "VACUUM ANALYZE")?;
    tracing::info!(tickets, elapsed_s = started.elapsed().as_secs_f64(), "seed complete");
    Ok(tickets)
}
