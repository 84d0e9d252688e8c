-- The service kept each case's whole merged document, written on every push
-- and never read: a second plaintext copy of every field, notes included, and
-- about half of what a push wrote. A case's row keeps what the service reads
-- (owner, the conflicts a sync administrator resolves, counts); the document
-- is a function of the stored operations and is rebuilt from them when needed.
ALTER TABLE cases DROP COLUMN document;
