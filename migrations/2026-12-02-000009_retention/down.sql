ALTER TABLE tickets DROP COLUMN legal_hold;
ALTER TABLE categories DROP COLUMN retention_days;
