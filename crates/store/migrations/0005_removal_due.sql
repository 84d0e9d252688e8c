-- Cases a pulled page left unseen by this device's organization (an unshare
-- that ended its sharing): removed when the pull reaches the end of the feed
-- and they are still unseen, not on the page itself, because a later page of
-- the same pull may share the case again (an unshare and a new share in one
-- batch, split across pages).
CREATE TABLE removal_due (case_id TEXT PRIMARY KEY) WITHOUT ROWID;
