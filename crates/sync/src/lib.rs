//! Waystation's sync client: pushes the store's outbox to the central
//! service in batches, pulls what the device may see, and retries with
//! backoff until both are done.
