-- The agent workspace (#16).
-- A follow-up ticket names the closed ticket it continues; deleting the original keeps the
-- follow-up.
ALTER TABLE tickets ADD COLUMN follow_up_of BIGINT REFERENCES tickets (id) ON DELETE SET NULL;
CREATE INDEX tickets_follow_up_of_idx ON tickets (follow_up_of) WHERE follow_up_of IS NOT NULL;

-- Search finds a ticket by its requester's name or email and by its organization's name, each
-- by the start of a word ("mül" finds "Hans Müller"): word-prefix lookups in these indexes.
CREATE INDEX users_name_search_idx ON users
    USING gin (to_tsvector('simple', full_name || ' ' || email));
CREATE INDEX organizations_name_search_idx ON organizations
    USING gin (to_tsvector('simple', name));
