-- qPCR instrument exports hold one row per well: the technical replicates of a (sample, target) are averaged into
-- one assay_result, and what was averaged is kept here — how many wells, how many amplified, the SD of their Ct
-- (the QC flag on the result says when it was above the limit), and the wells. Only replicate formats write here,
-- so the narrow assay_result stays as it is.
CREATE TABLE assay_result_replicates (
    run_id      INTEGER NOT NULL,
    tube_id     INTEGER NOT NULL,
    analyte_id  INTEGER NOT NULL,
    replicates  INTEGER NOT NULL,
    detected    INTEGER NOT NULL,
    sd          REAL    NULL,
    wells       TEXT    NULL,
    PRIMARY KEY (run_id, tube_id, analyte_id)
);

-- assay_file.format held the four names the importer knew; formats are plug-ins now (AssayFormatRegistry), their
-- names checked in code. SQLite cannot drop a CHECK, so the table is rebuilt (nothing references it).
CREATE TABLE assay_file_new (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES assay_run (id),
    file_name       TEXT    NOT NULL,
    sha256          TEXT    NOT NULL UNIQUE,
    format          TEXT    NOT NULL CHECK (length(format) BETWEEN 1 AND 40),
    size_bytes      INTEGER NOT NULL,
    rows_read       INTEGER NOT NULL,
    result_rows     INTEGER NOT NULL,
    control_rows    INTEGER NOT NULL,
    options_json    TEXT    NULL,
    import_job_id   INTEGER NULL,
    imported_utc    TEXT    NOT NULL,
    imported_by     TEXT    NOT NULL
);
INSERT INTO assay_file_new SELECT id, run_id, file_name, sha256, format, size_bytes, rows_read, result_rows, control_rows, options_json, import_job_id, imported_utc, imported_by
FROM assay_file;
DROP TABLE assay_file;
ALTER TABLE assay_file_new RENAME TO assay_file;
CREATE INDEX ix_assay_file_run ON assay_file (run_id);
