-- Training on runners: trained-run fields, runner tokens, the run queue, runners, team quotas, models.

-- Runs trained by Canopy carry their recipe parameters (typed JSON; also logged as string params for search),
-- what to register the model as, the GPUs they need, their progress and the notes their recipe made.
ALTER TABLE runs
    ADD COLUMN recipe_params         jsonb,
    ADD COLUMN register_as           varchar(100),
    ADD COLUMN gpus                  integer NOT NULL DEFAULT 0,
    ADD COLUMN max_attempts          integer NOT NULL DEFAULT 3,
    ADD COLUMN progress              jsonb,
    ADD COLUMN notes                 jsonb,
    ADD COLUMN checkpoint_epoch      integer,
    ADD COLUMN model_version_id      uuid,
    ADD COLUMN schedule_id           uuid;

-- USER tokens call the API; RUNNER tokens call only the worker protocol (/api/v1/workers/**).
ALTER TABLE api_tokens ADD COLUMN kind varchar(16) NOT NULL DEFAULT 'USER' CHECK (kind IN ('USER', 'RUNNER'));

-- The queue (owned by the scheduler module): one row per trained run that is waiting or leased.
CREATE TABLE run_queue (
    run_id            uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    team_id           uuid          NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    recipe            varchar(100)  NOT NULL,
    priority          integer       NOT NULL,
    gpus              integer       NOT NULL,
    state             varchar(16)   NOT NULL CHECK (state IN ('QUEUED', 'LEASED')),
    -- Fencing token: incremented by every claim; a runner's writes carry it and a stale one is refused.
    attempt           integer       NOT NULL DEFAULT 0,
    max_attempts      integer       NOT NULL,
    worker_id         uuid,
    lease_until       timestamptz,
    enqueued_at       timestamptz   NOT NULL,
    cancel_requested  boolean       NOT NULL DEFAULT false
);
CREATE INDEX run_queue_waiting ON run_queue (priority DESC, enqueued_at) WHERE state = 'QUEUED';
CREATE INDEX run_queue_leases ON run_queue (lease_until) WHERE state = 'LEASED';
CREATE INDEX run_queue_team ON run_queue (team_id, state);

-- Runners (owned by the scheduler module), registered by their runner token.
CREATE TABLE workers (
    id                 uuid PRIMARY KEY,
    name               varchar(200)  NOT NULL UNIQUE,
    -- The runner token it registered with; only that token may speak for it.
    token_id           uuid          NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    team_id            uuid          REFERENCES teams (id) ON DELETE CASCADE,
    host               varchar(255)  NOT NULL,
    cpu_model          varchar(255),
    cores              integer       NOT NULL,
    memory_bytes       bigint        NOT NULL,
    gpus               jsonb         NOT NULL,
    recipes            jsonb         NOT NULL,
    djl_version        varchar(32),
    pytorch_version    varchar(32),
    zone               varchar(64),
    draining           boolean       NOT NULL DEFAULT false,
    registered_at      timestamptz   NOT NULL,
    last_heartbeat_at  timestamptz   NOT NULL
);

-- Per-team limits (owned by the scheduler module); no row, or a null column, means no limit.
CREATE TABLE team_quotas (
    team_id              uuid PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    max_concurrent_runs  integer CHECK (max_concurrent_runs >= 0),
    max_gpus             integer CHECK (max_gpus >= 0)
);

-- Registered models and their versions, with lineage.
CREATE TABLE models (
    id           uuid PRIMARY KEY,
    team_id      uuid          NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name         varchar(100)  NOT NULL,
    description  varchar(2000),
    created_at   timestamptz   NOT NULL,
    UNIQUE (team_id, name)
);

CREATE TABLE model_versions (
    id                  uuid PRIMARY KEY,
    model_id            uuid          NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    version             integer       NOT NULL CHECK (version > 0),
    run_id              uuid          REFERENCES runs (id) ON DELETE SET NULL,
    dataset_version_id  uuid          REFERENCES dataset_versions (id),
    recipe              varchar(100)  NOT NULL,
    params              jsonb         NOT NULL,
    metrics             jsonb         NOT NULL,
    -- The model artifact: DJL parameters plus the spec (architecture, preprocessing, labels, versions).
    artifact_key        varchar(200)  NOT NULL,
    spec                jsonb         NOT NULL,
    created_at          timestamptz   NOT NULL,
    UNIQUE (model_id, version)
);
