//! The background sync of an unlocked, enrolled store: `waystation-sync`'s
//! watch loop (a sync at once, then on a timer, with backoff after failures
//! and at once when the service answers again, and when nudged by "Sync
//! now"), on the async runtime so it never blocks the window. Its progress
//! goes to the window as `sync://progress` events and to `sync_status`; the
//! engine's run events (every start and end, none dropped) add each run's
//! totals to the session's [`SessionRuns`], and a run that sent or received
//! anything ends with `sync://changed` (the open screens reload).
//! When the service says the device is revoked the store is already wiped:
//! the session is dropped and the window gets `sync://revoked`.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Notify, watch};
use waystation_sync::{
    MoveRefusal, Phase, Progress, RunEvent, SharedStore, SyncError, SyncOptions, Syncer, WatchOptions,
};

use crate::error::{CommandError, CommandResult, ErrorCode, FieldProblem};
use crate::state::AppState;

/// Where events for the window go: `(event name, payload)`.
pub type Emitter = Arc<dyn Fn(&str, serde_json::Value) + Send + Sync>;

/// Event with the sync's [`Progress`].
pub const PROGRESS_EVENT: &str = "sync://progress";
/// Event with the [`Counts`] of a run that sent or received changes, once it is over.
pub const CHANGED_EVENT: &str = "sync://changed";
/// Event sent once the device was found revoked and wiped.
pub const REVOKED_EVENT: &str = "sync://revoked";

/// Changes sent (acknowledged) and received (applied).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Changes the service acknowledged.
    pub sent: u64,
    /// Changes received and applied here.
    pub received: u64,
}

/// What the sync runs since unlocking did (created at unlock, dropped at
/// lock), added up from the engine's run events.
#[derive(Debug, Default)]
pub struct SessionRuns {
    finished: Counts,
    /// A run started and its end has not been taken in yet.
    running: bool,
}

impl SessionRuns {
    /// Take in one of the engine's run events. Returns what a run changed
    /// once it is over, when it changed anything (the window then reloads).
    pub fn take(&mut self, event: &RunEvent) -> Option<Counts> {
        match event {
            RunEvent::Started { .. } => {
                self.running = true;
                None
            }
            RunEvent::Finished(totals) => {
                self.running = false;
                self.finished.sent += totals.sent;
                self.finished.received += totals.received;
                totals.changed_anything().then_some(Counts { sent: totals.sent, received: totals.received })
            }
            _ => None,
        }
    }

    /// Changes sent and received since unlocking: the finished runs', and
    /// the running one's so far from the engine's `live` progress (the
    /// engine sets its counters to zero before it announces a run).
    pub fn since_unlock(&self, live: Option<&Progress>) -> Counts {
        let mut c = self.finished;
        if let (true, Some(p)) = (self.running, live) {
            c.sent += p.sent;
            c.received += p.received;
        }
        c
    }
}

/// A running background sync.
pub struct SyncTask {
    stop: watch::Sender<bool>,
    nudge: Arc<Notify>,
    progress: watch::Receiver<Progress>,
    finished: watch::Receiver<bool>,
}

impl SyncTask {
    /// Start syncing `store` when it is enrolled; `None` for a local-only store.
    /// What each run did is added to `runs`.
    pub fn start(
        store: SharedStore,
        runs: Arc<Mutex<SessionRuns>>,
        app: AppState,
        emitter: Option<Emitter>,
    ) -> CommandResult<Option<Self>> {
        let state = {
            let s = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            waystation_sync::read_state(&s).map_err(CommandError::from)?
        };
        let Some(state) = state.filter(|s| s.credential().is_some()) else { return Ok(None) };
        let mut syncer = Syncer::new(store, state, SyncOptions::default()).map_err(CommandError::from)?;
        let progress = syncer.subscribe();
        let mut run_events = syncer.runs();
        let (stop, mut stop_rx) = watch::channel(false);
        let (done_tx, finished) = watch::channel(false);
        let nudge = Arc::new(Notify::new());

        let mut rx = progress.clone();
        let events = emitter.clone();
        tauri::async_runtime::spawn(async move {
            while rx.changed().await.is_ok() {
                let p = rx.borrow_and_update().clone();
                if let Some(emit) = &events {
                    emit(PROGRESS_EVENT, serde_json::to_value(&p).unwrap_or_default());
                }
            }
        });
        let events = emitter.clone();
        tauri::async_runtime::spawn(async move {
            while let Some(event) = run_events.recv().await {
                let changed = runs.lock().unwrap_or_else(PoisonError::into_inner).take(&event);
                if let (Some(emit), Some(run)) = (&events, changed) {
                    emit(CHANGED_EVENT, serde_json::to_value(run).unwrap_or_default());
                }
            }
        });
        let wake = Arc::clone(&nudge);
        tauri::async_runtime::spawn(async move {
            let stop = async move {
                let _ = stop_rx.wait_for(|s| *s).await;
            };
            let outcome = syncer.watch(options(), wake, stop).await;
            drop(syncer);
            // Other errors that retrying cannot fix stay in the progress's last error; "Sync now" starts again.
            if let Err(e @ SyncError::Revoked) = outcome {
                app.revoked();
                if let Some(emit) = emitter {
                    emit(REVOKED_EVENT, serde_json::json!({ "message": e.to_string() }));
                }
            }
            let _ = done_tx.send(true);
        });
        Ok(Some(Self { stop, nudge, progress, finished }))
    }

