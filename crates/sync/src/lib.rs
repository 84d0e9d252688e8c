//! Waystation's sync client, shared by `waystation-cli` and the desktop app.
//!
//! It pushes the store's outbox to the central service in batches (one
//! request per batch, halved when the service finds it too large), and an
//! operation leaves the outbox only once the service acknowledged it. It
//! pulls the pages after the stored [`waystation_store::FeedPosition`] and
//! applies each page together with its cursor in one transaction. It retries
//! with exponential backoff and jitter, on a timer and as soon as the service
//! answers again. When the service's epoch changes (restored from a backup)
//! it re-sends every local operation and pulls from the start; operations the
//! service refuses are kept, named and taken out of the pending order, never
//! dropped and never retried in a loop (those whose refusal can stop being
//! true, such as an organization the service does not know yet, are offered
//! again on a later sync); a sync says it finished only when every operation
//! queued at its start was acknowledged or refused, and the pull reached the
//! end of the feed; a revoked device wipes its store and keys at its next contact.
//! Whoever drives it follows [`Syncer::subscribe`] (the latest progress, for
//! a status line; values may be skipped) and [`Syncer::runs`] (every run's
//! start and end with its totals — sent, received, refused — none dropped).
//!
//! ```no_run
//! # async fn demo(store: waystation_store::Store) -> Result<(), waystation_sync::SyncError> {
//! let mut syncer = waystation_sync::open(store, Default::default())?;
//! let mut progress = syncer.subscribe();
//! tokio::spawn(async move {
//!     while progress.changed().await.is_ok() {
//!         let p = progress.borrow().clone();
//!         println!("{:?}: {} queued, {} sent, {} received", p.phase, p.queued, p.sent, p.received);
//!     }
//! });
//! let report = syncer.sync_once().await?;
//! println!("{} sent, {} received", report.accepted + report.duplicates, report.received);
//! # Ok(()) }
//! ```
//!
//! The design this crate is part of is in the repository's `docs/` (docs/sync.md).

mod client;
mod engine;
mod enroll;
mod error;
mod moving;
mod push;
mod refusal;
mod state;
mod watch;

pub use client::{Client, REQUEST_TIMEOUT, parse_server_url};
pub use engine::{
    DEFAULT_BATCH, DEFAULT_IN_FLIGHT, DEFAULT_REOFFER_AFTER, MAX_BATCH, PULL_PAGE, Phase, Progress, RunEvent,
    RunTotals, SharedStore, SyncOptions, SyncReport, Syncer,
};
pub use enroll::{EnrollProgress, Enrollment, enroll, open, read_state, request_id_path};
pub use error::{EnrollStanding, MoveRefusal, Result, SyncError};
pub use moving::ServiceMoved;
pub use refusal::RefusalKind;
pub use state::{RefusedOp, SyncState, save as save_state};
pub use watch::{Backoff, WatchOptions};
