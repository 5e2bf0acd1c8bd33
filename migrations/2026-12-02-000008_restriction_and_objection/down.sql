ALTER TABLE users DROP COLUMN refused_notifications;
ALTER TABLE users DROP COLUMN restricted_at;
