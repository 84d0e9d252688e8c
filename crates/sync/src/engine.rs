//! One sync: push the outbox in batches, then pull pages after the stored
//! cursor, noticing a changed server epoch and a revoked device.
//!
//! The store is locked per batch (one outbox read, one acknowledgement, one
//! applied page), never for a whole sync, so the user keeps working while a
//! long sync runs; progress goes out on a [`tokio::sync::watch`] channel
//! (latest value only), and each run's start and end with its totals as
//! [`RunEvent`]s on channels that keep every event ([`Syncer::runs`]).

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

use waystation_protocol::{PullCursor, ServerEpoch};
use waystation_store::{FeedPosition, Store, StoreError};

use crate::client::{Client, parse_server_url};
use crate::error::{Result, SyncError};
use crate::state::{self, SyncState};

/// Operations per push request unless told otherwise.
pub const DEFAULT_BATCH: usize = 500;
/// The most operations one push request carries.
pub const MAX_BATCH: usize = 1000;
/// Push requests in flight at once unless told otherwise.
pub const DEFAULT_IN_FLIGHT: usize = 4;
/// Operations asked for per pull page.
pub const PULL_PAGE: u32 = waystation_protocol::MAX_PULL_LIMIT;

/// A store shared between the user's work and the sync engine.
pub type SharedStore = Arc<Mutex<Store>>;

/// What the engine is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Phase {
    /// Not syncing.
    Idle,
    /// Sending queued changes.
    Pushing,
    /// Receiving changes.
    Pulling,
    /// Waiting before the next attempt (after an error, or until the next timer).
    Waiting,
    /// The device was revoked and wiped.
    Revoked,
}

/// Progress and status of the sync, for whoever drives it (the app's sync line, the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// What the engine is doing.
    pub phase: Phase,
    /// Changes waiting to be sent (including refused ones).
    pub queued: u64,
    /// Changes the service refused: kept, not sent again, to be looked at.
    pub refused: usize,
    /// Changes acknowledged by the service during this run.
    pub sent: u64,
    /// Changes received and applied during this run.
    pub received: u64,
    /// When a sync last finished.
    pub last_success: Option<DateTime<Utc>>,
    /// The last error in plain words (cleared by a success).
    pub last_error: Option<String>,
}

/// What one run (one [`Syncer::sync_once`] or [`Syncer::push_once`], the
/// watch loop's every attempt) did, finished or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunTotals {
    /// Changes the service acknowledged during the run.
    pub sent: u64,
    /// Changes received and applied during the run.
    pub received: u64,
    /// Changes the service refused during the run.
    pub refused: u64,
    /// Why the run stopped short, in plain words; `None` when it finished.
    pub error: Option<String>,
}

impl RunTotals {
    /// Whether the run sent or received anything (the screens then reload).
    pub fn changed_anything(&self) -> bool {
        self.sent > 0 || self.received > 0
    }
}

/// A run's start or end, as the engine saw it. Every event reaches every
/// subscriber of [`Syncer::runs`], in order: a start is always followed by
/// its end before the next start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RunEvent {
    /// A run began.
    Started {
        /// Whether it only pushes ("send now").
        push_only: bool,
    },
    /// The run ended, with what it did.
    Finished(RunTotals),
}

/// What one finished sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SyncReport {
    /// Operations the service stored now.
    pub accepted: u64,
    /// Operations the service already held (a retried batch): acknowledged again.
    pub duplicates: u64,
    /// Operations refused during this sync.
    pub refused: usize,
    /// Pulled operations applied here.
    pub received: u64,
    /// Pulled operations this store already held.
    pub already_held: u64,
    /// Pulled operations the store refused (kept aside).
    pub rejected: usize,
    /// Cases removed from this device: their sharing with its organization ended.
    pub removed_cases: usize,
    /// HTTP requests made (push and pull).
    pub requests: u64,
    /// Whether the service's epoch changed (restored from a backup): everything was re-sent.
    pub epoch_changed: bool,
}

