-- Lab bench: study protocol, patients by pseudonym, collections, tubes (primary and aliquot), storage, custody.

CREATE TABLE study_timepoint (
    id           INTEGER PRIMARY KEY,
    code         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    sort_order   INTEGER NOT NULL,
    description  TEXT    NULL
);

-- kind 'primary' is a collection tube (EDTA blood, serum, PAXgene, saliva); 'aliquot' a derivative in a cryovial.
CREATE TABLE sample_type (
    id                INTEGER PRIMARY KEY,
    code              TEXT    NOT NULL UNIQUE,
    name              TEXT    NOT NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('primary', 'aliquot')),
    sprec_type        TEXT    NOT NULL,
    sprec_container   TEXT    NOT NULL,
    centrifuged       INTEGER NOT NULL DEFAULT 0 CHECK (centrifuged IN (0, 1)),
    default_volume_ul NUMERIC NOT NULL DEFAULT 0,
    colour            TEXT    NOT NULL DEFAULT '#6c757d'
);

CREATE TABLE aliquot_plan (
    id               INTEGER PRIMARY KEY,
    primary_type_id  INTEGER NOT NULL REFERENCES sample_type (id),
    aliquot_type_id  INTEGER NOT NULL REFERENCES sample_type (id),
    count            INTEGER NOT NULL CHECK (count BETWEEN 1 AND 50),
    volume_ul        NUMERIC NOT NULL CHECK (volume_ul > 0),
    UNIQUE (primary_type_id, aliquot_type_id)
);

CREATE TABLE patient (
    id                  INTEGER PRIMARY KEY,
    pseudonym           TEXT    NOT NULL UNIQUE,
    site_id             INTEGER NOT NULL REFERENCES site (id),
    sex                 TEXT    NULL CHECK (sex IN ('F', 'M')),
    age_at_rt_years     NUMERIC NULL,
    diagnosis_group     TEXT    NULL,
    modality            TEXT    NULL CHECK (modality IN ('photon', 'proton', 'both')),
    rt_start            TEXT    NULL,
    rt_end              TEXT    NULL,
    prescribed_dose_gy  NUMERIC NULL,
    fractions           INTEGER NULL,
    consent_status      TEXT    NOT NULL DEFAULT 'given' CHECK (consent_status IN ('given', 'withdrawn')),
    consent_date        TEXT    NULL,
    withdrawn_utc       TEXT    NULL,
    created_utc         TEXT    NOT NULL,
    updated_utc         TEXT    NOT NULL
);
CREATE INDEX ix_patient_site ON patient (site_id);

CREATE TABLE collection (
    id             INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patient (id),
    timepoint_id   INTEGER NOT NULL REFERENCES study_timepoint (id),
    site_id        INTEGER NOT NULL REFERENCES site (id),
    collected_utc  TEXT    NOT NULL,
    collected_by   TEXT    NOT NULL,
    notes          TEXT    NULL,
    created_utc    TEXT    NOT NULL,
    created_by     TEXT    NOT NULL
);
CREATE INDEX ix_collection_patient ON collection (patient_id);
CREATE INDEX ix_collection_site ON collection (site_id);

-- Every barcode the system knows, allocated or pre-printed: one namespace, so a code names one thing.
CREATE TABLE barcode (
    code         TEXT    NOT NULL PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('sample', 'aliquot', 'box', 'shipment')),
    external     INTEGER NOT NULL DEFAULT 0 CHECK (external IN (0, 1)),
    site_id      INTEGER NOT NULL REFERENCES site (id),
    created_utc  TEXT    NOT NULL
);

CREATE TABLE barcode_sequence (
    site_id     INTEGER NOT NULL REFERENCES site (id),
    kind        TEXT    NOT NULL,
    next_value  INTEGER NOT NULL,
    PRIMARY KEY (site_id, kind)
);

