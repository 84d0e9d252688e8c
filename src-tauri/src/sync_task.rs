//! The background sync of an unlocked, enrolled store: `waystation-sync`'s
//! watch loop (a sync at once, then on a timer, with backoff after failures
//! and at once when the service answers again, and when nudged by "Sync
//! now"), on the async runtime so it never blocks the window. Its progress
//! goes to the window as `sync://progress` events and to `sync_status`; a
//! run that sent or received anything ends with `sync://changed` (the open
//! screens reload) and adds to the session's [`Tally`].
//! When the service says the device is revoked the store is already wiped:
//! the session is dropped and the window gets `sync://revoked`.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Notify, watch};
use waystation_sync::{MoveRefusal, Phase, Progress, SharedStore, SyncError, SyncOptions, Syncer, WatchOptions};

use crate::error::{CommandError, CommandResult, ErrorCode, FieldProblem};
use crate::state::AppState;
use crate::sync_tally::Tally;

/// Where events for the window go: `(event name, payload)`.
pub type Emitter = Arc<dyn Fn(&str, serde_json::Value) + Send + Sync>;

/// Event with the sync's [`Progress`].
pub const PROGRESS_EVENT: &str = "sync://progress";
/// Event with the [`crate::sync_tally::Counts`] of a run that sent or received changes, once it is over.
pub const CHANGED_EVENT: &str = "sync://changed";
/// Event sent once the device was found revoked and wiped.
pub const REVOKED_EVENT: &str = "sync://revoked";

/// A running background sync.
pub struct SyncTask {
    stop: watch::Sender<bool>,
    nudge: Arc<Notify>,
    progress: watch::Receiver<Progress>,
    finished: watch::Receiver<bool>,
}

impl SyncTask {
    /// Start syncing `store` when it is enrolled; `None` for a local-only store.
    /// What each run did is added to `tally`.
    pub fn start(
        store: SharedStore,
        tally: Arc<Mutex<Tally>>,
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
        let (stop, mut stop_rx) = watch::channel(false);
        let (done_tx, finished) = watch::channel(false);
        let nudge = Arc::new(Notify::new());

        let mut rx = progress.clone();
        let events = emitter.clone();
        tauri::async_runtime::spawn(async move {
            while rx.changed().await.is_ok() {
                let p = rx.borrow_and_update().clone();
                let finished = tally.lock().unwrap_or_else(PoisonError::into_inner).observe(&p);
                if let Some(emit) = &events {
                    emit(PROGRESS_EVENT, serde_json::to_value(&p).unwrap_or_default());
                    if let Some(run) = finished {
                        emit(CHANGED_EVENT, serde_json::to_value(run).unwrap_or_default());
                    }
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
