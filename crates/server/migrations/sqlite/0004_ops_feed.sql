-- An operation's row is its owner organization's feed entry: from now on its
-- arrival is its feed seq, and feed_org that organization. `feed` keeps the
-- entries of the other organizations that see a case (shares) and every entry
-- written before this migration (whose operations have no feed_org). One row
-- and two index entries fewer per operation.
ALTER TABLE ops ADD COLUMN feed_org TEXT;
CREATE INDEX ops_feed ON ops(feed_org, arrival) WHERE feed_org IS NOT NULL;
