-- Leases that expired because their runner was lost. A run's attempt also counts the claims a draining runner gave
-- back, which cost nothing; max_attempts bounds only these.
ALTER TABLE run_queue ADD COLUMN lost_leases integer NOT NULL DEFAULT 0;
