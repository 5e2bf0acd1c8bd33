DROP INDEX tickets_contact_retention_idx;
DROP INDEX tickets_retention_idx;
