-- Waystation service, SQLite backend, schema 1. Append-only: never edit an applied migration.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE orgs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE enrollment_codes (
    code_hash TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    device_id TEXT
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    org TEXT NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    revoked_at TEXT,
    last_contact TEXT,
    app_version TEXT,
    protocol_version INTEGER,
    last_pushed_op TEXT
);
CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users(name),
    expires_at TEXT NOT NULL
);
-- Every accepted operation, as the canonical JSON it arrived as.
CREATE TABLE ops (
    op_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    item_id TEXT,
    class TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    canonical TEXT NOT NULL,
    device_id TEXT NOT NULL,
    pushed_at TEXT NOT NULL,
    arrival INTEGER NOT NULL
);
CREATE INDEX ops_case ON ops(case_id, arrival);
CREATE INDEX ops_item ON ops(case_id, item_id);
-- Which organizations see a case: its owner and those it was shared with.
CREATE TABLE case_access (case_id TEXT NOT NULL, org TEXT NOT NULL, is_owner INTEGER NOT NULL, PRIMARY KEY (case_id, org));
CREATE INDEX case_access_org ON case_access(org);
-- The change feed of each organization: what its devices pull, by seq.
CREATE TABLE feed (seq INTEGER PRIMARY KEY, org TEXT NOT NULL, op_id TEXT NOT NULL REFERENCES ops(op_id));
CREATE INDEX feed_org_seq ON feed(org, seq);
-- Each case's merged state (core's CaseState), for administrators.
CREATE TABLE cases (
    case_id TEXT PRIMARY KEY,
    owner TEXT,
    document TEXT NOT NULL,
    conflicts TEXT NOT NULL,
    conflict_count INTEGER NOT NULL,
    op_count INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
