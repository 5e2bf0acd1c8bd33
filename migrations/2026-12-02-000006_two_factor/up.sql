-- Two-factor sign-in with TOTP (RFC 6238). The secret waits here from the set-up on; the
-- account's `two_factor_enabled_at` is set once a first code confirmed it. `last_step` is the
-- last accepted 30-second step, so a code works once.
CREATE TABLE two_factor (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    last_step  BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
ALTER TABLE users ADD COLUMN two_factor_enabled_at TIMESTAMPTZ;

-- Single-use recovery codes, stored as SHA-256 hashes.
CREATE TABLE recovery_codes (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BYTEA NOT NULL,
    used_at   TIMESTAMPTZ
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id);

-- The second step of a sign-in with two factors: a single-use challenge (5 minutes).
ALTER TABLE password_tokens DROP CONSTRAINT password_tokens_purpose_check;
ALTER TABLE password_tokens
    ADD CONSTRAINT password_tokens_purpose_check CHECK (purpose IN ('reset', 'invite', 'verify_email', 'two_factor'));
