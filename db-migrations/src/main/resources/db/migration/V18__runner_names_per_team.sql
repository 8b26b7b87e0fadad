-- Runner names are unique per team (platform-wide runners, team_id NULL, count as one more team): a runner token
-- of one team can neither learn that another team's runner name exists nor take that runner over.
ALTER TABLE workers DROP CONSTRAINT workers_name_key;
CREATE UNIQUE INDEX workers_team_name
    ON workers ((coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid)), name);
