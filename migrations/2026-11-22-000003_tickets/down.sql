DROP TABLE ticket_events;
DROP TABLE comments;
DROP TABLE tickets;
DROP SEQUENCE ticket_number_seq;
DROP TABLE sla_policies;
DROP TABLE categories;
ALTER TABLE users DROP COLUMN phone_digits, DROP COLUMN organization_id;
DROP TABLE organizations;
