-- What serving each model version has cost on each control plane (instance) since that instance started: the CPU
-- time its serving threads spent on the version, the predictions they answered, and the energy and emissions
-- charged for them with that instance's CPU power model, PUE and grid zone. Each instance overwrites its own rows
-- about once a second; the API divides the sums over instances (those that have stopped included) by the
-- predictions, so energy per 1,000 predictions does not depend on which control plane answers.
CREATE TABLE serving_energy (
    version_id    uuid              NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
    instance_id   uuid              NOT NULL,
    cpu_seconds   double precision  NOT NULL CHECK (cpu_seconds >= 0),
    predictions   bigint            NOT NULL CHECK (predictions >= 0),
    kwh           double precision  NOT NULL CHECK (kwh >= 0),
    kg_co2e       double precision  NOT NULL CHECK (kg_co2e >= 0),
    pue           double precision  NOT NULL,
    zone          text              NOT NULL,
    updated_at    timestamptz       NOT NULL,
    PRIMARY KEY (version_id, instance_id)
);
