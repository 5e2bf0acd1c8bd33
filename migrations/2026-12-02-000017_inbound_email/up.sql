-- Inbound email (#14): every mail that arrived (by IMAP or `helpdesk ingest-email`) and what
-- became of it. The unique key makes processing idempotent: a message fetched again after a
-- crash finds its row and is not processed twice. Kept 30 days like the email log.
CREATE TABLE inbound_emails (
    id          BIGSERIAL PRIMARY KEY,
    -- The Message-ID, or `sha256:` and the hash of the message when it has none.
    message_key TEXT NOT NULL UNIQUE,
    mailbox     TEXT NOT NULL,
    sender      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ticket_created', 'comment_added', 'ignored', 'bounce', 'refused')),
    reason      TEXT,
    ticket_id   BIGINT REFERENCES tickets (id) ON DELETE SET NULL,
    comment_id  BIGINT REFERENCES comments (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX inbound_emails_created_idx ON inbound_emails (created_at);
-- New tickets per sender and hour.
CREATE INDEX inbound_emails_sender_idx ON inbound_emails (sender, created_at) WHERE outcome = 'ticket_created';

-- Outgoing mail about a ticket names it, so its Message-ID can thread the replies; a bounce
-- (delivery status notification) marks the mail `bounced`.
ALTER TABLE emails ADD COLUMN ticket_number BIGINT;
ALTER TABLE emails DROP CONSTRAINT emails_status_check;
ALTER TABLE emails ADD CONSTRAINT emails_status_check CHECK (status IN ('pending', 'sent', 'failed', 'bounced'));

-- The original message of a mail (`original.eml`, staff-only) is kept for a limited time.
ALTER TABLE attachments ADD COLUMN expires_at TIMESTAMPTZ;
CREATE INDEX attachments_expires_idx ON attachments (expires_at) WHERE expires_at IS NOT NULL;
