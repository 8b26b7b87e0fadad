-- What control planes saw of a shadow goes when the shadow ends (its endpoint's shadow_id changes or is cleared):
-- with an id per shadow (V21), the rows of every shadow ever started would otherwise stay.
CREATE FUNCTION canopy_shadow_ended() RETURNS trigger AS $$
BEGIN
    DELETE FROM shadow_observations WHERE shadow_id = OLD.shadow_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER endpoints_shadow_ended
    AFTER UPDATE OF shadow_id ON endpoints
    FOR EACH ROW
    WHEN (OLD.shadow_id IS NOT NULL AND OLD.shadow_id IS DISTINCT FROM NEW.shadow_id)
    EXECUTE FUNCTION canopy_shadow_ended();
