-- Each canary gets an id of its own, so that what control planes saw of one canary is never mixed with another
-- canary of the same version later.
ALTER TABLE endpoints ADD COLUMN canary_id uuid;
UPDATE endpoints SET canary_id = gen_random_uuid() WHERE canary_version_id IS NOT NULL;
ALTER TABLE endpoints ADD CONSTRAINT endpoints_canary_id_with_canary
    CHECK ((canary_version_id IS NULL) = (canary_id IS NULL));

-- What each control plane (instance) has seen of a running canary, per side (the live version, the canary):
-- requests, errors and the latency histogram's non-empty buckets. Each instance overwrites its own rows about once
-- a second; the canary policy decides on the sum over instances. Rows of ended canaries are deleted.
CREATE TABLE canary_observations (
    canary_id        uuid          NOT NULL,
    endpoint_id      uuid          NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    instance_id      uuid          NOT NULL,
    side             varchar(6)    NOT NULL CHECK (side IN ('LIVE', 'CANARY')),
    requests         bigint        NOT NULL CHECK (requests >= 0),
    errors           bigint        NOT NULL CHECK (errors BETWEEN 0 AND requests),
    latency_buckets  integer[]     NOT NULL,
    latency_counts   bigint[]      NOT NULL,
    updated_at       timestamptz   NOT NULL,
    PRIMARY KEY (canary_id, instance_id, side)
);
CREATE INDEX canary_observations_endpoint ON canary_observations (endpoint_id);
