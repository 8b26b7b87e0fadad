-- What each control plane (instance) has seen of each endpoint's shadow versions since it started: copies sent,
-- dropped (the shadow fell behind) and failed; predictions compared, of which agreed and disagreed (labels), the
-- summed absolute difference of regression values; and the shadow's latency histogram. Each instance overwrites its
-- own rows about once a second; the API shows the sum over instances, those that have stopped included, as for
-- serving_observations.
CREATE TABLE shadow_observations (
    endpoint_id          uuid              NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    version_id           uuid              NOT NULL,
    instance_id          uuid              NOT NULL,
    copies               bigint            NOT NULL CHECK (copies >= 0),
    dropped              bigint            NOT NULL CHECK (dropped >= 0),
    errors               bigint            NOT NULL CHECK (errors >= 0),
    compared             bigint            NOT NULL CHECK (compared >= 0),
    agreed               bigint            NOT NULL CHECK (agreed >= 0),
    disagreed            bigint            NOT NULL CHECK (disagreed >= 0),
    absolute_difference  double precision  NOT NULL CHECK (absolute_difference >= 0),
    latency_buckets      integer[]         NOT NULL,
    latency_counts       bigint[]          NOT NULL,
    updated_at           timestamptz       NOT NULL,
    PRIMARY KEY (endpoint_id, version_id, instance_id)
);