CREATE TABLE freezer (
    id             INTEGER PRIMARY KEY,
    site_id        INTEGER NOT NULL REFERENCES site (id),
    name           TEXT    NOT NULL,
    temperature_c  NUMERIC NOT NULL,
    description    TEXT    NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE rack (
    id          INTEGER PRIMARY KEY,
    freezer_id  INTEGER NOT NULL REFERENCES freezer (id),
    name        TEXT    NOT NULL,
    UNIQUE (freezer_id, name)
);

CREATE TABLE box (
    id           INTEGER PRIMARY KEY,
    barcode      TEXT    NOT NULL UNIQUE REFERENCES barcode (code),
    site_id      INTEGER NOT NULL REFERENCES site (id),
    rack_id      INTEGER NULL REFERENCES rack (id),
    name         TEXT    NOT NULL,
    rows         INTEGER NOT NULL CHECK (rows BETWEEN 1 AND 26),
    cols         INTEGER NOT NULL CHECK (cols BETWEEN 1 AND 26),
    status       TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'in_transit', 'retired')),
    created_utc  TEXT    NOT NULL
);
CREATE INDEX ix_box_site ON box (site_id);

-- A tube: a primary collection tube or an aliquot cryovial. Its place is (box_id, pos_row, pos_col);
-- the unique index settles two concurrent scans into one position, the single row one tube in two places.
CREATE TABLE tube (
    id                   INTEGER PRIMARY KEY,
    barcode              TEXT    NOT NULL UNIQUE REFERENCES barcode (code),
    kind                 TEXT    NOT NULL CHECK (kind IN ('primary', 'aliquot')),
    parent_id            INTEGER NULL REFERENCES tube (id),
    collection_id        INTEGER NOT NULL REFERENCES collection (id),
    patient_id           INTEGER NOT NULL REFERENCES patient (id),
    sample_type_id       INTEGER NOT NULL REFERENCES sample_type (id),
    site_id              INTEGER NOT NULL REFERENCES site (id),
    status               TEXT    NOT NULL CHECK (status IN ('registered', 'in_storage', 'checked_out', 'in_transit', 'consumed', 'destroyed', 'missing', 'quarantined')),
    volume_ul            NUMERIC NOT NULL DEFAULT 0,
    remaining_ul         NUMERIC NOT NULL DEFAULT 0,
    freeze_thaw_count    INTEGER NOT NULL DEFAULT 0,
    box_id               INTEGER NULL REFERENCES box (id),
    pos_row              INTEGER NULL,
    pos_col              INTEGER NULL,
    collected_utc        TEXT    NULL,
    processing_start_utc TEXT    NULL,
    pre_centrifuge_temp  TEXT    NULL,
    centrifuge_temp_c    NUMERIC NULL,
    centrifuge_g         INTEGER NULL,
    centrifuge_minutes   INTEGER NULL,
    centrifuge_braking   INTEGER NULL,
    second_centrifuge_g  INTEGER NULL,
    frozen_utc           TEXT    NULL,
    storage_temp_c       NUMERIC NULL,
    sprec                TEXT    NULL,
    created_utc          TEXT    NOT NULL,
    updated_utc          TEXT    NOT NULL,
    CHECK ((box_id IS NULL) = (pos_row IS NULL) AND (box_id IS NULL) = (pos_col IS NULL))
);
CREATE UNIQUE INDEX ux_tube_position ON tube (box_id, pos_row, pos_col) WHERE box_id IS NOT NULL;
CREATE INDEX ix_tube_site_status ON tube (site_id, status, id);
CREATE INDEX ix_tube_patient ON tube (patient_id);
CREATE INDEX ix_tube_collection ON tube (collection_id);
CREATE INDEX ix_tube_parent ON tube (parent_id);

-- The history of every tube, append-only: the current place is the replay of these events.
CREATE TABLE custody_event (
    id            INTEGER PRIMARY KEY,
    tube_id       INTEGER NOT NULL REFERENCES tube (id),
    event         TEXT    NOT NULL,
    occurred_utc  TEXT    NOT NULL,
    user_name     TEXT    NOT NULL,
    site_id       INTEGER NOT NULL REFERENCES site (id),
    from_box_id   INTEGER NULL,
    from_row      INTEGER NULL,
    from_col      INTEGER NULL,
    to_box_id     INTEGER NULL,
    to_row        INTEGER NULL,
    to_col        INTEGER NULL,
    status_after  TEXT    NOT NULL,
    details       TEXT    NULL
);
CREATE INDEX ix_custody_tube ON custody_event (tube_id, id);

CREATE TRIGGER custody_event_no_update BEFORE UPDATE ON custody_event
BEGIN
    SELECT RAISE(ABORT, 'custody_event is append-only: rows cannot be updated');
END;

CREATE TRIGGER custody_event_no_delete BEFORE DELETE ON custody_event
BEGIN
    SELECT RAISE(ABORT, 'custody_event is append-only: rows cannot be deleted');
END;
