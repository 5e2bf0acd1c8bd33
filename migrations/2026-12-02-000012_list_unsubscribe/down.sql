ALTER TABLE emails DROP COLUMN unsubscribe;
