ALTER TABLE emails DROP COLUMN forget_after_send;
ALTER TABLE users DROP COLUMN inactivity_warned_at;
DROP TRIGGER audit_log_no_update ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE audit_log;
