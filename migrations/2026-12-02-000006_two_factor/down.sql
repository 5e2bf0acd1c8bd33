DELETE FROM password_tokens WHERE purpose = 'two_factor';
ALTER TABLE password_tokens DROP CONSTRAINT password_tokens_purpose_check;
ALTER TABLE password_tokens ADD CONSTRAINT password_tokens_purpose_check CHECK (purpose IN ('reset', 'invite', 'verify_email'));
DROP TABLE recovery_codes;
DROP TABLE two_factor;
ALTER TABLE users DROP COLUMN two_factor_enabled_at;
