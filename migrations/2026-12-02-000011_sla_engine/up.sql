-- Issue #12: business calendars, an SLA clock that pauses, SLA alerts, in-app notifications,
-- notification preferences, job runs and the facts the SLA reports count.

-- Business calendars: a time zone, weekly opening intervals and holidays (own dates, yearly
-- dates, and optionally a computed preset such as 'DE' or 'DE-BY').
CREATE TABLE calendars (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    time_zone      TEXT NOT NULL DEFAULT 'Europe/Berlin',
    opening_hours  JSONB NOT NULL,
    holidays       JSONB NOT NULL DEFAULT '[]',
    holiday_region TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Calendar 1 is open around the clock; it cannot be deleted.
INSERT INTO calendars (id, name, time_zone, opening_hours)
SELECT 1, 'Around the clock', 'Europe/Berlin',
       jsonb_agg(jsonb_build_object('weekday', d, 'start', '00:00', 'end', '24:00') ORDER BY n)
FROM unnest(ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) WITH ORDINALITY AS w (d, n);
SELECT setval('calendars_id_seq', 1);

ALTER TABLE sla_policies
    ADD COLUMN calendar_id     BIGINT NOT NULL DEFAULT 1 REFERENCES calendars (id),
    ADD COLUMN at_risk_percent SMALLINT NOT NULL DEFAULT 75 CHECK (at_risk_percent BETWEEN 1 AND 99);

-- The SLA clock of a ticket. Deadlines are business time of the policy's calendar after
-- creation, plus `sla_paused_seconds` of business time spent pending. `*_warn_at` is when a
-- target becomes at risk. `sla_alerted` lists the alerts already sent ('first_response:at_risk',
-- 'resolution:breached', ...), `sla_alert_at` is when the SLA monitor must look next (NULL:
-- nothing to watch). `pending_reminders` counts reminder mails since the ticket became pending.
ALTER TABLE tickets
    ADD COLUMN sla_paused_at          TIMESTAMPTZ,
    ADD COLUMN sla_paused_seconds     BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN first_response_warn_at TIMESTAMPTZ,
    ADD COLUMN resolution_warn_at     TIMESTAMPTZ,
    ADD COLUMN sla_alerted            TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN sla_alert_at           TIMESTAMPTZ,
    ADD COLUMN pending_reminders      SMALLINT NOT NULL DEFAULT 0;

UPDATE tickets SET
    first_response_warn_at = first_response_due_at - (first_response_due_at - created_at) / 4,
    resolution_warn_at = resolution_due_at - (resolution_due_at - created_at) / 4,
    sla_paused_at = CASE WHEN status = 'pending' THEN updated_at END;
ALTER TABLE tickets
    ALTER COLUMN first_response_warn_at SET NOT NULL,
    ALTER COLUMN resolution_warn_at SET NOT NULL;
-- Existing tickets: what already happened counts as alerted (no flood of old alerts after the
-- upgrade); the monitor watches the thresholds still ahead.
UPDATE tickets SET
    sla_alerted = array_remove(ARRAY[
        CASE WHEN first_response_at IS NULL AND now() >= first_response_warn_at THEN 'first_response:at_risk' END,
        CASE WHEN first_response_at IS NULL AND now() >= first_response_due_at THEN 'first_response:breached' END,
        CASE WHEN resolved_at IS NULL AND now() >= resolution_warn_at THEN 'resolution:at_risk' END,
        CASE WHEN resolved_at IS NULL AND now() >= resolution_due_at THEN 'resolution:breached' END], NULL),
    sla_alert_at = least(
        CASE WHEN first_response_at IS NULL AND first_response_warn_at > now() THEN first_response_warn_at
             WHEN first_response_at IS NULL AND first_response_due_at > now() THEN first_response_due_at END,
        CASE WHEN resolved_at IS NULL AND resolution_warn_at > now() THEN resolution_warn_at
             WHEN resolved_at IS NULL AND resolution_due_at > now() THEN resolution_due_at END)
WHERE status IN ('new', 'open');
CREATE INDEX tickets_sla_alert_idx ON tickets (sla_alert_at) WHERE sla_alert_at IS NOT NULL;
CREATE INDEX tickets_pending_idx ON tickets (sla_paused_at) WHERE status = 'pending';

-- What the SLA reports count, one row per ticket. No foreign key to tickets: the facts hold no
-- personal data and outlive erased and deleted tickets, so reports over past periods stay true.
CREATE TABLE sla_facts (
    ticket_id               BIGINT PRIMARY KEY,
    created_at              TIMESTAMPTZ NOT NULL,
    contract_tier           TEXT NOT NULL,
    priority                TEXT NOT NULL,
    category_id             BIGINT REFERENCES categories (id) ON DELETE SET NULL,
    assignee_id             BIGINT REFERENCES users (id) ON DELETE SET NULL,
    first_response_seconds  BIGINT,
    first_response_breached BOOLEAN NOT NULL DEFAULT FALSE,
    resolved_at             TIMESTAMPTZ,
    resolution_seconds      BIGINT,
    resolution_breached     BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO sla_facts
SELECT id, created_at, contract_tier, priority, category_id, assignee_id,
       extract(epoch FROM first_response_at - created_at)::bigint,
       coalesce(first_response_at, now()) > first_response_due_at,
       resolved_at,
       extract(epoch FROM resolved_at - created_at)::bigint,
       coalesce(resolved_at, now()) > resolution_due_at
FROM tickets;
CREATE INDEX sla_facts_created_idx ON sla_facts (created_at);
CREATE INDEX sla_facts_resolved_idx ON sla_facts (resolved_at) WHERE resolved_at IS NOT NULL;

-- In-app notifications (the bell), kept 90 days.
CREATE TABLE notifications (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id  BIGINT REFERENCES tickets (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    read_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_created_idx ON notifications (created_at);

-- Per kind: 'email', 'in_app', 'both' or 'none' (missing kinds use the defaults);
-- categories an agent follows for new-ticket notifications (empty: all).
ALTER TABLE users
    ADD COLUMN notification_channels JSONB NOT NULL DEFAULT '{}',
    ADD COLUMN followed_category_ids BIGINT[] NOT NULL DEFAULT '{}';

-- Every run of a scheduled job, kept 30 days.
CREATE TABLE job_runs (
    id          BIGSERIAL PRIMARY KEY,
    job         TEXT NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    outcome     TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed')),
    counts      JSONB NOT NULL DEFAULT '{}',
    error       TEXT
);
CREATE INDEX job_runs_job_idx ON job_runs (job, started_at DESC);
CREATE INDEX job_runs_started_idx ON job_runs (started_at);
