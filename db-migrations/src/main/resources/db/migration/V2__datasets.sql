-- Datasets and their immutable, content-addressed versions.

CREATE TABLE datasets (
    id           uuid PRIMARY KEY,
    team_id      uuid          NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name         varchar(100)  NOT NULL,
    description  varchar(2000),
    created_at   timestamptz   NOT NULL,
    created_by   uuid          REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (team_id, name)
);

CREATE TABLE dataset_versions (
    id            uuid PRIMARY KEY,
    dataset_id    uuid          NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    version       integer       NOT NULL CHECK (version > 0),
    sha256        varchar(64)   NOT NULL,
    size_bytes    bigint        NOT NULL,
    row_count     bigint        NOT NULL,
    -- Key of the content in the artifact store (a directory by default, an object store later).
    artifact_key  varchar(200)  NOT NULL,
    -- Per-column profile: type, missing, distinct, numeric statistics, top categories.
    columns       jsonb         NOT NULL,
    created_at    timestamptz   NOT NULL,
    created_by    uuid          REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (dataset_id, version),
    UNIQUE (dataset_id, sha256)
);