/// Tuning of one engine.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    /// Operations per push request (at most [`MAX_BATCH`]; halved on `payload_too_large`).
    pub batch: usize,
    /// Operations asked for per pull page.
    pub pull_page: u32,
    /// Push requests in flight at once (a case is in one of them at a time, so none of its
    /// operations overtakes another).
    pub in_flight: usize,
    /// How long after its refusal an operation whose refusal can stop being
    /// true (an organization the service did not know, …) is offered again:
    /// at the first sync after that. Zero offers them at every sync.
    pub reoffer_after: Duration,
}

/// How long a refusal that can settle stands before its operation is offered again, unless told otherwise.
pub const DEFAULT_REOFFER_AFTER: Duration = Duration::from_secs(10 * 60);

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            batch: DEFAULT_BATCH,
            pull_page: PULL_PAGE,
            in_flight: DEFAULT_IN_FLIGHT,
            reoffer_after: DEFAULT_REOFFER_AFTER,
        }
    }
}

/// The sync engine of one store.
pub struct Syncer {
    pub(crate) client: Client,
    store: SharedStore,
    dir: PathBuf,
    pub(crate) state: SyncState,
    pub(crate) batch: usize,
    pub(crate) in_flight: usize,
    pull_page: u32,
    pub(crate) reoffer_after: Duration,
    pub(crate) progress: watch::Sender<Progress>,
    runs: Mutex<Vec<mpsc::UnboundedSender<RunEvent>>>,
}

impl std::fmt::Debug for Syncer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syncer").field("client", &self.client).field("dir", &self.dir).finish_non_exhaustive()
    }
}

fn poisoned() -> SyncError {
    SyncError::State("the store was left inconsistent by a crashed task; restart the app".into())
}

impl Syncer {
    /// An engine for `store`, with the sync state its enrollment left.
    pub fn new(store: SharedStore, state: SyncState, options: SyncOptions) -> Result<Self> {
        let server = state.server.as_deref().ok_or(SyncError::NotEnrolled)?;
        let credential = state.credential().ok_or(SyncError::NotEnrolled)?;
        let client = Client::new(parse_server_url(server)?)?.with_credential(credential);
        let dir = store.lock().map_err(|_| poisoned())?.dir().to_owned();
        let progress = watch::Sender::new(Progress {
            phase: Phase::Idle,
            queued: 0,
            refused: state.refused.len(),
            sent: 0,
            received: 0,
            last_success: state.last_success,
            last_error: state.last_error.clone(),
        });
        Ok(Self {
            client,
            store,
            dir,
            state,
            batch: options.batch.clamp(1, MAX_BATCH),
            in_flight: options.in_flight.clamp(1, 16),
            pull_page: options.pull_page.clamp(1, PULL_PAGE),
            reoffer_after: options.reoffer_after,
            progress,
            runs: Mutex::default(),
        })
    }

    /// Send through another address (a proxy, a moved service); the credential stays.
    pub fn set_server(&mut self, server: &str) -> Result<()> {
        let url = parse_server_url(server)?;
        let credential = self.state.credential().ok_or(SyncError::NotEnrolled)?;
        self.client = Client::new(url)?.with_credential(credential);
        Ok(())
    }

    /// Follow the engine's progress.
    pub fn subscribe(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    /// Follow the engine's runs: every start and end, none dropped (the
    /// channel is unbounded; a run sends two events). Dropping the receiver
    /// unsubscribes.
    pub fn runs(&self) -> mpsc::UnboundedReceiver<RunEvent> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.runs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(tx);
        rx
    }

    fn announce(&self, event: RunEvent) {
        let mut runs = self.runs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        runs.retain(|tx| tx.send(event.clone()).is_ok());
    }

    /// The remembered sync state (service, last success, last error, refused operations).
    pub fn state(&self) -> &SyncState {
        &self.state
    }

    /// Operations per push request now (halved after `payload_too_large`).
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    /// The store this engine syncs.
    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    pub(crate) fn set_phase(&self, phase: Phase) {
        self.progress.send_modify(|p| p.phase = phase);
    }

