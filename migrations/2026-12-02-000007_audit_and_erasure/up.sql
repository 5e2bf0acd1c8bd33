-- Every privacy action, append-only (P12, issue 11): who did what to whose data, when, from
-- where. Rows are never changed; the clean-up job deletes them after the retention period.
CREATE TABLE audit_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- No foreign keys: the log outlives the accounts it names (ids only, never their data).
    actor_id   BIGINT,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject_id BIGINT,
    details    JSONB NOT NULL DEFAULT '{}',
    client_ip  TEXT
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_id, id);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Inactive accounts (P2): when the warning mail went out; signing in clears it.
ALTER TABLE users ADD COLUMN inactivity_warned_at TIMESTAMPTZ;

-- An email whose log row must not outlive its sending (the confirmation of an erasure).
ALTER TABLE emails ADD COLUMN forget_after_send BOOLEAN NOT NULL DEFAULT FALSE;
