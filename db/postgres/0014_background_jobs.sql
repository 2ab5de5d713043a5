-- Hangfire runs the background jobs (issue #15).
-- When a node last handed a queued import to the job scheduler: the recovery pass hands a queued job over again
-- only when nobody has for a while, so one upload is not enqueued once per pass.
ALTER TABLE import_job ADD COLUMN dispatched_utc TIMESTAMPTZ NULL;

-- The last run of each nightly job (integrity check, backup, overdue scan), for /health and the administrators' home page.
CREATE TABLE maintenance_run (
    job          TEXT    NOT NULL PRIMARY KEY,
    started_utc  TIMESTAMPTZ NOT NULL,
    finished_utc TIMESTAMPTZ NOT NULL,
    ok           BOOLEAN NOT NULL,
    summary      TEXT    NOT NULL,
    node         TEXT    NOT NULL
);

-- A dispatched shipment becomes overdue once; the scan records when it noticed, so the notice (home page, e-mail) is
-- raised once per shipment however often the scan runs and on however many nodes.
ALTER TABLE shipment ADD COLUMN overdue_noticed_utc TIMESTAMPTZ NULL;
