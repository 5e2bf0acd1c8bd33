-- P12 restriction: a frozen account's data is kept but not processed (no mail, no new tickets
-- or comments, staff cannot change its tickets) until an admin lifts it.
ALTER TABLE users ADD COLUMN restricted_at TIMESTAMPTZ;
-- P12 objection: the kinds of non-essential email the person refused.
ALTER TABLE users ADD COLUMN refused_notifications TEXT[] NOT NULL DEFAULT '{}';
