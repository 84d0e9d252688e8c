-- The push transaction reads MAX(arrival): index it rather than scan every operation.
CREATE INDEX ops_arrival ON ops(arrival);
