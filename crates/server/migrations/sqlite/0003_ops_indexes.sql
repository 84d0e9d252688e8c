-- Fewer index writes per operation, and the note lookup indexed.
-- ops_item (case_id, item_id) served no query: the push looks a note's class
-- up by item_id alone, which it could not use (a full scan per removed note).
-- The partial index holds only operations about a list item.
DROP INDEX ops_item;
CREATE INDEX ops_item_id ON ops(item_id) WHERE item_id IS NOT NULL;
-- The push reads the highest arrival from the newest row (by rowid: rows are
-- inserted in arrival order and never deleted), so arrival needs no index.
DROP INDEX ops_arrival;
