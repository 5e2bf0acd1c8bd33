-- Retention (#15): the clean-up finds closed tickets past their category's retention, and
-- contact-form tickets past theirs, each from its own range instead of reading every closed
-- ticket every minute (318 ms at 1,000,000 tickets, which showed up as a latency spike).
CREATE INDEX tickets_retention_idx ON tickets (category_id, closed_at) WHERE status = 'closed' AND NOT legal_hold;
CREATE INDEX tickets_contact_retention_idx ON tickets (closed_at)
    WHERE status = 'closed' AND NOT legal_hold AND channel = 'contact_form';
