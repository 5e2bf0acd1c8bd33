-- Organizations (client companies) with service contracts.
CREATE TABLE organizations (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           TEXT NOT NULL,
    domains        TEXT[] NOT NULL DEFAULT '{}',
    contract_tier  TEXT NOT NULL DEFAULT 'none' CHECK (contract_tier IN ('none', 'standard', 'premium')),
    dpa_signed_at  DATE,
    shares_tickets BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT organizations_name_key UNIQUE (name)
);
CREATE INDEX organizations_domains_idx ON organizations USING GIN (domains);

ALTER TABLE users
    ADD COLUMN organization_id BIGINT REFERENCES organizations (id) ON DELETE SET NULL,
    -- Digits only, for caller lookup by phone.
    ADD COLUMN phone_digits TEXT GENERATED ALWAYS AS (regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) STORED;
CREATE INDEX users_organization_idx ON users (organization_id);
CREATE INDEX users_phone_digits_idx ON users (phone_digits) WHERE phone_digits <> '';

CREATE TABLE categories (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT categories_name_key UNIQUE (name)
);

-- First-response and resolution targets per contract tier and priority.
CREATE TABLE sla_policies (
    contract_tier          TEXT NOT NULL CHECK (contract_tier IN ('none', 'standard', 'premium')),
    priority               TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes     INTEGER NOT NULL CHECK (resolution_minutes > 0),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (contract_tier, priority)
);
INSERT INTO sla_policies (contract_tier, priority, first_response_minutes, resolution_minutes) VALUES
    ('premium',  'urgent',   30,   240), ('premium',  'high',   60,   480),
    ('premium',  'normal',  240,  1440), ('premium',  'low',   480,  2880),
    ('standard', 'urgent',   60,   480), ('standard', 'high',  240,  1440),
    ('standard', 'normal',  480,  2880), ('standard', 'low',  1440,  5760),
    ('none',     'urgent',  240,  1440), ('none',     'high',  480,  2880),
    ('none',     'normal', 1440,  5760), ('none',     'low',  2880, 10080);

CREATE SEQUENCE ticket_number_seq START WITH 100001;

CREATE TABLE tickets (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number                BIGINT NOT NULL DEFAULT nextval('ticket_number_seq'),
    subject               TEXT NOT NULL,
    description           TEXT NOT NULL,
    status                TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),
    priority              TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    channel               TEXT NOT NULL CHECK (channel IN ('web', 'email', 'phone', 'contact_form', 'api')),
    category_id           BIGINT REFERENCES categories (id) ON DELETE SET NULL,
    requester_id          BIGINT NOT NULL REFERENCES users (id),
    organization_id       BIGINT REFERENCES organizations (id) ON DELETE SET NULL,
    assignee_id           BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- The organization's contract tier, kept in step with it: premium first in the queue.
    contract_tier         TEXT NOT NULL DEFAULT 'none' CHECK (contract_tier IN ('none', 'standard', 'premium')),
    archived              BOOLEAN NOT NULL DEFAULT FALSE,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    first_response_at     TIMESTAMPTZ,
    resolved_at           TIMESTAMPTZ,
    closed_at             TIMESTAMPTZ,
    first_response_due_at TIMESTAMPTZ NOT NULL,
    resolution_due_at     TIMESTAMPTZ NOT NULL,
    -- Sort keys for keyset pagination, derived by PostgreSQL so they cannot drift.
    priority_rank         SMALLINT GENERATED ALWAYS AS (
        CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END) STORED,
    queue_rank            SMALLINT GENERATED ALWAYS AS (
        CASE contract_tier WHEN 'premium' THEN 0 WHEN 'standard' THEN 1 ELSE 2 END) STORED,
    next_due_at           TIMESTAMPTZ GENERATED ALWAYS AS (
        CASE WHEN status IN ('resolved', 'closed') THEN '9999-12-31 00:00:00+00'::timestamptz
             WHEN first_response_at IS NULL THEN least(first_response_due_at, resolution_due_at)
             ELSE resolution_due_at END) STORED,
    search                TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('german', subject), 'A') || setweight(to_tsvector('english', subject), 'A') ||
        to_tsvector('german', description) || to_tsvector('english', description)) STORED,
    CONSTRAINT tickets_number_key UNIQUE (number)
);
CREATE INDEX tickets_created_idx ON tickets (created_at DESC, id DESC);
CREATE INDEX tickets_updated_idx ON tickets (updated_at DESC, id DESC);
CREATE INDEX tickets_priority_idx ON tickets (priority_rank DESC, id DESC);
CREATE INDEX tickets_due_idx ON tickets (next_due_at, id);
CREATE INDEX tickets_queue_idx ON tickets (queue_rank, next_due_at, id) WHERE NOT archived;
CREATE INDEX tickets_requester_idx ON tickets (requester_id, created_at DESC, id DESC);
CREATE INDEX tickets_organization_idx ON tickets (organization_id, created_at DESC, id DESC);
CREATE INDEX tickets_assignee_idx ON tickets (assignee_id, status);
CREATE INDEX tickets_status_idx ON tickets (status) WHERE status <> 'closed';
CREATE INDEX tickets_search_idx ON tickets USING GIN (search);
CREATE INDEX tickets_resolved_idx ON tickets (resolved_at) WHERE status = 'resolved';

-- Comments (P5): author name and email are stored with the comment.
CREATE TABLE comments (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    author_name  TEXT NOT NULL,
    author_email TEXT NOT NULL,
    body         TEXT NOT NULL,
    internal     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    search       TSVECTOR GENERATED ALWAYS AS (to_tsvector('german', body) || to_tsvector('english', body)) STORED
);
CREATE INDEX comments_ticket_idx ON comments (ticket_id, id);
CREATE INDEX comments_search_idx ON comments USING GIN (search);

-- Who changed what when; `internal` events (about internal notes) are staff-only.
CREATE TABLE ticket_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL,
    kind       TEXT NOT NULL,
    from_value TEXT,
    to_value   TEXT,
    internal   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);
