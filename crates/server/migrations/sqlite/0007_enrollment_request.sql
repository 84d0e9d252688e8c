-- A retried enrollment: the hash of the enrollment request id the code was
-- first used with. A retry with the same code and id, within the code's
-- life, finishes the same enrollment (the device's secret is replaced);
-- another id with a used code is refused.
ALTER TABLE enrollment_codes ADD COLUMN request_hash TEXT;
-- A device enrolled but not yet signed in: it must complete its first
-- sign-in by `complete_by` (the code's expiry), or its credential is refused
-- and it shows as expired. Devices enrolled before this migration have
-- neither and count as completed.
ALTER TABLE devices ADD COLUMN complete_by TEXT;
ALTER TABLE devices ADD COLUMN completed_at TEXT;
