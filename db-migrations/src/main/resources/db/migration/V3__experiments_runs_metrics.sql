-- Experiments, runs (tracked from outside or trained by Canopy), their params, tags, inputs and metrics.

CREATE TABLE experiments (
    id           uuid PRIMARY KEY,
    team_id      uuid          NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name         varchar(200)  NOT NULL,
    description  varchar(2000),
    created_at   timestamptz   NOT NULL,
    created_by   uuid          REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (team_id, name)
);

CREATE TABLE runs (
    id             uuid PRIMARY KEY,
    team_id        uuid          NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    experiment_id  uuid          NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    name           varchar(200)  NOT NULL,
    -- TRACKED: logged from outside (like MLflow); TRAINED: queued and trained by a Canopy runner.
    kind           varchar(16)   NOT NULL CHECK (kind IN ('TRACKED', 'TRAINED')),
    status         varchar(16)   NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'FINISHED', 'FAILED', 'KILLED')),
    recipe         varchar(100),
    attempt        integer       NOT NULL DEFAULT 0,
    priority       integer       NOT NULL DEFAULT 0,
    created_at     timestamptz   NOT NULL,
    created_by     uuid          REFERENCES users (id) ON DELETE SET NULL,
    started_at     timestamptz,
    ended_at       timestamptz,
    error          varchar(4000)
);
CREATE INDEX runs_team_created ON runs (team_id, created_at DESC, id);
CREATE INDEX runs_experiment ON runs (experiment_id);

CREATE TABLE run_params (
    run_id  uuid          NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key     varchar(250)  NOT NULL,
    value   varchar(6000) NOT NULL,
    PRIMARY KEY (run_id, key)
);

CREATE TABLE run_tags (
    run_id  uuid          NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key     varchar(250)  NOT NULL,
    value   varchar(8000) NOT NULL,
    PRIMARY KEY (run_id, key)
);

-- Lineage: the dataset versions a run read.
CREATE TABLE run_inputs (
    run_id              uuid  NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    dataset_version_id  uuid  NOT NULL REFERENCES dataset_versions (id),
    PRIMARY KEY (run_id, dataset_version_id)
);
CREATE INDEX run_inputs_dataset_version ON run_inputs (dataset_version_id);

-- One row per (run, metric key): the series' size, extent (for downsampling) and its latest point
-- (highest step, then timestamp, then value, as in MLflow).
CREATE TABLE metric_series (
    id                bigserial PRIMARY KEY,
    run_id            uuid              NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key               varchar(250)      NOT NULL,
    point_count       bigint            NOT NULL DEFAULT 0,
    block_count       bigint            NOT NULL DEFAULT 0,
    min_step          bigint,
    max_step          bigint,
    min_timestamp     bigint,
    max_timestamp     bigint,
    latest_step       bigint,
    latest_timestamp  bigint,
    latest_value      double precision,
    UNIQUE (run_id, key)
);

-- The points themselves. No foreign key on purpose: a per-row RI check would halve ingestion
-- speed, and points are only ever written by the service that created their series.
-- timestamp is epoch milliseconds, as in MLflow.
CREATE TABLE metric_points (
    series_id  bigint            NOT NULL,
    step       bigint            NOT NULL,
    timestamp  bigint            NOT NULL,
    value      double precision  NOT NULL
);
CREATE INDEX metric_points_series_step ON metric_points (series_id, step);

-- Summaries of up to 64 consecutive points (by step, then timestamp) of one ingestion batch: their extent
-- and their lowest and highest point. A long series is downsampled from these instead of from every point.
CREATE TABLE metric_blocks (
    series_id        bigint            NOT NULL,
    first_step       bigint            NOT NULL,
    first_timestamp  bigint            NOT NULL,
    point_count      integer           NOT NULL,
    min_step         bigint            NOT NULL,
    min_timestamp    bigint            NOT NULL,
    min_value        double precision  NOT NULL,
    max_step         bigint            NOT NULL,
    max_timestamp    bigint            NOT NULL,
    max_value        double precision  NOT NULL
);
CREATE INDEX metric_blocks_series_step ON metric_blocks (series_id, first_step);

-- Batch ids already applied, so that a retried batch changes nothing.
CREATE TABLE metric_batches (
    run_id       uuid          NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    batch_id     varchar(100)  NOT NULL,
    received_at  timestamptz   NOT NULL,
    PRIMARY KEY (run_id, batch_id)
);
