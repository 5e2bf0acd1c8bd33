-- Email ownership before organization membership (issue 10): an address counts once its
-- single-use link was used. Accounts that existed before are taken as verified.
ALTER TABLE users
    ADD COLUMN email_verified_at TIMESTAMPTZ,
    -- A changed address waits here until its link is used.
    ADD COLUMN pending_email TEXT CHECK (pending_email = lower(pending_email)),
    -- Membership asked for (organizations with join_policy 'approval'), until an admin decides.
    ADD COLUMN requested_organization_id BIGINT REFERENCES organizations (id) ON DELETE SET NULL;
UPDATE users SET email_verified_at = created_at;
CREATE INDEX users_requested_organization_idx ON users (requested_organization_id)
    WHERE requested_organization_id IS NOT NULL;

ALTER TABLE organizations
    ADD COLUMN join_policy TEXT NOT NULL DEFAULT 'verified_domain'
        CHECK (join_policy IN ('verified_domain', 'approval'));

-- Email verification links live with the other single-use links; `email` is the address the
-- link proves.
ALTER TABLE password_tokens DROP CONSTRAINT password_tokens_purpose_check;
ALTER TABLE password_tokens
    ADD CONSTRAINT password_tokens_purpose_check CHECK (purpose IN ('reset', 'invite', 'verify_email')),
    ADD COLUMN email TEXT;

-- Counted events for rate limits that must hold across instances and restarts: registrations
-- per address, reset mails per address, verification resends, wrong current passwords. Deleted
-- by the clean-up job once they no longer count.
CREATE TABLE rate_events (
    id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX rate_events_key_idx ON rate_events (kind, key, at);
CREATE INDEX rate_events_at_idx ON rate_events (at);
