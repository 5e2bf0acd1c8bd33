DROP INDEX tickets_in_time_idx;
DROP TRIGGER ticket_counts_insert ON tickets;
DROP TRIGGER ticket_counts_update ON tickets;
DROP TRIGGER ticket_counts_delete ON tickets;
DROP FUNCTION fold_ticket_counts();
DROP FUNCTION ticket_counts_track();
DROP FUNCTION ticket_count_keys(tickets);
DROP TABLE ticket_counts;
