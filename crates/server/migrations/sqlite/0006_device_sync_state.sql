-- Why a device is behind, for sync administrators: where its last pull page
-- ended (that page's cursor, a feed seq) and when, and the refusals of its
-- pushed operations (a count, and the last one's status and time; its
-- message only when it is one of the service's fixed rule texts, never a
-- value of the operation). How far behind it is, is counted from the feed
-- when an administrator lists devices, not stored.
ALTER TABLE devices ADD COLUMN pulled_through INTEGER;
ALTER TABLE devices ADD COLUMN last_pull_at TEXT;
ALTER TABLE devices ADD COLUMN refused_ops INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN last_refusal_status TEXT;
ALTER TABLE devices ADD COLUMN last_refusal_message TEXT;
ALTER TABLE devices ADD COLUMN last_refusal_at TEXT;
