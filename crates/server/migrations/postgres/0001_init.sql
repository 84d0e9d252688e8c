-- Waystation service, PostgreSQL backend, schema 1. Append-only: never edit an applied migration.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE orgs (id TEXT PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL);
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE enrollment_codes (
    code_hash TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    device_id TEXT
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    org TEXT NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    enrolled_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    last_contact TIMESTAMPTZ,
    app_version TEXT,
    protocol_version INTEGER,
    last_pushed_op TEXT
);
CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users(name),
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE ops (
    op_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    item_id TEXT,
    class TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    canonical TEXT NOT NULL,
    device_id TEXT NOT NULL,
    pushed_at TIMESTAMPTZ NOT NULL,
    arrival BIGINT NOT NULL
);
CREATE INDEX ops_case ON ops(case_id, arrival);
CREATE INDEX ops_item ON ops(case_id, item_id);
CREATE TABLE case_access (case_id TEXT NOT NULL, org TEXT NOT NULL, is_owner BOOLEAN NOT NULL, PRIMARY KEY (case_id, org));
CREATE INDEX case_access_org ON case_access(org);
-- The one-row counter every push locks (SELECT … FOR UPDATE) for its whole
-- transaction: feed seqs are handed out in commit order, so a reader never
-- sees seq n+1 committed while n is still in flight (the change-feed gap).
CREATE TABLE feed_counter (id INTEGER PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL);
INSERT INTO feed_counter (id, last) VALUES (1, 0);
CREATE TABLE feed (seq BIGINT PRIMARY KEY, org TEXT NOT NULL, op_id TEXT NOT NULL REFERENCES ops(op_id));
CREATE INDEX feed_org_seq ON feed(org, seq);
CREATE TABLE cases (
    case_id TEXT PRIMARY KEY,
    owner TEXT,
    document TEXT NOT NULL,
    conflicts TEXT NOT NULL,
    conflict_count INTEGER NOT NULL,
    op_count INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
