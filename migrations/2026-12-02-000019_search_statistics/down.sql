ALTER INDEX comments_search_idx RESET (gin_pending_list_limit);
ALTER INDEX tickets_search_idx RESET (gin_pending_list_limit);
ALTER TABLE comments ALTER COLUMN search SET STATISTICS -1;
ALTER TABLE tickets ALTER COLUMN search SET STATISTICS -1;
