DROP TABLE ticket_reads;
ALTER TABLE tickets DROP COLUMN customer_said_at, DROP COLUMN team_said_at;
