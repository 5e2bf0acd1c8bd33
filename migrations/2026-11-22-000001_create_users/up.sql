-- Accounts (P1). Emails and usernames are stored lower-case, so plain unique constraints make
-- them unique case-insensitively.
CREATE TABLE users (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           TEXT NOT NULL CHECK (email = lower(email)),
    username        TEXT NOT NULL CHECK (username = lower(username)),
    full_name       TEXT NOT NULL,
    company         TEXT,
    phone           TEXT,
    -- bcrypt hash; NULL while an invited person has not chosen a password yet.
    password_hash   TEXT,
    role            TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'agent', 'admin')),
    locale          TEXT NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'de')),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    last_active_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_username_key UNIQUE (username)
);

CREATE INDEX users_role_idx ON users (role, id);
