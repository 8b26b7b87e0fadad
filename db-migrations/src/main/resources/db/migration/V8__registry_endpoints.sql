-- The model registry's aliases, descriptions and tags; inference endpoints and their audit trail.

ALTER TABLE models
    ADD COLUMN tags jsonb NOT NULL DEFAULT '{}'::jsonb;

ALTER TABLE model_versions
    ADD COLUMN description varchar(2000),
    ADD COLUMN tags        jsonb NOT NULL DEFAULT '{}'::jsonb;

-- One version per alias of a model ("champion", "challenger", any name).
CREATE TABLE model_aliases (
    model_id    uuid          NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    alias       varchar(100)  NOT NULL,
    version_id  uuid          NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
    set_by      uuid          REFERENCES users (id) ON DELETE SET NULL,
    set_at      timestamptz   NOT NULL,
    PRIMARY KEY (model_id, alias)
);

-- A named endpoint of a team, bound to one model. The live version answers; a canary version, when set,
-- answers canary_percent of the requests until it is completed or rolled back.
CREATE TABLE endpoints (
    id                   uuid PRIMARY KEY,
    team_id              uuid          NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name                 varchar(100)  NOT NULL,
    model_id             uuid          NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    live_version_id      uuid          REFERENCES model_versions (id),
    previous_version_id  uuid          REFERENCES model_versions (id),
    canary_version_id    uuid          REFERENCES model_versions (id),
    canary_percent       integer       CHECK (canary_percent BETWEEN 1 AND 99),
    canary_policy        jsonb,
    created_at           timestamptz   NOT NULL,
    updated_at           timestamptz   NOT NULL,
    UNIQUE (team_id, name),
    CHECK ((canary_version_id IS NULL) = (canary_percent IS NULL))
);

-- Every promotion (passed or refused by its gates), canary start and end, and rollback: who, when, which
-- versions, why, and the gate results. Never updated.
CREATE TABLE endpoint_events (
    id               uuid PRIMARY KEY,
    endpoint_id      uuid          NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    kind             varchar(30)   NOT NULL,
    from_version_id  uuid          REFERENCES model_versions (id),
    to_version_id    uuid          REFERENCES model_versions (id),
    gates            jsonb         NOT NULL DEFAULT '[]'::jsonb,
    actor_id         uuid          REFERENCES users (id) ON DELETE SET NULL,
    actor            varchar(200)  NOT NULL,
    reason           varchar(2000),
    at               timestamptz   NOT NULL
);
CREATE INDEX endpoint_events_by_endpoint ON endpoint_events (endpoint_id, at DESC);

-- The gates a schedule's new version must pass before it is promoted to the schedule's endpoint (promote_to).
ALTER TABLE schedules
    ADD COLUMN promote_gates jsonb NOT NULL DEFAULT '[]'::jsonb;
