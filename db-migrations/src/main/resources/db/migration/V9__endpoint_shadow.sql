-- Shadow mode: a version that sees copies of an endpoint's requests; its answers are compared, never returned.
ALTER TABLE endpoints
    ADD COLUMN shadow_version_id uuid REFERENCES model_versions (id);
