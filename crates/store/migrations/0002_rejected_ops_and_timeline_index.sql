-- Schema 2: pulled operations refused (same id, different content; invalid)
-- are kept aside for an administrator instead of being dropped silently, and
-- a case's timeline is read in clock order from an index.

CREATE TABLE rejected_ops (
    num         INTEGER PRIMARY KEY,
    op_id       TEXT NOT NULL,
    received_at TEXT NOT NULL,
    reason      TEXT NOT NULL,
    body        TEXT NOT NULL
);

CREATE INDEX ops_case_hlc ON ops (case_id, hlc);
DROP INDEX ops_case;
