DROP TABLE job_runs;
ALTER TABLE users DROP COLUMN notification_channels, DROP COLUMN followed_category_ids;
DROP TABLE notifications;
DROP TABLE sla_facts;
ALTER TABLE tickets
    DROP COLUMN sla_paused_at, DROP COLUMN sla_paused_seconds, DROP COLUMN first_response_warn_at,
    DROP COLUMN resolution_warn_at, DROP COLUMN sla_alerted, DROP COLUMN sla_alert_at, DROP COLUMN pending_reminders;
ALTER TABLE sla_policies DROP COLUMN calendar_id, DROP COLUMN at_risk_percent;
DROP TABLE calendars;
