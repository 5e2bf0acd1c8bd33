DROP TABLE emails;
DROP TABLE password_tokens;
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
