-- Assays: platforms, panels, analytes, runs and their files, results (tens of millions of rows), plate controls,
-- and the import jobs that load them in the background.

CREATE TABLE platform (
    id            INTEGER PRIMARY KEY,
    code          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    value_kind    TEXT    NOT NULL CHECK (value_kind IN ('npx', 'concentration', 'ct', 'counts')),
    default_unit  TEXT    NOT NULL,
    created_utc   TEXT    NOT NULL
);

CREATE TABLE panel (
    id           INTEGER PRIMARY KEY,
    platform_id  INTEGER NOT NULL REFERENCES platform (id),
    code         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    version      TEXT    NULL,
    UNIQUE (platform_id, code)
);

-- code: the UniProt accession of a protein (P16860) or the miRBase mature name of a miRNA (hsa-miR-21-5p).
-- unit: the concentration unit for concentration platforms; NPX, Ct and counts carry their platform's unit.
CREATE TABLE analyte (
    id               INTEGER PRIMARY KEY,
    code             TEXT    NOT NULL UNIQUE,
    name             TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('protein', 'mirna')),
    biomarker_class  TEXT    NOT NULL CHECK (biomarker_class IN ('plasma_protein', 'saliva_protein', 'mirna', 'intracellular_protein')),
    uniprot          TEXT    NULL,
    mirbase_name     TEXT    NULL,
    mimat            TEXT    NULL,
    unit             TEXT    NULL,
    panel_id         INTEGER NULL REFERENCES panel (id),
    created_utc      TEXT    NOT NULL,
    created_by       TEXT    NOT NULL
);
CREATE INDEX ix_analyte_panel ON analyte (panel_id);
CREATE INDEX ix_analyte_class ON analyte (biomarker_class);

-- A run (plate) of one platform. Its results may come back in several files (one per panel), each imported once.
CREATE TABLE assay_run (
    id                 INTEGER PRIMARY KEY,
    run_code           TEXT    NOT NULL UNIQUE,
    platform_id        INTEGER NOT NULL REFERENCES platform (id),
    run_date           TEXT    NULL,
    operator           TEXT    NULL,
    lab_site_id        INTEGER NULL REFERENCES site (id),
    status             TEXT    NOT NULL CHECK (status IN ('importing', 'imported', 'approved', 'rejected')),
    result_rows        INTEGER NOT NULL DEFAULT 0,
    control_rows       INTEGER NOT NULL DEFAULT 0,
    aliquots           INTEGER NOT NULL DEFAULT 0,
    created_utc        TEXT    NOT NULL,
    created_by         TEXT    NOT NULL,
    review_note        TEXT    NULL,
    reviewed_utc       TEXT    NULL,
    reviewed_by        TEXT    NULL
);
CREATE INDEX ix_assay_run_status ON assay_run (status, id);

-- One imported file: the SHA-256 is unique, so the same file is never imported twice.
CREATE TABLE assay_file (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES assay_run (id),
    file_name       TEXT    NOT NULL,
    sha256          TEXT    NOT NULL UNIQUE,
    format          TEXT    NOT NULL CHECK (format IN ('npx', 'wide', 'qpcr', 'counts')),
    size_bytes      INTEGER NOT NULL,
    rows_read       INTEGER NOT NULL,
    result_rows     INTEGER NOT NULL,
    control_rows    INTEGER NOT NULL,
    options_json    TEXT    NULL,
    import_job_id   INTEGER NULL,
    imported_utc    TEXT    NOT NULL,
    imported_by     TEXT    NOT NULL
);
CREATE INDEX ix_assay_file_run ON assay_file (run_id);

CREATE TABLE assay_run_aliquot (
    run_id       INTEGER NOT NULL REFERENCES assay_run (id),
    tube_id      INTEGER NOT NULL REFERENCES tube (id),
    plate_id     TEXT    NULL,
    consumed_ul  NUMERIC NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, tube_id)
);
CREATE INDEX ix_assay_run_aliquot_tube ON assay_run_aliquot (tube_id);

-- Narrow on purpose: tens of millions of rows. No foreign keys here (checked by the import, which holds the
-- write lock); raw_value keeps the Ct when value is the ΔCt. value is NULL when the file said NA.
CREATE TABLE assay_result (
    run_id      INTEGER NOT NULL,
    tube_id     INTEGER NOT NULL,
    analyte_id  INTEGER NOT NULL,
    value       REAL    NULL,
    lod         REAL    NULL,
    below_lod   INTEGER NOT NULL DEFAULT 0,
    qc_warning  INTEGER NOT NULL DEFAULT 0,
    raw_value   REAL    NULL,
    PRIMARY KEY (run_id, tube_id, analyte_id)
) WITHOUT ROWID;
CREATE INDEX ix_assay_result_analyte ON assay_result (analyte_id, tube_id);

-- Plate controls (CONTROL, IPC, NC, …) are stored, not refused: QC review looks at them.
CREATE TABLE assay_control (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES assay_run (id),
    sample_id   TEXT    NOT NULL,
    analyte_id  INTEGER NOT NULL REFERENCES analyte (id),
    value       REAL    NULL,
    plate_id    TEXT    NULL,
    qc_warning  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_assay_control_run ON assay_control (run_id, analyte_id);

-- Background imports: progress survives a restart; problems is a JSON array capped at 1,000 entries.
CREATE TABLE import_job (
    id                INTEGER PRIMARY KEY,
    kind              TEXT    NOT NULL,
    file_path         TEXT    NOT NULL,
    original_name     TEXT    NOT NULL,
    sha256            TEXT    NULL,
    format            TEXT    NOT NULL,
    run_code          TEXT    NOT NULL,
    options_json      TEXT    NULL,
    state             TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    phase             TEXT    NULL,
    bytes_total       INTEGER NOT NULL DEFAULT 0,
    bytes_read        INTEGER NOT NULL DEFAULT 0,
    rows_read         INTEGER NOT NULL DEFAULT 0,
    rows_validated    INTEGER NOT NULL DEFAULT 0,
    rows_written      INTEGER NOT NULL DEFAULT 0,
    problem_count     INTEGER NOT NULL DEFAULT 0,
    problems          TEXT    NULL,
    message           TEXT    NULL,
    created_utc       TEXT    NOT NULL,
    created_by        TEXT    NOT NULL,
    started_utc       TEXT    NULL,
    heartbeat_utc     TEXT    NULL,
    finished_utc      TEXT    NULL,
    cancel_requested  INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
    attempts          INTEGER NOT NULL DEFAULT 0,
    node              TEXT    NULL
);
CREATE INDEX ix_import_job_state ON import_job (state, id);
