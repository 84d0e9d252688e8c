//! The sync line: the outbox, the sync state the store keeps (service, last
//! success, last error) and the live progress of the background sync
//! ([`crate::sync_task`]); "Sync now"; following the service to a new address.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tauri::State;
use waystation_store::Store;

use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::state::{AppState, Shared};

/// What the always-visible sync line shows.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct SyncStatus {
    /// Changes waiting in the outbox.
    pub queued: u64,
    /// When a sync last finished.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Whether a sync is sending or receiving now.
    pub running: bool,
    /// What the background sync is doing (`idle`, `pushing`, `pulling`, `waiting`), when it runs.
    phase: Option<SyncPhase>,
    /// Queued changes the service refused: kept here, not sent again.
    pub refused: usize,
    /// Changes sent and acknowledged by the syncs since unlocking.
    pub sent: u64,
    /// Changes received and applied by the syncs since unlocking.
    pub received: u64,
    /// Changes received so far by the sync running now.
    pub receiving: u64,
    progress: Option<Progress>,
    /// The last error, in plain words.
    pub last_error: Option<CommandError>,
    /// The service, when enrolled.
    pub server: Option<String>,
}

/// What the background sync is doing (`waystation_sync::Phase`, as the window sees it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Not syncing.
    Idle,
    /// Sending queued changes.
    Pushing,
    /// Receiving changes.
    Pulling,
    /// Waiting before the next attempt.
    Waiting,
    /// The device was revoked and wiped.
    Revoked,
}

impl From<waystation_sync::Phase> for SyncPhase {
    fn from(p: waystation_sync::Phase) -> Self {
        use waystation_sync::Phase as P;
        match p {
            P::Idle => Self::Idle,
            P::Pushing => Self::Pushing,
            P::Pulling => Self::Pulling,
            P::Waiting => Self::Waiting,
            P::Revoked => Self::Revoked,
            // `Phase` may grow; a phase the window does not know yet shows as waiting.
            _ => Self::Waiting,
        }
    }
}

/// How far a running sync is.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Progress {
    done: u64,
    total: u64,
}

/// The sync line's state. Polled by the window; not counted as activity
/// (polling must not keep an idle store unlocked).
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> CommandResult<SyncStatus> {
    state.run(status).await
}

/// [`sync_status`] without the window.
pub fn status(s: &Shared) -> CommandResult<SyncStatus> {
    let live = s.sync_progress();
    let line = s.peek_session(status_of)?;
    let mut line = with_live(line, live);
    let done = s.sync_since_unlock();
    (line.sent, line.received) = (done.sent, done.received);
    Ok(line)
}

/// The stored line, brought up to date with the running sync's progress.
fn with_live(mut line: SyncStatus, live: Option<waystation_sync::Progress>) -> SyncStatus {
    let Some(p) = live else { return line };
    use waystation_sync::Phase;
    line.running = matches!(p.phase, Phase::Pushing | Phase::Pulling);
    line.phase = Some(p.phase.into());
    line.refused = p.refused;
    line.receiving = p.received;
    if p.phase == Phase::Pushing {
        line.progress = Some(Progress { done: p.sent, total: p.sent + p.queued });
    }
    if p.last_success > line.last_success_at {
        line.last_success_at = p.last_success;
    }
    line.last_error = p.last_error.map(|m| CommandError::new(ErrorCode::SyncFailed, m)).or(line.last_error);
    line
}

/// The line for `store`: its outbox and the sync state it keeps.
fn status_of(store: &Store) -> CommandResult<SyncStatus> {
    // A sync state that does not read shows as "not enrolled" rather than failing the line.
    let state = waystation_sync::read_state(store).ok().flatten().unwrap_or_default();
    Ok(SyncStatus {
        queued: store.outbox_len()?,
        last_success_at: state.last_success,
        running: false,
        phase: None,
        refused: state.refused.len(),
        sent: 0,
        received: 0,
        receiving: 0,
        progress: None,
        last_error: state.last_error.map(|m| CommandError::new(ErrorCode::SyncFailed, m)),
        server: state.server,
    })
}

