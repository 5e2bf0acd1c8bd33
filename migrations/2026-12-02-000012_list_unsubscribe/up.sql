-- RFC 8058 one-click unsubscribe: what the recipient may turn off ('42:kind:reminders',
-- '7:topic:sla_warning'); the signed link is built when the mail is sent.
ALTER TABLE emails ADD COLUMN unsubscribe TEXT;
