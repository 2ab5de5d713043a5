-- Each assay run's results packed as one samples × analytes matrix (values, patient and timepoint of every sample,
-- below-LOD entries apart), so the association scan reads one row per run instead of millions of result rows.
-- Derived from assay_result and rebuilt in the same transaction whenever a run's results are written; a run
-- without its matrix (a database from before this migration) is packed on first use by the analysis.
CREATE TABLE assay_run_matrix (
    run_id     BIGINT  PRIMARY KEY REFERENCES assay_run (id),
    format     INTEGER NOT NULL,
    samples    INTEGER NOT NULL,
    analytes   INTEGER NOT NULL,
    data       BYTEA   NOT NULL,
    built_utc  TIMESTAMPTZ NOT NULL
);
-- Doubles do not compress: store the bytes out of line without trying.
ALTER TABLE assay_run_matrix ALTER COLUMN data SET STORAGE EXTERNAL;

-- The analysis asks for one organ and metric of one dose version; the primary key leads with the patient after the version.
CREATE INDEX ix_organ_dose_organ ON organ_dose (version_id, organ, metric, patient_id);
