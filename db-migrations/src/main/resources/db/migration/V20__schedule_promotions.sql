-- Versions that scheduled runs registered, waiting for their schedule to promote them (promoteTo). A row is written
-- in the transaction that ends the run and deleted once the promotion is decided (promoted, refused, or not
-- possible), so a control plane that stops in between leaves it behind for another one, or itself once restarted.
CREATE TABLE schedule_promotions (
    model_version_id  uuid         PRIMARY KEY REFERENCES model_versions (id) ON DELETE CASCADE,
    schedule_id       uuid         NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    run_id            uuid         NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    -- The control plane (a process id) deciding it, and until when; after that, the periodic sweep of any control
    -- plane takes it, and the first one renews it no more.
    taken_by          uuid         NOT NULL,
    taken_until       timestamptz  NOT NULL,
    -- How many times it was taken: a promotion that keeps failing on an internal error is given up after a few.
    attempts          integer      NOT NULL DEFAULT 1
);
CREATE INDEX schedule_promotions_taken_until ON schedule_promotions (taken_until);
