-- Each instance caches the sessions it checked for two seconds (#15). Whatever may end or
-- change one, made by any instance, a job or the command line, tells every instance to forget
-- them: a revoked or deleted session, a changed or deleted account. Signing in and refreshing
-- only move the activity times, which need no forgetting.
CREATE FUNCTION helpdesk_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('helpdesk_events', '{"kind":"auth"}');
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_revoked AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at) EXECUTE FUNCTION helpdesk_auth_changed();
CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION helpdesk_auth_changed();
CREATE TRIGGER users_changed AFTER UPDATE ON users
    FOR EACH ROW WHEN (to_jsonb(OLD) - 'last_active_at' - 'inactivity_warned_at' - 'updated_at'
                       IS DISTINCT FROM to_jsonb(NEW) - 'last_active_at' - 'inactivity_warned_at' - 'updated_at')
    EXECUTE FUNCTION helpdesk_auth_changed();
CREATE TRIGGER users_deleted AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION helpdesk_auth_changed();
