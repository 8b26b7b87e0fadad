-- Each shadow gets an id of its own, as each canary has (V12): what control planes saw of one shadow is never mixed
-- with a later shadow of the same version on the same endpoint.
ALTER TABLE endpoints ADD COLUMN shadow_id uuid;
UPDATE endpoints SET shadow_id = gen_random_uuid() WHERE shadow_version_id IS NOT NULL;
ALTER TABLE endpoints ADD CONSTRAINT endpoints_shadow_id_with_shadow
    CHECK ((shadow_version_id IS NULL) = (shadow_id IS NULL));

-- Observations of the shadows running now keep counting under their new ids; those of ended shadows go (the API
-- showed only a running shadow's).
ALTER TABLE shadow_observations ADD COLUMN shadow_id uuid;
UPDATE shadow_observations o SET shadow_id = e.shadow_id
    FROM endpoints e WHERE e.id = o.endpoint_id AND e.shadow_version_id = o.version_id;
DELETE FROM shadow_observations WHERE shadow_id IS NULL;
ALTER TABLE shadow_observations ALTER COLUMN shadow_id SET NOT NULL;
ALTER TABLE shadow_observations DROP CONSTRAINT shadow_observations_pkey;
ALTER TABLE shadow_observations ADD PRIMARY KEY (shadow_id, instance_id);
CREATE INDEX shadow_observations_endpoint ON shadow_observations (endpoint_id);
