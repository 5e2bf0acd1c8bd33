DROP INDEX organizations_name_search_idx;
DROP INDEX users_name_search_idx;
ALTER TABLE tickets DROP COLUMN follow_up_of;
