-- A feed row sent again to an organization a case is shared with again
-- (after its sharing ended): sent even to the device that wrote the
-- operation, which removed the case when the sharing ended.
ALTER TABLE feed ADD COLUMN resent INTEGER NOT NULL DEFAULT 0;
