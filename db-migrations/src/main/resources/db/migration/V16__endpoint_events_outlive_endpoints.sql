-- An endpoint's audit trail outlives the endpoint. Deleting an endpoint records a DELETED event and keeps every
-- record, with the team and the endpoint's name, so that the history of a deleted endpoint can still be read.
ALTER TABLE endpoint_events ADD COLUMN team_id uuid REFERENCES teams (id) ON DELETE CASCADE;
ALTER TABLE endpoint_events ADD COLUMN endpoint_name varchar(100);
UPDATE endpoint_events ev SET team_id = e.team_id, endpoint_name = e.name FROM endpoints e WHERE e.id = ev.endpoint_id;
ALTER TABLE endpoint_events ALTER COLUMN team_id SET NOT NULL;
ALTER TABLE endpoint_events ALTER COLUMN endpoint_name SET NOT NULL;
ALTER TABLE endpoint_events DROP CONSTRAINT endpoint_events_endpoint_id_fkey;
CREATE INDEX endpoint_events_by_name ON endpoint_events (team_id, endpoint_name, at DESC);
