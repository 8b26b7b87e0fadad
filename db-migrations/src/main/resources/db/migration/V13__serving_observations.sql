-- What each control plane (instance) has served of each endpoint's versions since it started: requests, errors,
-- refused requests, predictions and the latency histogram's non-empty buckets. Each instance overwrites its own rows
-- about once a second; the API shows the sum over instances, those that have stopped included, so the counts
-- survive restarts and do not depend on which control plane answers.
CREATE TABLE serving_observations (
    endpoint_id      uuid          NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    version_id       uuid          NOT NULL,
    instance_id      uuid          NOT NULL,
    requests         bigint        NOT NULL CHECK (requests >= 0),
    errors           bigint        NOT NULL CHECK (errors BETWEEN 0 AND requests),
    rejected         bigint        NOT NULL CHECK (rejected >= 0),
    predictions      bigint        NOT NULL CHECK (predictions >= 0),
    latency_buckets  integer[]     NOT NULL,
    latency_counts   bigint[]      NOT NULL,
    updated_at       timestamptz   NOT NULL,
    PRIMARY KEY (endpoint_id, version_id, instance_id)
);
