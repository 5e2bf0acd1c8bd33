DROP INDEX attachments_expires_idx;
ALTER TABLE attachments DROP COLUMN expires_at;
UPDATE emails SET status = 'sent' WHERE status = 'bounced';
ALTER TABLE emails DROP CONSTRAINT emails_status_check;
ALTER TABLE emails ADD CONSTRAINT emails_status_check CHECK (status IN ('pending', 'sent', 'failed'));
ALTER TABLE emails DROP COLUMN ticket_number;
DROP TABLE inbound_emails;
