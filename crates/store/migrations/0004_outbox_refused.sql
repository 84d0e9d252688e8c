-- Schema 4: an operation the service refused stays in the outbox (it is not
-- lost, and it is named to the user) but leaves the pending order: the push
-- reads only pending operations, from an index, so refusals never fill its
-- read window however many there are, and are not read again on every sync.
-- The sync engine puts one back in the pending order when it is offered again.
ALTER TABLE outbox ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_pending ON outbox (refused, num);
