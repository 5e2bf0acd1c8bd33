-- Webhooks (#13): subscriptions and their delivery outbox, which is also the delivery log
-- (kept 30 days). A delivery row is written in the transaction of the change it reports.
CREATE TABLE webhooks (
    id               BIGSERIAL PRIMARY KEY,
    owner_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    event_types      TEXT[] NOT NULL,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    include_internal BOOLEAN NOT NULL DEFAULT FALSE,
    -- The signing secret (whsec_…); the server needs it to sign, so it is kept as is.
    secret           TEXT NOT NULL,
    failing_since    TIMESTAMPTZ,
    disabled_reason  TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id               BIGSERIAL PRIMARY KEY,
    webhook_id       BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    -- Deliveries for one ticket go out in order.
    ticket_id        BIGINT,
    payload          JSONB NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INT NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    response_status  SMALLINT,
    response_excerpt TEXT,
    duration_ms      INT,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at     TIMESTAMPTZ
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC);
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (webhook_id, ticket_id, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);
