DROP TABLE request_links;
ALTER TABLE tickets DROP COLUMN consent_at, DROP COLUMN consent_text;
