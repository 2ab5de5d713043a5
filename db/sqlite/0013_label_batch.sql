-- Labels sent to a printer go as a background job (issue #15): the batch is queued when the user presses Print, a
-- job sends it, and a printer that is off is tried again later instead of keeping the user waiting. The row is the
-- exactly-once guard: one attempt claims it (queued -> sending); a batch whose sending was cut off by a stopped
-- process is never sent again by itself ('interrupted'), because some of its labels may already be on tubes.
CREATE TABLE label_batch (
    id              INTEGER PRIMARY KEY,
    site_id         INTEGER NOT NULL REFERENCES site (id),
    user_id         INTEGER NULL REFERENCES app_user (id),
    user_name       TEXT    NOT NULL,
    printer_id      INTEGER NOT NULL REFERENCES printer (id),
    template        TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    barcodes        TEXT    NULL,
    box_barcode     TEXT    NULL,
    sample_barcode  TEXT    NULL,
    labels          INTEGER NOT NULL,
    description     TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'sending', 'printed', 'failed', 'interrupted')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    message         TEXT    NOT NULL DEFAULT '',
    node            TEXT    NULL,
    created_utc     TEXT    NOT NULL,
    dispatched_utc  TEXT    NULL,
    started_utc     TEXT    NULL,
    finished_utc    TEXT    NULL
);
CREATE INDEX ix_label_batch_site ON label_batch (site_id, id);
CREATE INDEX ix_label_batch_state ON label_batch (state, id);
