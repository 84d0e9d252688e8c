-- Fewer index writes per operation, and the note lookup indexed.
-- ops_item (case_id, item_id) served no query: the push looks a note's class
-- up by item_id alone, which it could not use (a sequential scan per push
-- that removes a note). The partial index holds only operations about a list item.
DROP INDEX ops_item;
CREATE INDEX ops_item_id ON ops(item_id) WHERE item_id IS NOT NULL;
