-- Label printers of a site: Zebra thermal printers that take ZPL raw on a TCP port (9100 by convention).

CREATE TABLE printer (
    id           INTEGER PRIMARY KEY,
    site_id      INTEGER NOT NULL REFERENCES site (id),
    name         TEXT    NOT NULL,
    host         TEXT    NOT NULL,
    port         INTEGER NOT NULL DEFAULT 9100 CHECK (port BETWEEN 1 AND 65535),
    dpi          INTEGER NOT NULL DEFAULT 203 CHECK (dpi IN (203, 300)),
    kind         TEXT    NOT NULL DEFAULT 'zpl' CHECK (kind IN ('zpl')),
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_utc  TEXT    NOT NULL,
    UNIQUE (site_id, name)
);