    pub(crate) async fn save_state(&self) -> Result<()> {
        let state = self.state.clone();
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut s = store.lock().map_err(|_| poisoned())?;
            state::save(&mut s, &state)
        })
        .await
        .map_err(|_| poisoned())?
    }

    pub(crate) async fn with_store<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut s = store.lock().map_err(|_| poisoned())?;
            f(&mut s).map_err(SyncError::from)
        })
        .await
        .map_err(|_| poisoned())?
    }

    /// Push everything queued, then pull everything new. Records the outcome
    /// (last success, or last error in plain words) in the sync state. On
    /// [`SyncError::Revoked`] the store and its keys are already wiped: drop
    /// the [`Store`] and tell the user.
    pub async fn sync_once(&mut self) -> Result<SyncReport> {
        self.attempt(false).await
    }

    /// Only push what is queued (send now, without pulling). A finished push
    /// is not a finished sync: it does not count as the last success.
    pub async fn push_once(&mut self) -> Result<SyncReport> {
        self.attempt(true).await
    }

    async fn attempt(&mut self, push_only: bool) -> Result<SyncReport> {
        // The counters are reset before the start is announced, so whoever adds a
        // running run's live counters to the finished ones never counts one twice.
        self.progress.send_modify(|p| {
            p.sent = 0;
            p.received = 0;
        });
        self.announce(RunEvent::Started { push_only });
        let mut report = SyncReport::default();
        let outcome = self.run(push_only, &mut report).await.map(|()| report.clone());
        let totals = {
            let p = self.progress.borrow();
            RunTotals {
                sent: p.sent,
                received: p.received,
                refused: report.refused as u64,
                error: outcome.as_ref().err().map(ToString::to_string),
            }
        };
        let outcome = self.settle_attempt(push_only, outcome).await;
        self.announce(RunEvent::Finished(totals));
        outcome
    }

    /// Record how an attempt ended (sync state, progress), and hand on its outcome.
    async fn settle_attempt(&mut self, push_only: bool, outcome: Result<SyncReport>) -> Result<SyncReport> {
        let now = Utc::now();
        match &outcome {
            Ok(_) if push_only => {}
            Ok(_) => {
                self.state.last_success = Some(now);
                self.state.last_error = None;
                self.state.last_error_at = None;
            }
            Err(SyncError::Revoked) => {
                self.wipe();
                self.progress.send_modify(|p| {
                    p.phase = Phase::Revoked;
                    p.last_error = Some(SyncError::Revoked.to_string());
                });
                return outcome;
            }
            Err(e) => {
                self.state.last_error = Some(e.to_string());
                self.state.last_error_at = Some(now);
            }
        }
        let saved = self.save_state().await;
        let state = &self.state;
        self.progress.send_modify(|p| {
            p.phase = Phase::Idle;
            p.last_success = state.last_success;
            p.last_error = state.last_error.clone();
            p.refused = state.refused.len();
        });
        let report = outcome?;
        saved?;
        Ok(report)
    }

    fn wipe(&mut self) {
        // The key ring first (Store::wipe's order): without it the database,
        // sync state and credential included, cannot be decrypted by anyone.
        if let Err(e) = Store::wipe(&self.dir) {
            tracing::error!(error = %e, "wiping the revoked store failed");
        }
        self.state = SyncState::default();
    }

    async fn run(&mut self, push_only: bool, report: &mut SyncReport) -> Result<()> {
        // Every operation queued now must be acknowledged or refused before this sync may say it finished.
        let through = self.prepare_refusals().await?;
        self.push(report).await?;
        if !push_only {
            self.pull(report).await?;
        }
        let (left, _) = self.with_store(move |s| s.outbox_pending_through(through)).await?;
        if left > 0 {
            return Err(SyncError::Unfinished {
                left,
                acknowledged: report.accepted + report.duplicates,
                refused: report.refused as u64,
            });
        }
        Ok(())
    }

    /// Whether `epoch` differs from the one remembered. A changed epoch: the service was restored and may have lost what it
    /// acknowledged. Re-queue every local operation, pull from the start,
    /// and give refused operations another chance.
    pub(crate) async fn check_epoch(&mut self, epoch: &ServerEpoch, report: &mut SyncReport) -> Result<bool> {
        if self.state.epoch.as_deref() == Some(epoch.0.as_str()) {
            return Ok(false);
        }
        let changed = self.state.epoch.is_some();
        if changed {
            tracing::warn!(new_epoch = %epoch, "the sync service's epoch changed: re-sending every local change");
            self.with_store(|s| {
                s.requeue_all_local_ops()?;
                s.clear_pull_cursor()
            })
            .await?;
            self.state.refused.clear();
            report.epoch_changed = true;
        }
        self.state.epoch = Some(epoch.0.clone());
        self.save_state().await?;
        Ok(changed)
    }

    /// The stored pull cursor, and where the next pull starts: after it when
    /// it belongs to the epoch the device knows, else from the start.
    pub(crate) async fn pull_after(&self) -> Result<(Option<FeedPosition>, PullCursor)> {
        let stored = self.with_store(|s| s.pull_cursor()).await?;
        let after = match (&stored, &self.state.epoch) {
            (Some(c), Some(e)) if c.epoch == *e => PullCursor::from_stored(c.cursor.clone()),
            _ => PullCursor::start(),
        };
        Ok((stored, after))
    }

    /// The pull reached the feed's end: the cases its pages left unseen by
    /// this organization, and still unseen, are removed from the store.
    async fn settle_removals(&mut self, report: &mut SyncReport) -> Result<()> {
        let removed = self.with_store(|s| s.settle_removals()).await?;
        if !removed.is_empty() {
            tracing::info!(count = removed.len(), "cases no longer shared with this organization were removed");
        }
        report.removed_cases += removed.len();
        Ok(())
    }

    /// Cases were shared with this organization (again): the changes to them
    /// refused as "not shared" are offered again at the next push, without
    /// waiting for `reoffer_after`.
    async fn reoffer_not_shared(&mut self, cases: Vec<waystation_core::CaseId>) -> Result<()> {
        let ids = self.with_store(move |s| s.outbox_refused_of(&cases)).await?;
        let mut changed = false;
        for id in ids {
            if let Some(r) = self.state.refused.get_mut(&id)
                && r.kind() == crate::RefusalKind::CaseNotVisible
            {
                r.at = chrono::DateTime::<chrono::Utc>::MIN_UTC;
                changed = true;
            }
        }
        if changed {
            self.save_state().await?;
        }
        Ok(())
    }

    async fn pull(&mut self, report: &mut SyncReport) -> Result<()> {
        self.set_phase(Phase::Pulling);
        loop {
            let (stored, after) = self.pull_after().await?;
            report.requests += 1;
            let page = self.client.pull(&after, self.pull_page).await?;
            if self.check_epoch(&page.server_epoch, report).await? {
                // Pages of the old epoch mean nothing now; start over (and re-send first).
                self.push(report).await?;
                self.set_phase(Phase::Pulling);
                continue;
            }
            let cursor =
                FeedPosition { epoch: page.server_epoch.0.clone(), cursor: page.next_cursor.as_str().to_owned() };
            let more = page.more;
            if page.ops.is_empty() && stored.as_ref() == Some(&cursor) {
                // Nothing new and the cursor stays where it is: no transaction to write.
                if !more {
                    return self.settle_removals(report).await;
                }
                continue;
            }
            let applied = self.with_store(move |s| s.apply_pulled(page.ops, cursor)).await?;
            report.received += applied.applied as u64;
            report.already_held += applied.duplicates as u64;
            report.rejected += applied.rejected.len();
            if !applied.shared_again.is_empty() {
                self.reoffer_not_shared(applied.shared_again.clone()).await?;
            }
            let n = applied.applied as u64;
            self.progress.send_modify(|p| p.received += n);
            if !more {
                return self.settle_removals(report).await;
            }
        }
    }
}
