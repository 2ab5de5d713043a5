-- Saved association analyses: what was asked, on which data (dose version, runs, fingerprint), by which software.
CREATE TABLE saved_analysis (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL,
    request_json      TEXT    NOT NULL,
    dose_version      TEXT    NOT NULL,
    runs              TEXT    NOT NULL,
    fingerprint       TEXT    NOT NULL,
    software_version  TEXT    NOT NULL,
    results_csv       TEXT    NOT NULL,
    biomarkers        INTEGER NOT NULL,
    patients          INTEGER NOT NULL,
    created_utc       TEXT    NOT NULL,
    created_by        TEXT    NOT NULL,
    site_id           INTEGER NULL REFERENCES site (id)
);
CREATE INDEX ix_saved_analysis_created ON saved_analysis (created_utc);
