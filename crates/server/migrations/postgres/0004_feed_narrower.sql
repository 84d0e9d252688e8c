-- Fewer checks and index writes per feed row, inside the section every push
-- runs one at a time (under the feed-counter lock, until its commit):
-- - the foreign key to ops ran a trigger and an index probe per row; the push
--   writes each feed row in the transaction that stores its operation, and
--   nothing deletes operations;
-- - the primary key on seq duplicated feed_org_seq (org, seq), the index pulls
--   read: seqs come from the counter, one range per push, never twice.
ALTER TABLE feed DROP CONSTRAINT IF EXISTS feed_op_id_fkey;
ALTER TABLE feed DROP CONSTRAINT IF EXISTS feed_pkey;
