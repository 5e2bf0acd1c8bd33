-- The contact form (P14): the consent a guest gave, with its wording and time, and private links
-- through which a contact without an account reads and answers the request (stored hashed; they
-- go with the ticket).
ALTER TABLE tickets ADD COLUMN consent_text TEXT, ADD COLUMN consent_at TIMESTAMPTZ;
CREATE TABLE request_links (
    token_hash BYTEA PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX request_links_ticket_idx ON request_links (ticket_id);
