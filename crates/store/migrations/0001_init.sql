-- Waystation local store, schema 1. Applied migrations are never edited:
-- add a new numbered file instead.

-- This device and the head of its audit chain (one row).
CREATE TABLE device (
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id       TEXT NOT NULL,
    owner_org       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    last_hlc        TEXT,              -- JSON of the newest clock made or seen here
    audit_head_seq  INTEGER NOT NULL DEFAULT 0,
    audit_head_hash TEXT NOT NULL
);

-- Local users who hold (or held) a key to this store.
CREATE TABLE local_users (
    name       TEXT PRIMARY KEY,
    added_at   TEXT NOT NULL,
    removed_at TEXT
) WITHOUT ROWID;

-- Every operation ever applied here, made here (local = 1) or pulled.
CREATE TABLE ops (
    num     INTEGER PRIMARY KEY,
    op_id   TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL,
    hlc     TEXT NOT NULL,              -- sortable text form of the clock
    local   INTEGER NOT NULL,
    body    TEXT NOT NULL               -- the operation's canonical JSON
);
CREATE INDEX ops_case ON ops (case_id);

-- Each case's materialized view (core's CaseView as JSON) and summary columns.
CREATE TABLE cases (
    num          INTEGER PRIMARY KEY,   -- stable rowid for the search index
    case_id      TEXT NOT NULL UNIQUE,
    status       TEXT,
    given_name   TEXT,
    family_name  TEXT,
    encounter_at TEXT,
    updated_hlc  TEXT,
    view         TEXT NOT NULL
);

-- Operations made here that the server has not acknowledged yet.
CREATE TABLE outbox (
    num   INTEGER PRIMARY KEY,
    op_id TEXT NOT NULL UNIQUE
);

-- Where the last pull stopped (one row).
CREATE TABLE pull_cursor (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    epoch      TEXT NOT NULL,
    cursor     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Fields with concurrent, different values, per case.
CREATE TABLE conflicts (
    case_id  TEXT NOT NULL,
    field    TEXT NOT NULL,
    conflict TEXT NOT NULL,
    PRIMARY KEY (case_id, field)
) WITHOUT ROWID;

-- Full-text search over names, aliases, narrative and adults' names; rowid = cases.num.
CREATE VIRTUAL TABLE case_search USING fts5 (
    given_name, family_name, aliases, narrative, adults,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The audit chain: hash = SHA-256(prev_hash || canonical entry).
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user      TEXT NOT NULL,
    device    TEXT NOT NULL,
    action    TEXT NOT NULL,
    case_id   TEXT,
    op_id     TEXT,
    detail    TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
