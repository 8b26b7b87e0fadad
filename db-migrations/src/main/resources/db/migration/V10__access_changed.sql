-- Control planes cache who a token stands for and members' roles (AccessCache). Any change to the rows those
-- come from tells every control plane to drop its cache: NOTIFY is sent when the transaction commits. New rows
-- need no signal: only rows that were found are cached.
CREATE FUNCTION canopy_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('canopy_access_changed', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER api_tokens_access_changed AFTER UPDATE OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION canopy_access_changed();
CREATE TRIGGER users_access_changed AFTER UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION canopy_access_changed();
CREATE TRIGGER teams_access_changed AFTER UPDATE OR DELETE OR TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION canopy_access_changed();
CREATE TRIGGER memberships_access_changed AFTER UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION canopy_access_changed();
