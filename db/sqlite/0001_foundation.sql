-- Foundation: sites, users, API tokens and the append-only audit trail.
CREATE TABLE site (
    id              INTEGER PRIMARY KEY,
    code            TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name            TEXT    NOT NULL,
    country         TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('collection', 'biobank', 'assay_lab')),
    barcode_prefix  TEXT    NOT NULL UNIQUE,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_utc     TEXT    NOT NULL
);

CREATE TABLE app_user (
    id                 INTEGER PRIMARY KEY,
    user_name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name       TEXT    NOT NULL,
    password_hash      TEXT    NOT NULL,
    site_id            INTEGER NULL REFERENCES site (id),
    roles              TEXT    NOT NULL DEFAULT '',
    disabled           INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_count       INTEGER NOT NULL DEFAULT 0,
    lockout_until_utc  TEXT    NULL,
    security_stamp     TEXT    NOT NULL,
    created_utc        TEXT    NOT NULL,
    last_sign_in_utc   TEXT    NULL
);

CREATE TABLE api_token (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES app_user (id),
    name           TEXT    NOT NULL,
    token_hash     TEXT    NOT NULL UNIQUE,
    prefix         TEXT    NOT NULL,
    created_utc    TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    revoked_utc    TEXT    NULL,
    last_used_utc  TEXT    NULL
);
CREATE INDEX ix_api_token_user ON api_token (user_id);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    occurred_utc  TEXT    NOT NULL,
    user_name     TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    table_name    TEXT    NOT NULL,
    row_key       TEXT    NOT NULL,
    site_id       INTEGER NULL,
    old_values    TEXT    NULL,
    new_values    TEXT    NULL,
    reason        TEXT    NULL
);
CREATE INDEX ix_audit_log_row ON audit_log (table_name, row_key);
CREATE INDEX ix_audit_log_time ON audit_log (occurred_utc);
CREATE INDEX ix_audit_log_user ON audit_log (user_name);

-- The trail is evidence: the database itself refuses to change or remove it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be updated');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END;

-- ASP.NET data-protection keys, shared by every web node so a cookie issued by one is valid on all.
CREATE TABLE data_protection_key (
    id             INTEGER PRIMARY KEY,
    friendly_name  TEXT    NOT NULL UNIQUE,
    xml            TEXT    NOT NULL,
    created_utc    TEXT    NOT NULL
);
