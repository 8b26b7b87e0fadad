-- Energy and CO2e accounting: what runners metered, when, by which method, and the grid intensity applied.

-- What a worker declares for carbon accounting: its PUE and how its meter reads each component.
ALTER TABLE workers
    ADD COLUMN pue            double precision CHECK (pue >= 1.0 AND pue <= 3.0),
    ADD COLUMN energy_methods jsonb;

-- Warnings a run was given when it was submitted (the team's CO2e budget nearly spent, say).
ALTER TABLE runs ADD COLUMN warnings jsonb;

-- One row per thing metered: a run's attempt (RUN), or a worker's time without a run in one runner session
-- (IDLE, charged to no team). Runners report cumulative readings; this row remembers how far they got.
CREATE TABLE energy_meters (
    id             uuid PRIMARY KEY,
    kind           varchar(8)        NOT NULL CHECK (kind IN ('RUN', 'IDLE')),
    team_id        uuid              REFERENCES teams (id) ON DELETE CASCADE,
    run_id         uuid              REFERENCES runs (id) ON DELETE CASCADE,
    attempt        integer,
    worker_id      uuid              REFERENCES workers (id) ON DELETE SET NULL,
    worker_name    varchar(200)      NOT NULL,
    session        uuid,
    zone           varchar(64),
    pue            double precision  NOT NULL,
    -- Metered seconds and the server time of the last reading: the next reading's interval starts there.
    seconds        double precision  NOT NULL DEFAULT 0,
    reported_at    timestamptz       NOT NULL,
    final          boolean           NOT NULL DEFAULT false,
    UNIQUE (run_id, attempt),
    UNIQUE (worker_id, session),
    CHECK ((kind = 'RUN') = (run_id IS NOT NULL AND attempt IS NOT NULL AND team_id IS NOT NULL)),
    CHECK ((kind = 'IDLE') = (session IS NOT NULL))
);

-- The latest cumulative reading per component, device (-1: not a device) and method. joules is null when the
-- component could not be measured: detail says why.
CREATE TABLE energy_components (
    meter_id     uuid              NOT NULL REFERENCES energy_meters (id) ON DELETE CASCADE,
    component    varchar(8)        NOT NULL CHECK (component IN ('GPU', 'CPU', 'RAM')),
    device       integer           NOT NULL,
    method       varchar(16)       NOT NULL
                     CHECK (method IN ('counter', 'power-integral', 'rapl', 'model', 'unmeasured')),
    device_name  varchar(200),
    detail       varchar(1000),
    joules       double precision  CHECK (joules >= 0),
    PRIMARY KEY (meter_id, component, device, method),
    CHECK ((method = 'unmeasured') = (joules IS NULL))
);

-- Energy over time: each reading adds, per component, the energy since the previous one, cut at the edges of
-- the intensity used, with that intensity and its provenance as they were when it was charged.
CREATE TABLE energy_intervals (
    id                bigserial PRIMARY KEY,
    meter_id          uuid              NOT NULL REFERENCES energy_meters (id) ON DELETE CASCADE,
    team_id           uuid,
    run_id            uuid,
    worker_id         uuid,
    component         varchar(8)        NOT NULL,
    device            integer           NOT NULL,
    method            varchar(16)       NOT NULL,
    started_at        timestamptz       NOT NULL,
    ended_at          timestamptz       NOT NULL,
    joules            double precision  NOT NULL CHECK (joules >= 0),
    pue               double precision  NOT NULL,
    zone              varchar(64)       NOT NULL,
    g_co2e_per_kwh    double precision  NOT NULL,
    intensity_source  varchar(300)      NOT NULL,
    intensity_year    integer,
    intensity_at      timestamptz,
    intensity_method  varchar(100)      NOT NULL,
    intensity_fallback boolean          NOT NULL,
    intensity_note    varchar(300),
    kg_co2e           double precision  NOT NULL
);
CREATE INDEX energy_intervals_team ON energy_intervals (team_id, started_at) WHERE team_id IS NOT NULL;
CREATE INDEX energy_intervals_run ON energy_intervals (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX energy_intervals_worker ON energy_intervals (worker_id, started_at);
CREATE INDEX energy_intervals_meter ON energy_intervals (meter_id);

-- Hourly (or finer) grid intensity a team uploaded for a zone; its runs there use it for the hours it covers.
CREATE TABLE intensity_traces (
    id           uuid PRIMARY KEY,
    team_id      uuid          NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    zone         varchar(64)   NOT NULL,
    source       varchar(300)  NOT NULL,
    points       integer       NOT NULL,
    first_at     timestamptz   NOT NULL,
    last_at      timestamptz   NOT NULL,
    uploaded_at  timestamptz   NOT NULL,
    uploaded_by  uuid          REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (team_id, zone)
);

CREATE TABLE intensity_trace_points (
    trace_id        uuid              NOT NULL REFERENCES intensity_traces (id) ON DELETE CASCADE,
    at              timestamptz       NOT NULL,
    g_co2e_per_kwh  double precision  NOT NULL CHECK (g_co2e_per_kwh >= 0),
    PRIMARY KEY (trace_id, at)
);

-- A team's monthly CO2e budget: a warning from warn_percent, then refusal (or only a warning) past 100 %.
CREATE TABLE carbon_budgets (
    team_id          uuid PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    monthly_kg_co2e  double precision  NOT NULL CHECK (monthly_kg_co2e > 0),
    warn_percent     integer           NOT NULL CHECK (warn_percent BETWEEN 1 AND 100),
    enforcement      varchar(8)        NOT NULL CHECK (enforcement IN ('REFUSE', 'WARN')),
    updated_at       timestamptz       NOT NULL,
    updated_by       uuid              REFERENCES users (id) ON DELETE SET NULL
);
