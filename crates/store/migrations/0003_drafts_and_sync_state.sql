-- Schema 3: intake drafts (autosaved, encrypted like everything else) and the
-- sync client's own state (server, device credential, last success and
-- error, refused operations), opaque to the store.
CREATE TABLE drafts (
    user       TEXT NOT NULL,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user, name)
);

CREATE TABLE sync_state (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
