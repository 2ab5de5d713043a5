-- Shipments: boxes and tubes from one site to another, packed, dispatched, received by scanning and reconciled.
CREATE TABLE shipment (
    id                 INTEGER PRIMARY KEY,
    barcode            TEXT    NOT NULL UNIQUE REFERENCES barcode (code),
    from_site_id       INTEGER NOT NULL REFERENCES site (id),
    to_site_id         INTEGER NOT NULL REFERENCES site (id),
    state              TEXT    NOT NULL CHECK (state IN ('draft', 'packed', 'dispatched', 'received', 'reconciled')),
    external           INTEGER NOT NULL DEFAULT 0 CHECK (external IN (0, 1)),
    courier            TEXT    NULL,
    tracking_number    TEXT    NULL,
    dry_ice_kg         NUMERIC NULL,
    logger_id          TEXT    NULL,
    packages           INTEGER NOT NULL DEFAULT 1,
    responsible_name   TEXT    NULL,
    responsible_phone  TEXT    NULL,
    dry_ice_left       INTEGER NULL CHECK (dry_ice_left IN (0, 1)),
    logger_ok          INTEGER NULL CHECK (logger_ok IN (0, 1)),
    condition_notes    TEXT    NULL,
    reconcile_note     TEXT    NULL,
    created_utc        TEXT    NOT NULL,
    created_by         TEXT    NOT NULL,
    packed_utc         TEXT    NULL,
    packed_by          TEXT    NULL,
    dispatched_utc     TEXT    NULL,
    dispatched_by      TEXT    NULL,
    received_utc       TEXT    NULL,
    received_by        TEXT    NULL,
    reconciled_utc     TEXT    NULL,
    reconciled_by      TEXT    NULL,
    CHECK (from_site_id <> to_site_id)
);
CREATE INDEX ix_shipment_from ON shipment (from_site_id, state);
CREATE INDEX ix_shipment_to ON shipment (to_site_id, state);

-- Whole boxes travel with their tubes in place.
CREATE TABLE shipment_box (
    shipment_id  INTEGER NOT NULL REFERENCES shipment (id),
    box_id       INTEGER NOT NULL REFERENCES box (id),
    received     INTEGER NOT NULL DEFAULT 0 CHECK (received IN (0, 1)),
    PRIMARY KEY (shipment_id, box_id)
);

-- One row per tube on the manifest; 'open' is true until the shipment is received, and a tube is in at most one open shipment.
CREATE TABLE shipment_item (
    id              INTEGER PRIMARY KEY,
    shipment_id     INTEGER NOT NULL REFERENCES shipment (id),
    tube_id         INTEGER NOT NULL REFERENCES tube (id),
    box_id          INTEGER NULL REFERENCES box (id),
    pos_row         INTEGER NULL,
    pos_col         INTEGER NULL,
    open            INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
    receipt         TEXT    NULL CHECK (receipt IN ('ok', 'missing', 'damaged')),
    receipt_note    TEXT    NULL,
    received_utc    TEXT    NULL,
    UNIQUE (shipment_id, tube_id)
);
CREATE UNIQUE INDEX ux_shipment_item_open_tube ON shipment_item (tube_id) WHERE open = 1;
CREATE INDEX ix_shipment_item_shipment ON shipment_item (shipment_id);

-- What did not match at receipt: missing, damaged and unexpected tubes, until resolved.
CREATE TABLE discrepancy (
    id            INTEGER PRIMARY KEY,
    shipment_id   INTEGER NOT NULL REFERENCES shipment (id),
    tube_id       INTEGER NULL REFERENCES tube (id),
    barcode       TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('missing', 'damaged', 'unexpected')),
    detail        TEXT    NULL,
    created_utc   TEXT    NOT NULL,
    created_by    TEXT    NOT NULL,
    resolved_utc  TEXT    NULL,
    resolved_by   TEXT    NULL,
    resolution    TEXT    NULL,
    UNIQUE (shipment_id, barcode, kind)
);
CREATE INDEX ix_discrepancy_shipment ON discrepancy (shipment_id);
