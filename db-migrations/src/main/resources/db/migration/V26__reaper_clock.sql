-- When the reaper last looked for expired leases, on any control plane of the cluster (the database's clock). A pass
-- that finds the previous one long past knows that reaping stopped (the database, or every control plane, was down)
-- and that the runners' heartbeats most likely failed as long: it gives every lease one more lease before reaping,
-- once until a heartbeat renews it (lease_grace).
-- NULL: no pass yet since this table was made (an upgrade after downtime counts as such a pause).
CREATE TABLE reaper_clock (
    id smallint PRIMARY KEY CHECK (id = 1),
    last_pass timestamptz
);
INSERT INTO reaper_clock (id) VALUES (1);
ALTER TABLE run_queue ADD COLUMN lease_grace boolean NOT NULL DEFAULT false;
