-- The sync administrators' console (issue 11): disabled users, enrollment codes an
-- administrator can list and cancel, organizations added as partners, console
-- sessions that end when idle, and the hash-chained audit trail.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;
ALTER TABLE enrollment_codes ADD COLUMN id TEXT;
ALTER TABLE enrollment_codes ADD COLUMN created_by TEXT;
ALTER TABLE enrollment_codes ADD COLUMN cancelled_at TIMESTAMPTZ;
CREATE UNIQUE INDEX enrollment_codes_id ON enrollment_codes(id);
ALTER TABLE orgs ADD COLUMN added_by TEXT;
ALTER TABLE admin_sessions ADD COLUMN last_seen TIMESTAMPTZ;
-- Each entry's mac is HMAC-SHA256 (a key derived from the data key) of the
-- previous entry's mac and this entry's fields; meta 'audit_head' holds the
-- last seq and mac, so a deleted last entry shows too.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    org TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX audit_log_target ON audit_log(target, seq);
CREATE INDEX audit_log_org ON audit_log(org, seq);
