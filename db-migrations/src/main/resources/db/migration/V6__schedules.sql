-- Scheduled retraining: on a cron expression, or when a new version of a dataset arrives. Quartz (qrtz_*)
-- holds the cron triggers; these rows hold what to launch.

CREATE TABLE schedules (
    id                uuid PRIMARY KEY,
    team_id           uuid          NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name              varchar(100)  NOT NULL,
    cron              varchar(120),
    time_zone         varchar(64)   NOT NULL DEFAULT 'UTC',
    -- When set, every new version of this dataset launches a run.
    on_dataset_id     uuid          REFERENCES datasets (id) ON DELETE CASCADE,
    -- The run to launch: experiment, dataset (its latest version is resolved when the schedule fires), recipe,
    -- params, resources, priority, registerAs.
    run_template      jsonb         NOT NULL,
    promote_to        varchar(100),
    paused            boolean       NOT NULL DEFAULT false,
    created_at        timestamptz   NOT NULL,
    created_by        uuid          REFERENCES users (id) ON DELETE SET NULL,
    last_fired_at     timestamptz,
    last_run_id       uuid,
    -- Why the last fire launched nothing (the template no longer fits, say); cleared by the next good fire.
    last_error        varchar(2000),
    UNIQUE (team_id, name),
    CHECK ((cron IS NULL) <> (on_dataset_id IS NULL))
);
CREATE INDEX schedules_dataset ON schedules (on_dataset_id) WHERE on_dataset_id IS NOT NULL;

-- One row per fire that launched a run: a fire seen twice (a recovered Quartz job, a second control plane)
-- finds its row and launches nothing.
CREATE TABLE schedule_fires (
    schedule_id  uuid          NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    fire_key     varchar(100)  NOT NULL,
    run_id       uuid,
    fired_at     timestamptz   NOT NULL,
    PRIMARY KEY (schedule_id, fire_key)
);
