-- A claim's lease is confirmed by the runner's first heartbeat that holds it. A lease that expires unconfirmed was
-- most likely never received (the claim's answer lost: a runner killed in its long poll, a connection reset, a
-- proxy's timeout), and the reaper gives the run back without counting a lost runner, a few times per run (a run
-- whose runners keep dying before their first heartbeat counts from then on).
-- Leases held when this runs count as confirmed, as they were before.
ALTER TABLE run_queue ADD COLUMN confirmed boolean NOT NULL DEFAULT true;
ALTER TABLE run_queue ADD COLUMN unconfirmed_leases integer NOT NULL DEFAULT 0;
