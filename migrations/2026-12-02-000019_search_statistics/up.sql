-- Search plans rest on the text columns' statistics: keep the 10,000 most common lexemes (the
-- default keeps 1,000), so a word outside them is known to be rare and is read from the text
-- index, while a common word walks the sort order. And keep the GIN indexes' list of pending
-- insertions short (every search reads all of it): 512 kB instead of 4 MB.
ALTER TABLE tickets ALTER COLUMN search SET STATISTICS 1000;
ALTER TABLE comments ALTER COLUMN search SET STATISTICS 1000;
ALTER INDEX tickets_search_idx SET (gin_pending_list_limit = 512);
ALTER INDEX comments_search_idx SET (gin_pending_list_limit = 512);
