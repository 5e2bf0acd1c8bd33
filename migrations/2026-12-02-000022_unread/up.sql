-- Unread markers (#16): when the customer and when the team last wrote publicly on a ticket,
-- and when each person last opened it. A ticket is news for staff when the customer wrote
-- since they last looked, and for the customer when the team did.
ALTER TABLE tickets ADD COLUMN customer_said_at TIMESTAMPTZ, ADD COLUMN team_said_at TIMESTAMPTZ;

CREATE TABLE ticket_reads (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    read_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, ticket_id)
);
CREATE INDEX ticket_reads_ticket_idx ON ticket_reads (ticket_id);
