-- A retried enrollment: the hash of the enrollment request id the code was
-- first used with. A retry with the same code and id, within the code's
-- life, finishes the same enrollment (the device's secret is replaced);
-- another id with a used code is refused.
ALTER TABLE enrollment_codes ADD COLUMN request_hash TEXT;
