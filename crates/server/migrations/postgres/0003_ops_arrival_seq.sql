-- A push writes its operations before it takes the feed-counter lock (it
-- holds per-case locks instead), so an operation's arrival (the order of a
-- case's operations) comes from a sequence, no longer from the counter.
-- Pushes that touch one case are serialized by that case's lock, so a case's
-- arrivals still increase in commit order.
CREATE SEQUENCE ops_arrival_seq;
SELECT setval('ops_arrival_seq',
    GREATEST((SELECT COALESCE(MAX(arrival), 0) FROM ops), (SELECT last FROM feed_counter WHERE id = 1)) + 1, false);
