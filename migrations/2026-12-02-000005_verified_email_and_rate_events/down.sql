DROP TABLE rate_events;
DELETE FROM password_tokens WHERE purpose = 'verify_email';
ALTER TABLE password_tokens DROP COLUMN email;
ALTER TABLE password_tokens DROP CONSTRAINT password_tokens_purpose_check;
ALTER TABLE password_tokens ADD CONSTRAINT password_tokens_purpose_check CHECK (purpose IN ('reset', 'invite'));
ALTER TABLE organizations DROP COLUMN join_policy;
DROP INDEX users_requested_organization_idx;
ALTER TABLE users DROP COLUMN requested_organization_id, DROP COLUMN pending_email, DROP COLUMN email_verified_at;
