-- Registry and dosimetry: controlled lists of organs and dose metrics, versioned organ doses, import batches.

-- Organ codes are what the dosimetry export writes in its 'organ' column.
CREATE TABLE organ (
    code        TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    sort_order  INTEGER NOT NULL
);

INSERT INTO organ (code, name, sort_order) VALUES
    ('heart', 'Heart', 10),
    ('left_ventricle', 'Left ventricle', 15),
    ('thyroid', 'Thyroid', 20),
    ('brain', 'Brain', 30),
    ('hippocampus', 'Hippocampus', 40),
    ('pituitary', 'Pituitary', 45),
    ('cochlea', 'Cochlea', 50),
    ('eye_lenses', 'Eye lenses', 55),
    ('lungs', 'Lungs', 60),
    ('breast', 'Breast', 70),
    ('parotid_glands', 'Parotid glands', 80),
    ('submandibular_glands', 'Submandibular glands', 90),
    ('oesophagus', 'Oesophagus', 100),
    ('spinal_cord', 'Spinal cord', 110),
    ('kidneys', 'Kidneys', 120),
    ('liver', 'Liver', 130),
    ('gonads', 'Gonads', 140),
    ('active_bone_marrow', 'Active bone marrow', 150),
    ('whole_body', 'Whole body', 160);

-- A dose-volume metric: the D metrics and mean/min/max are doses in Gy; the V metrics are the percentage
-- of the organ's volume receiving at least that dose (the export still writes them in 'value_gy').
CREATE TABLE dose_metric (
    name        TEXT    NOT NULL PRIMARY KEY,
    description TEXT    NOT NULL,
    unit        TEXT    NOT NULL CHECK (unit IN ('Gy', '%')),
    sort_order  INTEGER NOT NULL
);

INSERT INTO dose_metric (name, description, unit, sort_order) VALUES
    ('mean', 'Mean dose', 'Gy', 10),
    ('max', 'Maximum dose', 'Gy', 20),
    ('min', 'Minimum dose', 'Gy', 30),
    ('D2%', 'Dose received by the hottest 2 % of the volume (near-maximum)', 'Gy', 40),
    ('D50%', 'Dose received by 50 % of the volume (median)', 'Gy', 50),
    ('D98%', 'Dose received by 98 % of the volume (near-minimum)', 'Gy', 60),
    ('V5Gy', 'Volume receiving at least 5 Gy', '%', 70),
    ('V10Gy', 'Volume receiving at least 10 Gy', '%', 80),
    ('V20Gy', 'Volume receiving at least 20 Gy', '%', 90),
    ('V30Gy', 'Volume receiving at least 30 Gy', '%', 100);

-- One run of the dose reconstruction. Versions are never replaced: the latest (highest id) is the default,
-- and an analysis records the version it used. file_sha256 is NULL for a version made without a file (demo).
CREATE TABLE dose_version (
    id             INTEGER PRIMARY KEY,
    label          TEXT    NOT NULL UNIQUE,
    imported_utc   TEXT    NOT NULL,
    imported_by    TEXT    NOT NULL,
    file_sha256    TEXT    NULL UNIQUE,
    source_file    TEXT    NULL,
    row_count      INTEGER NOT NULL,
    patient_count  INTEGER NOT NULL,
    note           TEXT    NULL
);

CREATE TABLE organ_dose (
    version_id         INTEGER NOT NULL REFERENCES dose_version (id),
    patient_id         INTEGER NOT NULL REFERENCES patient (id),
    organ              TEXT    NOT NULL REFERENCES organ (code),
    metric             TEXT    NOT NULL REFERENCES dose_metric (name),
    value_gy           NUMERIC NOT NULL CHECK (value_gy >= 0),
    uncertainty_sd_gy  NUMERIC NULL CHECK (uncertainty_sd_gy >= 0),
    source             TEXT    NULL,
    computed_date      TEXT    NULL,
    PRIMARY KEY (version_id, patient_id, organ, metric)
) WITHOUT ROWID;
CREATE INDEX ix_organ_dose_patient ON organ_dose (patient_id, version_id);

-- Each file that landed: registry or doses (the assay imports may add kinds). A refused file leaves no row
-- anywhere: the caller gets the problem list instead. status 'partial' = rows of unknown pseudonyms skipped.
CREATE TABLE import_batch (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL,
    file_name        TEXT    NOT NULL,
    file_sha256      TEXT    NOT NULL,
    imported_by      TEXT    NOT NULL,
    imported_utc     TEXT    NOT NULL,
    site_id          INTEGER NULL REFERENCES site (id),
    row_count        INTEGER NOT NULL,
    status           TEXT    NOT NULL,
    problems         TEXT    NULL,
    dose_version_id  INTEGER NULL REFERENCES dose_version (id)
);
CREATE INDEX ix_import_batch_kind ON import_batch (kind, id);
