-- Attachments (P6). The bytes live in the object store under a random key; this row is the only
-- link between a ticket and its file.
CREATE TABLE attachments (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    comment_id   BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    -- Copied from the comment: attachments on internal notes are staff-only.
    internal     BOOLEAN NOT NULL DEFAULT FALSE,
    object_key   TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL,
    uploaded_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT attachments_object_key_key UNIQUE (object_key)
);
CREATE INDEX attachments_ticket_idx ON attachments (ticket_id, id);
CREATE INDEX attachments_comment_idx ON attachments (comment_id);
