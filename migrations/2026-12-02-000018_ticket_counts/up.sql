-- Counters for the agents' dashboard (`GET /tickets/stats`), kept by a trigger in the very
-- transaction that changes tickets, so they are exact and cost nothing to read at any size.
-- Append-only: a statement adds one row per key it changed (+n / -n) and never updates one, so
-- concurrent writers never wait for each other; `fold_ticket_counts()` sums the rows per key.
CREATE TABLE ticket_counts (
    key TEXT   NOT NULL,
    n   BIGINT NOT NULL
);

-- The keys a ticket counts under (archived tickets under none):
--   status:<status>; and for tickets still needing work (new, open, pending):
--   unassigned or assignee:<id>; running (the SLA clock runs) or paused / paused_breached
--   (a paused clock does not move, so whether it is breached is fixed; the same rule as
--   `sla::clock::status_sql` with the pause time for `now()`).
CREATE FUNCTION ticket_count_keys(t tickets) RETURNS SETOF TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT k FROM (VALUES
        ('status:' || t.status, TRUE),
        ('unassigned', t.assignee_id IS NULL),
        ('assignee:' || t.assignee_id, t.assignee_id IS NOT NULL),
        ('running', t.sla_paused_at IS NULL),
        (CASE WHEN (coalesce(t.first_response_at, t.resolved_at) IS NOT NULL
                    AND coalesce(t.first_response_at, t.resolved_at) > t.first_response_due_at)
                OR (coalesce(t.first_response_at, t.resolved_at) IS NULL AND t.sla_paused_at > t.first_response_due_at)
                OR (t.resolved_at IS NOT NULL AND t.resolved_at > t.resolution_due_at)
                OR (t.resolved_at IS NULL AND t.sla_paused_at > t.resolution_due_at)
              THEN 'paused_breached' ELSE 'paused' END,
         t.sla_paused_at IS NOT NULL)
    ) AS keys (k, applies)
    WHERE NOT t.archived AND applies AND (k LIKE 'status:%' OR t.status IN ('new', 'open', 'pending'))
$$;

CREATE FUNCTION ticket_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_counts (key, n)
        SELECT k, count(*) FROM new_rows t CROSS JOIN LATERAL ticket_count_keys(t) k GROUP BY k;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO ticket_counts (key, n)
        SELECT k, -count(*) FROM old_rows t CROSS JOIN LATERAL ticket_count_keys(t) k GROUP BY k;
    ELSE
        INSERT INTO ticket_counts (key, n)
        SELECT k, sum(d) FROM (
            SELECT k, -1 AS d FROM old_rows t CROSS JOIN LATERAL ticket_count_keys(t) k
            UNION ALL
            SELECT k, 1 FROM new_rows t CROSS JOIN LATERAL ticket_count_keys(t) k
        ) changes GROUP BY k HAVING sum(d) <> 0;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_track();
CREATE TRIGGER ticket_counts_update AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_track();
CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_track();

-- Sums the rows of each key into one (run often; concurrent writers are not blocked).
CREATE FUNCTION fold_ticket_counts() RETURNS void LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM ticket_counts RETURNING key, n)
    INSERT INTO ticket_counts (key, n) SELECT key, sum(n) FROM gone GROUP BY key HAVING sum(n) <> 0;
$$;

INSERT INTO ticket_counts (key, n)
SELECT k, count(*) FROM tickets t CROSS JOIN LATERAL ticket_count_keys(t) k GROUP BY k;

-- What time alone changes (on track, at risk) is counted at read time over the running tickets
-- whose deadlines lie ahead: a range of this index, read without touching the table.
CREATE INDEX tickets_in_time_idx ON tickets (next_due_at)
    INCLUDE (first_response_at, resolved_at, first_response_due_at, resolution_due_at,
             first_response_warn_at, resolution_warn_at, sla_paused_at, archived)
    WHERE sla_paused_at IS NULL AND NOT archived;