/// Sync now (in the background; the line shows how it goes). `unavailable` for a local-only store.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> CommandResult<()> {
    let app = state.inner().clone();
    state.run(move |_| app.sync_now()).await
}

/// Sync with the same service at another address (it moved, or is reached
/// under another name): the sync stops, the service there must accept this
/// device's credential, the address is kept, and the sync starts again,
/// moved or not. A refused address changes nothing: `invalid` with the
/// reason beside `server`. `unavailable` for a local-only store.
#[tauri::command]
pub async fn sync_move_service(state: State<'_, AppState>, server: String) -> CommandResult<SyncStatus> {
    move_service(state.inner(), &server).await
}

/// [`sync_move_service`] without the window: the sync line after the move.
pub async fn move_service(app: &AppState, server: &str) -> CommandResult<SyncStatus> {
    let server = server.trim().to_owned();
    if server.is_empty() {
        return Err(CommandError::field("server", "enter the new address of the sync service"));
    }
    // A move is activity: the idle lock counts from here.
    app.shared().with_session(|_| Ok(()))?;
    let (paused, store) = app.pause_sync().await?;
    // Read after the sync stopped: what it saved last is kept.
    let kept = app.run({
        let store = std::sync::Arc::clone(&store);
        move |_| {
            let s = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            Ok(waystation_sync::read_state(&s)?)
        }
    });
    let Some(kept) = kept.await?.filter(|s| s.credential().is_some()) else {
        return Err(CommandError::new(
            ErrorCode::Unavailable,
            "this device keeps its cases on this laptop only: it is not enrolled with a sync service",
        ));
    };
    let mut syncer = waystation_sync::Syncer::new(store, kept, waystation_sync::SyncOptions::default())?;
    let moved = syncer.move_service(&server).await;
    drop(syncer);
    // The sync starts again, at the new address or (refused) as it was.
    drop(paused);
    moved?;
    app.run(status).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use waystation_core::{DeviceId, OrgId, UserName};
    use waystation_store::{KdfParams, Passphrase};
    use waystation_sync::SyncState;

    #[test]
    fn the_window_sees_each_phase_as_the_engine_names_it() {
        use waystation_sync::Phase;
        for p in [Phase::Idle, Phase::Pushing, Phase::Pulling, Phase::Waiting, Phase::Revoked] {
            assert_eq!(serde_json::to_value(SyncPhase::from(p)).unwrap(), serde_json::to_value(p).unwrap());
        }
    }

    #[test]
    fn the_line_shows_the_outbox_and_the_kept_sync_state() {
        let dir = tempfile::tempdir().unwrap();
        let user = UserName::parse("user", "ana.lopez").unwrap();
        let org = OrgId::parse("org", "border-station-7").unwrap();
        let pass = Passphrase::new("a long passphrase").unwrap();
        let mut store = Store::create(dir.path(), &user, &pass, DeviceId::new(), &org, KdfParams::for_tests()).unwrap();

        let local = status_of(&store).unwrap();
        assert_eq!((local.queued, local.server.as_deref()), (0, None));

        let (id, changes) = waystation_core::NewCase::parse(
            include_str!("../../../examples/case.json"),
            chrono::Utc::now().date_naive(),
        )
        .unwrap()
        .into_changes(&org);
        store.save_new_case(id, changes).unwrap();
        let mut state = SyncState::default();
        state.server = Some("https://sync.example.org".into());
        state.last_error = Some("the service did not answer".into());
        store.set_sync_state(&serde_json::to_string(&state).unwrap()).unwrap();

        let line = status_of(&store).unwrap();
        assert!(line.queued > 0, "the new case's changes wait in the outbox");
        assert_eq!(line.server.as_deref(), Some("https://sync.example.org"));
        let error = line.last_error.unwrap();
        assert_eq!((error.code, error.message.as_str()), (ErrorCode::SyncFailed, "the service did not answer"));
    }
}
