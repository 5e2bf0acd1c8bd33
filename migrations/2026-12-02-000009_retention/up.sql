-- Per-category retention (P4, P15; issue 11): closed tickets of a category are deleted this
-- many days after closing (NULL: kept), unless staff put them on legal hold.
ALTER TABLE categories ADD COLUMN retention_days INTEGER CHECK (retention_days BETWEEN 1 AND 36500);
ALTER TABLE tickets ADD COLUMN legal_hold BOOLEAN NOT NULL DEFAULT FALSE;
