-- "Mine" in the queue (#16): an agent's tickets in the queue order, read from the agent's own
-- range instead of walking everyone's queue (2 s at 1,000,000 tickets, 20 ms with it).
CREATE INDEX tickets_assignee_queue_idx ON tickets (assignee_id, queue_rank, next_due_at, id) WHERE NOT archived;