    /// Whether the watch loop still runs.
    pub fn is_running(&self) -> bool {
        !*self.finished.borrow()
    }

    /// Sync now.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// Stop at the next await point (a request in flight is abandoned; its operations stay queued).
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// The latest progress.
    pub fn progress(&self) -> Progress {
        self.progress.borrow().clone()
    }

    /// Whether the device was found revoked.
    pub fn revoked(&self) -> bool {
        self.progress.borrow().phase == Phase::Revoked
    }
}

impl Drop for SyncTask {
    fn drop(&mut self) {
        self.stop();
    }
}

/// When the app syncs: every 2 minutes while all is well, probe every 5 s while offline, back off up to 5 minutes.
fn options() -> WatchOptions {
    WatchOptions { interval: std::time::Duration::from_secs(120), ..WatchOptions::default() }
}

impl From<SyncError> for CommandError {
    fn from(e: SyncError) -> Self {
        let text = e.to_string();
        match e {
            SyncError::Unreachable(_) | SyncError::Busy { .. } | SyncError::BadAnswer(_) => {
                Self::new(ErrorCode::Offline, text)
            }
            SyncError::EnrollmentStopped { transient: true, .. } => Self::new(ErrorCode::Offline, text),
            SyncError::StoreExists => Self::new(ErrorCode::StoreExists, text),
            SyncError::BadServerUrl(_) => Self::field("server", text),
            // The whole sentence as the message; beside the address, the reason: a
            // word the screen says in the user's language when it knows it, else the words.
            SyncError::MoveRefused { kind, reason, .. } => {
                let message = match kind {
                    MoveRefusal::Unreachable => "unreachable".into(),
                    MoveRefusal::UnknownDevice => "unknown_device".into(),
                    MoveRefusal::NotTheService => "not_the_service".into(),
                    _ => reason,
                };
                Self {
                    fields: vec![FieldProblem { field: "server".into(), message }],
                    ..Self::new(ErrorCode::Invalid, text)
                }
            }
            SyncError::Store(s) => s.into(),
            SyncError::Revoked => Self::new(ErrorCode::Revoked, text),
            _ => Self::new(ErrorCode::SyncFailed, text),
        }
    }
}

#[cfg(test)]
mod tests {
    use waystation_sync::RunTotals;

    use super::*;

    fn finished(sent: u64, received: u64) -> RunEvent {
        RunEvent::Finished(RunTotals { sent, received, ..RunTotals::default() })
    }

    fn live(sent: u64, received: u64) -> Progress {
        Progress { phase: Phase::Pushing, queued: 0, refused: 0, sent, received, last_success: None, last_error: None }
    }

    #[test]
    fn runs_add_up_and_only_a_run_that_changed_something_is_announced() {
        let mut r = SessionRuns::default();
        let mut changed = vec![];
        // Run 1 sends 25; run 2 receives 47; run 3 has nothing to do.
        for (sent, received) in [(25, 0), (0, 47), (0, 0)] {
            changed.extend(r.take(&RunEvent::Started { push_only: false }));
            changed.extend(r.take(&finished(sent, received)));
        }
        assert_eq!(r.since_unlock(None), Counts { sent: 25, received: 47 });
        assert_eq!(changed, vec![Counts { sent: 25, received: 0 }, Counts { sent: 0, received: 47 }]);
    }

    #[test]
    fn a_running_run_counts_its_live_progress_once() {
        let mut r = SessionRuns::default();
        r.take(&RunEvent::Started { push_only: false });
        r.take(&finished(10, 2));
        // Between runs the engine's counters still hold the last run's: not added again.
        assert_eq!(r.since_unlock(Some(&live(10, 2))), Counts { sent: 10, received: 2 });
        r.take(&RunEvent::Started { push_only: true });
        assert_eq!(r.since_unlock(Some(&live(3, 0))), Counts { sent: 13, received: 2 });
        r.take(&finished(5, 0));
        assert_eq!(r.since_unlock(Some(&live(5, 0))), Counts { sent: 15, received: 2 });
    }
}
